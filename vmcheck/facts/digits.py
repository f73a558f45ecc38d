"""Reading digits out of Whisper's timed words: which stretches of speech are phone numbers, and what they say.

Whisper writes the same spoken number in many shapes ("555-867-5309",
"5, 5, 5,", "five five five", "double five", "1-800") and splits it across
words at its own whim, so the words are first reduced to digit tokens with
times and probabilities (``digitwords``). Those are grouped into runs that read as one number,
runs are cut where the caller said the number twice without a break, and each
run is carved into the numbers it holds. Validation is left to ``phonenumbers``.
Which of those numbers are callback numbers is decided in ``numbers``.

The pipeline: ``digitwords.tokens`` (words -> digit tokens) -> ``runs``
(tokens that belong together) -> ``numbers_in``: ``_split_repeats`` and
``_carve`` (a run -> numbers).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import groupby

import phonenumbers
from phonenumbers import CountryCodeSource, NumberParseException, PhoneNumberFormat, ValidationResult

from vmcheck.facts.digitwords import DigitToken, tokens
from vmcheck.transcript import Word

PAUSE = 1.0
"""Seconds of silence between digits that may end a number (see ``_continues``)."""

PACE_SLACK = 1.5
"""A pause up to this many times the longest between a run's digits is the caller's pace, not the end of the number."""

MIN_DIGITS = 7
"""The shortest number a caller can be reached on: a local number without area code."""

MAX_DIGITS = 15
"""E.164's longest number; longer runs are two numbers or not a number at all."""

MIN_CORRECTION = 3
"""The fewest digits a correction restates ("..., sorry, 0174"): a group, not a stray "5" of "5 pm"."""

_YEAR = re.compile(r"(?:19|20)\d\d")
_SAID_WITH_COUNTRY_CODE = (CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN, CountryCodeSource.FROM_NUMBER_WITH_IDD)


# --- digit tokens -> runs ----------------------------------------------------


@dataclass
class Run:
    """Digit tokens heard as one stretch of number, and the extension said after it."""

    tokens: list[DigitToken] = field(default_factory=list)
    plus: bool = False
    extension: str = ""
    stops: set[int] = field(default_factory=set)
    """Tokens said after a full stop or a pause: where a listener hears a number may have ended."""

    @property
    def digits(self) -> str:
        return "".join(t.digits for t in self.tokens)


def runs(words: Sequence[Word], region: str) -> list[Run]:
    """Group the digit tokens in ``words`` into runs.

    Any other word ends a run, and "extension" sends the digits after it to
    the last run.
    """
    found: list[Run] = []
    run: Run | None = None
    extension_of: Run | None = None
    boundary, plus = "soft", False
    for token in tokens(words):
        if isinstance(token, DigitToken):
            if extension_of and (not extension_of.extension or boundary == "soft"):
                extension_of.extension += token.digits
            elif run and _continues(run, token, boundary, region):
                if boundary == "stop" or token.start - run.tokens[-1].end >= PAUSE:
                    run.stops.add(len(run.tokens))
                run.tokens.append(token)
            else:
                run, extension_of = Run([token], plus=plus), None
                found.append(run)
            boundary, plus = "soft", False
        elif token in ("stop", "comma"):
            boundary = "stop" if "stop" in (token, boundary) else token
        else:
            extension_of = found[-1] if token == "ext" and found else None
            run, plus = None, token == "plus"
    return found


def _continues(run: Run, token: DigitToken, boundary: str, region: str) -> bool:
    """Does ``token`` carry on the number in ``run`` across a comma, full stop or pause?

    Callers who group their number ("555, 867, 5309", or with a pause between
    groups) or say it digit by digit ("4. 0. 4.") are doing it right, so such
    a boundary ends the run only once the run is already a whole number (a
    digit said alone goes on to the next one said alone, but not to a "10"):
    "312-555-0147. 312-555-0147." is said twice, not one 20-digit number.
    A whole number that is not a valid one goes on unless the next group
    makes it too long: where numbers differ in length, as in the UK,
    "0113 000" is a possible number but "0113 000 0000" the one said. And a
    valid number said digit by digit goes on to a longer valid one at the
    caller's own pace: "0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0" with a second between
    every digit is the UK's 0800 000 0000, not 0800 000000 and a stray 0. It does
    not go on to a number read with a bare country code: "5, 0, 6, 2, 0, 0, 0, 0,
    0, 0" said twice at one pace is 506-200-0000 twice, not Costa Rica's
    +506 2000 0005 and a stray tail.
    """
    gap = token.start - run.tokens[-1].end
    if gap >= PAUSE:
        boundary = "pause"
    digit_by_digit = len(run.tokens[-1].digits) == len(token.digits) == 1
    if boundary == "soft" or (boundary != "pause" and digit_by_digit):
        return True
    parsed = parse(run.digits, run.plus, region)
    if parsed is None or parsed.e164 is None:
        return True
    if parsed.valid:
        longer = parse(run.digits + token.digits, run.plus, region)
        same_kind = longer is not None and longer.valid and longer.international == parsed.international
        return _at_its_pace(run, gap) and digit_by_digit and same_kind
    return not _too_long(run.digits + token.digits, run.plus, region)


