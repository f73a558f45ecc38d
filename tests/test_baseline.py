"""Progress against a baseline: the comparison rule by rule, the ratchet through the real command line, and diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from vmcheck.report.formats import json_report
from vmcheck.run import pipeline
from vmcheck.run.config import Settings
from vmcheck.score import baseline
from vmcheck.transcript import textmode

GOOD = "Hi Dana, this is John Miller from Acme Insurance. Could you call me back by Friday at 312-555-0147? Again, 312-555-0147. Thanks!"
NUMBER_ONCE = "Hi Dana, this is John Miller from Acme Insurance. Could you call me back by Friday at 312-555-0147? Thanks!"
NO_NAME = "Hi Dana, could you call me back by Friday at 312-555-0147? Again, 312-555-0147. Thanks!"
RAMBLING = "Um, hey, so, uh, I just wanted to maybe kind of touch base, you know, call me sometime maybe."


def vmcheck(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "vmcheck", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "160"},
    )


def _snapshot(text: str, ruleset, path: str = "a.txt") -> dict:
    result = pipeline.judge(path, textmode.from_text(text), None, ruleset, Settings())
    return baseline.snapshots(json.loads(json_report.render([result])))


def test_a_new_rule_is_worse_a_gone_one_fixed_and_the_category_scores_follow(ruleset):
    then, now = _snapshot(GOOD, ruleset), _snapshot(NUMBER_ONCE, ruleset)
    (change,) = baseline.compare(then, now).files
    assert change.status == "compared" and change.regressions == ("new: Core.NumberOnce (warning)", "number 100 → 80")
    assert change.improvements == () and change.failed is False  # worse, but it still passes the usual rules
    (back,) = baseline.compare(now, then).files
    assert back.improvements == ("fixed: Core.NumberOnce", "number 80 → 100") and back.regressions == ()


def test_a_higher_level_or_more_times_is_worse_and_the_reverse_better():
    entry = {
        "score": 60,
        "passed": False,
        "categories": {"name": {"score": 60, "checked": True}},
        "findings": [{"rule": "Core.X", "level": "warning"}],
    }
    twice_as_error = {**entry, "findings": [{"rule": "Core.X", "level": "error"}, {"rule": "Core.X", "level": "warning"}]}
    then, now = baseline.Snapshot.from_dict(entry), baseline.Snapshot.from_dict(twice_as_error)
    assert now.rules == {"Core.X": (2, "error")}
    (change,) = baseline.compare({"a": then}, {"a": now}).files
    assert change.regressions == ("Core.X: warning → error", "Core.X: 1 → 2 times") and change.failed
    (back,) = baseline.compare({"a": now}, {"a": then}).files
    assert back.improvements == ("Core.X: error → warning", "Core.X: 2 → 1 times") and not back.failed


def test_files_new_to_the_run_are_judged_as_usual_and_missing_ones_listed(ruleset):
    failing = _snapshot(RAMBLING, ruleset, "new.txt")
    comparison = baseline.compare(_snapshot(GOOD, ruleset, "old.txt"), failing)
    assert [(c.path, c.status, c.failed) for c in comparison.files] == [("new.txt", "new file", True), ("old.txt", "gone", False)]
    assert comparison.failed and comparison.to_dict()["summary"]["gone"] == 1


@pytest.fixture
def week1(tmp_path):
    """A class of three, checked once: the baseline."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name, text in {"ann.txt": NO_NAME, "ben.txt": GOOD, "cat.txt": NO_NAME}.items():
        (folder / name).write_text(text)
    run = vmcheck("check", "submissions", "-q", "--format", "json", "-o", "week1.json", cwd=tmp_path)
    assert run.returncode == 1, run.stderr  # ann and cat fail: no name
    return tmp_path


def test_the_ratchet_fails_new_findings_only(week1):
    folder = week1 / "submissions"
    assert vmcheck("check", "submissions", "-q", "--baseline", "week1.json", cwd=week1).returncode == 0  # nothing new
    (folder / "cat.txt").write_text(NO_NAME.replace("Again, 312-555-0147. ", ""))  # still no name, now the number once
    (folder / "ann.txt").write_text(GOOD)  # fixed
    run = vmcheck("check", "submissions", "-q", "--baseline", "week1.json", cwd=week1)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Progress since the baseline" in run.stdout
    ann = next(line for line in run.stdout.splitlines() if line.startswith("submissions/ann.txt") and "→" in line)
    assert "fixed: Core.NameMissing" in ann
    cat = next(line for line in run.stdout.splitlines() if line.startswith("submissions/cat.txt") and "→" in line)
    assert "✖ fails" in cat and "new: Core.NumberOnce (warning)" in cat
    assert vmcheck("check", "submissions", "-q", cwd=week1).returncode == 1
    html = vmcheck("check", "submissions", "-q", "--baseline", "week1.json", "--format", "html", "-o", "audit.html", cwd=week1)
    page = (week1 / "audit.html").read_text()
    assert html.returncode == 1 and "<h2>Since the baseline</h2>" in page and "fails: worse than before" in page
    assert '<li class="worse">new: Core.NumberOnce (warning)</li>' in page and '<li class="better">fixed: Core.NameMissing</li>' in page


def test_diff_prints_the_same_comparison_without_checking(week1):
    (week1 / "submissions" / "cat.txt").write_text(GOOD)
    checked = vmcheck("check", "submissions", "-q", "--baseline", "week1.json", "--format", "json", "-o", "week2.json", cwd=week1)
    assert checked.returncode == 0, checked.stderr
    document = json.loads((week1 / "week2.json").read_text())
    cat = next(c for c in document["comparison"]["files"] if c["path"] == "submissions/cat.txt")
    assert "fixed: Core.NameMissing" in cat["improvements"] and "name 40 → 100" in cat["improvements"]
    assert cat["regressions"] == [] and cat["new_score"] > cat["old_score"]
    diff = vmcheck("diff", "week1.json", "week2.json", cwd=week1)
    assert diff.returncode == 0, diff.stderr
    assert "fixed: Core.NameMissing" in diff.stdout and "1 improved" in diff.stdout
    back = vmcheck("diff", "week2.json", "week1.json", cwd=week1)
    assert back.returncode == 1 and "new: Core.NameMissing (error)" in back.stdout and "✖ fails" in back.stdout


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "no such file"),
        ("{not json", "not a JSON file"),
        ('{"schema": "vmcheck-transcript/1", "files": []}', "not a vmcheck result"),
        ('{"schema": "vmcheck/1", "files": [{"path": "a.txt", "ok": true}]}', "not in the vmcheck/1 shape"),
    ],
)
def test_a_bad_baseline_is_one_line_and_exit_2(week1, content, reason):
    if content is not None:
        (week1 / "bad.json").write_text(content)
    for args in (("check", "submissions", "-q", "--baseline", "bad.json"), ("diff", "bad.json", "week1.json")):
        run = vmcheck(*args, cwd=week1)
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        (line,) = run.stderr.strip().splitlines()
        assert "bad.json" in line and reason in line, line
