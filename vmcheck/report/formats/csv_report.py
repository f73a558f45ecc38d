"""One row per file for spreadsheets: scores, who called, and the worst problem; or one row per group.

Text cells that a spreadsheet would run as a formula (starting with = + - @,
tab or carriage return) get a leading apostrophe, as OWASP advises; numbers
are never touched.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from vmcheck.findings.checks.base import CATEGORIES
from vmcheck.report.formats.common import Extras, top_finding
from vmcheck.report.grouping import GroupStats
from vmcheck.report.result import FileResult

HEADER = [
    "path",
    "ok",
    "error",
    "score",
    "grade",
    "passed",
    *(f"{name}_score" for name in CATEGORIES),
    "caller_name",
    "company",
    "callback_number",
    "duration_s",
    "wpm",
    "filler_count",
    "findings",
    "top_finding",
]
GROUP_HEADER = ["messages", "passed", "failed", "errors", "pass_rate", "mean_score", "top_findings"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(results: list[FileResult], extras: Extras = Extras()) -> str:
    """With ``--group-by``, the team table (one row per group, first column named after the grouping)."""
    if extras.groups:
        label = extras.group_label
        return _table([label, *GROUP_HEADER], (group_row(group, label) for group in extras.groups))
    return _table(HEADER, (row(result) for result in results))


def _table(header: list[str], rows) -> str:
    buffer = io.StringIO()
    # "\n": the CLI writes through a text stream, which turns it into the platform's line ending.
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def group_row(group: GroupStats, label: str) -> dict:
    return {
        label: _text(group.name),
        "messages": group.messages,
        "passed": group.passed,
        "failed": group.failed,
        "errors": group.errors,
        "pass_rate": _number(None if group.pass_rate is None else round(group.pass_rate, 3)),
        "mean_score": _number(group.mean_score),
        "top_findings": "; ".join(f"{rule} ({files})" for rule, files in group.top_findings),
    }


def row(result: FileResult) -> dict:
    facts: Mapping[str, Any] = result.facts or {}
    score = result.score
    numbers = facts.get("callback_numbers") or []
    top = top_finding(result)
    cells = {
        "path": _text(result.path),
        "ok": _flag(result.ok),
        "error": _text(result.error),
        "score": score.score if score else "",
        "grade": _text(score.grade if score else None),
        "passed": _flag(bool(score and score.passed)),
        "caller_name": _text(facts.get("caller_name")),
        "company": _text(facts.get("company")),
        "callback_number": _text(numbers[0]["formatted"] if numbers else None),
        "duration_s": _number(facts.get("duration_s")),
        "wpm": _number(facts.get("wpm")),
        "filler_count": _number(facts.get("filler_count")),
        "findings": len(result.findings) if result.ok else "",
        "top_finding": _text(top.rule if top else None),
    }
    for name in CATEGORIES:
        category = score.categories.get(name) if score else None
        cells[f"{name}_score"] = category.score if category and category.checked else ""
    return cells


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _number(value: float | int | None) -> float | int | str:
    return "" if value is None else value


def _flag(value: bool) -> str:
    return "true" if value else "false"
