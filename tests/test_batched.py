"""Batched decoding (vmcheck.transcript.batched, vmcheck.transcript.batched_fast) against one file at a time and against each
engine's own transcribe() (openai-whisper's, faster-whisper's).

Real audio through the real tiny.en weights, for both engines: a sample longer than 30 s (its later windows
are batched in a later round), a telephone-quality one, and a real recorded word that fails
every fallback threshold (Asterisk's "cancelled", 8 kHz), so the temperature fallback runs
for one row of the batch only.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import SAMPLES
from tests.test_real_speech import ASTERISK
from tests.wer import wer
from vmcheck.audio import decode
from vmcheck.transcript import engines, guard, windows

FILES = [SAMPLES / "long.mp3", SAMPLES / "telephone.wav", SAMPLES / "excellent.wav", ASTERISK / "cancelled.wav"]
TIMING_TOLERANCE_SECONDS = 0.02
WORDS_WITHIN_TOLERANCE = 0.95
MAX_WER_INCREASE = 0.005


@pytest.fixture(scope="module")
def clips():
    return [engines._trimmed(decode(path))[0] for path in FILES]


@pytest.fixture(scope="module")
def together(any_engine, clips):
    return any_engine._decode_many(clips, engines.FILLER_PROMPT)


def _text(segments: list[dict]) -> str:
    return "".join(segment["text"] for segment in segments).strip()


def _words(segments: list[dict]) -> list[tuple]:
    return [word for segment in segments for word in segment["words"]]


def test_the_long_file_needs_a_second_round(clips):
    assert clips[0].size / engines.SAMPLE_RATE > 30


def test_batched_and_one_at_a_time_agree(any_engine, clips, together):
    for path, clip, batched in zip(FILES, clips, together):
        alone = any_engine._decode_many([clip], engines.FILLER_PROMPT)[0]
        assert _text(batched) == _text(alone), path.name
        pairs = list(zip(_words(batched), _words(alone)))
        close = [abs(a[1] - b[1]) <= TIMING_TOLERANCE_SECONDS and abs(a[2] - b[2]) <= TIMING_TOLERANCE_SECONDS for a, b in pairs]
        assert sum(close) >= WORDS_WITHIN_TOLERANCE * len(close), path.name


@pytest.fixture(scope="module")
def settled(any_engine, clips, together):
    """The batched readings once a clip the filler prompt sent astray is decoded again without it, as
    ``segments_many`` does: what reaches a transcript. (A loop the batch stopped early and one the engine's
    own transcribe() ran to the cap differ in their looping words, which no transcript keeps.)"""
    return engines._decode_with_fallback(lambda chosen, prompt: list(together) if prompt else any_engine._decode_many(chosen, None), clips)


@pytest.fixture(scope="module")
def plain(any_engine, clips):
    """The samples by the engine's own transcribe(), one file at a time, settled the same way (the recorded word has no script)."""
    own = _own_transcribe(any_engine)
    return engines._decode_with_fallback(lambda chosen, prompt: [own(clip, prompt) for clip in chosen], clips[:3])


def _own_transcribe(engine):
    """One clip through the engine's own transcribe(), as vmcheck would decode it unbatched."""
    if engine.name == "faster-whisper":
        return _faster_whisper_transcribe(engine.model)

    def whisper_transcribe(clip, prompt: str | None) -> list[dict]:
        import torch
        import whisper

        torch.manual_seed(0)
        result = whisper.transcribe(
            engine.model, clip, fp16=False, language="en", word_timestamps=True, initial_prompt=prompt, carry_initial_prompt=prompt is not None,
            condition_on_previous_text=False, verbose=None,
        )  # fmt: skip
        return [engines._raw(segment) for segment in result["segments"]]

    return whisper_transcribe


