"""Phrase search over timed words, so every text match knows when it was said.

The transcript is flattened to lowercase words without punctuation, joined by
single spaces; a regex match on that string maps back to the words it covers
and so to start and end seconds. Fact extractors and phrase rules share it.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # type: ignore[import-not-found]  # typeshed stubs only the deprecated sre_parse alias
from dataclasses import dataclass
from functools import cached_property
from typing import TypedDict

from vmcheck.transcript import Word

_STRIP = re.compile(r"[^\w'+$%-]+|(?<!\w)['-]+|['-]+(?!\w)")


def normalise(text: str) -> str:
    """Lowercase, curly apostrophes straightened, punctuation dropped."""
    return _STRIP.sub(" ", text.lower().replace("\u2019", "'")).strip()


class SpanDict(TypedDict):
    """``Span`` as rules and JSON read it."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Span:
    """A phrase and when it was said: what facts report for fillers, hedges, pauses and weak closes."""

    text: str
    start: float
    end: float

    def to_dict(self) -> SpanDict:
        return {"text": self.text, "start": round(self.start, 2), "end": round(self.end, 2)}


@dataclass(frozen=True)
class Match:
    text: str
    first: int
    last: int
    start: float
    end: float


class TextIndex:
    """Words joined into one searchable string with a char-to-word map."""

    def __init__(self, words: tuple[Word, ...] | list[Word]):
        self.words = tuple(words)
        pieces: list[str] = []
        owners: list[int] = []
        for index, word in enumerate(self.words):
            for part in normalise(word.text).split():
                if pieces:
                    pieces.append(" ")
                    owners.append(index)
                pieces.append(part)
                owners.extend([index] * len(part))
        self.text = "".join(pieces)
        self._owner = owners

    @cached_property
    def sentence_ends(self) -> frozenset[int]:
        """Indices of words that close a sentence in Whisper's punctuation."""
        return frozenset(i for i, w in enumerate(self.words) if w.text.rstrip().endswith((".", "?", "!")))

    def find(self, pattern: re.Pattern) -> list[Match]:
        found = []
        for match in pattern.finditer(self.text):
            if match.end() <= match.start():
                continue
            first = self._owner[match.start()]
            last = self._owner[match.end() - 1]
            found.append(Match(match.group(0), first, last, self.words[first].start, self.words[last].end))
        return found


def phrase_pattern(phrases: list[str] | tuple[str, ...]) -> re.Pattern:
    """One regex for a list of plain phrases, matched on whole words."""
    alternatives = sorted({re.escape(normalise(p)).replace(r"\ ", " ") for p in phrases if normalise(p)}, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?![\w'])")


_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}


def check_pattern(pattern: str) -> str | None:
    """What is wrong with a regex from a user's file, or None: it does not parse, or it could run for hours."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as error:
        return f"bad pattern {pattern!r}: {error}"
    if _nested_repeat(parsed, inside=False):
        return f"pattern {pattern!r} nests repeats (like (a+)+) and could run for hours; rewrite it"
    return None


def _nested_repeat(parsed, inside: bool) -> bool:
    for op, value in parsed:
        if op in _REPEATS:
            low, high, sub = value
            if inside and high > 1:
                return True
            if _nested_repeat(sub, inside or high > 1):
                return True
        elif op == sre_parse.SUBPATTERN:
            if _nested_repeat(value[-1], inside):
                return True
        elif op == sre_parse.BRANCH:
            if any(_nested_repeat(branch, inside) for branch in value[1]):
                return True
    return False
