"""The team at a glance: which rep, campaign or class each message belongs to, and each group's figures.

A group is a sub-folder (``--group-by folder``: the first folder below the one
all the checked files share) or the value of the one named group of a regular
expression searched in the file name (``--group-by '(?P<rep>[a-z]+)-'``).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass

from vmcheck.errors import VmcheckError
from vmcheck.findings.checks.base import CATEGORIES
from vmcheck.report.result import FileResult

FOLDER = "folder"
NO_MATCH = "(no match)"
TOP_FINDINGS = 3


@dataclass(frozen=True)
class Grouping:
    """How messages are put into groups; ``label`` names the column ("folder", or the regex group's name)."""

    label: str
    pattern: re.Pattern | None = None

    @classmethod
    def parse(cls, spec: str) -> Grouping:
        if spec == FOLDER:
            return cls(FOLDER)
        try:
            pattern = re.compile(spec)
        except re.error as error:
            raise VmcheckError(f"--group-by: not a regular expression ({error})") from None
        if len(pattern.groupindex) != 1:
            raise VmcheckError(f"--group-by takes 'folder' or a regular expression with one named group, like '(?P<rep>[a-z]+)-' (got {spec!r})")
        return cls(next(iter(pattern.groupindex)), pattern)

    def assign(self, paths: list[str]) -> dict[str, str]:
        """The group of every path."""
        if self.pattern is None:
            return _by_folder(paths)
        groups = {}
        for path in paths:
            match = self.pattern.search(os.path.basename(path))
            groups[path] = match.group(self.label) if match and match.group(self.label) else NO_MATCH
        return groups


@dataclass(frozen=True)
class GroupStats:
    name: str
    messages: int
    passed: int
    failed: int
    errors: int
    scores: tuple[int, ...]
    top_findings: tuple[tuple[str, int], ...]
    category_findings: dict[str, int]

    @property
    def pass_rate(self) -> float | None:
        """Passed over checked messages; files that could not be checked do not count either way."""
        checked = self.passed + self.failed
        return self.passed / checked if checked else None

    @property
    def mean_score(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "messages": self.messages,
            "passed": self.passed,
            "failed": self.failed,
            "errors": self.errors,
            "pass_rate": None if self.pass_rate is None else round(self.pass_rate, 3),
            "mean_score": self.mean_score,
            "scores": list(self.scores),
            "top_findings": [{"rule": rule, "files": files} for rule, files in self.top_findings],
            "category_findings": self.category_findings,
        }


def summarise(results: list[FileResult], grouping: Grouping) -> list[GroupStats]:
    """One entry per group, worst mean score first (groups with nothing scored last)."""
    assigned = grouping.assign([r.path for r in results])
    members: dict[str, list[FileResult]] = {}
    for result in results:
        members.setdefault(assigned[result.path], []).append(result)
    groups = [stats(name, group) for name, group in members.items()]
    return sorted(groups, key=lambda s: (s.mean_score is None, s.mean_score or 0, s.name))


def stats(name: str, results: list[FileResult]) -> GroupStats:
    """The figures of one group of messages."""
    scored = [r for r in results if r.ok and r.score]
    scores = [r.score for r in scored if r.score]
    files_with = Counter(rule for r in scored for rule in {f.rule for f in r.findings})
    by_category = Counter(category for r in scored for category in {f.category for f in r.findings})
    return GroupStats(
        name=name,
        messages=len(results),
        passed=sum(s.passed for s in scores),
        failed=sum(not s.passed for s in scores),
        errors=len(results) - len(scored),
        scores=tuple(sorted(s.score for s in scores)),
        top_findings=tuple(sorted(files_with.items(), key=lambda item: (-item[1], item[0]))[:TOP_FINDINGS]),
        category_findings={category: by_category.get(category, 0) for category in CATEGORIES},
    )


def _by_folder(paths: list[str]) -> dict[str, str]:
    """The first folder below the deepest folder every path shares; files right in it are grouped under its name."""
    folders = [os.path.dirname(os.path.abspath(p)) for p in paths]
    root = os.path.commonpath(folders) if folders else ""
    groups = {}
    for path, folder in zip(paths, folders):
        below = os.path.relpath(folder, root)
        groups[path] = below.split(os.sep)[0] if below != "." else (os.path.basename(root) or root)
    return groups
