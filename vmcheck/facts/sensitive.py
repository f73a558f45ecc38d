"""Sensitive numbers said aloud: payment cards, social security numbers, bank routing and account numbers.

No regex over the text could find them: Whisper writes "4111 1111 1111 1111",
"4-1-1-1 ...", "four one one one" or a mix, so the digits are read by the
same reader the callback numbers use (``digitwords.tokens``), with times. Which
digits are which is decided by well-kept validators (``python-stdnum``: the
Luhn check digit, the SSA's rules for SSNs, the ABA checksum for routing
numbers) and by what the caller said just before (``rules/Core/vocab/sensitive.yml``).

A false alarm costs a reviewer's minute, so a number needs a cue word or the
grouping its kind is said in: a card is 13 to 19 digits in 4-4-4-4 (or 4-6-5)
groups or one run, or any grouping after "card"; an SSN is 3-2-4, or any
grouping after "social"; routing and account numbers always need their words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from stdnum import luhn
from stdnum.us import rtn, ssn

from vmcheck.facts import digitwords
from vmcheck.facts.digitwords import DigitToken
from vmcheck.facts.textindex import normalise
from vmcheck.facts.vocab import Vocabularies
from vmcheck.transcript import Redaction, Word

VISIBLE = 4
"""Digits left showing at the end of a masked number, as on a receipt."""

MASK = "•"

CUE_WORDS = 6
"""How many words before a number may hold the words that say what it is ("my social security number is")."""

STREAM_PAUSE = 2.0
"""Seconds of silence that end a stream of digits; a card read out in groups has shorter pauses than this."""

CARD_LENGTHS = range(13, 20)
CARD_INDUSTRIES = "23456"
"""ISO/IEC 7812 major industry identifiers of payment cards: 2 and 5 Mastercard, 3 Amex, Diners and JCB, 4 Visa, 6 Discover."""
CARD_GROUPS = ((4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3))
SSN_GROUPS = ((3, 2, 4),)
ACCOUNT_LENGTHS = range(6, 18)
NINE_DIGITS = 9
"""The length of a social security number and of an ABA routing number."""
LONGEST = max(*CARD_LENGTHS, *ACCOUNT_LENGTHS, NINE_DIGITS)
"""No piece with more digits than this can be any kind, which keeps the carving linear."""


@dataclass(frozen=True)
class Sensitive:
    """One sensitive number: its kind (card, ssn or bank), its digits and the digit tokens (so the words) it was said in."""

    kind: str
    digits: str
    tokens: tuple[DigitToken, ...]

    def redaction(self) -> Redaction:
        return Redaction(self.kind, mask(self.digits, self.digits), self.tokens[0].start, self.tokens[-1].end)


def mask(digits: str, number: str, offset: int = 0) -> str:
    """``digits`` (a part of ``number`` starting at ``offset``) with every digit but the number's last four hidden."""
    hidden = len(number) - VISIBLE
    return "".join(MASK if offset + k < hidden else char for k, char in enumerate(digits))


def find(words: Sequence[Word], vocab: Vocabularies) -> list[Sensitive]:
    """Every sensitive number in ``words``, in the order said."""
    found: list[Sensitive] = []
    for stream in _streams(words):
        found.extend(_carve(stream, _cues(words, stream[0].first, vocab)))
    return found


def _streams(words: Sequence[Word]) -> list[list[DigitToken]]:
    """Digit tokens said one after another: any other word (or a long pause) ends a stream, commas and stops do not."""
    streams: list[list[DigitToken]] = []
    current: list[DigitToken] = []
    for token in digitwords.tokens(words):
        if isinstance(token, DigitToken):
            if current and token.start - current[-1].end > STREAM_PAUSE:
                streams.append(current)
                current = []
            current.append(token)
        elif token not in ("stop", "comma") and current:
            streams.append(current)
            current = []
    return [*streams, current] if current else streams


def _cues(words: Sequence[Word], first: int, vocab: Vocabularies) -> set[str]:
    """The kinds the words just before a stream name ("card", "social", "routing", "checking account")."""
    before = normalise(" ".join(w.text for w in words[max(0, first - CUE_WORDS) : first]))
    vocabularies = {"card": "card_cues", "ssn": "ssn_cues", "routing": "routing_cues", "account": "bank_account_cues"}
    return {kind for kind, name in vocabularies.items() if vocab.regex(name).search(before)}


def _carve(stream: list[DigitToken], cues: set[str]) -> list[Sensitive]:
    """The sensitive numbers in a stream, cut only between tokens, longest first from the left.

    A piece never holds more than LONGEST digits, so a long run ("1 1 1 ..." for pages) is carved in linear time."""
    found, i = [], 0
    while i < len(stream):
        end, count = i, 0
        while end < len(stream) and count + len(stream[end].digits) <= LONGEST:
            count += len(stream[end].digits)
            end += 1
        for j in range(end, i, -1):
            piece = tuple(stream[i:j])
            kind = _kind("".join(t.digits for t in piece), tuple(len(t.digits) for t in piece), cues)
            if kind:
                found.append(Sensitive(kind, "".join(t.digits for t in piece), piece))
                i = j
                break
        else:
            i += 1
    return found


def _kind(number: str, groups: tuple[int, ...], cues: set[str]) -> str | None:
    grouped = len(groups) == 1 or groups in CARD_GROUPS
    if len(number) in CARD_LENGTHS and number[0] in CARD_INDUSTRIES and luhn.is_valid(number) and ("card" in cues or grouped):
        return "card"
    if len(number) == NINE_DIGITS and "routing" in cues and rtn.is_valid(number):
        return "bank"
    if len(number) == NINE_DIGITS and ssn.is_valid(number) and ("ssn" in cues or groups in SSN_GROUPS):
        return "ssn"
    if len(number) in ACCOUNT_LENGTHS and "account" in cues:
        return "bank"
    return None
