"""Many recordings through faster-whisper at once, decoding as its own WhisperModel.transcribe does.

CTranslate2's ``generate`` takes a batch, and each decoding step reads the model's
weights once for all its rows, so 30 s windows from many files are encoded and
decoded together, in the same rounds as ``vmcheck.transcript.batched``: each file keeps its
own place (``_Stream``), a round takes the next window of every file not yet
finished, and files are sorted by what is left so a batch ends together.
Everything else is faster-whisper's own: its log-mel, prompt, the no-speech skip,
segments cut at timestamp pairs, word timings from each row's encoder output, and
the temperature fallback of ``generate_with_fallback``, run again only for the
rows that need it, on their encoded audio.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import ctranslate2
import numpy as np
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import TranscriptionOptions, WhisperModel, get_compression_ratio, get_suppressed_tokens
from faster_whisper.utils import get_end

from vmcheck.transcript import windows

_DEFAULTS = {name: p.default for name, p in inspect.signature(WhisperModel.transcribe).parameters.items() if p.default is not p.empty}
"""What faster-whisper's transcribe() decodes with unless told otherwise, read from it so the two cannot drift apart."""


class _Decoded:
    """One row's reading, with the figures the fallback and the no-speech skip judge it by."""

    def __init__(self, result, tokenizer: Tokenizer, length_penalty: float):
        self.tokens = result.sequences_ids[0]
        self.no_speech_prob = result.no_speech_prob
        self.avg_logprob = result.scores[0] * len(self.tokens) ** length_penalty / (len(self.tokens) + 1)
        self.compression_ratio = get_compression_ratio(tokenizer.decode(self.tokens).strip())


class _Stream(windows.Place):
    """One file's way through its windows, as the body of faster-whisper's generate_segments loop."""

    def __init__(self, features: np.ndarray, budget: Callable[[float], int] | None, seconds_per_frame: float, clip: np.ndarray):
        super().__init__(features.shape[-1] - 1, seconds_per_frame, budget, clip)
        self.features = features

    def window(self, frames: int) -> tuple[np.ndarray, int]:
        size = min(frames, self.frames - self.seek)
        return pad_or_trim(self.features[:, self.seek : self.seek + size], frames), size

    def advance(self, decoded: _Decoded, encoded: ctranslate2.StorageView, size: int, model: WhisperModel, tokenizer: Tokenizer, options) -> None:
        if decoded.no_speech_prob > options.no_speech_threshold and not decoded.avg_logprob > options.log_prob_threshold:
            self.seek += size
            return
        offset = self.seek * self.seconds_per_frame
        segments, self.seek, single_timestamp_ending = model._split_segments_by_timestamps(
            tokenizer=tokenizer,
            tokens=decoded.tokens,
            time_offset=offset,
            segment_size=size,
            segment_duration=size * self.seconds_per_frame,
            seek=self.seek,
        )
        model.add_word_timestamps(
            [segments], tokenizer, encoded, size, options.prepend_punctuations, options.append_punctuations, last_speech_timestamp=self.last_speech
        )
        last_word_end = get_end(segments)
        if not single_timestamp_ending and last_word_end is not None and last_word_end > offset:
            self.seek = round(last_word_end * model.frames_per_second)
        if last_word_end is not None:
            self.last_speech = last_word_end
        for segment in segments:
            text = tokenizer.decode(segment["tokens"])
            if segment["start"] == segment["end"] or not text.strip():
                continue
            self.segments.append(
                {
                    "text": text,
                    "start": segment["start"],
                    "end": segment["end"],
                    "no_speech_prob": decoded.no_speech_prob,
                    "avg_logprob": decoded.avg_logprob,
                    "words": [(w["word"], w["start"], w["end"], w["probability"]) for w in segment["words"]],
                }
            )


