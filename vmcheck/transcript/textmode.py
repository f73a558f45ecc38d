"""Check a script before recording it: text becomes a transcript with estimated timings.

Each word gets an equal share of time at the stated speaking rate, with a
short pause after commas and a longer one after sentences, so rules about
when things are said still work. Rules that need real audio are skipped.
"""

from __future__ import annotations

from vmcheck.transcript import Transcript, Word

DEFAULT_WPM = 150.0
COMMA_PAUSE = 0.15
SENTENCE_PAUSE = 0.4


def from_text(text: str, wpm: float = DEFAULT_WPM, probability: float = 1.0) -> Transcript:
    seconds_per_word = 60.0 / wpm
    words: list[Word] = []
    clock = 0.0
    for token in text.split():
        words.append(Word(" " + token, clock, clock + seconds_per_word, probability))
        clock += seconds_per_word
        if token.endswith((".", "?", "!")):
            clock += SENTENCE_PAUSE
        elif token.endswith((",", ";", ":")):
            clock += COMMA_PAUSE
    duration = words[-1].end if words else 0.0
    return Transcript(text=" ".join(text.split()), words=tuple(words), duration=duration, engine="text", model="", estimated=True)
