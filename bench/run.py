"""Benchmark vmcheck against the plain whisper command line on the same files and the same model.

Run by hand on a quiet machine (it takes a while): ``.venv/bin/python bench/run.py [--runs 3] [--model base] [--workload 'short clips']``.
Needs the ``bench`` extra (``pip install -e '.[bench,fast]'``) and, for the
plain whisper CLI, a system ffmpeg (``apt-get install ffmpeg``): that CLI
decodes through an ffmpeg subprocess, which vmcheck does not need.

Two workloads: the samples repeated to about 30 distinct WAV files of 15-75 s
at 16 and 8 kHz (each copy's gain differs slightly, so no two files share a
cache entry), and short real-speech clips of 2-10 s at 8 kHz (see
``build_clips``). Each runs through the whisper CLI, openai-whisper's own
``transcribe()`` without word times, and vmcheck one file at a time (``--batch-size 1``),
in batches of 8 (the default), and with faster-whisper both ways. Every vmcheck command runs in a
fresh cache folder that holds only the converted model, except the cached
re-run. Figures are medians over ``--runs``.
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
from vmcheck.audio import decode  # noqa: E402
from vmcheck.transcript import model  # noqa: E402

VENV_BIN = Path(sys.executable).parent
WORKLOAD_FILES = 30
CLIPS = 60
WORKLOADS = ("voicemails", "short clips")
DESCRIPTIONS = {
    "voicemails": "WAV files of 15-75 s (the samples at 16 and 8 kHz)",
    "short clips": "real-speech WAV files of 2-10 s at 8 kHz",
}


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
    return statistics.mean(wer(text, json.loads((folder / (Path(path).stem + ".json")).read_text())["text"]) for path, text in references.items())


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    import torch

    return (
        f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, torch {torch.__version__}"
    )


def build_clips(folder: Path) -> list[str]:
    """Short real speech, 2-10 s each, at 8 kHz like a phone line: the turns of the pyannote.audio
    wheel's recorded conversation in runs of about 2-10 s, and Asterisk's recorded prompts joined
    into phrases of the same lengths (both installed by .ci/setup)."""
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    pieces = []
    wheel = next((ROOT / "tests" / ".fixtures").glob("pyannote_audio-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        (folder / "conversation.wav").write_bytes(archive.read("pyannote/audio/sample/sample.wav"))
        turns = [line.split()[3:5] for line in archive.read("pyannote/audio/sample/sample.stm").decode().splitlines()]
    conversation = decode(folder / "conversation.wav").samples
    (folder / "conversation.wav").unlink()
    start = float(turns[0][0])
    for _turn_start, turn_end in turns:
        if float(turn_end) - start >= 2 + 6 * (len(pieces) % 2):
            pieces.append(conversation[int(start * 16000) : int(float(turn_end) * 16000)])
            start = float(turn_end)
    prompts = (decode(path).samples for path in sorted(Path("/usr/share/asterisk/sounds/en").glob("*.wav")))
    run: list[np.ndarray] = []
    for prompt in prompts:
        if len(pieces) == CLIPS:
            break
        if prompt.size > 16000 * 3:
            continue
        run.append(prompt)
        if sum(x.size for x in run) >= 16000 * (2 + 4 * (len(pieces) % 3)):
            pieces.append(np.concatenate(run))
            run = []
    paths = []
    for i, piece in enumerate(pieces):
        path = folder / f"{i:03d}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes((np.clip(piece[::2], -1, 1) * 32767).astype(np.int16).tobytes())
        paths.append(str(path))
    return paths


PLAIN_TRANSCRIBE = """
import sys, whisper
model = whisper.load_model(sys.argv[1], device="cpu")
for path in sys.argv[2:]:
    whisper.transcribe(model, path, fp16=False, language="en")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--jobs", default="auto", help="vmcheck --jobs for the batch runs")
    parser.add_argument("--model", default="tiny.en", help="tiny.en (embedded) or base (the [base] extra)")
    parser.add_argument("--workload", choices=WORKLOADS, action="append", help="only this workload (repeatable; default: both)")
    args = parser.parse_args()
    args.workload = args.workload or list(WORKLOADS)
    if not shutil.which("ffmpeg"):
        raise SystemExit("the plain whisper CLI needs ffmpeg: apt-get install ffmpeg")
    work = Path(tempfile.mkdtemp(prefix="vmcheck-bench-"))
    references = build_workload(work / "audio") if "voicemails" in args.workload else {}
    workloads = {"voicemails": list(references), "short clips": build_clips(work / "clips") if "short clips" in args.workload else []}
    workloads = {name: files for name, files in workloads.items() if name in args.workload}
    seconds = {name: sum(decode(p).stats.duration for p in files) for name, files in workloads.items()}
    script = ROOT / "samples" / "excellent.ref.txt"
    checkpoint = model.checkpoint(args.model)
    env = {**os.environ, "NO_COLOR": "1"}
    jobs = [] if args.jobs == "auto" else ["--jobs", args.jobs]
    vmcheck = [str(VENV_BIN / "vmcheck")]
    rows: dict[str, dict] = {}
    wers: dict[str, float] = {}

    def run(label: str, make_command, runs: int) -> None:
        rows[label] = median_of([measure(*make_command()) for _ in range(runs)])
        print(f"{label:58s} wall {rows[label]['wall']:8.2f} s  cpu {rows[label]['cpu']:8.2f} s  peak {rows[label]['peak_mb']:7.0f} MB", flush=True)

    out = work / "whisper-out"
    report = work / "report.json"
    cold_cache = {}

    def whisper_cli(files):
        def make():
            shutil.rmtree(out, ignore_errors=True)
            return [
                str(VENV_BIN / "whisper"),
                *files,
                "--model",
                str(checkpoint),
                "--language",
                "en",
                "--device",
                "cpu",
                "--fp16",
                "False",
                "--output_format",
                "json",
                "--output_dir",
                str(out),
                "--verbose",
                "False",
            ], env

        return make

    def vmcheck_cold(files, *options):
        def make():
            cold_cache["dir"] = fresh_cache(checkpoint)
            command = [*vmcheck, "check", *files, "-q", "--format", "json", "-o", str(report), "--model", args.model, *jobs, *options]
            return command, {**env, "VMCHECK_CACHE_DIR": str(cold_cache["dir"])}

        return make

    for name, files in workloads.items():
        wl = f"[{name}]"
        run(f"{wl} (a) whisper CLI, its defaults", whisper_cli(files), args.runs)
        if name == "voicemails":
            wers[f"{wl} (a) whisper CLI, its defaults"] = whisper_wer(out, references)
        run(
            f"{wl} (p) openai-whisper transcribe(), no word times",
            lambda files=files: ([sys.executable, "-c", PLAIN_TRANSCRIBE, str(checkpoint), *files], env),
            args.runs,
        )
        for label, options in (
            ("(u) vmcheck check --batch-size 1, one file at a time", ("--batch-size", "1")),
            ("(b) vmcheck check, batches of 8 (default)", ()),
            ("(v) vmcheck check --engine faster-whisper, one file at a time (its default)", ("--engine", "faster-whisper")),
            ("(d) vmcheck check --engine faster-whisper --batch-size 8", ("--engine", "faster-whisper", "--batch-size", "8")),
        ):
            run(f"{wl} {label}", vmcheck_cold(files, *options), args.runs)
            if name == "voicemails":
                wers[f"{wl} {label}"] = vmcheck_wer(report, references)

    def vmcheck_cached():
        command = [*vmcheck, "check", *workloads["voicemails"], "-q", "--format", "json", "-o", str(report), "--model", args.model, *jobs]
        return command, {**env, "VMCHECK_CACHE_DIR": str(cold_cache["dir"])}

    if "voicemails" in workloads:
        run("[voicemails] (b) cold, to fill the cache", vmcheck_cold(workloads["voicemails"]), 1)
        run("[voicemails] (c) vmcheck check, cached", vmcheck_cached, args.runs)
    run("(e) vmcheck --help", lambda: ([*vmcheck, "--help"], env), max(args.runs, 5))
    run("(f) vmcheck check one .txt script", lambda: ([*vmcheck, "check", str(script), "-q"], env), max(args.runs, 5))
    write_results(rows, wers, seconds, {name: len(files) for name, files in workloads.items()}, args)


