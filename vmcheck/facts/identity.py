"""Would the listener get it right? Compare what the caller meant to say with what came through.

Given the caller's real name and number, the name counts as recovered when
some run of transcript words matches it closely (speech recognisers and
listeners both misspell, so the match is fuzzy), and the number only when
its digits come through exactly: one wrong digit and nobody can call back.
A number reconciled from mentions heard differently is not proof that any of
them came through, so the digits are matched against every mention as heard
(first pass or second listen), never against the reconciled number.

The names on the accept lists (``team_names``, ``company_names``) are checked
the same way without --caller: a caller's name or company heard close to an
accepted name but not as it (``Okonquo`` for ``Okonkwo``) did not come through.
They are never given to the recogniser as a prompt: it stands in for the
listener, who has no list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TypedDict

from vmcheck.facts.callback import CallbackNumber
from vmcheck.facts.names import NOBODY, Caller
from vmcheck.facts.textindex import normalise
from vmcheck.facts.vocab import Vocabularies, builtin
from vmcheck.transcript import Word

NAME_SIMILARITY = 0.8


class MisheardDict(TypedDict):
    """``Misheard`` as rules and JSON read it."""

    name: str
    heard: str


@dataclass(frozen=True)
class Misheard:
    """A name from an accept list, and how it came through instead."""

    name: str
    heard: str

    def to_dict(self) -> MisheardDict:
        return {"name": self.name, "heard": self.heard}


class IdentityDict(TypedDict):
    """``Identity`` as rules and JSON read it."""

    name: str | None
    number: str | None
    name_recovered: bool | None
    name_heard: str | None
    name_similarity: float | None
    number_recovered: bool | None
    numbers_heard: list[str]
    misheard: list[MisheardDict]


@dataclass(frozen=True)
class Identity:
    name: str | None
    number: str | None
    name_recovered: bool | None
    name_heard: str | None
    name_similarity: float | None
    number_recovered: bool | None
    numbers_heard: tuple[str, ...]
    misheard: tuple[Misheard, ...] = ()

    def to_dict(self) -> IdentityDict:
        return {
            "name": self.name,
            "number": self.number,
            "name_recovered": self.name_recovered,
            "name_heard": self.name_heard,
            "name_similarity": None if self.name_similarity is None else round(self.name_similarity, 3),
            "number_recovered": self.number_recovered,
            "numbers_heard": list(self.numbers_heard),
            "misheard": [m.to_dict() for m in self.misheard],
        }


def expected_digits(number: str) -> str:
    """The digits of ``number`` as 0-9, whatever script they were typed in."""
    return "".join(str(unicodedata.decimal(char)) for char in re.findall(r"\d", number))


def check_identity(
    words: tuple[Word, ...] | list[Word],
    numbers: list[CallbackNumber],
    name: str | None,
    number: str | None,
    caller: Caller = NOBODY,
    vocab: Vocabularies | None = None,
) -> Identity:
    heard, similarity = _closest_run(words, name) if name else (None, None)
    heard_digits = tuple(dict.fromkeys(digits for n in numbers for digits in n.heard))
    return Identity(
        name=name,
        number=number,
        name_recovered=None if similarity is None else similarity >= NAME_SIMILARITY,
        name_heard=heard,
        name_similarity=similarity,
        number_recovered=None if not number else _digits_match(expected_digits(number), heard_digits),
        numbers_heard=heard_digits,
        misheard=_misheard(caller, vocab or builtin()),
    )


def _misheard(caller: Caller, vocab: Vocabularies) -> tuple[Misheard, ...]:
    """Accepted names that the caller's name or company came through close to but not as (one entry per name)."""
    found: dict[str, Misheard] = {}
    for said, accepted in ((caller.name, vocab["team_names"]), (caller.company, vocab["company_names"])):
        heard = normalise(said or "").split()
        for entry in accepted.entries:
            target = normalise(entry.text).split()
            for i in range(len(heard) - len(target) + 1):
                candidate = " ".join(heard[i : i + len(target)])
                close = min(len(candidate), len(" ".join(target))) > 3
                if close and candidate != " ".join(target) and _similarity(candidate, " ".join(target)) >= NAME_SIMILARITY:
                    found.setdefault(entry.text, Misheard(entry.text, candidate))
    return tuple(found.values())


def _similarity(one: str, other: str) -> float:
    return SequenceMatcher(None, one, other).ratio()


def _digits_match(expected: str, heard: tuple[str, ...]) -> bool:
    """Exact digits; a country code said on one side only ("1 312..." vs "312...") still matches."""
    for digits in heard:
        longer, shorter = sorted((digits, expected), key=len, reverse=True)
        if longer.endswith(shorter) and len(shorter) >= 7 and len(longer) - len(shorter) <= 2:
            return True
    return False


def _closest_run(words, name: str) -> tuple[str | None, float]:
    target = normalise(name)
    if not target:
        return None, 0.0  # a name with no letters or digits ("--caller '?'") matches nothing, not the empty run
    tokens = [normalise(w.text) for w in words]
    tokens = [t for t in tokens if t]
    size = len(target.split())
    best, best_score = None, 0.0
    for width in {max(1, size - 1), size, size + 1}:
        for i in range(len(tokens) - width + 1):
            candidate = " ".join(tokens[i : i + width])
            score = SequenceMatcher(None, target, candidate).ratio()
            if score > best_score:
                best, best_score = candidate, score
    return best, best_score
