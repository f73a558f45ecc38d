"""The embedded tiny.en: CTranslate2 weights converted into a checkpoint openai-whisper loads."""

from __future__ import annotations

import hashlib

import pytest
import torch
import whisper

from tests.conftest import SAMPLES
from tests.wer import wer
from vmcheck import model
from vmcheck.audio import decode
from vmcheck.errors import VmcheckError
from vmcheck.transcribe import transcribe


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    target = tmp_path_factory.mktemp("model") / "tiny.en.pt"
    return model.convert(model.embedded_source(), target, expected_sha256=model.EMBEDDED_SHA256)


def test_pinned_hash_matches_the_installed_package():
    digest = hashlib.sha256((model.embedded_source() / "model.bin").read_bytes()).hexdigest()
    assert digest == model.EMBEDDED_SHA256


def test_checkpoint_has_exactly_whispers_tensors(converted):
    checkpoint = torch.load(converted, weights_only=False)
    reference = whisper.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
    expected = reference.state_dict()
    assert set(checkpoint["model_state_dict"]) == set(expected)
    for name, tensor in checkpoint["model_state_dict"].items():
        assert tuple(tensor.shape) == tuple(expected[name].shape), name
    assert checkpoint["dims"]["n_vocab"] == 51864  # English-only vocabulary
    assert checkpoint["dims"]["n_text_layer"] == 4


def test_whisper_load_model_reads_the_file(converted):
    loaded = whisper.load_model(str(converted), device="cpu")
    assert loaded.dims.n_audio_layer == 4
    assert not loaded.is_multilingual


def test_alignment_heads_come_from_config(converted):
    loaded = model.load(str(converted))
    heads = loaded.alignment_heads.to_dense().nonzero().tolist()
    assert heads == [[1, 0], [2, 0], [2, 5], [3, 0], [3, 1], [3, 2], [3, 3], [3, 4]]


def test_converted_model_transcribes_the_excellent_sample(engine):
    audio = decode(SAMPLES / "excellent.wav")
    transcript = transcribe(audio, engine)
    assert wer((SAMPLES / "excellent.ref.txt").read_text(), transcript.text) < 0.15
    assert "John Miller" in transcript.text
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= audio.stats.duration + 0.05 for w in transcript.words)
    assert all(0 < w.probability <= 1 for w in transcript.words)


def test_sha_mismatch_is_refused(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "model.bin").write_bytes(b"not the model")
    with pytest.raises(VmcheckError, match="sha256 mismatch"):
        model.convert(source, tmp_path / "out.pt", expected_sha256=model.EMBEDDED_SHA256)
    assert not (tmp_path / "out.pt").exists()


def test_cache_is_reused_and_leaves_no_temporary_files(monkeypatch, tmp_path):
    monkeypatch.setenv("VMCHECK_CACHE_DIR", str(tmp_path))
    first = model.embedded_checkpoint()
    stamp = first.stat().st_mtime_ns
    assert model.embedded_checkpoint() == first
    assert first.stat().st_mtime_ns == stamp
    assert [p.name for p in first.parent.iterdir()] == [first.name]


def test_corrupt_cached_checkpoint_is_rebuilt(monkeypatch, tmp_path):
    monkeypatch.setenv("VMCHECK_CACHE_DIR", str(tmp_path))
    path = model.embedded_checkpoint()
    path.write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="rebuilding"):
        loaded = model.load()
    assert loaded.dims.n_text_layer == 4
    assert path.stat().st_size > 1_000_000


def test_unknown_model_and_offline_download_are_clear_errors(tmp_path):
    with pytest.raises(VmcheckError, match="unknown model"):
        model.load("no-such-model")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"nope")
    with pytest.raises(VmcheckError, match="not a Whisper checkpoint"):
        model.load(str(bad))
