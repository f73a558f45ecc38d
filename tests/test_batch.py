"""Batch auditing: inputs, the transcript cache, workers, interruption, concurrent runs, exit codes, config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, SAMPLES, cache_with_model, interrupt, start_interruptible
from vmcheck.audio import decode
from vmcheck.errors import VmcheckError
from vmcheck.run import batch, config, inputs
from vmcheck.run.cache import TranscriptCache
from vmcheck.run.config import Settings

GOOD = (
    "Hi Sarah, this is John Miller from Acme. Please call me back before Friday at 312-555-0147. Again, this is John Miller at 312-555-0147. Thanks."
)
BAD = "Hey it's me. Call me."


def make_clips(folder: Path, count: int, seconds: float = 6.0) -> list[Path]:
    """Distinct short recordings cut from the excellent sample (distinct content, so distinct cache keys)."""
    samples = decode(SAMPLES / "excellent.wav").samples
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        start = int((0.5 + 2.0 * i) * 16000)
        clip = samples[start : start + int(seconds * 16000)]
        path = folder / f"clip{i:02d}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(16000)
            out.writeframes((np.clip(clip, -1, 1) * 32767).astype(np.int16).tobytes())
        paths.append(path)
    return paths


def vmcheck(*args, cache_dir: Path, cwd: Path = ROOT, **kwargs):
    env = {**os.environ, "VMCHECK_CACHE_DIR": cache_with_model(cache_dir), "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "vmcheck", *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, **kwargs)


def test_inputs_mix_files_folders_and_globs(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text(GOOD)
    (tmp_path / "one.txt").write_text(GOOD)
    (tmp_path / "one.ref.txt").write_text(GOOD)
    (tmp_path / "notes.pdf").write_text("not a voicemail")
    (tmp_path / "draft.txt").write_text(BAD)
    (tmp_path / "b" / "loop").symlink_to(tmp_path)
    found, skipped = inputs.collect((str(tmp_path),), ("draft*",))
    assert found == [str(tmp_path / "b" / "two.txt"), str(tmp_path / "one.txt")]
    assert any("symlink loop" in reason for _, reason in skipped)
    found, _ = inputs.collect((str(tmp_path / "*.txt"), str(tmp_path / "one.txt")))
    assert found == [str(tmp_path / "draft.txt"), str(tmp_path / "one.txt")]
    _, skipped = inputs.collect((str(tmp_path / "*.mp3"),))
    assert skipped and "matched no files" in skipped[0][1]


def test_cache_hits_misses_and_damaged_entries(tmp_path, ruleset):
    clips = [str(p) for p in make_clips(tmp_path / "audio", 2)]
    cache = TranscriptCache(tmp_path / "cache")
    settings = Settings()
    first = {r.path: r for r in batch.check_all(clips, ruleset, settings, cache)}
    assert (cache.hits, cache.misses) == (0, 2) and all(r.ok for r in first.values())
    again = TranscriptCache(tmp_path / "cache")
    second = {r.path: r for r in batch.check_all(clips, ruleset, settings, again)}
    assert (again.hits, again.misses) == (2, 0)
    for path in clips:
        assert second[path].transcript.text == first[path].transcript.text
        assert second[path].score.score == first[path].score.score
    damaged = again.entries()[0]
    damaged.write_text(damaged.read_text()[:-40])
    third = TranscriptCache(tmp_path / "cache")
    with pytest.warns(UserWarning, match="damaged cache entry"):
        results = list(batch.check_all(clips, ruleset, settings, third))
    assert (third.hits, third.misses) == (1, 1) and all(r.ok for r in results)
    assert len(third.entries()) == 2


def test_identical_recordings_are_transcribed_once(tmp_path, ruleset):
    clip = make_clips(tmp_path, 1)[0]
    twin = tmp_path / "twin.wav"
    twin.write_bytes(clip.read_bytes())
    cache = TranscriptCache(tmp_path / "cache")
    results = list(batch.check_all([str(clip), str(twin)], ruleset, Settings(), cache))
    assert cache.misses == 1 and len(results) == 2 and results[0].transcript.text == results[1].transcript.text


def test_unwritable_cache_degrades_to_no_cache(tmp_path, ruleset):
    """A file where the cache folder should be fails writes the way a read-only folder does (even as root)."""
    blocker = tmp_path / "transcripts"
    blocker.write_text("a file where the cache folder should be")
    clip = make_clips(tmp_path / "audio", 1)[0]
    cache = TranscriptCache(blocker)
    with pytest.warns(UserWarning, match="continuing without it"):
        results = list(batch.check_all([str(clip)], ruleset, Settings(), cache))
    assert results[0].ok and not cache.enabled


@pytest.mark.parametrize(("engine", "count"), [("whisper", 3), ("faster-whisper", 2)])
def test_workers_give_the_same_results_as_one_process(tmp_path, ruleset, engine, count):
    """Two single-threaded workers (the default with faster-whisper on two cores) hear what one process with
    two threads does, word for word. openai-whisper's fallback samples from each clip's own seed; CTranslate2's
    cannot be seeded per row, and the third clip (cut mid-word) reaches it, so with faster-whisper it reads
    differently from run to run, in one process as in two ("I found So, uh, I'm going to go away to lower",
    "I found All the way to lower"): that engine is compared on the first two, which it reads greedily."""
    clips = [str(p) for p in make_clips(tmp_path / "audio", count)]
    settings = Settings(engine=engine)
    alone = {r.path: r.transcript.text for r in batch.check_all(clips, ruleset, settings, TranscriptCache(tmp_path / "a"), jobs=1)}
    pooled = {r.path: r.transcript.text for r in batch.check_all(clips, ruleset, settings, TranscriptCache(tmp_path / "b"), jobs=2)}
    assert sorted(alone) == sorted(clips) and alone == pooled


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_model_that_cannot_load_is_its_own_error_in_workers_too(tmp_path, ruleset, jobs):
    clips = [str(p) for p in make_clips(tmp_path / "audio", 2)]
    (tmp_path / "not-a-model").mkdir()
    settings = Settings(engine="faster-whisper", model=str(tmp_path / "not-a-model"))
    with pytest.raises(VmcheckError, match=r"not-a-model: not a CTranslate2 Whisper model folder \(no model.bin\)$"):
        list(batch.check_all(clips, ruleset, settings, TranscriptCache(tmp_path / "cache"), jobs=jobs))


def test_interrupted_run_leaves_no_partial_output_and_resumes_from_cache(tmp_path):
    folder = tmp_path / "audio"
    make_clips(folder, 6)
    cache_dir = tmp_path / "cache"
    report = tmp_path / "report.json"
    env = {**os.environ, "VMCHECK_CACHE_DIR": cache_with_model(cache_dir)}
    process = start_interruptible(
        [sys.executable, "-m", "vmcheck", "check", str(folder), "-j", "1", "--batch-size", "1", "-q", "--format", "json", "-o", str(report)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    entries = cache_dir / "transcripts"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(entries.glob("*/*.json"))) < 2:
        time.sleep(0.2)
    interrupt(process)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert not report.exists() and not list(tmp_path.glob(".report.json.*"))
    done = list(entries.glob("*/*.json"))
    assert 2 <= len(done) < 6
    for entry in done:
        json.loads(entry.read_text())
    assert not list(entries.glob("*/.*.tmp"))
    finished = vmcheck("check", folder, "-q", "--format", "json", "-o", report, cache_dir=cache_dir)
    assert finished.returncode in (0, 1), finished.stderr
    assert len(json.loads(report.read_text())["files"]) == 6
    assert len(list(entries.glob("*/*.json"))) == 6


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            found |= {int(child)} | _children(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_killed_run_leaves_only_complete_cache_entries_and_no_workers(tmp_path):
    folder = tmp_path / "audio"
    make_clips(folder, 4)
    cache_dir = tmp_path / "cache"
    report = tmp_path / "out.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "vmcheck", "check", str(folder), "-j", "2", "-q", "--format", "csv", "-o", str(report)],
        env={**os.environ, "VMCHECK_CACHE_DIR": cache_with_model(cache_dir)},
        cwd=ROOT,
    )
    entries = cache_dir / "transcripts"
    deadline = time.time() + 180
    while time.time() < deadline and not list(entries.glob("*/*.json")):
        time.sleep(0.1)
    workers = _children(process.pid)
    assert workers, "the run should have started worker processes"
    process.kill()
    process.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "workers outlived their killed parent"
    assert not report.exists()
    for entry in entries.glob("*/*.json"):
        json.loads(entry.read_text())
    finished = vmcheck("check", folder, "-q", "--format", "csv", "-o", report, cache_dir=cache_dir)
    assert finished.returncode in (0, 1), finished.stderr
    assert len(report.read_text().strip().splitlines()) == 5


def test_two_runs_at_once_both_finish(tmp_path):
    """Both finish, and the shared cache holds, for each file, one run's whole transcript. The two runs are
    not required to agree to the letter: in CI they once ended a clip with "insurance." and "insurance" (a
    near tie in the decoder), which could not be made to happen here, in turn or at once."""
    folder = tmp_path / "audio"
    make_clips(folder, 3)
    cache_dir = tmp_path / "cache"
    env = {**os.environ, "VMCHECK_CACHE_DIR": cache_with_model(cache_dir)}
    command = [sys.executable, "-m", "vmcheck", "check", str(folder), "-q", "-j", "1", "--format", "json"]
    runs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    documents = [json.loads(out) for out, _ in outputs]
    assert all(run.returncode in (0, 1) for run in runs), [err for _, err in outputs]
    assert all(len(doc["files"]) == 3 for doc in documents)
    assert len(list((cache_dir / "transcripts").glob("*/*.json"))) == 3
    cached = json.loads(subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300).stdout)
    heard = {(f["path"], f["transcript"]["text"]) for doc in documents for f in doc["files"]}
    assert len(cached["files"]) == 3
    assert all((f["path"], f["transcript"]["text"]) in heard for f in cached["files"]), (heard, cached["files"])


def test_exit_codes(tmp_path):
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(GOOD)
    bad.write_text(BAD)
    cache = tmp_path / "cache"
    assert vmcheck("check", good, cache_dir=cache).returncode == 0
    assert vmcheck("check", good, bad, cache_dir=cache).returncode == 1
    assert vmcheck("check", good, tmp_path / "missing.wav", cache_dir=cache).returncode == 2
    assert vmcheck("check", good, tmp_path / "missing.wav", "--errors-ok", cache_dir=cache).returncode == 0
    assert vmcheck("check", good, "--fail-under", "100", "--rule", "Core.NoTimeFrame=warning", cache_dir=cache).returncode == 0
    no_deadline = tmp_path / "nodeadline.txt"
    no_deadline.write_text(GOOD.replace(" before Friday", ""))
    assert vmcheck("check", no_deadline, cache_dir=cache).returncode == 0
    assert vmcheck("check", no_deadline, "--fail-under", "99", cache_dir=cache).returncode == 1
    assert vmcheck("check", no_deadline, "--rule", "Core.NoTimeFrame=warning", "--fail-on", "warning", cache_dir=cache).returncode == 1
    hidden = vmcheck(
        "check",
        no_deadline,
        "--rule",
        "Core.NoTimeFrame=warning",
        "--fail-on",
        "warning",
        "--min-level",
        "error",
        "--format",
        "json",
        cache_dir=cache,
    )
    assert hidden.returncode == 1 and json.loads(hidden.stdout)["files"][0]["findings"] == []
    assert vmcheck("check", good, "--format", "yaml", cache_dir=cache).returncode == 2


def test_batch_table_is_worst_first_with_totals_and_common_findings(tmp_path):
    for name, text in (("a_good.txt", GOOD), ("b_bad.txt", BAD), ("c_bad.txt", BAD + " Um, uh.")):
        (tmp_path / name).write_text(text)
    result = vmcheck("check", tmp_path, cache_dir=tmp_path / "cache")
    lines = result.stdout.splitlines()
    order = [next(i for i, line in enumerate(lines) if name in line) for name in ("b_bad.txt", "c_bad.txt", "a_good.txt")]
    assert order[2] > max(order[:2])
    assert "3 checked · 1 passed · 2 failed · 0 errors" in result.stdout
    assert "Most common findings" in result.stdout and "Core.NameMissing" in result.stdout


def test_config_discovery_precedence_and_errors(tmp_path):
    project = tmp_path / "course"
    nested = project / "week1" / "submissions"
    nested.mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.vmcheck]\nfail_under = 95\nmin_level = "warning"\n[tool.vmcheck.rules]\n"Core.Hedging" = "off"\n')
    cache = tmp_path / "cache"
    shown = vmcheck("config", cache_dir=cache, cwd=nested)
    assert f"# config file: {project / 'pyproject.toml'}" in shown.stdout
    assert f"fail_under = 95    # {project / 'pyproject.toml'}" in shown.stdout
    assert 'min_level = "warning"' in shown.stdout and 'jobs = "auto"    # default' in shown.stdout
    (nested / "vmcheck.toml").write_text("fail_under = 50\n")
    assert "fail_under = 50" in vmcheck("config", cache_dir=cache, cwd=nested).stdout
    overridden = vmcheck("config", "--config", project / "pyproject.toml", cache_dir=cache, cwd=nested)
    assert "fail_under = 95" in overridden.stdout
    for text, message in (
        ("fail_under = 'high'\n", "'fail_under' must be the overall score"),
        ("jobs = 0\n", "'jobs' must be"),
        ("speed = 3\n", "unknown key 'speed'"),
        ("cache = 'yes'\n", "'cache' must be true or false"),
        ("[rules]\n'Core.Hedging' = 'loud'\n", "'rules' must be"),
        ("fail_under = \n", "invalid TOML"),
    ):
        (nested / "vmcheck.toml").write_text(text)
        result = vmcheck("config", cache_dir=cache, cwd=nested)
        assert result.returncode == 2 and message in result.stderr and "vmcheck.toml" in result.stderr, (text, result.stderr)


def test_init_writes_a_starter_that_loads(tmp_path):
    cache = tmp_path / "cache"
    assert vmcheck("init", cache_dir=cache, cwd=tmp_path).returncode == 0
    assert "fail_under" in (tmp_path / "vmcheck.toml").read_text()
    assert vmcheck("init", cache_dir=cache, cwd=tmp_path).returncode == 2
    assert vmcheck("config", cache_dir=cache, cwd=tmp_path).returncode == 0
    assert vmcheck("init", "--force", cache_dir=cache, cwd=tmp_path).returncode == 0


def test_cache_info_and_clear(tmp_path):
    cache = tmp_path / "cache"
    clip = make_clips(tmp_path / "audio", 1)[0]
    vmcheck("check", clip, "-q", cache_dir=cache)
    assert "transcripts:   1" in vmcheck("cache", "info", cache_dir=cache).stdout
    assert "removed 1" in vmcheck("cache", "clear", cache_dir=cache).stdout
    assert "transcripts:   0" in vmcheck("cache", "info", cache_dir=cache).stdout


@pytest.mark.parametrize("engine, default", [("whisper", config.BATCH_SIZE), ("faster-whisper", config.FASTER_BATCH_SIZE)])
def test_a_batch_size_left_unset_is_the_engines_default_from_the_command_line_and_from_python(engine, default):
    """The command line reads "auto" from the configuration; a program calling ``check_all`` may leave ``batch_size`` out."""
    options = config.Config()
    options.set("engine", engine, "--engine")
    assert Settings.from_config(options).files_per_batch == Settings(engine=engine).files_per_batch == default
    assert Settings(engine=engine, batch_size=4).files_per_batch == 4
