"""Shared fixtures: one converted model and one engine per test session, in a private cache."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

os.environ.setdefault("VMCHECK_CACHE_DIR", tempfile.mkdtemp(prefix="vmcheck-test-cache-"))
# A test run started in the background by a shell without job control ignores Ctrl-C, and so would every
# vmcheck it starts: the Ctrl-C tests would see a run that never stops. Handled here, Ctrl-C is back to
# the default in each child.
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def engine():
    from vmcheck.transcribe import load_engine

    return load_engine("whisper", "tiny.en")


@pytest.fixture(scope="session")
def faster_engine():
    from vmcheck.transcribe import load_engine

    return load_engine("faster-whisper", "tiny.en")


ENGINE_FIXTURES = {"whisper": "engine", "faster-whisper": "faster_engine"}


@pytest.fixture(scope="module", params=list(ENGINE_FIXTURES))
def any_engine(request):
    """Each engine in turn, for the tests every engine must pass (test_transcribe, test_real_speech)."""
    return request.getfixturevalue(ENGINE_FIXTURES[request.param])


@pytest.fixture(scope="session")
def ruleset():
    from vmcheck import ruleset as rules

    return rules.load()


_heard: dict[tuple[str, str, str], tuple] = {}


def heard(path: Path, engine):
    """A sample's (transcript, audio stats) by an engine, transcribed once per test session: many tests judge
    the same samples, and transcription is what takes the time. The first call hears every sample not yet
    heard, in batches as ``vmcheck check`` does. The transcript is read-only (frozen)."""
    from vmcheck.batch import batches_by_length, transcribe_together
    from vmcheck.pipeline import Settings

    def key(name: str) -> tuple[str, str, str]:
        return (name, engine.name, engine.model_name)

    if key(str(path)) not in _heard:
        unheard = {name: [name] for name in map(str, [path, *sample_paths()]) if key(name) not in _heard}
        for names in batches_by_length(unheard, None):
            for name, outcome in zip(names, transcribe_together(names, Settings().max_audio_seconds, engine)):
                if isinstance(outcome, Exception):
                    raise outcome
                _heard[key(name)] = outcome
    return _heard[key(str(path))]


def sample_paths() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in {".wav", ".mp3", ".ogg", ".flac", ".m4a"})


@pytest.fixture
def repeatable_sampling():
    """Whisper's temperature fallback samples at random, so a non-speech test could pass or fail by
    chance: seeded, it is repeatable. Leaks across seeds are measured by hand (see the README)."""
    import ctranslate2
    import torch

    torch.manual_seed(0)
    ctranslate2.set_random_seed(0)
