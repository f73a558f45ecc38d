"""Shared fixtures: one converted model and one engine per test session, in a private cache."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

os.environ.setdefault("VMCHECK_CACHE_DIR", tempfile.mkdtemp(prefix="vmcheck-test-cache-"))
SIGINT_BIT = 1 << (signal.SIGINT - 1)


def _ctrl_c_as_on_a_terminal() -> None:
    """A test run started in the background by a shell without job control ignores Ctrl-C, and a
    harness may block it; either passes down to every vmcheck a test starts, which would then never stop."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_interruptible(command: list[str], **options) -> subprocess.Popen:
    """A vmcheck run that Ctrl-C reaches as it would on a terminal, whatever this test run inherited."""
    return subprocess.Popen(command, preexec_fn=_ctrl_c_as_on_a_terminal, **options)


def interrupt(process: subprocess.Popen) -> None:
    """Ctrl-C to a run still working, which handles it: a failure says which of the two was not so."""
    status = Path(f"/proc/{process.pid}/status").read_text() if process.poll() is None else ""
    assert status, f"the run ended (exit {process.returncode}) before it could be interrupted"
    masks = {name: int(value, 16) for name, value in re.findall(r"^(Sig\w+):\s*([0-9a-f]+)$", status, re.MULTILINE)}
    assert masks["SigCgt"] & SIGINT_BIT and not masks["SigBlk"] & SIGINT_BIT, f"the run does not handle Ctrl-C: {masks}"
    process.send_signal(signal.SIGINT)


def cache_with_model(folder: Path) -> str:
    """A fresh cache folder for a vmcheck run, already holding this session's converted tiny.en (a link):
    converting it again takes seconds a run, and these runs test the cache of transcripts (test_model tests conversion)."""
    from vmcheck.transcript import model

    converted = model.embedded_checkpoint()
    target = folder / "models" / converted.name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(converted)
    return str(folder)


@pytest.fixture(scope="session")
def engine():
    from vmcheck.transcript.engines import load_engine

    return load_engine("whisper", "tiny.en")


@pytest.fixture(scope="session")
def faster_engine():
    from vmcheck.transcript.engines import load_engine

    return load_engine("faster-whisper", "tiny.en")


ENGINE_FIXTURES = {"whisper": "engine", "faster-whisper": "faster_engine"}


@pytest.fixture(scope="module", params=list(ENGINE_FIXTURES))
def any_engine(request):
    """Each engine in turn, for the tests every engine must pass (test_transcribe, test_real_speech)."""
    return request.getfixturevalue(ENGINE_FIXTURES[request.param])


@pytest.fixture(scope="session")
def ruleset():
    from vmcheck.findings import ruleset as rules

    return rules.load()


_heard: dict[tuple[str, str, str], tuple] = {}


def heard(path: Path, engine):
    """A sample's (transcript, audio stats) by an engine, transcribed once per test session: many tests judge
    the same samples, and transcription is what takes the time. The first call hears every sample not yet
    heard, in batches as ``vmcheck check`` does. The transcript is read-only (frozen)."""
    from vmcheck.run.config import BATCH_SIZE, Settings
    from vmcheck.run.transcribing import batches_by_length, transcribe_together

    def key(name: str) -> tuple[str, str, str]:
        return (name, engine.name, engine.model_name)

    if key(str(path)) not in _heard:
        unheard = {name: [name] for name in map(str, [path, *sample_paths()]) if key(name) not in _heard}
        for names in batches_by_length(unheard, BATCH_SIZE):
            for name, outcome in zip(names, transcribe_together(names, Settings().max_audio_seconds, engine)):
                if isinstance(outcome, Exception):
                    raise outcome
                _heard[key(name)] = outcome
    return _heard[key(str(path))]


def sample_paths() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in {".wav", ".mp3", ".ogg", ".flac", ".m4a"})


@pytest.fixture
def seeded_engine(any_engine):
    """``any_engine`` with its temperature fallback seeded, so a non-speech test cannot pass or fail by chance.

    torch's generator is reset by a seed. CTranslate2's are one per thread, seeded once, when the thread
    first samples (``static thread_local std::mt19937``): a seed set later does not reach a model's running
    threads, so a faster-whisper test would sample wherever the tests before it had left off. It gets a
    model of its own, whose threads start from the seed.
    """
    return reseeded(any_engine)


def reseeded(engine):
    """The engine with its sampling started again from the seed (for faster-whisper, a model of its own)."""
    import ctranslate2
    import torch

    from vmcheck.transcript.engines import load_engine

    torch.manual_seed(0)
    ctranslate2.set_random_seed(0)
    return load_engine(engine.name, engine.model_name) if engine.name == "faster-whisper" else engine