def write_results(rows: dict, wers: dict, seconds: dict, counts: dict, args) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        f"Model: {args.model}. Workloads: "
        + "; ".join(f"{name}, {counts[name]} {DESCRIPTIONS[name]}, {seconds[name]:.0f} s of audio" for name in counts)
        + f". Median of {args.runs} runs (5 for the fast commands). "
        f"Produced by `bench/run.py --runs {args.runs} --jobs {args.jobs} --model {args.model}"
        + "".join(f" --workload '{name}'" for name in counts if len(counts) < len(WORKLOADS))
        + "`.",
        "",
        "| command | wall s | CPU s | peak MB | audio s per wall s | speed vs whisper CLI | mean WER |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, row in rows.items():
        workload = "voicemails" if label.startswith("[voicemails]") else "short clips" if label.startswith("[short") else None
        base = rows.get(f"[{workload}] (a) whisper CLI, its defaults", {}).get("wall")
        throughput = f"{seconds[workload] / row['wall']:.1f}" if workload else ""
        ratio = f"{base / row['wall']:.2f}x" if workload and base else ""
        rate = f"{wers[label]:.1%}" if label in wers else ""
        lines.append(f"| {label} | {row['wall']:.2f} | {row['cpu']:.2f} | {row['peak_mb']:.0f} | {throughput} | {ratio} | {rate} |")
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / f"results{'' if args.model == 'tiny.en' else '-' + args.model}.md").write_text(text)
    print("\n" + text)


if __name__ == "__main__":
    main()
