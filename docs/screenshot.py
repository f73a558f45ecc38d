"""Make the README's screenshots of the HTML report with headless Chromium's ``--screenshot``.

The samples are copied into three reps' folders and checked with ``--group-by
folder`` (the shot is the top of the page: the team table and charts), then one
of them is checked alone (its page: the player, scores, timeline and findings).
Transcripts come from the cache after the first run. Run from anywhere:
``python docs/screenshot.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEAM = {
    "alice": ["excellent.wav", "no_ask.mp3", "rambling.m4a"],
    "bob": ["number_once_fast.flac", "no_name.mp3", "telephone.wav"],
    "carol": ["bad_tone.ogg", "no_number.ogg"],
}
# picture: (what to check, extra options, window height)
SHOTS = {
    "report-team.png": ("team/", ["--group-by", "folder"], 1400),
    "report-message.png": ("team/bob/number_once_fast.flac", [], 1250),
}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="vmcheck-shot-") as work:
        work = Path(work)
        for rep, names in TEAM.items():
            (work / "team" / rep).mkdir(parents=True)
            for name in names:
                shutil.copy(ROOT / "samples" / name, work / "team" / rep / name)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for name, (target, options, height) in SHOTS.items():
            run = subprocess.run(
                [sys.executable, "-m", "vmcheck", "check", target, *options, "--format", "html", "-o", "audit.html", "-q"],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
            )
            if run.returncode not in (0, 1):
                sys.exit(run.stderr)
            subprocess.run(
                [
                    CHROMIUM,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--hide-scrollbars",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    f"--user-data-dir={work / 'profile'}",
                    f"--window-size=1000,{height}",
                    f"--screenshot={ROOT / 'docs' / name}",
                    (work / "audit.html").as_uri(),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
