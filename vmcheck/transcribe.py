"""Speech to timed words: openai-whisper by default, faster-whisper as an option.

Both engines get the same treatment around them: silence at either end is cut
before decoding (each 30 s window costs a full encoder pass), a recording with
no sound at all never reaches the model, and segments that look like Whisper's
hallucinations on silence ("you", "Thank you.") are dropped.
"""

from __future__ import annotations

import zlib

import numpy as np

from vmcheck.audio import FRAME_SECONDS, SAMPLE_RATE, Audio, measure
from vmcheck.transcript import Segment, Transcript, Word

ENGINES = ("whisper",)
FILLER_PROMPT = "Um, uh, hmm."
EDGE_PAD_SECONDS = 0.3
MIN_ACTIVE_SECONDS = 0.2
HALLUCINATION_NO_SPEECH = 0.6
HALLUCINATION_WORD_PROBABILITY = 0.5
LOOP_COMPRESSION_RATIO = 2.4
LOOP_REPEATS = 7


class WhisperEngine:
    """openai-whisper on the CPU, greedy decoding, word timestamps on."""

    name = "whisper"

    def __init__(self, model_name: str):
        from vmcheck import model

        self.model = model.load(model_name)
        self.model_name = self.model.name

    def segments(self, samples: np.ndarray) -> list[dict]:
        """Decode with the filler prompt; if that sends tiny into a repetition loop
        ("1-1-1-1-..." on digits), decode again without it."""
        segments = self._decode(samples, FILLER_PROMPT)
        if any(_looping(segment) for segment in segments):
            segments = self._decode(samples, None)
        return segments

    def _decode(self, samples: np.ndarray, prompt: str | None) -> list[dict]:
        import whisper

        result = whisper.transcribe(
            self.model,
            samples,
            fp16=False,
            language="en",
            word_timestamps=True,
            initial_prompt=prompt,
            carry_initial_prompt=prompt is not None,
            condition_on_previous_text=False,
            verbose=None,
        )
        return [
            {
                "text": segment["text"],
                "start": segment["start"],
                "end": segment["end"],
                "no_speech_prob": segment["no_speech_prob"],
                "avg_logprob": segment["avg_logprob"],
                "words": [(w["word"], w["start"], w["end"], w["probability"]) for w in segment.get("words", [])],
            }
            for segment in result["segments"]
        ]


def load_engine(engine: str, model_name: str) -> WhisperEngine:
    if engine == "whisper":
        return WhisperEngine(model_name)
    from vmcheck.errors import VmcheckError

    raise VmcheckError(f"unknown engine '{engine}' (choose from: {', '.join(ENGINES)})")


def transcribe(audio: Audio, engine: WhisperEngine) -> Transcript:
    stats = audio.stats
    empty = Transcript(text="", words=(), duration=stats.duration, engine=engine.name, model=engine.model_name)
    if stats.active_seconds < MIN_ACTIVE_SECONDS:
        return empty
    start = max(0.0, stats.leading_silence - EDGE_PAD_SECONDS)
    end = min(stats.duration, stats.duration - stats.trailing_silence + EDGE_PAD_SECONDS)
    clip = audio.samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
    segments: list[Segment] = []
    words: list[Word] = []
    for raw in engine.segments(clip):
        seg_words = [Word(text, s + start, e + start, float(p)) for text, s, e, p in raw["words"]]
        if _looks_hallucinated(raw, seg_words) or not _has_sound(audio, raw["start"] + start, raw["end"] + start):
            continue
        segments.append(
            Segment(raw["text"].strip(), raw["start"] + start, raw["end"] + start, raw["no_speech_prob"], raw["avg_logprob"])
        )
        words.extend(seg_words)
    text = "".join(w.text for w in words).strip()
    return Transcript(
        text=text,
        words=tuple(words),
        segments=tuple(segments),
        duration=stats.duration,
        engine=engine.name,
        model=engine.model_name,
    )


def _looping(segment: dict) -> bool:
    """A runaway decode: the same word many times in a row, or text that compresses too well."""
    tokens = [text.strip(" -.,").lower() for text, *_ in segment["words"]]
    run = longest = 0
    for previous, token in zip([None, *tokens], tokens):
        run = run + 1 if token == previous else 1
        longest = max(longest, run)
    data = segment["text"].strip().encode("utf-8")
    too_compressible = len(data) > 40 and len(data) / len(zlib.compress(data)) > LOOP_COMPRESSION_RATIO
    return longest >= LOOP_REPEATS or too_compressible


def _looks_hallucinated(raw: dict, words: list[Word]) -> bool:
    """Whisper on silence is confident it heard nothing yet still writes a word or two."""
    if not words:
        return True
    mean_probability = sum(w.probability for w in words) / len(words)
    return raw["no_speech_prob"] > HALLUCINATION_NO_SPEECH and mean_probability < HALLUCINATION_WORD_PROBABILITY


def _has_sound(audio: Audio, start: float, end: float) -> bool:
    piece = audio.samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
    return piece.size >= FRAME_SECONDS * SAMPLE_RATE and measure(piece).active_seconds >= MIN_ACTIVE_SECONDS