def _faster_whisper_transcribe(model):
    def faster_whisper_transcribe(clip, prompt: str | None) -> list[dict]:
        result, _info = model.transcribe(
            clip, language="en", beam_size=1, best_of=1, temperature=list(engines.FALLBACK_TEMPERATURES),
            compression_ratio_threshold=engines.COMPRESSION_RATIO_THRESHOLD, log_prob_threshold=engines.LOG_PROB_THRESHOLD,
            no_speech_threshold=engines.NO_SPEECH_THRESHOLD, condition_on_previous_text=False, hotwords=prompt,
            word_timestamps=True, vad_filter=False,
        )  # fmt: skip
        return [
            {
                "text": segment.text,
                "start": segment.start,
                "end": segment.end,
                "no_speech_prob": segment.no_speech_prob,
                "avg_logprob": segment.avg_logprob,
                "words": [(w.word, w.start, w.end, w.probability) for w in segment.words or []],
            }
            for segment in result
        ]

    return faster_whisper_transcribe


def test_batched_is_as_accurate_as_the_engines_own_transcribe(settled, plain):
    """Against the reference scripts, over the samples."""
    references = [path.with_suffix(".ref.txt").read_text() for path in FILES[:3]]
    batched = [_text(segments) for segments in settled[:3]]
    alone = [_text(segments) for segments in plain]
    assert wer(" ".join(references), " ".join(batched)) <= wer(" ".join(references), " ".join(alone)) + MAX_WER_INCREASE


def test_word_times_match_the_engines_own_transcribe_where_the_text_does(settled, plain):
    for path, segments, alone in zip(FILES, settled, plain):
        pairs = [(a, b) for a, b in zip(_words(segments), _words(alone)) if a[0] == b[0]]
        assert len(pairs) >= 0.9 * len(_words(alone)), path.name
        close = [abs(a[1] - b[1]) <= TIMING_TOLERANCE_SECONDS and abs(a[2] - b[2]) <= TIMING_TOLERANCE_SECONDS for a, b in pairs]
        assert sum(close) >= WORDS_WITHIN_TOLERANCE * len(close), path.name


@pytest.mark.parametrize("name", ["conf-leaderhasleft", "call-forwarding"])
def test_a_short_phrase_takes_one_encoder_pass_and_its_silent_tail_none(any_engine, name, monkeypatch):
    """Whisper seeks to the end of the last word it timed, short of the clip's end: its own transcribe() gave
    these recorded phrases a second window (and call-forwarding a third and fourth) for the last few hundred
    milliseconds, which read "And I'm going to go ahead and see what we're doing." and "Mhm. Okay."."""
    model = any_engine.model
    encode = "embed_audio" if any_engine.name == "whisper" else "encode"
    passes = []
    original = getattr(model, encode)
    monkeypatch.setattr(model, encode, lambda mel: passes.append(mel.shape[0]) or original(mel))
    clip = engines._trimmed(decode(ASTERISK / f"{name}.wav"))[0]
    segments = any_engine._decode_many([clip], engines.FILLER_PROMPT)[0]
    assert passes == [1]
    assert len(segments) == 1 and segments[0]["end"] <= clip.size / engines.SAMPLE_RATE


