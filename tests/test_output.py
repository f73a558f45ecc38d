"""Report files: written atomically, with the mode any other tool's output would have."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SCRIPT = "Hi Dana, this is John Miller from Acme. Could you call me back by Friday at 312-555-0147? Again, 312-555-0147. Thanks!"


def _check(tmp_path, umask: int, *args):
    (tmp_path / "script.txt").write_text(SCRIPT)
    return subprocess.run(
        [sys.executable, "-m", "vmcheck", "check", "script.txt", "-q", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: os.umask(umask),
    )


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_report_follows_the_umask(tmp_path, umask, mode):
    run = _check(tmp_path, umask, "--format", "html", "-o", "audit.html")
    assert run.returncode == 0, run.stderr
    assert stat.S_IMODE((tmp_path / "audit.html").stat().st_mode) == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.html", "script.txt"]  # no temporary file left


def test_a_replaced_report_keeps_its_mode_and_is_replaced_whole(tmp_path):
    target = tmp_path / "audit.json"
    target.write_text("old")
    target.chmod(0o640)
    before = target.stat().st_ino
    assert _check(tmp_path, 0o022, "--format", "json", "-o", "audit.json").returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.stat().st_ino != before and target.read_text().startswith("{")  # renamed over, not rewritten in place
