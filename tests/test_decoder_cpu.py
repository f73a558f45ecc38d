"""vmcheck.transcript.decoder_cpu's reordered vocabulary projection and head-major cross-attention caches compute whisper's own decoder,
on real audio and the real tiny.en weights."""

from __future__ import annotations

import contextlib

import pytest
import torch

from tests.conftest import SAMPLES
from vmcheck.audio import decode
from vmcheck.transcript import decoder_cpu, engines

ROUNDING = 1e-4


@pytest.fixture(scope="module")
def features(engine):
    import whisper

    clip = engines._trimmed(decode(SAMPLES / "telephone.wav"))[0]
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(torch.from_numpy(clip)), engine.model.dims.n_mels)
    with torch.no_grad():
        return engine.model.embed_audio(mel[None])


def _whisper_logits(model, tokens: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
    """What whisper's own TextDecoder.forward gives, with the instance's reordered forward set aside."""
    import whisper.model

    return whisper.model.TextDecoder.forward(model.decoder, tokens, features)


@contextlib.contextmanager
def _whispers_own_decoder(model):
    """The model's decoder as openai-whisper wrote it, for the length of a block."""
    del model.decoder.forward
    for block in model.decoder.blocks:
        del block.cross_attn.forward
    try:
        yield
    finally:
        decoder_cpu.install(model)


def test_the_engine_decodes_with_the_reordered_projection_and_head_major_caches(engine):
    assert engine.model.decoder.forward.__func__ is decoder_cpu._forward
    assert all(block.cross_attn.forward.__func__ is decoder_cpu._cross_attention for block in engine.model.decoder.blocks)


@pytest.mark.parametrize("rows", [1, 2, 8, 9, 20])
def test_logits_match_whispers_own_decoder_for_any_number_of_rows(engine, features, rows):
    """One row is padded, up to 8 take the reordered product, more keep whisper's; each row gets the same tokens' logits."""
    model = engine.model
    generator = torch.Generator().manual_seed(rows)
    tokens = torch.randint(0, model.dims.n_vocab - 1600, (rows, 3), generator=generator)
    with torch.no_grad():
        audio = features.expand(rows, -1, -1)
        ours, theirs = model.decoder(tokens, audio), _whisper_logits(model, tokens, audio)
    assert ours.shape == theirs.shape == (rows, 3, model.dims.n_vocab)
    assert torch.allclose(ours, theirs, atol=ROUNDING, rtol=0)


def test_greedy_decoding_reads_the_same_tokens_as_whispers_decoder(engine, features):
    import whisper

    options = whisper.DecodingOptions(language="en", fp16=False, without_timestamps=False)
    with torch.no_grad():
        ours = whisper.decode(engine.model, features[0], options)
        with _whispers_own_decoder(engine.model):
            theirs = whisper.decode(engine.model, features[0], options)
    assert len(ours.tokens) > 10 and ours.tokens == theirs.tokens
    assert abs(ours.avg_logprob - theirs.avg_logprob) < ROUNDING


def test_beam_search_over_head_major_caches_reads_as_whispers_decoder(engine, features):
    """Beam search rearranges the text's caches every step; the audio's, head-major, stay as they are."""
    import whisper

    options = whisper.DecodingOptions(language="en", fp16=False, beam_size=5)
    with torch.no_grad():
        ours = whisper.decode(engine.model, features[0], options)
        with _whispers_own_decoder(engine.model):
            theirs = whisper.decode(engine.model, features[0], options)
    assert len(ours.tokens) > 10 and ours.tokens == theirs.tokens
