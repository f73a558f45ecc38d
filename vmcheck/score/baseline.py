"""Progress against an earlier ``--format json`` result: what got better, what got worse, and the ratchet.

Files are matched by path. Within a file, a rule is the unit: a rule that
fires now and did not then is new; one that fires at a higher level or more
often is worse; one that no longer fires is fixed. A category scoring lower
than before is worse too. Under the ratchet a file fails only when it fails
the usual rules *and* something in it is new or worse; a file the baseline
does not hold is judged as usual.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from vmcheck import REPORT_SCHEMA
from vmcheck.errors import VmcheckError
from vmcheck.findings.checks.base import LEVELS
from vmcheck.score.scoring import fails


@dataclass(frozen=True)
class Snapshot:
    """One checked file as a JSON result holds it."""

    score: int
    passed: bool
    categories: dict[str, int]
    rules: dict[str, tuple[int, str]]

    @classmethod
    def from_dict(cls, entry: dict) -> Snapshot:
        rules: dict[str, tuple[int, str]] = {}
        for finding in entry["findings"]:
            count, level = rules.get(finding["rule"], (0, LEVELS[0]))
            rules[finding["rule"]] = (count + 1, max(level, finding["level"], key=LEVELS.index))
        categories = {name: c["score"] for name, c in entry["categories"].items() if c["checked"]}
        return cls(int(entry["score"]), bool(entry["passed"]), categories, rules)

    def fails(self, fail_on: str) -> bool:
        return fails(self.passed, (level for _, level in self.rules.values()), fail_on)


@dataclass(frozen=True)
class FileChange:
    path: str
    status: str  # "compared", "new file" (not in the baseline) or "gone" (in the baseline, not checked now)
    old_score: int | None = None
    new_score: int | None = None
    improvements: tuple[str, ...] = ()
    regressions: tuple[str, ...] = ()
    failed: bool = False

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "old_score": self.old_score,
            "new_score": self.new_score,
            "improvements": list(self.improvements),
            "regressions": list(self.regressions),
            "failed": self.failed,
        }


@dataclass(frozen=True)
class Comparison:
    baseline: str
    files: list[FileChange] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(change.failed for change in self.files)

    def get(self, path: str) -> FileChange | None:
        return next((c for c in self.files if c.path == path), None)

    def to_dict(self) -> dict:
        counts = {status: sum(c.status == status for c in self.files) for status in ("compared", "new file", "gone")}
        return {
            "baseline": self.baseline,
            "files": [c.to_dict() for c in self.files],
            "summary": {
                **counts,
                "improved": sum(bool(c.improvements) for c in self.files),
                "regressed": sum(bool(c.regressions) for c in self.files),
                "failed": sum(c.failed for c in self.files),
            },
        }


def load(path: str) -> dict[str, Snapshot]:
    """The checked files of a ``vmcheck/1`` JSON result, by path; a bad file is a one-line error."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise VmcheckError("no such file", path) from None
    except OSError as error:
        raise VmcheckError(f"cannot read the baseline ({error.strerror})", path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise VmcheckError(f"not a JSON file ({error})", path) from None
    if not isinstance(document, dict) or document.get("schema") != REPORT_SCHEMA:
        raise VmcheckError(f"not a vmcheck result; write one with --format json (schema {REPORT_SCHEMA})", path)
    return snapshots(document, path)


def snapshots(document: dict, path: str = "") -> dict[str, Snapshot]:
    try:
        return {os.path.normpath(e["path"]): Snapshot.from_dict(e) for e in document["files"] if e["ok"]}
    except (KeyError, TypeError, ValueError) as error:
        raise VmcheckError(f"a file entry is not in the {REPORT_SCHEMA} shape ({type(error).__name__}: {error})", path) from None


def compare(old: dict[str, Snapshot], new: dict[str, Snapshot], fail_on: str = "error", baseline: str = "") -> Comparison:
    """Every file of ``new`` against ``old``, in ``new``'s order, then the files only ``old`` holds."""
    changes = []
    for path, now in new.items():
        then = old.get(path)
        if then is None:
            changes.append(FileChange(path, "new file", None, now.score, failed=now.fails(fail_on)))
            continue
        better, worse = _differences(then, now)
        changes.append(FileChange(path, "compared", then.score, now.score, better, worse, now.fails(fail_on) and bool(worse)))
    changes += [FileChange(path, "gone", then.score) for path, then in old.items() if path not in new]
    return Comparison(baseline, changes)


def _differences(then: Snapshot, now: Snapshot) -> tuple[tuple[str, ...], tuple[str, ...]]:
    better: list[str] = []
    worse: list[str] = []
    for rule, (count, level) in now.rules.items():
        if rule not in then.rules:
            worse.append(f"new: {rule} ({level}{_times(count)})")
            continue
        old_count, old_level = then.rules[rule]
        if LEVELS.index(level) != LEVELS.index(old_level):
            (worse if LEVELS.index(level) > LEVELS.index(old_level) else better).append(f"{rule}: {old_level} → {level}")
        if count != old_count:
            (worse if count > old_count else better).append(f"{rule}: {old_count} → {count} times")
    better += [f"fixed: {rule}" for rule in then.rules if rule not in now.rules]
    for category, score in now.categories.items():
        old_score = then.categories.get(category)
        if old_score is not None and score != old_score:
            (worse if score < old_score else better).append(f"{category} {old_score} → {score}")
    return tuple(better), tuple(worse)


def _times(count: int) -> str:
    return f", {count} times" if count > 1 else ""
