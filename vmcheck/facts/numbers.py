"""Callback numbers said in a voicemail, found in Whisper's timed words.

Whisper writes the same spoken number in many shapes ("555-867-5309",
"5, 5, 5,", "five five five", "double five", "1-800") and splits it across
words at its own whim, so the words are first reduced to digit tokens with
times. Those are grouped into runs that read as one number, runs are cut where
the caller said the number twice without a break, and every mention of the
same number is merged so the checker can tell how often and how fast it was
said. Validation is left to ``phonenumbers``.

The pipeline: ``_atoms`` (one word -> pieces) -> ``_tokens`` (spelled and
written digits -> digit tokens) -> ``_runs`` (tokens that belong together)
-> ``_split_repeats`` and ``_carve`` (a run -> numbers) -> ``_merge``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import groupby

import phonenumbers
from phonenumbers import CountryCodeSource, NumberParseException, PhoneNumberFormat, ValidationResult

from vmcheck.transcript import Word

PAUSE = 1.0
"""Seconds of silence between digits that may end a number (see ``_continues``)."""

MIN_DIGITS = 7
"""The shortest number a caller can be reached on: a local number without area code."""

MAX_DIGITS = 15
"""E.164's longest number; longer runs are two numbers or not a number at all."""

_UNITS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
          "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}  # fmt: skip
_TEENS = {"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
          "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19"}  # fmt: skip
_TENS = {"twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7", "eighty": "8",
         "ninety": "9"}  # fmt: skip
_NONZERO = set("123456789")
_REPEATS = {"double": 2, "triple": 3, "treble": 3}
_FILLERS = {"uh", "um", "umm", "uhm", "er", "erm", "ah", "hmm"}
_EXTENSION = {"extension", "ext"}

_NOT_A_PHONE = re.compile(r"[:$%@/€£]")
"""Times ("3:30"), money, percentages, addresses and dates are never dialled."""
_SAID_WITH_COUNTRY_CODE = (CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN, CountryCodeSource.FROM_NUMBER_WITH_IDD)
_PIECE = re.compile(r"\d+|[a-z']+|\+")
_FINAL_PUNCTUATION = re.compile(r"[.,;!?…]+$")


@dataclass(frozen=True)
class Mention:
    """One time the number is said."""

    start: float
    end: float
    text: str
    digits_per_second: float
    digits: str

    def to_dict(self) -> dict:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "digits": self.digits,
            "digits_per_second": round(self.digits_per_second, 2),
        }


@dataclass(frozen=True)
class CallbackNumber:
    """A number the caller left, with every time they said it.

    ``digits`` is the fullest form heard (country code included when said);
    ``valid`` is ``phonenumbers``' verdict for the country it belongs to.
    """

    digits: str
    extension: str | None
    e164: str | None
    valid: bool
    mentions: tuple[Mention, ...]

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

    def to_dict(self) -> dict:
        return {
            "digits": self.digits,
            "extension": self.extension,
            "e164": self.e164,
            "valid": self.valid,
            "times_said": self.times_said,
            "first_start": round(self.first_start, 3),
            "digits_per_second": round(self.digits_per_second, 2),
            "fastest_digits_per_second": round(self.fastest_digits_per_second, 2),
            "mentions": [m.to_dict() for m in self.mentions],
        }


def find_numbers(words: Sequence[Word], region: str = "US") -> list[CallbackNumber]:
    """Every phone number said in ``words``, in the order first said.

    ``region`` is where the caller is assumed to be: it decides how numbers
    without a country code are read and validated.
    """
    said = []
    for run in _runs(_tokens(words), region):
        for part in _split_repeats(run, region):
            said.extend(_carve(part, region))
    return _merge(said, words)


# --- words -> digit tokens ---------------------------------------------------


@dataclass(frozen=True)
class _Atom:
    """One meaningful piece of a word: ``kind`` is digits, tens, hundred, repeat, plus, ext, stop, comma or break."""

    kind: str
    value: str
    word: int


