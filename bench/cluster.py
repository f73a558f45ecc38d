"""Benchmark the --cluster path against the local path on this machine: the overhead per file, and per-core throughput.

Run by hand on a quiet machine: ``.venv/bin/python bench/cluster.py [--files 12] [--runs 1]``. Needs the
``cluster`` and ``bench`` extras. It starts a two-CPU Ray head node on 127.0.0.1 in a temporary folder
(stopped at the end; ``ray stop`` stops every Ray process on the machine), builds the voicemail workload
of ``bench/run.py`` (the samples as distinct WAV files of 15-75 s), and checks it with a fresh cache:

- locally, one process using both cores (the default);
- on the running cluster (``--cluster 127.0.0.1:PORT``, audio sent as bytes);
- on the same cluster with ``--cluster-shared-storage`` (paths, no bytes);
- on a cluster started for the run (``--cluster local``).

It prints wall times, seconds of audio per second and per core, the cluster's overhead per file against
the local run, and the sizing for a call centre's day that the README quotes.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import build_workload, fresh_cache, machine, measure  # noqa: E402
from vmcheck.audio import decode  # noqa: E402
from vmcheck.transcript import model  # noqa: E402

RAY = str(Path(sys.executable).with_name("ray"))
DAY_AUDIO_HOURS = 830  # 100,000 voicemails a day at about 30 s each (the call centre)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=12, help="voicemail files in the workload (at most 30)")
    parser.add_argument("--runs", type=int, default=1, help="runs per measurement (the median is reported)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vmcheck-bench-cluster-"))
    files = sorted(build_workload(work / "audio"))[: args.files]
    folder = work / "chosen"
    folder.mkdir()
    for path in files:
        os.link(path, folder / Path(path).name)
    audio_seconds = sum(decode(path).stats.duration for path in files)
    checkpoint = model.checkpoint("tiny.en")
    port = _free_port()
    os.environ.setdefault("RAY_AUTH_MODE", "token")  # a token of this run's own, so ~/.ray/auth_token is neither read nor written
    os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
    env_local_only = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    subprocess.run(
        [RAY, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", f"--temp-dir={work / 'ray'}", "--num-cpus=2",
         "--include-dashboard=false", "--disable-usage-stats"],
        env=env_local_only, check=True, capture_output=True,
    )  # fmt: skip
    rows = {}
    try:
        variants = {
            "local (one process, 2 threads)": [],
            "--cluster 127.0.0.1:PORT (bytes)": ["--cluster", f"127.0.0.1:{port}"],
            "--cluster ... --cluster-shared-storage": ["--cluster", f"127.0.0.1:{port}", "--cluster-shared-storage"],
            "--cluster local (started for the run)": ["--cluster", "local"],
        }
        for label, extra in variants.items():
            runs = []
            for _ in range(args.runs):
                env = {**os.environ, "VMCHECK_CACHE_DIR": str(fresh_cache(checkpoint))}
                runs.append(measure([sys.executable, "-m", "vmcheck", "check", str(folder), "-q", "--format", "json", *extra], env))
            rows[label] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
            print(f"{label}: {rows[label]['wall']:.1f} s", file=sys.stderr)
    finally:
        subprocess.run([RAY, "stop", "--force"], capture_output=True)
    local = rows["local (one process, 2 threads)"]["wall"]
    print(f"# --cluster against local, {len(files)} voicemails, {audio_seconds:.0f} s of audio, tiny.en, {args.runs} run(s)\n")
    print(f"Machine: {machine()}\n")
    print("| command | wall s | audio s per s | audio s per s per core | overhead per file vs local |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, row in rows.items():
        rate = audio_seconds / row["wall"]
        overhead = (row["wall"] - local) / len(files)
        print(f"| {label} | {row['wall']:.1f} | {rate:.1f} | {rate / 2:.1f} | {overhead:+.2f} s |")
    per_core = audio_seconds / rows["--cluster 127.0.0.1:PORT (bytes)"]["wall"] / 2
    day = DAY_AUDIO_HOURS * 3600
    print(f"\nA day of {DAY_AUDIO_HOURS} h of audio at {per_core:.1f} s of audio per second per core on the cluster path:")
    print(f"- {day / per_core / 3600:.0f} core-hours;")
    for hours in (24, 8):
        cores = day / per_core / (hours * 3600)
        print(f"- done in {hours} h: {cores:.0f} cores busy, e.g. {-(-cores // 16):.0f} machines of 16 cores or {-(-cores // 2):.0f} of 2")


if __name__ == "__main__":
    main()