def _at_its_pace(run: Run, gap: float) -> bool:
    """Whether a run was said one digit at a time and ``gap`` is no longer than its pauses between digits."""
    gaps = [b.start - a.end for a, b in zip(run.tokens, run.tokens[1:])]
    return bool(gaps) and all(len(t.digits) == 1 for t in run.tokens) and gap <= PACE_SLACK * max(gaps)


# --- what phonenumbers makes of digits ---------------------------------------


@dataclass(frozen=True)
class Parsed:
    """Digits as a phone number: ``international`` when they start with a country code the caller said."""

    digits: str
    e164: str | None
    valid: bool
    international: bool = False


@lru_cache(maxsize=4096)
def parse(digits: str, plus: bool, region: str) -> Parsed | None:
    """What ``phonenumbers`` makes of the digits, or None when they cannot be a phone number.

    A country code may come with "plus", with an international prefix ("00",
    or the region's own such as "011"), or bare ("44 20 7946 0958"); bare is
    only tried when the digits are too long for a national number.
    A local number without area code is kept, with no E.164 form.
    """
    text = _dialled(digits, plus)
    try:
        number = phonenumbers.parse(text, region, keep_raw_input=True)
    except NumberParseException:
        return None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.TOO_LONG and not text.startswith("+"):
        abroad = parse(digits, True, region)
        return abroad if abroad and abroad.valid else None
    if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return Parsed(digits, None, phonenumbers.is_valid_number(number))
    if reason != ValidationResult.IS_POSSIBLE:
        return None
    international = number.country_code_source in _SAID_WITH_COUNTRY_CODE
    if international:
        digits = f"{number.country_code}{phonenumbers.national_significant_number(number)}"
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return Parsed(digits, e164, phonenumbers.is_valid_number(number), international)


def _dialled(digits: str, plus: bool) -> str:
    """The digits as ``phonenumbers`` reads them: "00" or "plus" before a country code becomes "+"."""
    return "+" + digits[2:] if digits.startswith("00") else ("+" if plus else "") + digits


def _too_long(digits: str, plus: bool, region: str) -> bool:
    """Whether the digits are more than any number of their country has, read as said (no bare country code)."""
    try:
        number = phonenumbers.parse(_dialled(digits, plus), region)
    except NumberParseException as error:
        return error.error_type == NumberParseException.TOO_LONG
    return phonenumbers.is_possible_number_with_reason(number) == ValidationResult.TOO_LONG


# --- runs -> numbers ---------------------------------------------------------


@dataclass(frozen=True)
class Said:
    """One mention of a number: what it parsed as, the tokens it was said in, and how sure Whisper was of each digit.

    ``probabilities`` has one entry per digit of ``parsed.digits``. ``corrected``
    marks a mention that replaces the one said just before it ("..., sorry, 0174").
    """

    parsed: Parsed
    tokens: tuple[DigitToken, ...]
    probabilities: tuple[float, ...]
    extension: str = ""
    corrected: bool = False

    @property
    def digits(self) -> str:
        return self.parsed.digits

    @property
    def start(self) -> float:
        return self.tokens[0].start

    @property
    def end(self) -> float:
        return self.tokens[-1].end

    @property
    def digit_count(self) -> int:
        """Digits actually spoken, prefixes such as "00" included: what the listener had to take in."""
        return sum(len(t.digits) for t in self.tokens)


def _said(parsed: Parsed, tokens: Sequence[DigitToken], corrected: bool = False) -> Said:
    """A mention of ``parsed``; its digits are the last ones spoken (a prefix such as "00" or "011" is dropped).
    A digit the parser adds that was not said ("0+67200-000") takes the least sure probability of those said."""
    spoken = [t.probability for t in tokens for _ in t.digits]
    missing = len(parsed.digits) - len(spoken)
    probabilities = [min(spoken, default=0.0)] * missing + spoken if missing > 0 else spoken[len(spoken) - len(parsed.digits) :]
    return Said(parsed, tuple(tokens), tuple(probabilities), corrected=corrected)


def numbers_in(run: Run, region: str, corrects: Said | None = None) -> list[Said]:
    """The numbers said in ``run``; ``corrects`` is the mention the caller has just taken back, if any."""
    found = []
    for part in _split_repeats(run, region):
        found.extend(_carve(part, region, corrects))
        corrects = None
    return found


def _split_repeats(run: Run, region: str) -> list[Run]:
    """A number said twice without a break ("3125550147 3125550147") is two mentions, not one 20-digit run.

    Cuts fall between digits, so the repeat is found even when Whisper glued
    both copies into one word; a token cut in two lends its times to both halves.
    """
    digits = run.digits
    for copies in (2, 3):
        size, rest = divmod(len(digits), copies)
        unit = digits[:size]
        if rest or size < MIN_DIGITS or unit * copies != digits or parse(unit, run.plus, region) is None:
            continue
        chars = [(char, token) for token in run.tokens for char in token.digits]
        parts = []
        for k in range(copies):
            chunk = groupby(chars[k * size : (k + 1) * size], key=lambda pair: id(pair[1]))
            pieces = [list(group) for _, group in chunk]
            tokens = [replace(piece[0][1], digits="".join(char for char, _ in piece)) for piece in pieces]
            parts.append(Run(tokens, plus=run.plus and k == 0))
        parts[-1].extension = run.extension
        return parts
    return [run]


