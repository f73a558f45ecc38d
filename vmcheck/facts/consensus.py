"""One number from several readings of it: what most of them heard, digit by digit, and where they disagree.

A caller's two mentions of a number, and any second listen of either, are
readings of one number. Whisper mishears a digit, doubles one or drops one,
so the readings are aligned digit by digit and vote place by place. The
disagreements are kept: a number heard differently on its mentions is the
strongest sign a listener may write it down wrong (GUIDE.md 'Numbers a
listener can write down').
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import TypedDict

SECOND_LISTEN_WEIGHT = 0.75
"""A second listen's vote, against the first pass's: it settles what the first pass doubted, it does not
overrule what it heard clearly."""


@dataclass(frozen=True)
class Reading:
    """One reading of a mention, the first pass's or a second listen's, timed at the mention.

    ``probabilities`` holds Whisper's word probability for each digit.
    """

    digits: str
    probabilities: tuple[float, ...]
    start: float
    second_listen: bool = False


class HearingDict(TypedDict):
    """``Hearing`` as rules and JSON read it."""

    start: float
    digits: str
    second_listen: bool


@dataclass(frozen=True)
class Hearing:
    """What one reading heard at an unclear place: the mention's start, and the digits."""

    start: float
    digits: str
    second_listen: bool = False

    def to_dict(self) -> HearingDict:
        return {"start": round(self.start, 3), "digits": self.digits, "second_listen": self.second_listen}


class UnclearDict(TypedDict):
    """``Unclear`` as rules and JSON read it."""

    positions: list[int]
    digits: str
    start: float
    heard: list[HearingDict]


@dataclass(frozen=True)
class Unclear:
    """Digits of the number (``positions`` counted from 1) that its readings heard differently.

    ``digits`` is what the number has there; ``start`` is the first mention that heard otherwise.
    """

    positions: tuple[int, ...]
    digits: str
    heard: tuple[Hearing, ...]
    start: float

    def to_dict(self) -> UnclearDict:
        return {
            "positions": list(self.positions),
            "digits": self.digits,
            "start": round(self.start, 3),
            "heard": [h.to_dict() for h in self.heard],
        }

    def describe(self) -> str:
        """ "digit 6 was heard as 5 at 0:16 but as 55 at 0:25", for a finding's message."""
        first, last = self.positions[0], self.positions[-1]
        where = f"digit {first} was" if first == last else f"digits {first}-{last} were"
        ways: dict[str, list[str]] = {}
        for hearing in self.heard:
            when = _clock(hearing.start) + (" (second listen)" if hearing.second_listen else "")
            ways.setdefault(hearing.digits, []).append(when)
        first_way, *others = (f"as {d} at {' and '.join(times)}" for d, times in ways.items())
        return f"{where} heard {first_way} but " + ", ".join(others)


def distance(one: str, other: str) -> int:
    """Digits to change, add or drop to make the shorter reading the longer's; its missing leading digits are free."""
    longer, shorter = (one, other) if len(one) >= len(other) else (other, one)
    return _align(longer, shorter)[0]


def reconcile(readings: list[Reading], valid: Callable[[str], bool]) -> tuple[str, tuple[Unclear, ...]]:
    """The digits most readings heard, and where they disagree.

    Readings are aligned to the longest (the one heard most often among
    equals) and vote place by place, each reading with the weight of Whisper's
    probability for it (a second listen's a little less); a tie goes to the
    choice that makes a ``valid`` number, then to the earliest reading, and a
    vote that makes no valid number takes another choice heard at one place
    if that makes it valid. A place where a reading lacks a digit is voted on
    together with the place before it, so every choice is digits some reading
    heard: no digit is ever made up.
    """
    longest = max(len(r.digits) for r in readings)
    times = Counter(r.digits for r in readings)
    ref = max((r for r in readings if len(r.digits) == longest), key=lambda r: times[r.digits])
    heard = [_align(ref.digits, r.digits)[1] for r in readings]
    places: list[list[int]] = []
    open_start = False
    for i in range(len(ref.digits)):
        gap = any(h[i] == [] for h in heard)
        if places and (gap or open_start):
            places[-1].append(i)
            open_start = open_start and gap
        else:
            places.append([i])
            open_start = gap
    votes = [_votes(readings, heard, place) for place in places]
    chosen = [options[0][0] for options in votes]
    for k, options in enumerate(votes):
        tied = [text for text, weight, count in options if (weight, count) == options[0][1:]]
        makes_valid = [t for t in tied if valid("".join(chosen[:k] + [t] + chosen[k + 1 :]))]
        chosen[k] = (makes_valid or tied)[0]
    if not valid("".join(chosen)):
        _settle_by_validity(chosen, votes, valid)
    return "".join(chosen), _unclear(readings, heard, places, chosen)


