"""Mask sensitive numbers once, in the transcript, before any fact, rule, report or cache entry sees them.

Every report and the cache read the words, the text, the segments and the
second listens of a transcript, and every fact and finding is read from the
words; so masking those here leaves no raw digits anywhere downstream, and no
reporter needs to know. What was masked is kept as ``Transcript.redactions``
(kind, time, last four digits), so the findings still fire on a masked
transcript, such as one read back from the cache. Masking is idempotent: a
masked number has no digits left to find.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence

from vmcheck.facts import sensitive
from vmcheck.facts.sensitive import MASK, Sensitive
from vmcheck.facts.vocab import Vocabularies
from vmcheck.transcript import Relisten, Segment, Transcript, Word

RELISTEN_MARGIN = 0.3
"""Seconds either side of a masked number within which a second listen's digits are masked too."""

_SPELLED = re.compile(
    r"\b(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|double|triple)\b",
    re.IGNORECASE,
)
_CLOSING = ".,;:!?…"


def redact(transcript: Transcript, vocab: Vocabularies) -> Transcript:
    """The transcript with every sensitive number masked but for its last four digits, and recorded as a redaction."""
    found = sensitive.find(transcript.words, vocab)
    if not found:
        return transcript
    words = _masked_words(transcript.words, found)
    redactions = [s.redaction() for s in found]
    spans = [(r.start - RELISTEN_MARGIN, r.end + RELISTEN_MARGIN) for r in redactions]
    return dataclasses.replace(
        transcript,
        text="".join(w.text for w in words).strip(),
        words=words,
        segments=tuple(_segment(segment, words, spans) for segment in transcript.segments),
        relistens=tuple(_relisten(relisten, spans) for relisten in transcript.relistens),
        redactions=(*transcript.redactions, *redactions),
    )


def _masked_words(words: Sequence[Word], found: list[Sensitive]) -> tuple[Word, ...]:
    """Each word that says digits of a sensitive number shows only its masked digits; a token said over
    several words ("double five") becomes one word."""
    masked: dict[int, str] = {}
    last_word: dict[int, int] = {}
    for number in found:
        offset = 0
        for token in number.tokens:
            masked[token.first] = masked.get(token.first, "") + sensitive.mask(token.digits, number.digits, offset)
            last_word[token.first] = max(last_word.get(token.first, token.last), token.last)
            offset += len(token.digits)
    dropped = {i for first, last in last_word.items() for i in range(first + 1, last + 1)}
    rewritten = {
        first: dataclasses.replace(
            words[first], text=_rewrite(words[first].text, words[last].text, masked[first], first == last), end=words[last].end
        )
        for first, last in last_word.items()
    }
    return tuple(rewritten.get(i, word) for i, word in enumerate(words) if i not in dropped)


def _rewrite(text: str, last_text: str, masked: str, one_word: bool) -> str:
    """Written digits ("4111-1111") are replaced one by one, keeping their separators; a spelled number
    ("four," or "double five.") becomes the masked digits with the leading space and closing punctuation."""
    written = [i for i, char in enumerate(text) if char.isdecimal()]
    if one_word and len(written) == len(masked):
        chars = list(text)
        for position, char in zip(written, masked):
            chars[position] = char
        return "".join(chars)
    lead = text[: len(text) - len(text.lstrip())]
    tail = last_text[len(last_text.rstrip(_CLOSING)) :]
    return f"{lead}{masked}{tail}"


def _segment(segment: Segment, words: tuple[Word, ...], spans: list[tuple[float, float]]) -> Segment:
    """A segment that overlaps a masked number gets its text again from the masked words within it."""
    if not any(start < segment.end and segment.start < end for start, end in spans):
        return segment
    inside = [w.text for w in words if segment.start - 0.05 <= w.start < segment.end + 0.05]
    return dataclasses.replace(segment, text="".join(inside) if inside else _mask_all(segment.text))


def _relisten(relisten: Relisten, spans: list[tuple[float, float]]) -> Relisten:
    """A second listen's words near a masked number lose every digit: they may have heard it differently."""
    words = tuple(
        dataclasses.replace(w, text=_mask_all(w.text)) if any(start <= (w.start + w.end) / 2 <= end for start, end in spans) else w
        for w in relisten.words
    )
    return dataclasses.replace(relisten, words=words)


def _mask_all(text: str) -> str:
    """Every digit, written or spelled, hidden."""
    written = "".join(MASK if unicodedata.category(char) == "Nd" else char for char in text)
    return _SPELLED.sub(MASK, written)