def _carve(run: Run, region: str, corrects: Said | None) -> list[Said]:
    """The numbers in a run, cutting it only between tokens.

    A stray number before a phone number ("at 10, 555-867-5309") or two
    numbers said back to back make runs that are no phone number as a whole,
    so the run is split to get the most whole numbers (a local number
    without area code counts for less) while dropping the fewest tokens.
    Ties go to dropping tokens before the first number rather than after it
    (people say "at 10, <number>", and a number is followed by words), then
    to valid numbers. A run of 7 to 15 digits that holds no possible number
    is still reported, as invalid: a caller who says one digit too few has
    left a broken number, not no number (a list of years is no number at all),
    and so does one whose digits go on past a local number with no stop or
    pause ("617-55-0-1 -82" is 617550182 heard wrong, not 617-5501).
    After a correction the run's first piece may be its last digits again.
    """
    tokens = run.tokens
    # best[i] is (score, numbers) for tokens[:i], where score is (whole numbers, -tokens dropped,
    # -tokens dropped after a number, -corrections spliced, local numbers, valid numbers)
    best: list[tuple[tuple[int, ...], list[Said]] | None] = [((0, 0, 0, 0, 0, 0), [])]
    for end in range(1, len(tokens) + 1):
        choices = []
        if end < len(tokens) and tokens[end - 1].last == tokens[end].first:
            best.append(None)  # a word is one piece: "617-55-0-1-82" is a number heard wrong, not 617-5501 and 82
            continue
        for begin in _begins(tokens, end, run.plus):
            before = best[begin]
            if before is None:
                continue
            (whole, dropped, late, spliced, local, valid), said = before
            piece = tokens[begin:end]
            number = _correction(corrects, piece, region) if corrects and begin == 0 else None
            spliced -= number is not None
            if number is None:
                digits = "".join(t.digits for t in piece)
                plus = run.plus and begin == 0
                parsed = parse(digits, plus, region) if MIN_DIGITS <= len(digits) <= MAX_DIGITS or plus else None
                number = _said(parsed, piece, corrected=bool(corrects) and begin == 0) if parsed else None
            if number:
                is_whole = number.parsed.e164 is not None
                score = (whole + is_whole, dropped, late, spliced, local + (not is_whole), valid + number.parsed.valid)
                choices.append((score, [*said, number]))
            else:
                score = (whole, dropped - len(piece), late - len(piece) if said else late, spliced, local, valid)
                choices.append((score, said))
        best.append(max(choices, key=lambda choice: choice[0]) if choices else None)
    numbers = best[-1][1] if best[-1] else []
    years = len(tokens) > 1 and all(_YEAR.fullmatch(t.digits) for t in tokens)
    kept = tokens.index(numbers[-1].tokens[-1]) + 1 if numbers and numbers[-1].tokens[-1] in tokens else len(tokens)
    local_only = bool(numbers) and all(n.parsed.e164 is None for n in numbers)
    cut_short = local_only and kept < len(tokens) and kept not in run.stops
    if (not numbers or cut_short) and MIN_DIGITS <= len(run.digits) <= MAX_DIGITS and not years:
        numbers = [_said(Parsed(run.digits, None, False), tokens)]
    if numbers and run.extension:
        numbers[-1] = replace(numbers[-1], extension=run.extension)
    return numbers


def _correction(corrects: Said, piece: Sequence[DigitToken], region: str) -> Said | None:
    """``corrects`` with its last digits said again ("414-555-0147, sorry, 0174" is 4145550174), or None.

    The mention spans both tellings, so its pace counts the digits the listener had to sort out.
    """
    digits = "".join(t.digits for t in piece)
    keep = len(corrects.digits) - len(digits)
    if len(digits) < MIN_CORRECTION or keep <= 0:
        return None
    parsed = parse(corrects.digits[:keep] + digits, corrects.parsed.international, region)
    if parsed is None:
        return None
    spoken = tuple(t.probability for t in piece for _ in t.digits)
    return Said(parsed, (*corrects.tokens, *piece), corrects.probabilities[:keep] + spoken, corrected=True)


def _begins(tokens: list[DigitToken], end: int, plus: bool) -> list[int]:
    """Where a piece of ``tokens`` ending before ``end`` may begin, in order.

    Only pieces short enough to be a number are tried, as well as the last token alone (to drop it) and, after
    "plus", the whole run: a longer piece could only be dropped, and dropping it token by token scores the same.
    This keeps a long run of digits (a script of "1 1 1 ...") quadratic rather than cubic.
    """
    begins, length = [], 0
    for begin in range(end - 1, -1, -1):
        length += len(tokens[begin].digits)
        if length > MAX_DIGITS and begin < end - 1:
            break
        begins.append(begin)
    if plus and begins[-1] != 0:
        begins.append(0)
    return begins[::-1]
