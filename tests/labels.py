"""How a labelled case is scored: the facts vmcheck reports against the facts a person labelled.

Shared by the labelled-audio test and bench/accuracy.py, so both count the same way.
"""

from __future__ import annotations

from vmcheck.facts.textindex import normalise
from vmcheck.report.result import FileResult

FACTS = ("caller_name", "company", "numbers", "ask", "rambling")


def got(result: FileResult) -> dict:
    facts = result.facts
    return {
        "caller_name": facts["caller_name"],
        "company": facts["company"],
        "numbers": sorted(n["digits"] for n in facts["callback_numbers"]),
        "ask": facts["ask"] is not None,
        "rambling": not result.score.categories["rambling"].passed,
    }


def right(fact: str, got_value, want) -> bool:
    if fact in ("caller_name", "company"):
        return normalise(got_value or "") == normalise(want or "")
    if fact == "numbers":
        return got_value == sorted(want)
    return bool(got_value) == bool(want)


def tally(rows: list[tuple[dict, dict]]) -> dict[str, float]:
    return {f: sum(right(f, g[f], w[f]) for g, w in rows) / len(rows) for f in FACTS} if rows else {}
