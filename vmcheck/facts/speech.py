"""How the message is spoken: length, pace, fillers, hedges, sentences, pauses, when the point arrives.

Fillers are counted conservatively, because a false alarm costs the rep's
trust more than a miss: "like" and "so" count only when they stand alone
(a comma or a pause on both sides), "you know" not after "do" or "if".
The words are data (``rules/Core/vocab/speech.yml``): a course can add its own
fillers ("right?") and hedges.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TypedDict

from vmcheck.facts.textindex import Match, Span, SpanDict, TextIndex, normalise
from vmcheck.facts.vocab import Vocabularies, builtin
from vmcheck.transcript import Word

LONG_PAUSE_SECONDS = 2.0
PACE_PAUSE_SECONDS = 1.0
STANDALONE_GAP_SECONDS = 0.35
REPEAT_NGRAM = 4

FILLER_SOUNDS = re.compile(r"(?<![\w'])(?:u+m+|u+h+m*|e+r+m*|a+h+|h+m+|m{2,}h*)(?![\w'])")
NUMBER_TOKEN = re.compile(r"^(?:[\d+().-]+|zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)$")


class SentenceDict(TypedDict):
    """``Sentence`` as rules and JSON read it."""

    words: int
    start: float
    end: float


@dataclass(frozen=True)
class Sentence:
    words: int
    start: float
    end: float

    def to_dict(self) -> SentenceDict:
        return {"words": self.words, "start": round(self.start, 2), "end": round(self.end, 2)}


class RepeatedPhraseDict(TypedDict):
    """``RepeatedPhrase`` as rules and JSON read it."""

    text: str
    times: int
    start: float
    end: float


@dataclass(frozen=True)
class RepeatedPhrase:
    text: str
    times: int
    start: float
    end: float

    def to_dict(self) -> RepeatedPhraseDict:
        return {"text": self.text, "times": self.times, "start": round(self.start, 2), "end": round(self.end, 2)}


class SpeechDict(TypedDict):
    """``Speech`` as rules and JSON read it."""

    word_count: int
    speech_start: float
    speech_end: float
    speaking_seconds: float
    wpm: float
    filler_count: int
    fillers_per_min: float
    fillers: list[SpanDict]
    hedge_count: int
    hedges: list[SpanDict]
    sentence_count: int
    longest_sentence: SentenceDict | None
    longest_sentence_words: int
    repeated_phrases: list[str]
    most_repeated: RepeatedPhraseDict | None
    long_pauses: list[SpanDict]
    longest_pause_s: float
    purpose_start: float | None


@dataclass(frozen=True)
class Speech:
    word_count: int
    speech_start: float
    speech_end: float
    speaking_seconds: float
    wpm: float
    fillers: tuple[Span, ...]
    hedges: tuple[Span, ...]
    sentences: tuple[Sentence, ...]
    repeated_phrases: tuple[str, ...]
    most_repeated: RepeatedPhrase | None
    long_pauses: tuple[Span, ...]
    purpose_start: float | None

    @property
    def filler_count(self) -> int:
        return len(self.fillers)

    @property
    def fillers_per_min(self) -> float:
        return 60.0 * len(self.fillers) / self.speaking_seconds if self.speaking_seconds > 0 else 0.0

    @property
    def longest_sentence(self) -> Sentence | None:
        return max(self.sentences, key=lambda s: s.words, default=None)

    def to_dict(self) -> SpeechDict:
        longest = self.longest_sentence
        return {
            "word_count": self.word_count,
            "speech_start": round(self.speech_start, 2),
            "speech_end": round(self.speech_end, 2),
            "speaking_seconds": round(self.speaking_seconds, 2),
            "wpm": round(self.wpm, 1),
            "filler_count": self.filler_count,
            "fillers_per_min": round(self.fillers_per_min, 2),
            "fillers": [f.to_dict() for f in self.fillers],
            "hedge_count": len(self.hedges),
            "hedges": [h.to_dict() for h in self.hedges],
            "sentence_count": len(self.sentences),
            "longest_sentence": longest.to_dict() if longest else None,
            "longest_sentence_words": longest.words if longest else 0,
            "repeated_phrases": list(self.repeated_phrases),
            "most_repeated": None if self.most_repeated is None else self.most_repeated.to_dict(),
            "long_pauses": [p.to_dict() for p in self.long_pauses],
            "longest_pause_s": round(max((p.end - p.start for p in self.long_pauses), default=0.0), 2),
            "purpose_start": None if self.purpose_start is None else round(self.purpose_start, 2),
        }


def analyse(words: tuple[Word, ...] | list[Word], index: TextIndex | None = None, vocab: Vocabularies | None = None) -> Speech:
    vocab = vocab or builtin()
    spoken = [w for w in words if normalise(w.text)]
    if index is None or len(spoken) != len(words):
        index = TextIndex(spoken)  # match indices must point into the words kept here, not those dropped
    words = spoken
    if not words:
        return Speech(0, 0.0, 0.0, 0.0, 0.0, (), (), (), (), None, (), None)
    gaps = [max(0.0, b.start - a.end) for a, b in zip(words, words[1:])]
    span = words[-1].end - words[0].start
    speaking = max(span - sum(g for g in gaps if g > PACE_PAUSE_SECONDS), 1e-6)
    purpose = index.find(vocab.regex("purpose_cues"))
    counts, first = _phrase_counts(words)
    return Speech(
        word_count=len(words),
        speech_start=words[0].start,
        speech_end=words[-1].end,
        speaking_seconds=speaking,
        wpm=60.0 * len(words) / speaking if span > 0 else 0.0,
        fillers=tuple(_fillers(words, gaps, index, vocab)),
        hedges=tuple(_hedges(words, index, vocab)),
        sentences=tuple(_sentences(words, gaps)),
        repeated_phrases=tuple(sorted(g for g, n in counts.items() if n > 1)),
        most_repeated=_most_repeated(counts, first),
        long_pauses=tuple(Span("pause", a.end, b.start) for a, b, g in zip(words, words[1:], gaps) if g >= LONG_PAUSE_SECONDS),
        purpose_start=purpose[0].start if purpose else None,
    )


def _fillers(words: list[Word], gaps: list[float], index: TextIndex, vocab: Vocabularies) -> list[Span]:
    """Filler sounds, filler phrases ("you know" not after "do"; "i mean" only before a comma), and the standalone
    fillers where a comma or a pause sets them apart."""
    found = [Match(m.group(0), i, i, w.start, w.end) for i, w in enumerate(words) if (m := FILLER_SOUNDS.fullmatch(normalise(w.text)))]
    for match in index.find(vocab.regex("fillers")):
        blocked = vocab.words("not_filler_after") if match.text == "you know" else frozenset()
        if not _preceded_by(words, match, blocked) and (match.text != "i mean" or words[match.last].text.endswith(",")):
            found.append(match)
    standalone = vocab.regex("standalone_fillers")
    for match in index.find(standalone):
        if _stands_alone(words, gaps, match.first, match.last):
            found.append(match)
    return sorted(_spans(found), key=lambda s: s.start)


def _hedges(words: list[Word], index: TextIndex, vocab: Vocabularies) -> list[Span]:
    return _spans(m for m in index.find(vocab.regex("hedges")) if not _preceded_by(words, m, vocab.words("not_hedge_after")))


def _stands_alone(words: list[Word], gaps: list[float], first: int, last: int) -> bool:
    """Punctuation or a pause on both sides of words first..last ("So, ...", "..., right?")."""
    before = first == 0 or words[first - 1].text.rstrip().endswith((",", ".", "?", "!", "...")) or gaps[first - 1] >= STANDALONE_GAP_SECONDS
    after = last == len(words) - 1 or words[last].text.rstrip().endswith((",", "...", ".", "?")) or gaps[last] >= STANDALONE_GAP_SECONDS
    return before and after


def _preceded_by(words: list[Word], match: Match, blocked: frozenset[str]) -> bool:
    return match.first > 0 and normalise(words[match.first - 1].text) in blocked


def _spans(matches) -> list[Span]:
    return [Span(m.text, m.start, m.end) for m in matches]


def _sentences(words: list[Word], gaps: list[float]) -> list[Sentence]:
    """Split on Whisper's sentence punctuation, or on a pause where it wrote none."""
    sentences, first = [], 0
    for i, word in enumerate(words):
        ends = word.text.rstrip().endswith((".", "?", "!")) or i == len(words) - 1 or gaps[i] >= LONG_PAUSE_SECONDS
        if ends:
            sentences.append(Sentence(i - first + 1, words[first].start, word.end))
            first = i + 1
    return sentences


def _phrase_counts(words: list[Word]) -> tuple[Counter, dict[str, Span]]:
    """Four-word runs with how often each is said and where first, numbers aside (saying the number twice is good)."""
    tokens = [normalise(w.text) for w in words]
    counts: Counter = Counter()
    first: dict[str, Span] = {}
    for i in range(len(tokens) - REPEAT_NGRAM + 1):
        if any(NUMBER_TOKEN.match(t) for t in tokens[i : i + REPEAT_NGRAM]):
            continue
        gram = " ".join(tokens[i : i + REPEAT_NGRAM])
        counts[gram] += 1
        first.setdefault(gram, Span(gram, words[i].start, words[i + REPEAT_NGRAM - 1].end))
    return counts, first


def _most_repeated(counts: Counter, first: dict[str, Span]) -> RepeatedPhrase | None:
    """The phrase said most often (the earliest of equals): "the tires are in" five times is one point said five times."""
    if not counts:
        return None
    gram, times = max(counts.items(), key=lambda item: (item[1], -first[item[0]].start))
    return RepeatedPhrase(gram, times, first[gram].start, first[gram].end) if times > 1 else None
