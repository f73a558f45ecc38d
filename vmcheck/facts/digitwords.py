"""Spoken and written digits out of Whisper's timed words, as digit tokens with times and probabilities.

Whisper writes the same digits in many shapes ("555-867-5309", "5, 5, 5,", "five five five",
"double five", "eight hundred") and splits them across words at its own whim. Each word is cut
into pieces (``_atoms``), and the pieces are folded into digit tokens (``tokens``); the atoms that
can end a number (a break, a plus, an extension, a full stop or comma) are passed through.
Which tokens make a number is decided in ``digits``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from vmcheck.transcript import Word

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
_NOT_A_PHONE_SHAPE = re.compile(
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # an amount with thousands separators: "1,250,000"
    r"|\d{1,2}[-.]\d{1,2}[-.](?:19|20)\d\d"  # a date: "12-15-2024", "15.12.2024"
    r"|\d{5}-\d{4}"  # a ZIP+4 code: "60601-1234"
)
"""Shapes Whisper writes for numbers nobody dials, matched against a whole word."""
_PIECE = re.compile(r"\d+|[a-z']+|\+")
_FINAL_PUNCTUATION = re.compile(r"[.,;!?…]+$")


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
        final = _FINAL_PUNCTUATION.search(text)
        body = text[: final.start()] if final else text
        if _NOT_A_PHONE.search(text) or _NOT_A_PHONE_SHAPE.fullmatch(body):
            yield _Atom("break", "", i)
            continue
        pieces = _PIECE.findall(body)
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
class DigitToken:
    """Digits said in words ``first``..``last``: the words' times, and the least sure of their probabilities."""

    digits: str
    start: float
    end: float
    first: int
    last: int
    probability: float = 1.0


def tokens(words: Sequence[Word]) -> Iterator[DigitToken | str]:
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
        first, last = used[0].word, used[-1].word
        probability = min(w.probability for w in words[first : last + 1])
        yield DigitToken(digits, words[first].start, words[last].end, first, last, probability)
        i += len(used)
