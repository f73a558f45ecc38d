"""What differs between the engines: agreement on a known sample, and loading faster-whisper models.

The shared transcription checks (accuracy, timings, fillers, silence) run for
both engines in tests/test_transcribe.py.
"""

from __future__ import annotations

import re
import sys

import pytest

from tests.conftest import SAMPLES, heard
from tests.wer import normalise, wer
from vmcheck.errors import VmcheckError
from vmcheck.transcript import Transcript
from vmcheck.transcript.engines import ENGINES, FAST_EXTRA_HINT, load_engine

EXCELLENT_NUMBER = "3125550147"


@pytest.fixture(scope="module")
def excellent(engine, faster_engine) -> dict[str, Transcript]:
    return {speech.name: heard(SAMPLES / "excellent.wav", speech)[0] for speech in (engine, faster_engine)}


def test_excellent_sample_number_comes_through_on_both_engines(excellent):
    for transcript in excellent.values():
        digits = "".join(re.findall(r"\d", normalise(transcript.text)))
        assert EXCELLENT_NUMBER in digits, transcript.text


def test_engines_agree_on_the_excellent_sample(excellent):
    a, b = excellent["whisper"], excellent["faster-whisper"]
    assert (a.engine, b.engine) == ("whisper", "faster-whisper")
    assert wer(a.text, b.text) < 0.1, (a.text, b.text)
    assert abs(a.words[0].start - b.words[0].start) < 0.5 and abs(a.words[-1].end - b.words[-1].end) < 0.5


# Loading: the embedded name, a CTranslate2 folder, and one-line errors for anything else.


def _one_line_error(engine: str, model_name: str, **kwargs) -> str:
    with pytest.raises(VmcheckError) as caught:
        load_engine(engine, model_name, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message, message
    return message


def test_a_ctranslate2_folder_loads_and_threads_are_honoured(tmp_path):
    from vmcheck.transcript import model

    folder = tmp_path / "my-tiny.en"
    folder.mkdir()
    for item in model.embedded_source().iterdir():
        (folder / item.name).symlink_to(item)
    engine = load_engine("faster-whisper", str(folder), threads=1)
    assert engine.name == "faster-whisper" and engine.model_name == "my-tiny.en" and engine.threads == 1


def test_an_openai_whisper_checkpoint_is_refused(tmp_path):
    checkpoint = tmp_path / "tiny.en.pt"
    checkpoint.write_bytes(b"not used")
    message = _one_line_error("faster-whisper", str(checkpoint))
    assert str(checkpoint) in message and "CTranslate2 model folder" in message


def test_a_folder_without_a_model_is_refused(tmp_path):
    message = _one_line_error("faster-whisper", str(tmp_path))
    assert "no model.bin" in message


def test_a_damaged_model_is_refused(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"\x06\x00\x00\x00garbage")
    (tmp_path / "config.json").write_text("{}")
    message = _one_line_error("faster-whisper", str(tmp_path))
    assert "not a CTranslate2 Whisper model" in message


@pytest.mark.parametrize("name", ["base.en", "no-such-model", "someone/missing-model"])
def test_a_model_that_is_not_available_offline_is_refused(name):
    message = _one_line_error("faster-whisper", name)
    assert f"'{name}'" in message and "offline" in message


def test_a_missing_extra_is_explained(monkeypatch):
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    assert _one_line_error("faster-whisper", "tiny.en") == FAST_EXTRA_HINT
    assert FAST_EXTRA_HINT == "the faster-whisper engine needs the optional extra: pip install 'vmcheck[fast]'"


def test_an_unknown_engine_names_the_choices():
    message = _one_line_error("whisper.cpp", "tiny.en")
    assert "whisper, faster-whisper" in message


def test_the_default_engine_is_still_openai_whisper(engine):
    assert ENGINES[0] == "whisper" and engine.name == "whisper" and engine.model_name == "tiny.en"
