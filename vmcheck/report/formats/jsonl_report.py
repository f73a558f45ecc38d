"""JSON Lines: one ``vmcheck/1`` file object per line, so a caller can stream and process files as they finish."""

from __future__ import annotations

import json

from vmcheck import REPORT_SCHEMA
from vmcheck.report.result import FileResult

# Valid inside JSON strings, but str.splitlines() and some editors break lines on them.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def render_one(result: FileResult) -> str:
    """One line, no trailing newline: the same object as in the JSON document's ``files`` list, plus ``schema``."""
    return json.dumps({"schema": REPORT_SCHEMA, **result.to_dict()}, ensure_ascii=False).translate(_LINE_BREAKS)


def render(results: list[FileResult]) -> str:
    return "".join(render_one(result) + "\n" for result in results)
