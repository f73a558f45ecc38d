"""The command line as users run it: real subprocesses, real files, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, SAMPLES

VMCHECK = [sys.executable, "-m", "vmcheck"]


def run(*args, stdin: str | None = None, cwd=None):
    return subprocess.run(
        [*VMCHECK, *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd or ROOT,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "80"},
    )


def test_help_and_version_do_not_import_torch_or_spacy():
    code = "import sys; from vmcheck.cli.main import cli; print(sorted(m for m in ('torch', 'spacy', 'whisper') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    result = run("--version")
    assert result.returncode == 0 and "vmcheck" in result.stdout
    assert "check" in run("--help").stdout


def test_text_mode_does_not_import_torch(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text("Hi, this is John Miller from Acme. Please call me back at 312-555-0147 by Friday. Again, 312-555-0147. Thanks.")
    code = (
        "import sys; from click.testing import CliRunner; from vmcheck.cli.main import cli; "
        f"r = CliRunner().invoke(cli, ['check', {str(script)!r}]); print(r.exit_code, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split()
    assert out == ["0", "False"]


def test_transcribe_json_prints_timed_words():
    result = run("transcribe", SAMPLES / "excellent.wav", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    words = document["files"][0]["transcript"]["words"]
    assert len(words) > 40
    assert set(words[0]) == {"text", "start", "end", "probability"}


@pytest.mark.parametrize(
    "name, make, reason",
    [
        ("missing", lambda p: p / "nope.wav", "no such file"),
        ("directory", lambda p: p, "is a directory"),
        ("empty", lambda p: _write(p / "empty.wav", b""), "file is empty"),
        ("truncated", lambda p: _write(p / "cut.wav", (SAMPLES / "excellent.wav").read_bytes()[:60]), "no decodable audio"),
        ("not audio", lambda p: _write(p / "notes.mp3", b"just some text, not audio\n" * 50), "not a readable audio file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, name, make, reason):
    path = make(tmp_path)
    result = run("transcribe", path)
    assert result.returncode == 2, (name, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and reason in lines[0], (name, result.stderr)
    assert "Traceback" not in result.stderr


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_check_json_follows_the_contract():
    result = run("check", SAMPLES / "excellent.wav", "--format", "json")
    document = json.loads(result.stdout)
    assert document["schema"] == "vmcheck/1"
    entry = document["files"][0]
    for key in ("path", "ok", "error", "duration_s", "transcript", "facts", "score", "grade", "passed", "categories", "findings"):
        assert key in entry, key
    for key in ("caller_name", "company", "callback_numbers", "ask", "word_count", "wpm", "filler_count", "fillers_per_min", "leading_silence_s"):
        assert key in entry["facts"], key
    assert set(entry["categories"]) == {"name", "number", "rambling", "ask", "tone", "delivery", "compliance"}
    assert document["summary"]["files"] == 1
    assert result.returncode == (0 if entry["passed"] else 1)


def test_report_card_reads_at_80_columns_without_colour(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text("Hi, um, this is John. Call me sometime, whenever you get a chance.")
    result = run("check", script)
    assert result.returncode == 1
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert "\x1b[" not in result.stdout
    for text in ("NEEDS WORK", "Core.WeakAsk", "Transcript", "→"):
        assert text in result.stdout, text


def test_stdin_script_and_rule_overrides():
    text = "Hi, this is John Miller from Acme. Please call me back at 312-555-0147 by Friday. Again, 312-555-0147. Thanks."
    assert run("check", "-", stdin=text).returncode == 0
    no_deadline = "Hi, this is John Miller from Acme. Please call me back at 312-555-0147. Again, 312-555-0147. Thanks."
    assert run("check", "-", stdin=no_deadline).returncode == 0
    assert run("check", "-", "--rule", "Core.NoTimeFrame=error", stdin=no_deadline).returncode == 1
    assert run("check", "-", "--rule", "Core.Nope=off", stdin=text).returncode == 2


def test_config_file_is_found_and_validated(tmp_path):
    (tmp_path / "vmcheck.toml").write_text("threshold = 101\n")
    result = run("check", "-", stdin="Hi, this is John.", cwd=tmp_path)
    assert result.returncode == 2 and "threshold" in result.stderr
    (tmp_path / "vmcheck.toml").write_text('colour = "blue"\n')
    result = run("check", "-", stdin="Hi, this is John.", cwd=tmp_path)
    assert result.returncode == 2 and "unknown key 'colour'" in result.stderr
    (tmp_path / "vmcheck.toml").write_text('[rules]\n"Core.NoAsk" = "off"\n"Core.NoCourtesy" = "off"\n')
    result = run("check", "-", "--format", "json", stdin="Hi, this is John Miller from Acme at 312-555-0147.", cwd=tmp_path)
    rules = {f["rule"] for f in json.loads(result.stdout)["files"][0]["findings"]}
    assert "Core.NoAsk" not in rules and "Core.NoCourtesy" not in rules


def test_help_is_fast():
    start = time.perf_counter()
    run("--help")
    assert time.perf_counter() - start < 5  # generous: the benchmark measures the real figure