def test_a_place_is_done_when_what_is_left_holds_too_little_sound():
    rate = engines.SAMPLE_RATE
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)
    clip = np.concatenate([tone, np.zeros(rate), tone[: int(0.15 * rate)], np.zeros(rate)]).astype(np.float32)
    place = windows.Place(clip.size // 160, 0.01, None, clip)
    for seconds, done in ((0.0, False), (0.9, False), (1.5, True), (2.0, True)):
        place.seek = int(seconds * 100)
        assert place.done is done, seconds


def test_a_recorded_word_that_fails_every_threshold_keeps_its_greedy_reading(together):
    assert "cancel" in _text(together[3]).lower()


def test_beam_search_hears_the_number_as_whisper_does_and_a_spent_budget_ends_the_clip(engine):
    """The second listen's decode (beam search, digit prompt) on the batched pieces: its first window reads
    what whisper's own decoding of that window does (as whisper.transcribe builds it: the clip's log-mel,
    padded to 30 s, the prompt carried in), and once the budget is spent nothing more is decoded.
    whisper.transcribe itself would go on to a 0.1 s window that its beams read as "9 9 9 ..." to the cap."""
    import whisper
    from whisper.audio import N_FRAMES, N_SAMPLES

    from vmcheck.transcript import batched, relisten

    clip = decode(SAMPLES / "excellent.wav").samples[: 28 * engines.SAMPLE_RATE]
    settings = {**engines.FALLBACK, "temperatures": (0.0,)}
    (segments,) = batched.transcribe(
        engine.model, [clip], relisten.DIGIT_PROMPT, settings, beam_size=relisten.BEAM_SIZE, budgets=[lambda seconds: 224 if seconds == 0 else 0]
    )
    tokenizer = whisper.tokenizer.get_tokenizer(engine.model.is_multilingual, language="en", task="transcribe")
    mel = whisper.log_mel_spectrogram(clip, engine.model.dims.n_mels, padding=N_SAMPLES)
    mel = whisper.audio.pad_or_trim(mel[:, : mel.shape[-1] - N_FRAMES], N_FRAMES)
    options = whisper.DecodingOptions(
        language="en", beam_size=relisten.BEAM_SIZE, temperature=0.0, sample_len=224, fp16=False, prompt=tokenizer.encode(" " + relisten.DIGIT_PROMPT)
    )
    plain = whisper.decode(engine.model, mel, options)
    assert "3 1 2 5 5 5 0 1 4 7" in _text(segments)
    assert _text(segments) == plain.text.strip()
    spent = batched.transcribe(engine.model, [clip], relisten.DIGIT_PROMPT, settings, beam_size=relisten.BEAM_SIZE, budgets=[lambda seconds: 0])
    assert spent == [[]]


def test_faster_whisper_beam_search_hears_the_number_as_its_transcribe_does_and_a_spent_budget_ends_the_clip(faster_engine):
    from vmcheck.transcript import batched_fast, relisten

    clip = decode(SAMPLES / "excellent.wav").samples[: 28 * engines.SAMPLE_RATE]
    settings = {**engines.FALLBACK, "temperatures": (0.0,)}
    (segments,) = batched_fast.transcribe(
        faster_engine.model,
        [clip],
        relisten.DIGIT_PROMPT,
        settings,
        beam_size=relisten.BEAM_SIZE,
        budgets=[lambda seconds: 224 if seconds == 0 else 0],
    )
    plain, _info = faster_engine.model.transcribe(
        clip, language="en", word_timestamps=True, hotwords=relisten.DIGIT_PROMPT, condition_on_previous_text=False,
        beam_size=relisten.BEAM_SIZE, best_of=1, temperature=[0.0], max_new_tokens=224, vad_filter=False,
    )  # fmt: skip
    assert "3 1 2 5 5 5 0 1 4 7" in _text(segments)
    assert _text(segments) == "".join(segment.text for segment in plain if segment.seek == 0).strip()
    spent = batched_fast.transcribe(
        faster_engine.model, [clip], relisten.DIGIT_PROMPT, settings, beam_size=relisten.BEAM_SIZE, budgets=[lambda seconds: 0]
    )
    assert spent == [[]]


def test_a_runaway_row_is_stopped_where_it_loops_and_read_as_when_run_to_the_cap(engine, clips, monkeypatch):
    """tiny.en reads the telephone sample's second number with the filler prompt as "5-5-5-...-1-1-1-..."
    (real audio, real weights). Stopped, the loop no longer holds its batch to Whisper's 224-token cap, and
    the clip comes out as it did when the loop ran to the cap: decoded again without the prompt."""
    from vmcheck.transcript import batched

    telephone = clips[1]
    stopped = engine._decode_many([telephone], engines.FILLER_PROMPT)[0]
    assert any(segment["runaway"] for segment in stopped)
    assert guard.looping(next(segment for segment in stopped if segment["runaway"]))
    heard = engine.segments_many([telephone])[0]
    monkeypatch.setattr(batched, "RUNAWAY_TOKENS", 10**6)
    capped = engine._decode_many([telephone], engines.FILLER_PROMPT)[0]
    assert not any(segment["runaway"] for segment in capped)
    assert len(_words(stopped)) < len(_words(capped))
    assert _text(engine.segments_many([telephone])[0]) == _text(heard)


def test_only_a_live_row_repeating_a_short_phrase_is_stopped():
    import torch

    from vmcheck.transcript import batched

    eot, begin, n = 50256, 3, batched.RUNAWAY_TOKENS
    prefix = [1, 2, 3]
    rows = {
        "one token again and again": prefix + [7] * n,
        "a phrase of six again and again": prefix + ([11, 12, 13, 14, 15, 16] * n)[:n],
        "a phrase of seven": prefix + ([11, 12, 13, 14, 15, 16, 17] * n)[:n],
        "a card number of sixteen ones, spelled": prefix + [20] + [11, 12] * 16,
        "ordinary speech": prefix + list(range(100, 100 + n)),
        "finished": prefix + [7] * (n - 1) + [eot],
        "not yet long enough": prefix + [7] * (n - 1) + [8],
    }
    width = max(map(len, rows.values()))
    tokens = torch.tensor([[0] * (width - len(row)) + row for row in rows.values()])
    logits = torch.zeros(len(rows), eot + 10)
    stopper = batched._StopRunaways(eot, begin)
    stopper.apply(logits, tokens)
    assert [list(rows)[row] for row in sorted(stopper.stopped)] == ["one token again and again", "a phrase of six again and again"]
    assert logits[0].argmax().item() == eot and torch.isinf(logits[0, :eot]).all()
    assert not torch.isinf(logits[3]).any()


def test_a_sampled_reading_depends_on_its_clip_alone(engine, clips):
    """The recorded word is sampled at a raised temperature alone and beside the other samples, each time
    after a different global seed: its reading is the same, and it follows the sampler's distribution
    (a token the filters forbid is never drawn)."""
    import torch
    import whisper

    from vmcheck.transcript import batched

    def sampled(chosen: list, global_seed: int) -> list:
        mels = [whisper.log_mel_spectrogram(whisper.pad_or_trim(clip), engine.model.dims.n_mels) for clip in chosen]
        torch.manual_seed(global_seed)
        with torch.no_grad():
            features = engine.model.embed_audio(torch.stack(mels))
            settings = {**engines.FALLBACK, "temperatures": (0.8,)}
            return batched._decode_with_fallback(engine.model, features, [7] * len(chosen), [], settings)

    alone, beside = sampled([clips[3]], 1)[0], sampled([clips[2], clips[3]], 2)[1]
    assert alone.temperature == 0.8 and alone.tokens == beside.tokens and alone.avg_logprob == pytest.approx(beside.avg_logprob, abs=1e-3)
    assert alone.tokens == sampled([clips[3]], 3)[0].tokens


def test_the_sampler_draws_each_row_from_its_own_distribution():
    import torch

    from vmcheck.transcript import batched

    eot, vocabulary, draws = 50, 60, 4000
    logits = torch.full((2, vocabulary), -math.inf)
    logits[0, [3, 4]] = torch.tensor([0.0, math.log(3.0)])
    logits[1, 9] = 0.0
    sampler = batched._Sampler(1.0, eot, [1, 2])
    seen = torch.stack([sampler.update(torch.zeros(2, 1, dtype=torch.long), logits, torch.zeros(2))[0][:, -1] for _ in range(draws)])
    assert set(seen[:, 0].tolist()) == {3, 4} and set(seen[:, 1].tolist()) == {9}
    assert (seen[:, 0] == 4).float().mean().item() == pytest.approx(0.75, abs=0.03)
