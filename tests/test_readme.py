"""The README's trainer section works as written: its command lines run, and the CI examples install vmcheck
the way it is distributed (from its repository, CPU torch first)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import yaml
from junitparser import JUnitXml

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## For a trainer") : README.index("## Exit codes")]
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", SECTION, re.S)
SCRIPTS = {
    "ann.txt": "Hi Dana, could you call me back by Friday at 312-555-0147? Again, 312-555-0147. Thanks!",
    "ben.txt": "Hi Dana, this is Ben Ortiz from Acme. Could you call me back by Friday at 312-555-0147? Again, 312-555-0147. Thanks!",
}


def _ci_commands() -> list[list[str]]:
    """Each CI example's shell lines, in order."""
    examples = []
    for language, text in BLOCKS:
        if language != "yaml":
            continue
        document = yaml.safe_load(text)
        jobs = document.get("jobs", document)
        job = next(v for v in jobs.values() if isinstance(v, dict) and ("steps" in v or "script" in v))
        lines = job.get("script") or [step["run"] for step in job["steps"] if "run" in step]
        examples.append(lines)
    return examples


def test_both_ci_examples_install_cpu_torch_first_then_vmcheck_from_its_repository():
    examples = _ci_commands()
    assert len(examples) == 2
    for lines in examples:
        installs = [part.strip() for line in lines for part in line.split("&&") if part.strip().startswith("pip install")]
        assert installs[0] == "pip install torch==2.13.0", installs
        assert len(installs) == 2 and '"vmcheck @ $VMCHECK_GIT"' in installs[1], installs
        assert "--index-url" not in " ".join(installs)
    for _, text in BLOCKS:
        if "VMCHECK_GIT:" in text:
            assert re.search(r"VMCHECK_GIT: git\+https://\S+\.git\n", text)
    assert "pip install vmcheck" not in README  # not on PyPI


def test_the_trainers_command_lines_run_as_written(tmp_path):
    (tmp_path / "submissions").mkdir()
    for name, text in SCRIPTS.items():
        (tmp_path / "submissions" / name).write_text(text)
    shell = [line.split("#")[0].strip() for language, text in BLOCKS if language == "sh" for line in text.splitlines()]
    ci = [line for lines in _ci_commands() for line in lines if line.startswith("vmcheck ")]
    commands = [line for line in shell if line.startswith("vmcheck ")] + ci
    assert len(commands) >= 8 and any("--baseline" in c for c in commands) and any(c.startswith("vmcheck diff") for c in commands)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    for line in commands:
        args = shlex.split(line)[1:]
        run = subprocess.run([sys.executable, "-m", "vmcheck", *args], capture_output=True, text=True, cwd=tmp_path, env=env)
        assert run.returncode in (0, 1), (line, run.stderr)
        assert "Traceback" not in run.stderr and "error:" not in run.stderr, (line, run.stderr)
        if "diff" in args:
            assert "Progress since the baseline" in run.stdout
    assert (tmp_path / "vmcheck.toml").exists() and (tmp_path / "week2.json").exists()
    suite = next(iter(JUnitXml.fromfile(str(tmp_path / "vmcheck.xml"))))
    assert suite.tests == len(SCRIPTS)
