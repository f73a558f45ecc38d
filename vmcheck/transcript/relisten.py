"""A second, careful listen to every number the caller leaves.

The first pass decodes greedily with a filler prompt, which suits the message
as a whole but is shaky on digits, and one dropped or doubled digit means
nobody can call back. So the audio of each mention is decoded again, with a
little context on each side, by beam search at temperature 0 under a prompt
shaped like digits. The mentions are laid end to end with silence between
them and decoded as one clip, one encoder pass for all of them. Only the
words timed inside a mention are kept: they are another reading of it, which
the number facts reconcile with the first pass. The recogniser stands in for
the listener, so nothing of the expected number is ever given to it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vmcheck.audio import SAMPLE_RATE, Audio
from vmcheck.transcript import Relisten, Word

DIGIT_PROMPT = "Numbers: 0 1 2 3 4 5 6 7 8 9."
BEAM_SIZE = 5
CONTEXT_SECONDS = 0.6
"""Audio kept on each side of a mention, so its first and last digits are not cut."""
KEEP_SECONDS = 0.45
"""A re-read word counts for the mention when its middle falls this close to the mention's own span."""
GAP_SECONDS = 1.0
TOKENS_PER_MENTION = 40
"""Room for a number with a country code, an extension and the words around it."""
WINDOW_SECONDS = 28.0
"""Mentions laid end to end stay inside one of Whisper's 30 s windows."""


def relisten(heard: list[tuple[Audio, list[tuple[float, float]]]], engine) -> list[tuple[Relisten, ...]]:
    """Re-decode the audio of every number mention (start, end) in each recording, the windows of all
    recordings in one batch: beam search pays per decoding step, so rows decoded together cost
    little more than one. Where the numbers were said is the facts stage's reading of the first
    pass (``vmcheck.facts.spoken_numbers``), handed in by whoever runs both."""
    windows: list[tuple[int, list[tuple[float, float, float, float]]]] = []
    for i, (audio, mentions) in enumerate(heard):
        windows.extend((i, batch) for batch in _windows(mentions, audio.stats.duration))
    if not windows:
        return [()] * len(heard)
    clips, offsets, budgets = zip(*(_clip(heard[i][0], batch) for i, batch in windows))
    readings: list[list[Relisten]] = [[] for _ in heard]
    for (i, batch), at, segments in zip(windows, offsets, engine.listen_closely(list(clips), list(budgets))):
        readings[i].extend(_readings(batch, at, [word for segment in segments for word in segment["words"]]))
    return [tuple(found) for found in readings]


def _windows(mentions: list[tuple[float, float]], duration: float) -> list[list[tuple[float, float, float, float]]]:
    """Mentions with their context, as (start, end, clip start, clip end), grouped to fit one window each."""
    batches: list[list[tuple[float, float, float, float]]] = [[]]
    used = 0.0
    for start, end in mentions:
        clip = (max(0.0, start - CONTEXT_SECONDS), min(duration, end + CONTEXT_SECONDS))
        length = clip[1] - clip[0] + GAP_SECONDS
        if batches[-1] and used + length > WINDOW_SECONDS:
            batches.append([])
            used = 0.0
        batches[-1].append((start, end, *clip))
        used += length
    return [batch for batch in batches if batch]


def _clip(audio: Audio, batch: list[tuple[float, float, float, float]]) -> tuple[np.ndarray, list[float], Callable[[float], int]]:
    """The window's mentions laid end to end, where each starts in it, and the tokens left to hear after a second of it.

    A mention is heard once the decoding is past its own end: the context after it holds no digit of it,
    and another window for that context alone would cost a full encoder pass and a beam search."""
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    pieces, offsets = [], []
    at = 0.0
    for _start, _end, clip_start, clip_end in batch:
        piece = audio.samples[int(clip_start * SAMPLE_RATE) : int(clip_end * SAMPLE_RATE)]
        offsets.append(at)
        pieces.extend([piece, gap])
        at += piece.size / SAMPLE_RATE + GAP_SECONDS
    ends = [offset + end - clip_start for offset, (_start, end, clip_start, _clip_end) in zip(offsets, batch)]

    def tokens_after(seconds: float) -> int:
        return TOKENS_PER_MENTION * sum(end > seconds for end in ends)

    return np.concatenate(pieces), offsets, tokens_after


def _readings(batch: list[tuple[float, float, float, float]], offsets: list[float], heard: list[tuple]) -> list[Relisten]:
    """The words heard in the joined clip, back on the recording's clock, each mention with those heard inside it."""
    readings = []
    for (start, end, clip_start, _clip_end), offset in zip(batch, offsets):
        kept = []
        for text, word_start, word_end, probability in heard:
            shift = clip_start - offset
            middle = (word_start + word_end) / 2 + shift
            if start - KEEP_SECONDS <= middle <= end + KEEP_SECONDS:
                kept.append(Word(text, word_start + shift, word_end + shift, float(probability)))
        readings.append(Relisten(start, end, tuple(kept)))
    return readings
