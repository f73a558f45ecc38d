"""SARIF 2.1.0, so code-scanning dashboards (GitHub, GitLab, Azure DevOps) list findings next to the recordings.

SARIF regions are text positions and a recording has none, so every result
points at line 1 and carries its times in ``properties`` and in the message.
Results hold only rule ids, so a rule's descriptions come from its first
finding rather than from the rule file.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import PurePath
from urllib.parse import quote

from vmcheck import __version__
from vmcheck.findings.checks.base import Finding
from vmcheck.report.formats.common import clock
from vmcheck.report.result import FileResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "suggestion": "note"}


def render(results: list[FileResult]) -> str:
    rules: dict[str, int] = {}
    descriptors: list[dict] = []
    sarif_results = []
    for result in results:
        for finding in result.findings:
            if finding.rule not in rules:
                rules[finding.rule] = len(descriptors)
                descriptors.append(rule_descriptor(finding))
            sarif_results.append(sarif_result(result.path, finding, rules[finding.rule]))
    driver = {"name": "vmcheck", "version": __version__, "rules": descriptors}
    homepage = _homepage()
    if homepage:
        driver["informationUri"] = homepage
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation(results)],
        "results": sarif_results,
    }
    return json.dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)


def rule_descriptor(finding: Finding) -> dict:
    descriptor = {
        "id": finding.rule,
        "shortDescription": {"text": finding.message},
        "fullDescription": {"text": f"{finding.message} Fix: {finding.suggestion}"},
        "help": {"text": finding.suggestion},
        "defaultConfiguration": {"level": LEVELS[finding.level]},
        "properties": {"category": finding.category, "tags": ["voicemail", finding.category]},
    }
    if finding.link:
        descriptor["helpUri"] = finding.link
    return descriptor


def sarif_result(path: str, finding: Finding, rule_index: int) -> dict:
    at = f" (at {clock(finding.start)})" if finding.start is not None else ""
    properties: dict[str, str | float] = {"category": finding.category}
    if finding.start is not None:
        properties["start_s"] = round(finding.start, 2)
        properties["end_s"] = round(finding.end if finding.end is not None else finding.start, 2)
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.level],
        "message": {"text": f"{finding.message}{at} Fix: {finding.suggestion}"},
        "locations": [_location(path)],
        "properties": properties,
    }


def invocation(results: list[FileResult]) -> dict:
    """Files that could not be checked are tool notifications, not findings: there is nothing to fix in them."""
    failed = [r for r in results if not r.ok]
    return {
        "executionSuccessful": not failed,
        "toolExecutionNotifications": [
            {"level": "error", "message": {"text": f"could not check: {r.error}"}, "locations": [_location(r.path)]} for r in failed
        ],
    }


def artifact_uri(path: str) -> str:
    """A URI reference as SARIF requires: forward slashes, percent-encoded; absolute paths become file: URIs."""
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(path.replace(os.sep, "/"), safe="/")


def _location(path: str) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(path)}, "region": {"startLine": 1}}}


def _homepage() -> str | None:
    """The project's Homepage URL from its package metadata, once pyproject.toml declares one."""
    try:
        urls = metadata.metadata("vmcheck").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "repository"}:
            return url.strip()
    return None
