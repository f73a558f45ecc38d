"""Benchmark vmcheck against the plain whisper command line on the same files and the same model.

Run by hand (it takes a while): ``.venv/bin/python bench/run.py [--runs 3]``.
Needs the ``bench`` extra (``pip install -e '.[bench,fast]'``) and, for the
plain whisper CLI, a system ffmpeg (``apt-get install ffmpeg``): that CLI
decodes through an ffmpeg subprocess, which vmcheck does not need.

The workload is the samples repeated to about 30 distinct WAV files of 15-75 s
at 16 and 8 kHz (each copy's gain differs slightly, so no two files share a
cache entry). Every command runs in a fresh cache folder that holds only the
converted model, except the cached re-run. Figures are medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.wer import wer  # noqa: E402
from vmcheck import model  # noqa: E402
from vmcheck.audio import decode  # noqa: E402

VENV_BIN = Path(sys.executable).parent
WORKLOAD_FILES = 30


def build_workload(folder: Path) -> dict[str, str]:
    """Distinct WAV files made from the samples; returns file -> reference text."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(p for p in (ROOT / "samples").iterdir() if p.suffix in {".wav", ".mp3", ".ogg", ".flac", ".m4a"})
    references = {}
    for i in range(WORKLOAD_FILES):
        source = sources[i % len(sources)]
        rate = 16000 if i % 2 == 0 else 8000
        samples = decode(source).samples * (0.9 + 0.003 * i)
        if rate == 8000:
            samples = samples[::2]
        path = folder / f"{i:02d}_{source.stem}_{rate // 1000}k.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
        references[str(path)] = source.with_suffix(".ref.txt").read_text()
    return references


def measure(command: list[str], env: dict) -> dict:
    """Wall time, CPU time of the whole process tree, and its peak summed resident memory."""
    before = os.times()
    start = time.perf_counter()
    process = psutil.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                tree = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    after = os.times()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr.decode()[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu, "peak_mb": peak / 1e6}


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def fresh_cache(checkpoint: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="vmcheck-bench-cache-"))
    (folder / "models").mkdir()
    shutil.copy(checkpoint, folder / "models" / checkpoint.name)
    return folder


def vmcheck_wer(report: Path, references: dict[str, str]) -> float:
    files = json.loads(report.read_text())["files"]
    return statistics.mean(wer(references[f["path"]], f["transcript"]["text"]) for f in files)


def whisper_wer(folder: Path, references: dict[str, str]) -> float:
    return statistics.mean(
        wer(text, json.loads((folder / (Path(path).stem + ".json")).read_text())["text"]) for path, text in references.items()
    )


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    import torch

    return (
        f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, torch {torch.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--jobs", default="auto", help="vmcheck --jobs for the batch runs")
    args = parser.parse_args()
    if not shutil.which("ffmpeg"):
        raise SystemExit("the plain whisper CLI needs ffmpeg: apt-get install ffmpeg")
    work = Path(tempfile.mkdtemp(prefix="vmcheck-bench-"))
    references = build_workload(work / "audio")
    files = list(references)
    audio_seconds = sum(decode(p).stats.duration for p in files)
    script = ROOT / "samples" / "excellent.ref.txt"
    checkpoint = model.embedded_checkpoint()
    env = {**os.environ, "NO_COLOR": "1"}
    jobs = [] if args.jobs == "auto" else ["--jobs", args.jobs]
    vmcheck = [str(VENV_BIN / "vmcheck")]
    rows: dict[str, dict] = {}
    wers: dict[str, float] = {}

    def run(label: str, make_command, runs: int, after=None) -> None:
        results = []
        for _ in range(runs):
            command, run_env = make_command()
            results.append(measure(command, run_env))
            if after:
                after()
        rows[label] = median_of(results)
        print(f"{label:38s} wall {rows[label]['wall']:8.2f} s  cpu {rows[label]['cpu']:8.2f} s  peak {rows[label]['peak_mb']:7.0f} MB", flush=True)

    out = work / "whisper-out"

    def whisper_cli():
        shutil.rmtree(out, ignore_errors=True)
        command = [str(VENV_BIN / "whisper"), *files, "--model", str(checkpoint), "--language", "en", "--device", "cpu",
                   "--fp16", "False", "--output_format", "json", "--output_dir", str(out), "--verbose", "False"]
        return command, env

    run("(a) whisper CLI, its defaults", whisper_cli, args.runs)
    wers["(a) whisper CLI, its defaults"] = whisper_wer(out, references)

    report = work / "report.json"
    cold_cache = {}

    def vmcheck_cold(engine: str):
        def make():
            cold_cache["dir"] = fresh_cache(checkpoint)
            command = [*vmcheck, "check", str(work / "audio"), "-q", "--format", "json", "-o", str(report), "--engine", engine, *jobs]
            return command, {**env, "VMCHECK_CACHE_DIR": str(cold_cache["dir"])}
        return make

    run("(b) vmcheck check, cold", vmcheck_cold("whisper"), args.runs)
    wers["(b) vmcheck check, cold"] = vmcheck_wer(report, references)

    def vmcheck_cached():
        command = [*vmcheck, "check", str(work / "audio"), "-q", "--format", "json", "-o", str(report), *jobs]
        return command, {**env, "VMCHECK_CACHE_DIR": str(cold_cache["dir"])}

    run("(c) vmcheck check, cached", vmcheck_cached, args.runs)

    run("(d) vmcheck check --engine faster-whisper", vmcheck_cold("faster-whisper"), args.runs)
    wers["(d) vmcheck check --engine faster-whisper"] = vmcheck_wer(report, references)

    run("(e) vmcheck --help", lambda: ([*vmcheck, "--help"], env), max(args.runs, 5))
    run("(f) vmcheck check one .txt script", lambda: ([*vmcheck, "check", str(script), "-q"], env), max(args.runs, 5))

    write_results(rows, wers, audio_seconds, len(files), args)


def write_results(rows: dict, wers: dict, audio_seconds: float, n_files: int, args) -> None:
    base = rows["(a) whisper CLI, its defaults"]["wall"]
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        f"Workload: {n_files} WAV files, {audio_seconds:.0f} s of audio in all (samples at 16 and 8 kHz). "
        f"Median of {args.runs} runs (5 for the fast commands). Produced by `bench/run.py --runs {args.runs} --jobs {args.jobs}`.",
        "",
        "| command | wall s | CPU s | peak MB | audio s per wall s | speed vs whisper CLI | mean WER |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, row in rows.items():
        batch = not label.startswith(("(e)", "(f)"))
        throughput = f"{audio_seconds / row['wall']:.1f}" if batch else ""
        ratio = f"{base / row['wall']:.1f}x" if batch else ""
        rate = f"{wers[label]:.1%}" if label in wers else ""
        lines.append(f"| {label} | {row['wall']:.2f} | {row['cpu']:.2f} | {row['peak_mb']:.0f} | {throughput} | {ratio} | {rate} |")
    cold, cached = rows["(b) vmcheck check, cold"]["wall"], rows["(c) vmcheck check, cached"]["wall"]
    lines += ["", f"Cached re-run: {cold / cached:.1f}x faster than the cold run."]
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "results.md").write_text(text)
    print("\n" + text)


if __name__ == "__main__":
    main()
