"""What the reporters share, so every format names the same top finding and prints times alike."""

from __future__ import annotations

from dataclasses import dataclass

from vmcheck.findings.checks.base import LEVELS, Finding
from vmcheck.report.grouping import GroupStats
from vmcheck.report.result import FileResult
from vmcheck.score.baseline import Comparison


def top_finding(result: FileResult) -> Finding | None:
    """The most severe finding, the earliest among equals; an untimed one (about the whole message) counts as at 0:00."""
    if not result.findings:
        return None
    return max(result.findings, key=lambda f: (LEVELS.index(f.level), -(f.start or 0.0)))


def clock(seconds: float | None) -> str:
    """m:ss as on the report card, or "-:--" for a finding about the whole message."""
    if seconds is None:
        return "-:--"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}"


def worst_first(results: list[FileResult]) -> list[FileResult]:
    """Files that could not be checked, then the lowest scores: the order a reviewer works in."""
    return sorted(results, key=lambda r: (r.ok, r.score.score if r.score else -1, r.path))


@dataclass(frozen=True)
class Extras:
    """What the table, HTML, CSV and JSON reports add to the results when asked: the team's groups,
    progress against a baseline, and how the HTML reaches each message's audio."""

    groups: list[GroupStats] | None = None
    group_label: str = "group"
    comparison: Comparison | None = None
    report_dir: str = "."
    embed_audio: bool = False