def _atoms(words: Sequence[Word]) -> Iterator[_Atom]:
    """Split each word into pieces; punctuation inside a word ("555-867", "(555)") carries no meaning."""
    for i, word in enumerate(words):
        text = word.text.strip().lower()
        if _NOT_A_PHONE.search(text):
            yield _Atom("break", "", i)
            continue
        final = _FINAL_PUNCTUATION.search(text)
        pieces = _PIECE.findall(text[: final.start()] if final else text)
        for j, piece in enumerate(pieces):
            glued_digits = j + 1 < len(pieces) and pieces[j + 1].isdigit()
            if piece.isdigit():
                yield _Atom("digits", _ascii_digits(piece), i)
            elif piece in _UNITS:
                yield _Atom("digits", _UNITS[piece], i)
            elif piece in _TEENS:
                yield _Atom("digits", _TEENS[piece], i)
            elif piece in _TENS:
                yield _Atom("tens", _TENS[piece], i)
            elif piece == "hundred":
                yield _Atom("hundred", "00", i)
            elif piece in _REPEATS:
                yield _Atom("repeat", str(_REPEATS[piece]), i)
            elif piece in ("+", "plus"):
                yield _Atom("plus", "", i)
            elif piece in _EXTENSION or (piece == "x" and glued_digits):
                yield _Atom("ext", "", i)
            elif piece not in _FILLERS:
                yield _Atom("break", "", i)
        if final:
            yield _Atom("stop" if final.group()[0] in ".!?…" else "comma", "", i)


def _ascii_digits(piece: str) -> str:
    """Any script's decimal digits ("３１２", "٣١٢") as 0-9, so mentions compare and match ``--number``."""
    return piece if piece.isascii() else "".join(str(unicodedata.decimal(char)) for char in piece)


@dataclass(frozen=True)
class _Digits:
    """Digits said in words ``first``..``last``; times are those of the words."""

    digits: str
    start: float
    end: float
    first: int
    last: int


def _tokens(words: Sequence[Word]) -> Iterator[_Digits | str]:
    """Digit tokens, with the atoms that can end a number (break, plus, ext, stop, comma) passed through.

    Spoken forms are folded here: "double five" is 55, "eight hundred" is 800
    (as in "one eight hundred") and "fifty three" is 53. A "double" or
    "hundred" that does not fit is just a word, and so ends the number.
    """
    atoms = list(_atoms(words))
    i = 0
    while i < len(atoms):
        atom = atoms[i]
        after = atoms[i + 1] if i + 1 < len(atoms) else None
        used = [atom]
        if atom.kind == "digits" and after and after.kind == "hundred" and len(atom.value) == 1:
            digits, used = atom.value + after.value, [atom, after]
        elif atom.kind == "tens" and after and after.kind == "digits" and after.value in _NONZERO:
            digits, used = atom.value + after.value, [atom, after]
        elif atom.kind == "tens":
            digits = atom.value + "0"
        elif atom.kind == "repeat" and after and after.kind == "digits" and len(after.value) == 1:
            digits, used = after.value * int(atom.value), [atom, after]
        elif atom.kind == "digits":
            digits = atom.value
        else:
            yield "break" if atom.kind in ("repeat", "hundred") else atom.kind
            i += 1
            continue
        first, last = words[used[0].word], words[used[-1].word]
        yield _Digits(digits, first.start, last.end, used[0].word, used[-1].word)
        i += len(used)


# --- digit tokens -> runs ----------------------------------------------------


@dataclass
class _Run:
    """Digit tokens heard as one stretch of number, and the extension said after it."""

    tokens: list[_Digits] = field(default_factory=list)
    plus: bool = False
    extension: str = ""

    @property
    def digits(self) -> str:
        return "".join(t.digits for t in self.tokens)