def _settle_by_validity(chosen: list[str], votes: list, valid: Callable[[str], bool]) -> None:
    """A vote that makes no valid number is a doubt: where one other choice heard at one place makes it valid,
    take it ("617-55-0182" twice on the first pass, "617-555-0182" twice on the second listen)."""
    for k, options in enumerate(votes):
        for text, *_ in options[1:]:
            if valid("".join(chosen[:k] + [text] + chosen[k + 1 :])):
                chosen[k] = text
                return


def _align(ref: str, other: str) -> tuple[int, list[list[int] | None]]:
    """Edit distance from ``other`` to ``ref``, and which digits of ``other`` were heard at each digit of ``ref``.

    Digits of ``ref`` before ``other`` begins cost nothing and read None (a
    mention without country or area code says nothing about them); a digit
    ``other`` lacks reads [], and an extra one joins the digit before it (a
    doubled 5 reads as 55). A changed digit is preferred to a gap (0147 heard
    as 0174 is two digits swapped, not one dropped and one added), and gaps go
    as late as they can, so in a run of equal digits the doubled or dropped one
    is the last.
    """
    n, m = len(ref), len(other)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    cost[0] = list(range(m + 1))
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(cost[i - 1][j - 1] + (ref[i - 1] != other[j - 1]), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    found: list[list[int]] = [[] for _ in range(n)]
    i, j = n, m
    while j > 0:
        substituted = i > 0 and ref[i - 1] != other[j - 1] and cost[i][j] == cost[i - 1][j - 1] + 1
        if not substituted and i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        elif not substituted and cost[i][j] == cost[i][j - 1] + 1:
            found[max(i - 1, 0)].insert(0, j - 1)
            j -= 1
        else:
            found[i - 1].insert(0, j - 1)
            i, j = i - 1, j - 1
    heard: list[list[int] | None] = [None] * i
    heard.extend(found[i:])
    return cost[n][m], heard


def _heard_at(reading: Reading, heard: list[list[int] | None], place: list[int]) -> tuple[str, float] | None:
    """What one reading heard at a place and Whisper's mean probability for it; None if it did not say it."""
    indices: list[int] = []
    for i in place:
        slot = heard[i]
        if slot is None:
            return None
        indices.extend(slot)
    return "".join(reading.digits[k] for k in indices), sum(reading.probabilities[k] for k in indices) / len(indices)


def _votes(readings: list[Reading], heard: list, place: list[int]) -> list[tuple[str, float, int]]:
    """(digits, weight of the readings that heard them, how many) for each choice at a place, best first.

    Each reading weighs Whisper's probability for what it heard there, a second listen a little less.
    """
    tally: dict[str, list[float]] = {}
    for reading, alignment in zip(readings, heard):
        said = _heard_at(reading, alignment, place)
        if said:
            weight = said[1] * (SECOND_LISTEN_WEIGHT if reading.second_listen else 1.0)
            tally.setdefault(said[0], []).append(weight)
    ranked = [(text, round(sum(weights), 6), len(weights)) for text, weights in tally.items()]
    return sorted(ranked, key=lambda option: (-option[1], -option[2]))


def _unclear(readings: list[Reading], heard: list, places: list[list[int]], chosen: list[str]) -> tuple[Unclear, ...]:
    """Runs of places where a mention was heard otherwise by all its readings, with positions in the chosen digits.

    A mention the first pass misheard but the second listen heard as the vote did is settled, not unclear.
    """
    rows, offset = [], 0
    for place, text in zip(places, chosen):
        said = [_heard_at(r, h, place) for r, h in zip(readings, heard)]
        by_mention: dict[float, set[str]] = {}
        for reading, what in zip(readings, said):
            if what:
                by_mention.setdefault(reading.start, set()).add(what[0])
        disagree = any(text not in texts for texts in by_mention.values())
        rows.append((disagree, tuple(range(offset + 1, offset + len(text) + 1)), text, said))
        offset += len(text)
    runs = groupby(rows, key=lambda row: row[0])
    return tuple(_unclear_run(readings, list(run)) for disagree, run in runs if disagree)


def _unclear_run(readings: list[Reading], rows: list) -> Unclear:
    digits = "".join(text for _, _, text, _ in rows)
    hearings = []
    for k, reading in enumerate(readings):
        parts = [said[k] for _, _, _, said in rows]
        if all(parts):
            hearings.append(Hearing(reading.start, "".join(part[0] for part in parts), reading.second_listen))
    start = min((h.start for h in hearings if h.digits != digits), default=hearings[0].start)
    return Unclear(tuple(p for _, positions, _, _ in rows for p in positions), digits, tuple(hearings), start)


def _clock(seconds: float) -> str:
    """m:ss, as the report card prints times."""
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}"
