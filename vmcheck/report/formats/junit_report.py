"""JUnit XML, so Jenkins and GitLab show each voicemail as a test case that passed, failed or errored.

Test times are 0: a result records what the message is like, not how long
checking it took, and a message's length is not a test duration.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from vmcheck.report.formats.common import clock
from vmcheck.report.formats.json_report import summary
from vmcheck.report.result import FileResult

SUITE = "vmcheck"
# Characters XML 1.0 forbids even when escaped; ElementTree would write them and break every parser.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(results: list[FileResult]) -> str:
    totals = summary(results)
    counts = {"tests": str(totals["files"]), "failures": str(totals["failed"]), "errors": str(totals["errors"])}
    root = ET.Element("testsuites", {"name": SUITE, **counts, "time": "0"})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts, "skipped": "0", "time": "0"})
    for result in results:
        suite.append(testcase(result))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def testcase(result: FileResult) -> ET.Element:
    case = ET.Element("testcase", {"classname": SUITE, "name": _xml(result.path), "time": "0"})
    if not result.ok:
        ET.SubElement(case, "error", {"message": _xml(result.error or "could not check"), "type": "vmcheck.error"}).text = _xml(result.error or "")
        return case
    score, _, _ = result.checked()
    lines = "\n".join(finding_line(f) for f in result.findings)
    if not score.passed:
        count = len(result.findings)
        message = f"score {score.score} ({score.grade}): {count} finding{'' if count == 1 else 's'}"
        ET.SubElement(case, "failure", {"message": message, "type": "vmcheck.failed"}).text = _xml(lines)
    elif lines:
        ET.SubElement(case, "system-out").text = _xml(lines)
    return case


def finding_line(finding) -> str:
    return f"{clock(finding.start)} {finding.level} {finding.rule}: {finding.message} -> {finding.suggestion}"


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
