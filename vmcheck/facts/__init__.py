"""Facts a listener cares about, extracted from a timed transcript: one extractor per fact.

``extract`` runs them all and ``Facts.to_dict`` is both the JSON contract and
the namespace that rule conditions in ``rules/`` are evaluated against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vmcheck.facts.textindex import TextIndex
from vmcheck.facts.vocab import builtin

if TYPE_CHECKING:  # the extractors load spaCy; transcription reads numbers without it
    from vmcheck.audio import AudioStats
    from vmcheck.facts.ask import AskFacts
    from vmcheck.facts.identity import Identity
    from vmcheck.facts.names import Caller
    from vmcheck.facts.numbers import CallbackNumber
    from vmcheck.facts.speech import Speech
    from vmcheck.facts.vocab import Vocabularies
    from vmcheck.transcript import Redaction, Transcript


FACT_NAMES = frozenset(
    {
        "mode",
        "duration_s",
        "caller_name",
        "company",
        "caller",
        "callback_numbers",
        "ask",
        "asks",
        "ask_count",
        "weak_closes",
        "word_count",
        "speech_start",
        "speech_end",
        "speaking_seconds",
        "wpm",
        "filler_count",
        "fillers_per_min",
        "fillers",
        "hedge_count",
        "hedges",
        "sentence_count",
        "longest_sentence",
        "longest_sentence_words",
        "repeated_phrases",
        "most_repeated",
        "long_pauses",
        "longest_pause_s",
        "purpose_start",
        "leading_silence_s",
        "audio",
        "expected",
        "sensitive_numbers",
    }
)


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

    def to_dict(self) -> dict:
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
    # The extractors load spaCy (its stop words, at import): here, so that `vmcheck --help` and the speech stage do not.
    from vmcheck.facts import nlp
    from vmcheck.facts.ask import find_asks
    from vmcheck.facts.identity import check_identity
    from vmcheck.facts.names import find_caller
    from vmcheck.facts.numbers import find_numbers
    from vmcheck.facts.sensitive import find as find_sensitive
    from vmcheck.facts.speech import analyse

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
