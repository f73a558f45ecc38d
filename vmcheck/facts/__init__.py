"""Facts a listener cares about, extracted from a timed transcript: one extractor per fact.

``extract`` runs them all. ``Facts.to_dict`` is both the JSON contract and the namespace that rule
conditions in ``rules/`` are evaluated against; its type, ``FactsDict``, names every fact a rule may use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_type_hints

from vmcheck.audio import AudioStats, AudioStatsDict
from vmcheck.facts import nlp
from vmcheck.facts.ask import AskDict, AskFacts, find_asks
from vmcheck.facts.callback import CallbackNumber, CallbackNumberDict
from vmcheck.facts.identity import Identity, IdentityDict, check_identity
from vmcheck.facts.names import Caller, CallerDict, find_caller
from vmcheck.facts.numbers import find_numbers
from vmcheck.facts.sensitive import find as find_sensitive
from vmcheck.facts.speech import Speech, SpeechDict, analyse
from vmcheck.facts.textindex import SpanDict, TextIndex
from vmcheck.facts.vocab import Vocabularies, builtin
from vmcheck.transcript import Redaction, Transcript
from vmcheck.transcript.types import RedactionDict


class MainAskDict(AskDict):
    """The main ask, with where in the message it falls (0 at the start, 1 at the end)."""

    position: float


class FactsDict(SpeechDict):
    """Every fact of a message, as the rules' conditions and the JSON report read them. Its keys, and those of
    the types under it, are the names a rule may use (``FACT_SCHEMA``): mypy holds ``Facts.to_dict`` to them."""

    mode: str
    duration_s: float
    caller_name: str | None
    company: str | None
    caller: CallerDict
    callback_numbers: list[CallbackNumberDict]
    ask: MainAskDict | None
    asks: list[AskDict]
    ask_count: int
    weak_closes: list[SpanDict]
    leading_silence_s: float
    audio: AudioStatsDict | None
    expected: IdentityDict
    sensitive_numbers: list[RedactionDict]


FACT_SCHEMA = get_type_hints(FactsDict)
"""Each fact a rule may name, with its type, read from ``FactsDict``."""


@dataclass(frozen=True)
class Expectations:
    """Who the caller really is, from --caller/--number or the config file."""

    name: str | None = None
    number: str | None = None
    region: str = "US"


@dataclass(frozen=True)
class Facts:
    duration: float
    mode: str
    caller: Caller
    numbers: tuple[CallbackNumber, ...]
    asks: AskFacts
    speech: Speech
    identity: Identity
    audio: AudioStats | None
    sensitive: tuple[Redaction, ...] = ()

    def to_dict(self) -> FactsDict:
        speech = self.speech.to_dict()
        main = self.asks.main
        leading = self.audio.leading_silence if self.audio else speech["speech_start"]
        return {
            "mode": self.mode,
            "duration_s": round(self.duration, 2),
            "caller_name": self.caller.name,
            "company": self.caller.company,
            "caller": self.caller.to_dict(),
            "callback_numbers": [n.to_dict() for n in self.numbers],
            "ask": None if main is None else {**main.to_dict(), "position": _position(main.start, self.duration)},
            "asks": self.asks.to_dict()["asks"],
            "ask_count": self.asks.count,
            "weak_closes": self.asks.to_dict()["weak_closes"],
            **speech,
            "leading_silence_s": round(leading, 2),
            "audio": None if self.audio is None else self.audio.to_dict(),
            "expected": self.identity.to_dict(),
            "sensitive_numbers": [r.to_dict() for r in self.sensitive],
        }


def _position(start: float, duration: float) -> float:
    """Where in the message something falls, 0 at the start and 1 at the end (a word timed past either counts as there)."""
    return round(min(1.0, max(0.0, start / duration)), 3) if duration > 0 else 0.0


def extract(
    transcript: Transcript, audio: AudioStats | None, expected: Expectations = Expectations(), doc=None, vocab: Vocabularies | None = None
) -> Facts:
    """Every fact of one message; ``vocab`` is the word knowledge in force (the built-in pack's when None)."""
    vocab = vocab or builtin()
    words = transcript.words
    doc = doc if doc is not None else nlp.parse(words)
    index = TextIndex(words)
    relistens = [r.words for r in transcript.relistens]
    numbers = tuple(find_numbers(words, region=expected.region, relistens=relistens, vocab=vocab))
    caller = find_caller(words, doc, vocab)
    return Facts(
        duration=transcript.duration,
        mode="text" if transcript.estimated else "audio",
        caller=caller,
        numbers=numbers,
        asks=find_asks(words, doc, vocab),
        speech=analyse(words, index, vocab),
        identity=check_identity(words, list(numbers), expected.name, expected.number, caller, vocab),
        audio=audio,
        # Masked numbers are known from the transcript's redactions; any left unmasked are found in the words.
        sensitive=(*transcript.redactions, *(s.redaction() for s in find_sensitive(words, vocab))),
    )
