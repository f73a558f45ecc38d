"""The team at a glance: which group each message is in, each group's figures, and the tables that show them."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest
from rich.console import Console

from tests.conftest import ROOT
from vmcheck.errors import VmcheckError
from vmcheck.report.formats import card, csv_report, html_report, summary
from vmcheck.report.formats.common import Extras
from vmcheck.report.grouping import NO_MATCH, Grouping, summarise
from vmcheck.report.result import FileResult
from vmcheck.run import pipeline
from vmcheck.run.config import Settings
from vmcheck.transcript import textmode

GOOD = "Hi Dana, this is John Miller from Acme Insurance. Could you call me back by Friday at 312-555-0147? Again, 312-555-0147. Thanks!"
NUMBER_ONCE = "Hi Dana, this is John Miller from Acme Insurance. Could you call me back by Friday at 312-555-0147? Thanks!"
NO_NAME = "Hi Dana, could you call me back by Friday at 312-555-0147? Again, 312-555-0147. Thanks!"


def test_folder_groups_are_the_first_folder_below_the_shared_one():
    paths = ["team/alice/week1/1.wav", "team/alice/2.wav", "team/bob/3.txt", "team/loose.txt"]
    assert Grouping.parse("folder").assign(paths) == {
        "team/alice/week1/1.wav": "alice",
        "team/alice/2.wav": "alice",
        "team/bob/3.txt": "bob",
        "team/loose.txt": "team",
    }
    assert Grouping.parse("folder").assign(["only/here/a.txt", "only/here/b.txt"]) == {"only/here/a.txt": "here", "only/here/b.txt": "here"}


def test_regex_groups_use_the_named_group_of_the_file_name():
    grouping = Grouping.parse(r"^(?P<rep>[a-z]+)-\d")
    assert grouping.label == "rep"
    assert grouping.assign(["calls/dana-1.wav", "x/dana-2.txt", "calls/eli-7.mp3", "calls/README.txt"]) == {
        "calls/dana-1.wav": "dana",
        "x/dana-2.txt": "dana",
        "calls/eli-7.mp3": "eli",
        "calls/README.txt": NO_MATCH,
    }


@pytest.mark.parametrize(
    "spec, reason", [("(?P<rep>[a-z", "not a regular expression"), (r"[a-z]+-\d", "one named group"), ("(?P<a>x)(?P<b>y)", "one named group")]
)
def test_a_bad_grouping_is_a_clear_error(spec, reason):
    with pytest.raises(VmcheckError, match=reason):
        Grouping.parse(spec)


@pytest.fixture(scope="module")
def team(ruleset):
    texts = {"team/ann/1.txt": GOOD, "team/ann/2.txt": NO_NAME, "team/bob/1.txt": NUMBER_ONCE, "team/bob/2.txt": NUMBER_ONCE}
    results = [pipeline.judge(path, textmode.from_text(text), None, ruleset, Settings()) for path, text in texts.items()]
    return results + [FileResult("team/bob/broken.wav", ok=False, error="not audio")]


def test_group_figures(team):
    ann, bob = summarise(team, Grouping.parse("folder"))  # worst mean first
    assert (ann.name, ann.messages, ann.passed, ann.failed, ann.errors, ann.pass_rate) == ("ann", 2, 1, 1, 0, 0.5)
    assert ann.scores == tuple(sorted(r.score.score for r in team[:2])) and ann.mean_score == sum(ann.scores) / 2
    assert ann.top_findings[0] == ("Core.NameMissing", 1) and ann.category_findings["name"] == 1
    assert (bob.name, bob.messages, bob.passed, bob.errors, bob.pass_rate) == ("bob", 3, 2, 1, 1.0)
    assert bob.top_findings == (("Core.NumberOnce", 2),) and bob.category_findings == {
        "name": 0,
        "number": 2,
        "rambling": 0,
        "ask": 0,
        "tone": 0,
        "delivery": 0,
        "compliance": 0,
    }
    assert ann.mean_score < bob.mean_score


def test_groups_in_the_terminal_csv_and_html(team):
    groups = summarise(team, Grouping.parse("folder"))
    extras = Extras(groups=groups, group_label="folder")
    console = Console(file=io.StringIO(), width=120, theme=card.THEME)
    console.print(summary.render(team, extras))
    printed = console.file.getvalue()
    assert "By folder" in printed and "Core.NumberOnce (2)" in printed
    ann, bob = (line for line in printed.splitlines() if line.startswith(("ann ", "bob ")))
    assert ann.split()[:4] == ["ann", "2", "50%", f"{groups[0].mean_score:.1f}"] and "Core.NameMissing (1)" in ann
    assert "3, 1 errors" in bob and "100%" in bob
    rows = list(csv.DictReader(io.StringIO(csv_report.render(team, extras))))
    assert list(rows[0]) == ["folder", *csv_report.GROUP_HEADER]
    assert [(r["folder"], r["messages"], r["passed"], r["errors"], r["pass_rate"]) for r in rows] == [
        ("ann", "2", "1", "0", "0.5"),
        ("bob", "3", "2", "1", "1.0"),
    ]
    assert rows[1]["top_findings"] == "Core.NumberOnce (2)"
    page = html_report.render(team, extras)
    assert "<h2>By folder</h2>" in page and page.count("<circle") == 4 and "ann: mean" in page


def test_group_by_on_the_command_line(tmp_path):
    for path, text in {"ann/1.txt": GOOD, "ann/2.txt": NO_NAME, "bob/1.txt": NUMBER_ONCE}.items():
        (tmp_path / "team" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "team" / path).write_text(text)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "120"}

    def vmcheck(*args):
        return subprocess.run([sys.executable, "-m", "vmcheck", "check", "team", "-q", *args], capture_output=True, text=True, cwd=tmp_path, env=env)

    run = vmcheck("--group-by", "folder", "--format", "csv")
    assert run.returncode == 1 and [row["folder"] for row in csv.DictReader(io.StringIO(run.stdout))] == ["ann", "bob"]
    run = vmcheck("--group-by", r"(?P<take>\d)\.txt")
    assert "By take" in run.stdout and run.returncode == 1
    for args, reason in [
        (("--group-by", "(?P<x"), "not a regular expression"),
        (("--group-by", "folder", "--format", "junit"), "--group-by shows in"),
        (("--embed-audio",), "--embed-audio is for --format html"),
    ]:
        run = vmcheck(*args)
        (line,) = run.stderr.strip().splitlines()
        assert run.returncode == 2 and reason in line, run.stderr
