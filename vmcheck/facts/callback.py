"""A callback number as the facts give it: each time it was said, and what its readings disagree on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from vmcheck.facts.consensus import Unclear, UnclearDict


class MentionDict(TypedDict):
    """``Mention`` as rules and JSON read it."""

    start: float
    end: float
    text: str
    digits: str
    digits_per_second: float
    relistens: list[str]


@dataclass(frozen=True)
class Mention:
    """One time the number is said, with what each second listen of it read (``relistens``)."""

    start: float
    end: float
    text: str
    digits_per_second: float
    digits: str
    relistens: tuple[str, ...] = ()

    def to_dict(self) -> MentionDict:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "digits": self.digits,
            "digits_per_second": round(self.digits_per_second, 2),
            "relistens": list(self.relistens),
        }


class CallbackNumberDict(TypedDict):
    """``CallbackNumber`` as rules and JSON read it."""

    digits: str
    formatted: str
    extension: str | None
    e164: str | None
    valid: bool
    times_said: int
    first_start: float
    digits_per_second: float
    fastest_digits_per_second: float
    mentions: list[MentionDict]
    unclear: list[UnclearDict]
    unclear_summary: str | None


@dataclass(frozen=True)
class CallbackNumber:
    """A number the caller left, with every time they said it.

    ``digits`` is what most readings heard, digit by digit, in the fullest form
    heard (country code included when said); ``unclear`` lists where readings
    disagree. ``valid`` is ``phonenumbers``' verdict for the country it belongs to.
    """

    digits: str
    extension: str | None
    e164: str | None
    valid: bool
    mentions: tuple[Mention, ...]
    formatted: str
    unclear: tuple[Unclear, ...] = ()

    @property
    def times_said(self) -> int:
        return len(self.mentions)

    @property
    def first_start(self) -> float:
        return self.mentions[0].start

    @property
    def digits_per_second(self) -> float:
        """Pace of the first mention: the one a listener has to catch."""
        return self.mentions[0].digits_per_second

    @property
    def fastest_digits_per_second(self) -> float:
        return max(m.digits_per_second for m in self.mentions)

    @property
    def heard(self) -> tuple[str, ...]:
        """Every distinct reading, first pass and second listens: what a listener may have written down."""
        return tuple(dict.fromkeys(d for m in self.mentions for d in (m.digits, *m.relistens)))

    @property
    def unclear_summary(self) -> str | None:
        return "; ".join(u.describe() for u in self.unclear) or None

    def to_dict(self) -> CallbackNumberDict:
        return {
            "digits": self.digits,
            "formatted": self.formatted,
            "extension": self.extension,
            "e164": self.e164,
            "valid": self.valid,
            "times_said": self.times_said,
            "first_start": round(self.first_start, 3),
            "digits_per_second": round(self.digits_per_second, 2),
            "fastest_digits_per_second": round(self.fastest_digits_per_second, 2),
            "mentions": [m.to_dict() for m in self.mentions],
            "unclear": [u.to_dict() for u in self.unclear],
            "unclear_summary": self.unclear_summary,
        }
