"""Word error rate with the normalisation both sides need: case, punctuation, and digits as digits."""

from __future__ import annotations

import re

import jiwer

DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"(?<=\d)[-.,](?=\d)", " ", text)
    text = re.sub(r"\d", lambda m: f" {m.group(0)} ", text)
    text = re.sub(r"[^\w' ]+", " ", text)
    words = [DIGIT_WORDS.get(w, w) for w in text.split()]
    return " ".join(words)


def wer(reference: str, hypothesis: str) -> float:
    return jiwer.wer(normalise(reference), normalise(hypothesis) or "<empty>")
