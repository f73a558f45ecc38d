"""The timed transcript every later stage consumes.

Whisper, faster-whisper and text mode all produce this one shape, so the
fact extractors never care where the words came from. It round-trips through
JSON for the transcript cache and ``--format json``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TypedDict


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    probability: float = 1.0

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "probability": round(self.probability, 4),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Word:
        return cls(str(data["text"]), float(data["start"]), float(data["end"]), float(data.get("probability", 1.0)))


@dataclass(frozen=True)
class Segment:
    text: str
    start: float
    end: float
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> Segment:
        return cls(
            str(data["text"]),
            float(data["start"]),
            float(data["end"]),
            float(data.get("no_speech_prob", 0.0)),
            float(data.get("avg_logprob", 0.0)),
        )


@dataclass(frozen=True)
class Relisten:
    """A second, careful decode of the audio where a number was said (see ``vmcheck.transcript.relisten``)."""

    start: float
    end: float
    words: tuple[Word, ...]

    def to_dict(self) -> dict:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "words": [w.to_dict() for w in self.words]}

    @classmethod
    def from_dict(cls, data: dict) -> Relisten:
        return cls(float(data["start"]), float(data["end"]), tuple(Word.from_dict(w) for w in data["words"]))


class RedactionDict(TypedDict):
    """``Redaction`` as rules and JSON read it."""

    kind: str
    masked: str
    start: float
    end: float


@dataclass(frozen=True)
class Redaction:
    """A sensitive number masked out of the words (see ``vmcheck.facts.privacy``): what it was and when, never its digits."""

    kind: str
    masked: str
    start: float
    end: float

    def to_dict(self) -> RedactionDict:
        return {"kind": self.kind, "masked": self.masked, "start": round(self.start, 3), "end": round(self.end, 3)}

    @classmethod
    def from_dict(cls, data: dict) -> Redaction:
        return cls(str(data["kind"]), str(data["masked"]), float(data["start"]), float(data["end"]))


@dataclass(frozen=True)
class Transcript:
    """Words with times in seconds from the start of the recording.

    ``estimated`` is true in text mode, where times come from an assumed
    speaking rate rather than from audio. ``redactions`` lists the sensitive
    numbers masked out of the words, so they are still known once the digits are gone.
    """

    text: str
    words: tuple[Word, ...]
    segments: tuple[Segment, ...] = ()
    duration: float = 0.0
    engine: str = "whisper"
    model: str = ""
    language: str = "en"
    estimated: bool = False
    relistens: tuple[Relisten, ...] = ()
    redactions: tuple[Redaction, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.words

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "words": [w.to_dict() for w in self.words],
            "segments": [s.to_dict() for s in self.segments],
            "duration": round(self.duration, 3),
            "engine": self.engine,
            "model": self.model,
            "language": self.language,
            "estimated": self.estimated,
            "relistens": [r.to_dict() for r in self.relistens],
            "redactions": [r.to_dict() for r in self.redactions],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Transcript:
        return cls(
            text=str(data["text"]),
            words=tuple(Word.from_dict(w) for w in data["words"]),
            segments=tuple(Segment.from_dict(s) for s in data.get("segments", ())),
            duration=float(data.get("duration", 0.0)),
            engine=str(data.get("engine", "whisper")),
            model=str(data.get("model", "")),
            language=str(data.get("language", "en")),
            estimated=bool(data.get("estimated", False)),
            relistens=tuple(Relisten.from_dict(r) for r in data.get("relistens", ())),
            redactions=tuple(Redaction.from_dict(r) for r in data.get("redactions", ())),
        )