def _runs(tokens: Iterator[_Digits | str], region: str) -> list[_Run]:
    """Group digit tokens into runs.

    Any other word ends a run, and "extension" sends the digits after it to
    the last run.
    """
    runs: list[_Run] = []
    run: _Run | None = None
    extension_of: _Run | None = None
    boundary, plus = "soft", False
    for token in tokens:
        if isinstance(token, _Digits):
            if extension_of and (not extension_of.extension or boundary == "soft"):
                extension_of.extension += token.digits
            elif run and _continues(run, token, boundary, region):
                run.tokens.append(token)
            else:
                run, extension_of = _Run([token], plus=plus), None
                runs.append(run)
            boundary, plus = "soft", False
        elif token in ("stop", "comma"):
            boundary = "stop" if "stop" in (token, boundary) else token
        else:
            extension_of = runs[-1] if token == "ext" and runs else None
            run, plus = None, token == "plus"
    return runs


def _continues(run: _Run, token: _Digits, boundary: str, region: str) -> bool:
    """Does ``token`` carry on the number in ``run`` across a comma, full stop or pause?

    Callers who group their number ("555, 867, 5309", or with a pause between
    groups) or say it digit by digit ("4. 0. 4.") are doing it right, so such
    a boundary ends the run only once the run is already a whole number:
    "312-555-0147. 312-555-0147." is said twice, not one 20-digit number.
    A whole number that is not a valid one goes on unless the next group
    makes it too long: where numbers differ in length, as in the UK,
    "0113 000" is a possible number but "0113 000 0000" the one said.
    """
    if token.start - run.tokens[-1].end >= PAUSE:
        boundary = "pause"
    if boundary == "soft" or (boundary != "pause" and len(run.tokens[-1].digits) == 1):
        return True
    parsed = _parse(run.digits, run.plus, region)
    if parsed is None or parsed.e164 is None:
        return True
    return not parsed.valid and not _too_long(run.digits + token.digits, run.plus, region)


# --- runs -> numbers ---------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    digits: str
    e164: str | None
    valid: bool


@dataclass(frozen=True)
class _Said:
    """One mention before merging: what was said, when, and what it parsed as."""

    parsed: _Parsed
    tokens: tuple[_Digits, ...]
    extension: str = ""

    @property
    def digit_count(self) -> int:
        """Digits actually spoken, prefixes such as "00" included: what the listener had to take in."""
        return sum(len(t.digits) for t in self.tokens)


@lru_cache(maxsize=4096)
def _parse(digits: str, plus: bool, region: str) -> _Parsed | None:
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
        abroad = _parse(digits, True, region)
        return abroad if abroad and abroad.valid else None
    if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return _Parsed(digits, None, phonenumbers.is_valid_number(number))
    if reason != ValidationResult.IS_POSSIBLE:
        return None
    if number.country_code_source in _SAID_WITH_COUNTRY_CODE:
        digits = f"{number.country_code}{phonenumbers.national_significant_number(number)}"
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return _Parsed(digits, e164, phonenumbers.is_valid_number(number))


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


def _split_repeats(run: _Run, region: str) -> list[_Run]:
    """A number said twice without a break ("3125550147 3125550147") is two mentions, not one 20-digit run.

    Cuts fall between digits, so the repeat is found even when Whisper glued
    both copies into one word; a token cut in two lends its times to both halves.
    """
    digits = run.digits
    for copies in (2, 3):
        size, rest = divmod(len(digits), copies)
        unit = digits[:size]
        if rest or size < MIN_DIGITS or unit * copies != digits or _parse(unit, run.plus, region) is None:
            continue
        chars = [(char, token) for token in run.tokens for char in token.digits]
        parts = []
        for k in range(copies):
            chunk = groupby(chars[k * size : (k + 1) * size], key=lambda pair: id(pair[1]))
            pieces = [list(group) for _, group in chunk]
            tokens = [replace(piece[0][1], digits="".join(char for char, _ in piece)) for piece in pieces]
            parts.append(_Run(tokens, plus=run.plus and k == 0))
        parts[-1].extension = run.extension
        return parts
    return [run]


