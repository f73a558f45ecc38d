"""Files going through their 30 s windows together: the rounds both engines' batched decoding
(``vmcheck.transcript.batched``, ``vmcheck.transcript.batched_fast``) take, apart from the model that reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import numpy as np

from vmcheck.audio import FRAME_SECONDS, MIN_ACTIVE_SECONDS, sounding_frames


class Place:
    """Where one file's decoding has got to: the frame it reads from next, the segments read so far,
    and the most tokens a window may take (``budget``: from the second a window starts, if the caller set one).

    A file is done when what is left of it holds less sound than a recording needs to reach the model at all
    (``MIN_ACTIVE_SECONDS``). Whisper's seek to the last word's end leaves most short clips a tail of a few
    hundred milliseconds: the end of the last word and the silence after it. Whisper's transcribe() gives
    that tail a full encoder pass and, as a tail usually reads as an unlikely word or two ("And", "Yeah."),
    every fallback temperature; on the benchmark's short clips that was a quarter of the windows, and what
    they read was dropped as a re-reading with too little sound of its own."""

    def __init__(self, frames: int, seconds_per_frame: float, budget: Callable[[float], int] | None, clip: np.ndarray):
        self.frames = frames
        self.seconds_per_frame = seconds_per_frame
        self.budget = budget
        self.sound_from = np.cumsum(sounding_frames(clip)[::-1])[::-1] * FRAME_SECONDS
        self.seek = 0
        self.last_speech = 0.0
        self.segments: list[dict] = []

    @property
    def done(self) -> bool:
        return self.seek >= self.frames or self.tokens_left == 0 or self.sound_left < MIN_ACTIVE_SECONDS

    @property
    def sound_left(self) -> float:
        """Seconds of sound from where the next window starts."""
        frame = int(self.seek * self.seconds_per_frame / FRAME_SECONDS)
        return float(self.sound_from[frame]) if frame < self.sound_from.size else 0.0

    @property
    def tokens_left(self) -> int | None:
        return None if self.budget is None else self.budget(self.seek * self.seconds_per_frame)


P = TypeVar("P", bound=Place)


def rounds(places: list[P], batch_size: int | None) -> Iterator[list[P]]:
    """Batches of at most ``batch_size`` files (default: all), round after round: each round takes the next
    window of every file not yet finished, longest left first, so a batch ends together and the later
    windows of long files are batched in later rounds."""
    while live := sorted((p for p in places if not p.done), key=lambda p: p.frames - p.seek, reverse=True):
        size = batch_size or len(live)
        for first in range(0, len(live), size):
            yield live[first : first + size]


def tokens_left(batch: Sequence[Place]) -> int | None:
    """The most tokens any window of the batch may take, when every file has a budget."""
    budgets = [left for place in batch if (left := place.tokens_left) is not None]
    return max(budgets) if budgets and len(budgets) == len(batch) else None


def needs_fallback(reading, settings: dict) -> bool:
    """Whether a window's reading (either engine's: ``no_speech_prob``, ``avg_logprob``, ``compression_ratio``)
    is too repetitive or too unlikely, and not silence, so the next temperature should try it again."""
    if reading.no_speech_prob > settings["no_speech_threshold"] and reading.avg_logprob < settings["logprob_threshold"]:
        return False
    return reading.compression_ratio > settings["compression_ratio_threshold"] or reading.avg_logprob < settings["logprob_threshold"]


def likeliest(tried: list, settings: dict):
    """The reading to keep when no temperature satisfies the thresholds: the likeliest that is not a loop."""
    readable = [reading for reading in tried if reading.compression_ratio <= settings["compression_ratio_threshold"]] or tried
    return max(readable, key=lambda reading: reading.avg_logprob)
