"""What the reporters share, so every format names the same top finding and prints times alike."""

from __future__ import annotations

from vmcheck.checks.base import LEVELS, Finding
from vmcheck.pipeline import FileResult


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
