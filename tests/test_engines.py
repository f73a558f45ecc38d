"""The faster-whisper engine under the same transcription checks as the default engine.

tests/test_transcribe.py covers openai-whisper (the conftest ``engine``); these
tests run the same assertions, with its thresholds, for every engine in
SAMPLE_ENGINES. Add "whisper" there to run them for the default engine too.
The tests that are cheap (one sample) run for both engines.
"""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pytest

from tests.conftest import SAMPLES, sample_paths
from tests.test_transcribe import MAX_MEAN_WER, MAX_WER_PER_SAMPLE, _audio
from tests.wer import normalise, wer
from vmcheck.audio import SAMPLE_RATE, decode
from vmcheck.errors import VmcheckError
from vmcheck.transcribe import ENGINES, FAST_EXTRA_HINT, load_engine, transcribe
from vmcheck.transcript import Transcript

ALL_ENGINES = ["whisper", "faster-whisper"]
SAMPLE_ENGINES = ["faster-whisper"]  # "whisper" is covered by tests/test_transcribe.py
EXCELLENT_NUMBER = "3125550147"


@pytest.fixture(scope="session")
def faster_engine():
    pytest.importorskip("faster_whisper", reason="needs the optional extra vmcheck[fast]")
    return load_engine("faster-whisper", "tiny.en")


def _engine(request, name: str):
    # One engine per session and per name: "whisper" is the conftest fixture, not a second load.
    return request.getfixturevalue("engine" if name == "whisper" else "faster_engine")


@pytest.fixture(scope="session", params=SAMPLE_ENGINES)
def transcripts(request) -> dict[str, Transcript]:
    engine = _engine(request, request.param)
    return {path.name: transcribe(decode(path), engine) for path in sample_paths()}


_EXCELLENT: dict[str, Transcript] = {}


def _excellent(request, name: str) -> Transcript:
    if name not in _EXCELLENT:
        _EXCELLENT[name] = transcribe(decode(SAMPLES / "excellent.wav"), _engine(request, name))
    return _EXCELLENT[name]


@pytest.fixture(params=ALL_ENGINES)
def excellent(request) -> Transcript:
    return _excellent(request, request.param)


def test_samples_match_their_reference_scripts(transcripts):
    rates = {}
    for name, transcript in transcripts.items():
        reference = (SAMPLES / name).with_suffix(".ref.txt").read_text()
        rates[name] = wer(reference, transcript.text)
        assert rates[name] < MAX_WER_PER_SAMPLE, (name, rates[name], transcript.text)
    assert sum(rates.values()) / len(rates) < MAX_MEAN_WER, rates


def test_word_timings_are_monotonic_and_inside_the_audio(transcripts):
    for name, transcript in transcripts.items():
        assert transcript.words, name
        starts = [w.start for w in transcript.words]
        assert starts == sorted(starts), name
        assert all(0 <= w.start <= w.end <= transcript.duration + 0.05 for w in transcript.words), name
        assert all(0 < w.probability <= 1 for w in transcript.words), name
        assert all(0 <= s.no_speech_prob <= 1 for s in transcript.segments), name
        assert all(s.start <= s.end for s in transcript.segments), name


def test_fillers_are_kept(transcripts):
    words = transcripts["rambling.m4a"].text.lower()
    assert words.count("um") + words.count("uh") >= 4, words


def test_transcript_names_its_engine_and_round_trips_through_json(transcripts):
    for transcript in transcripts.values():
        again = Transcript.from_dict(json.loads(json.dumps(transcript.to_dict())))
        assert again.text == transcript.text
        assert [w.text for w in again.words] == [w.text for w in transcript.words]
        assert again.model == "tiny.en" and again.engine == transcript.engine
    assert {t.engine for t in transcripts.values()} <= set(ENGINES)


@pytest.mark.parametrize("engine_name", SAMPLE_ENGINES)
@pytest.mark.parametrize(
    "label, samples",
    [
        ("silence", np.zeros(SAMPLE_RATE * 20)),
        ("white noise", np.random.default_rng(0).standard_normal(SAMPLE_RATE * 20) * 0.05),
        ("hum", 0.1 * np.sin(2 * np.pi * 60 * np.arange(SAMPLE_RATE * 20) / SAMPLE_RATE)),
        ("near silence", np.random.default_rng(1).standard_normal(SAMPLE_RATE * 20) * 0.001),
    ],
)
def test_no_speech_gives_an_empty_transcript(request, engine_name, label, samples):
    transcript = transcribe(_audio(samples), _engine(request, engine_name))
    assert transcript.text == "" and transcript.words == (), (label, transcript.text)


def test_excellent_sample_number_comes_through(excellent):
    digits = "".join(re.findall(r"\d", normalise(excellent.text)))
    assert EXCELLENT_NUMBER in digits, excellent.text


def test_engines_agree_on_the_excellent_sample(request):
    a, b = _excellent(request, "whisper"), _excellent(request, "faster-whisper")
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
    pytest.importorskip("faster_whisper")
    from vmcheck import model

    folder = tmp_path / "my-tiny.en"
    folder.mkdir()
    for item in model.embedded_source().iterdir():
        (folder / item.name).symlink_to(item)
    engine = load_engine("faster-whisper", str(folder), threads=1)
    assert engine.name == "faster-whisper" and engine.model_name == "my-tiny.en" and engine.threads == 1


def test_an_openai_whisper_checkpoint_is_refused(tmp_path):
    pytest.importorskip("faster_whisper")
    checkpoint = tmp_path / "tiny.en.pt"
    checkpoint.write_bytes(b"not used")
    message = _one_line_error("faster-whisper", str(checkpoint))
    assert str(checkpoint) in message and "CTranslate2 model folder" in message


def test_a_folder_without_a_model_is_refused(tmp_path):
    pytest.importorskip("faster_whisper")
    message = _one_line_error("faster-whisper", str(tmp_path))
    assert "no model.bin" in message


def test_a_damaged_model_is_refused(tmp_path):
    pytest.importorskip("faster_whisper")
    (tmp_path / "model.bin").write_bytes(b"\x06\x00\x00\x00garbage")
    (tmp_path / "config.json").write_text("{}")
    message = _one_line_error("faster-whisper", str(tmp_path))
    assert "not a CTranslate2 Whisper model" in message


@pytest.mark.parametrize("name", ["base.en", "no-such-model", "someone/missing-model"])
def test_a_model_that_is_not_available_offline_is_refused(name):
    pytest.importorskip("faster_whisper")
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