def transcribe(
    model: WhisperModel,
    clips: list[np.ndarray],
    prompt: str | None,
    settings: dict,
    batch_size: int | None = None,
    beam_size: int = 1,
    budgets: list[Callable[[float], int]] | None = None,
) -> list[list[dict]]:
    """Segments for each clip, as ``model.transcribe(clip, language="en", word_timestamps=True,
    hotwords=prompt, condition_on_previous_text=False, best_of=1)`` gives them, in the shape
    ``vmcheck.transcript.engines`` hands to its guard.

    ``settings``, ``batch_size`` and ``budgets`` are those of ``vmcheck.transcript.batched.transcribe``.
    """
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en")
    options = _options(tokenizer, prompt, settings, beam_size)
    extractor = model.feature_extractor
    streams = [_Stream(extractor(clip), budgets[i] if budgets else None, extractor.time_per_frame, clip) for i, clip in enumerate(clips)]
    base_prompt = model.get_prompt(tokenizer, [], without_timestamps=False, hotwords=prompt)
    for batch in windows.rounds(streams, batch_size):
        pieces = [stream.window(extractor.nb_max_frames) for stream in batch]
        encoded = np.asarray(model.encode(np.stack([mel for mel, _size in pieces])))
        new_tokens = windows.tokens_left(batch)
        max_length = min(model.max_length, len(base_prompt) + new_tokens) if new_tokens is not None else model.max_length
        readings = _decode_with_fallback(model, encoded, base_prompt, tokenizer, options, settings, max_length)
        for row, (stream, decoded, (_mel, frames)) in enumerate(zip(batch, readings, pieces)):
            stream.advance(decoded, _rows(encoded, [row]), frames, model, tokenizer, options)
    return [stream.segments for stream in streams]


def _options(tokenizer: Tokenizer, prompt: str | None, settings: dict, beam_size: int) -> TranscriptionOptions:
    fields = {name: _DEFAULTS[name] for name in TranscriptionOptions.__dataclass_fields__ if name in _DEFAULTS}
    fields.update(
        beam_size=beam_size,
        best_of=1,
        temperatures=list(settings["temperatures"]),
        log_prob_threshold=settings["logprob_threshold"],
        no_speech_threshold=settings["no_speech_threshold"],
        compression_ratio_threshold=settings["compression_ratio_threshold"],
        condition_on_previous_text=False,
        suppress_tokens=get_suppressed_tokens(tokenizer, _DEFAULTS["suppress_tokens"]),
        word_timestamps=True,
        hotwords=prompt,
    )
    return TranscriptionOptions(**fields)


def _decode_with_fallback(
    model: WhisperModel, encoded: np.ndarray, prompt: list[int], tokenizer: Tokenizer, options, settings: dict, max_length: int
) -> list[_Decoded]:
    """faster-whisper's generate_with_fallback for a batch: each higher temperature for the rows whose
    reading is too repetitive or too unlikely (and not silence); a row no temperature satisfies keeps
    its likeliest reading that is not a loop."""
    attempts: list[list[_Decoded]] = [[] for _ in range(encoded.shape[0])]
    rows = list(range(encoded.shape[0]))
    for temperature in options.temperatures:
        if temperature > 0:
            kwargs = {"beam_size": 1, "num_hypotheses": options.best_of, "sampling_topk": 0, "sampling_temperature": temperature}
        else:
            kwargs = {"beam_size": options.beam_size, "patience": options.patience}
        results = model.model.generate(
            _rows(encoded, rows),
            [prompt] * len(rows),
            length_penalty=options.length_penalty,
            repetition_penalty=options.repetition_penalty,
            no_repeat_ngram_size=options.no_repeat_ngram_size,
            max_length=max_length,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=options.suppress_blank,
            suppress_tokens=options.suppress_tokens,
            max_initial_timestamp_index=int(round(options.max_initial_timestamp / model.time_precision)),
            **kwargs,
        )
        for row, result in zip(rows, results):
            attempts[row].append(_Decoded(result, tokenizer, options.length_penalty))
        rows = [row for row in rows if windows.needs_fallback(attempts[row][-1], settings)]
        if not rows:
            break
    failed = set(rows)
    return [windows.likeliest(tried, settings) if row in failed else tried[-1] for row, tried in enumerate(attempts)]


def _rows(encoded: np.ndarray, rows: list[int]) -> ctranslate2.StorageView:
    return ctranslate2.StorageView.from_array(np.ascontiguousarray(encoded[rows]))
