"""GitHub Actions workflow commands, so each finding shows as an annotation on the run and the pull request.

Escaping follows the Actions toolkit (``escapeData``/``escapeProperty``): a
newline in a message would otherwise end the command and let the rest of the
line be read as a new one.
"""

from __future__ import annotations

from vmcheck.findings.checks.base import Finding
from vmcheck.report.formats.common import clock
from vmcheck.report.formats.json_report import summary
from vmcheck.report.result import FileResult

COMMANDS = {"error": "error", "warning": "warning", "suggestion": "notice"}


def render(results: list[FileResult]) -> str:
    lines = []
    for result in results:
        if not result.ok:
            lines.append(f"::error file={escape_property(result.path)}::{escape_data(f'could not check: {result.error}')}")
        lines.extend(annotation(result.path, finding) for finding in result.findings)
    lines.append(summary_line(results))
    return "\n".join(lines) + "\n"


def annotation(path: str, finding: Finding) -> str:
    at = f" ({clock(finding.start)})" if finding.start is not None else ""
    text = f"{finding.message}{at} -> {finding.suggestion}"
    properties = f"file={escape_property(path)},title={escape_property(finding.rule)}"
    return f"::{COMMANDS[finding.level]} {properties}::{escape_data(text)}"


def summary_line(results: list[FileResult]) -> str:
    totals = summary(results)
    mean = "" if totals["mean_score"] is None else f", mean score {totals['mean_score']}"
    return (
        f"vmcheck: {totals['files']} file{'' if totals['files'] == 1 else 's'}, {totals['passed']} passed, "
        f"{totals['failed']} failed, {totals['errors']} could not be checked{mean}"
    )


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