def _carve(run: _Run, region: str) -> list[_Said]:
    """The numbers in a run, cutting it only between tokens.

    A stray number before a phone number ("at 10, 555-867-5309") or two
    numbers said back to back make runs that are no phone number as a whole,
    so the run is split to get the most whole numbers (a local number
    without area code counts for less) while dropping the fewest tokens.
    Ties go to dropping tokens before the first number rather than after it
    (people say "at 10, <number>", and a number is followed by words), then
    to valid numbers. A run of 7 to 15 digits that holds no possible number
    is still reported, as invalid: a caller who says one digit too few has
    left a broken number, not no number.
    """
    tokens = run.tokens
    # best[i] is (score, numbers) for tokens[:i], where score is
    # (whole numbers, -tokens dropped, -tokens dropped after a number, local numbers, valid numbers)
    best: list[tuple[tuple[int, ...], list[_Said]]] = [((0, 0, 0, 0, 0), [])]
    for end in range(1, len(tokens) + 1):
        choices = []
        for begin in _begins(tokens, end, run.plus):
            (whole, dropped, late, local, valid), said = best[begin]
            piece = tuple(tokens[begin:end])
            digits = "".join(t.digits for t in piece)
            plus = run.plus and begin == 0
            parsed = _parse(digits, plus, region) if MIN_DIGITS <= len(digits) <= MAX_DIGITS or plus else None
            if parsed:
                is_whole = parsed.e164 is not None
                score = (whole + is_whole, dropped, late, local + (not is_whole), valid + parsed.valid)
                choices.append((score, [*said, _Said(parsed, piece)]))
            else:
                score = (whole, dropped - len(piece), late - len(piece) if said else late, local, valid)
                choices.append((score, said))
        best.append(max(choices, key=lambda choice: choice[0]))
    numbers = best[-1][1]
    if not numbers and MIN_DIGITS <= len(run.digits) <= MAX_DIGITS:
        numbers = [_Said(_Parsed(run.digits, None, False), tuple(tokens))]
    if numbers and run.extension:
        numbers[-1] = replace(numbers[-1], extension=run.extension)
    return numbers


def _begins(tokens: list[_Digits], end: int, plus: bool) -> list[int]:
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


# --- mentions -> callback numbers --------------------------------------------


def _same_number(longer: str, shorter: str) -> bool:
    """Said once in full and once without country or area code: "13125550147", "3125550147", "5550147"."""
    return longer.endswith(shorter) and len(shorter) >= MIN_DIGITS


def _merge(said: list[_Said], words: Sequence[Word]) -> list[CallbackNumber]:
    """One CallbackNumber per distinct number, described by its fullest mention."""
    groups: list[list[_Said]] = []
    for item in sorted(said, key=lambda s: -len(s.parsed.digits)):
        group = next((g for g in groups if _same_number(g[0].parsed.digits, item.parsed.digits)), None)
        if group is None:
            groups.append([item])
        else:
            group.append(item)
    numbers = []
    for group in groups:
        fullest = group[0].parsed
        in_order = sorted(group, key=lambda s: s.tokens[0].start)
        extension = next((s.extension for s in in_order if s.extension), None)
        mentions = tuple(_mention(s, words) for s in in_order)
        numbers.append(CallbackNumber(fullest.digits, extension, fullest.e164, fullest.valid, mentions))
    return sorted(numbers, key=lambda n: n.first_start)


def _mention(said: _Said, words: Sequence[Word]) -> Mention:
    start, end = said.tokens[0].start, said.tokens[-1].end
    first, last = said.tokens[0].first, said.tokens[-1].last
    text = "".join(w.text for w in words[first : last + 1]).strip()
    rate = said.digit_count / (end - start) if end > start else 0.0
    return Mention(start, end, text, rate, said.parsed.digits)
