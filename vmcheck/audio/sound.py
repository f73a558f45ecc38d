"""Levels of a recording: silence at either end, peak, clipping, loudness, and where the sound is.

The figures feed the delivery rules, and the speech stage reads ``Sound`` to tell
speech from silence, tones and noise before and after Whisper.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TypedDict, cast

import numpy as np

SAMPLE_RATE = 16000
FRAME_SECONDS = 0.02
SILENCE_DBFS = -45.0
PAUSE_SECONDS = 0.3
"""A gap in the sound this long ends an utterance; gaps between words and inside them are shorter."""
MIN_ACTIVE_SECONDS = 0.2
"""The least sound worth a pass of the speech model: a recording, or what is left of one after its last word."""
CLIP_LEVEL = 0.99
SPEECH_BAND = (250.0, 4000.0)


class AudioStatsDict(TypedDict):
    """``AudioStats`` as rules and JSON read it."""

    duration: float
    leading_silence: float
    trailing_silence: float
    peak_dbfs: float
    clipped_fraction: float
    speech_rms_dbfs: float
    active_seconds: float


@dataclass(frozen=True)
class AudioStats:
    duration: float
    leading_silence: float
    trailing_silence: float
    peak_dbfs: float
    clipped_fraction: float
    speech_rms_dbfs: float
    active_seconds: float

    def to_dict(self) -> AudioStatsDict:
        return cast(AudioStatsDict, {k: round(v, 4) for k, v in asdict(self).items()})

    @classmethod
    def from_dict(cls, data: dict) -> AudioStats:
        return cls(**{k: float(data[k]) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray
    stats: AudioStats

    @property
    def sample_rate(self) -> int:
        return SAMPLE_RATE


def speech_band(samples: np.ndarray) -> np.ndarray:
    """The signal between 250 and 4000 Hz, where speech lives; mains hum and rumble are not sound here."""
    spectrum = np.fft.rfft(samples)
    frequencies = np.fft.rfftfreq(samples.size, 1 / SAMPLE_RATE)
    spectrum[(frequencies < SPEECH_BAND[0]) | (frequencies > SPEECH_BAND[1])] = 0
    return np.fft.irfft(spectrum, samples.size).astype(np.float32)


def _frame_rms(samples: np.ndarray) -> np.ndarray:
    frame = int(FRAME_SECONDS * SAMPLE_RATE)
    n_frames = max(1, samples.size // frame)
    framed = samples[: n_frames * frame].reshape(n_frames, -1) if samples.size >= frame else samples.reshape(1, -1)
    return np.sqrt(np.mean(framed.astype(np.float64) ** 2, axis=1))


def sounding_frames(samples: np.ndarray) -> np.ndarray:
    """Which 20 ms frames hold sound: their speech band is louder than SILENCE_DBFS."""
    band_rms = _frame_rms(speech_band(samples)) if samples.size else _frame_rms(samples)
    return 20 * np.log10(np.maximum(band_rms, 1e-10)) > SILENCE_DBFS


class Sound:
    """A clip's sound as utterances: runs of sounding frames joined over gaps shorter than a pause.

    The hallucination guard matches a segment to whole utterances rather than to the frames
    its timestamps cover, since Whisper's times on a short clip can sit a few hundred
    milliseconds off (a lone word is often timed from the very start of the clip).
    """

    def __init__(self, samples: np.ndarray):
        self.active = sounding_frames(samples)
        self.utterances: list[tuple[int, int]] = []
        pause = round(PAUSE_SECONDS / FRAME_SECONDS)
        for frame in np.flatnonzero(self.active):
            if self.utterances and frame - self.utterances[-1][1] < pause:
                self.utterances[-1] = (self.utterances[-1][0], int(frame) + 1)
            else:
                self.utterances.append((int(frame), int(frame) + 1))

    def under(self, start: float, end: float, slack: float) -> list[tuple[int, int]]:
        """The utterances that a span, widened by ``slack`` seconds each side, touches."""
        first, last = _frame(start - slack), _frame(end + slack)
        return [(a, b) for a, b in self.utterances if a < last and b > first]

    def seconds_within(self, start: float, end: float) -> float:
        """Seconds of sound between two times."""
        return float(self.active[_frame(start) : _frame(end)].sum() * FRAME_SECONDS)

    def seconds_in(self, utterances: list[tuple[int, int]]) -> float:
        """Seconds of sound in the utterances, pauses inside them left out."""
        return float(sum(self.active[a:b].sum() for a, b in utterances) * FRAME_SECONDS)

    @staticmethod
    def length_of(utterances: list[tuple[int, int]]) -> float:
        """Seconds from the start of the first utterance to the end of the last."""
        return (utterances[-1][1] - utterances[0][0]) * FRAME_SECONDS if utterances else 0.0


def _frame(seconds: float) -> int:
    return max(0, int(seconds / FRAME_SECONDS))


def measure(samples: np.ndarray) -> AudioStats:
    """Levels over 20 ms frames; a frame whose speech band is louder than SILENCE_DBFS counts as sound."""
    rms = _frame_rms(samples)
    active = np.flatnonzero(sounding_frames(samples))
    duration = samples.size / SAMPLE_RATE
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if active.size:
        leading = active[0] * FRAME_SECONDS
        trailing = max(0.0, duration - (active[-1] + 1) * FRAME_SECONDS)
        speech_rms = float(np.sqrt(np.mean(rms[active] ** 2)))
    else:
        leading, trailing, speech_rms = duration, duration, 0.0
    return AudioStats(
        duration=duration,
        leading_silence=float(leading),
        trailing_silence=float(trailing),
        peak_dbfs=_dbfs(peak),
        clipped_fraction=float(np.mean(np.abs(samples) >= CLIP_LEVEL)) if samples.size else 0.0,
        speech_rms_dbfs=_dbfs(speech_rms),
        active_seconds=float(active.size * FRAME_SECONDS),
    )


def _dbfs(level: float) -> float:
    return float(20 * np.log10(max(level, 1e-10)))
