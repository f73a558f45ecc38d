"""The ``vmcheck/1`` JSON document other tools rely on."""

from __future__ import annotations

import json

from vmcheck import REPORT_SCHEMA
from vmcheck.report.formats.common import Extras
from vmcheck.report.result import FileResult


def summary(results: list[FileResult]) -> dict:
    scored = [r.score.score for r in results if r.ok and r.score]
    return {
        "files": len(results),
        "passed": sum(1 for r in results if r.ok and r.score and r.score.passed),
        "failed": sum(1 for r in results if r.ok and r.score and not r.score.passed),
        "errors": sum(1 for r in results if not r.ok),
        "mean_score": round(sum(scored) / len(scored), 1) if scored else None,
    }


def render(results: list[FileResult], extras: Extras = Extras()) -> str:
    """The ``groups`` and ``comparison`` keys are there only with ``--group-by`` and ``--baseline``."""
    document = {"schema": REPORT_SCHEMA, "files": [r.to_dict() for r in results], "summary": summary(results)}
    if extras.groups:
        document["groups"] = {"by": extras.group_label, "groups": [g.to_dict() for g in extras.groups]}
    if extras.comparison:
        document["comparison"] = extras.comparison.to_dict()
    return json.dumps(document, indent=2, ensure_ascii=False)
