"""The call to action: what the caller asks the listener to do, by when, and the vague phrases that blunt it.

An ask is an explicit request that the *listener* act: "call me back", "could you
send me the form", "press 1", "let me know". Not asks: what the caller will do
("I'll call you back", "I sent you an email"); a negated request ("no need to
call back"); a permission or possibility ("feel free to call", "don't hesitate to
reach out", "you can reach me at ...": the next step is left to the listener); a
number given with no request. A conditional request still counts ("call me if
Monday doesn't work").

Whisper often drops punctuation, so requests are found two ways. Phrases whose
object is the caller ("call me", "give me a ring", "text me", "let me know") are
requests wherever they stand, unless another subject, a negation or a permission
comes right before them. Bare verbs ("call back", "confirm", "stop by", "sign")
count only in a request frame: at the start of a clause (an imperative) or after
"please", "could you", "if you could", "I need you to"... After "please" or
"could you" any verb is a request, of kind "other".

A deadline is a time by which, or a window in which, to act, attached to the ask
in its own sentence or in a short fragment right after it: "before Friday at 5",
"by end of day", "today", "tomorrow morning", "this week", "between 2 and 4", "by
the 15th", "in the next 10 minutes". Urgency without a time ("ASAP", "as soon as
you can", "at your earliest convenience") is not a deadline. A time that belongs
to something else ("call me to book one of next week's slots") is cut off at the
first word that starts another purpose or proposition.

Asks of the same kind count once: "call me back ... again, call me at ..." is one
request, represented by its most specific occurrence (with a deadline, else the
last). "Call or text me" and "call me back and let me know" are one request too:
one reply offered on several channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from vmcheck.facts.askphrases import (
    BARE_TRIGGERS,
    BUSINESS_HOURS,
    CAUSATIVE,
    DEADLINE,
    DEADLINE_BRIDGES,
    FRAME,
    INSISTENT,
    LIMIT,
    NEGATION,
    NOUN_TRIGGERS,
    PERMISSION,
    PLEASE,
    PURPOSE_TO,
    SELF_TRIGGERS,
    SOFTENER,
    STATEMENT,
    STRONG_FRAME,
    TO_OBJECTS,
)
from vmcheck.facts.textindex import Match, Span, TextIndex, normalise
from vmcheck.facts.vocab import Vocabularies, builtin
from vmcheck.transcript import Word

RESPONSE_KINDS = ("callback", "reply", "text", "confirm")
MAX_TEXT_WORDS = 25
CONTEXT_WORDS = 8
FRAME_WORDS = 12
DEADLINE_WINDOW_WORDS = 12
FRAGMENT_WORDS = 6


class AskDict(TypedDict):
    """``Ask`` as rules and JSON read it."""

    text: str
    kind: str
    start: float
    end: float
    has_deadline: bool
    deadline: str | None


@dataclass(frozen=True)
class Ask:
    """One request. ``text`` is its sentence as written, cut to its neighbourhood when Whisper ran sentences together."""

    text: str
    kind: str  # callback | reply | text | confirm | press | email | visit | other
    start: float
    end: float
    has_deadline: bool
    deadline: str | None

    def to_dict(self) -> AskDict:
        return {
            "text": self.text,
            "kind": self.kind,
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "has_deadline": self.has_deadline,
            "deadline": self.deadline,
        }


@dataclass(frozen=True)
class AskFacts:
    asks: tuple[Ask, ...]
    weak_closes: tuple[Span, ...]

    @property
    def main(self) -> Ask | None:
        """The most specific ask: one with a deadline first, then a callback, then another reply, then the last one said."""
        return max(self.asks, key=lambda a: (a.has_deadline, a.kind == "callback", a.kind in RESPONSE_KINDS, a.start), default=None)

    @property
    def count(self) -> int:
        return len(self.asks)

    @property
    def is_callback(self) -> bool:
        return self.main is not None and self.main.kind == "callback"

    def to_dict(self) -> dict:
        main = self.main
        return {
            "asks": [a.to_dict() for a in self.asks],
            "weak_closes": [w.to_dict() for w in self.weak_closes],
            "main": None if main is None else main.to_dict(),
        }


@dataclass(frozen=True)
class _Layout:
    """Per word: its normalised text, and where its clause and sentence begin and end in Whisper's punctuation."""

    words: tuple[Word, ...]
    norm: tuple[str, ...]
    clause_start: tuple[int, ...]
    sentence_start: tuple[int, ...]
    sentence_end: tuple[int, ...]
    lex: _Words


@dataclass(frozen=True)
class _Words:
    """The vocabularies this module reads (``rules/Core/vocab/asks.yml``), as sets."""

    leads: frozenset[str]
    not_actions: frozenset[str]
    stops: frozenset[str]
    titles: frozenset[str]
    abbreviations: frozenset[str]

    @classmethod
    def of(cls, vocab: Vocabularies) -> _Words:
        names = ("request_leads", "not_actions", "deadline_stops", "dotted_titles", "dotted_abbreviations")
        return cls(*(vocab.words(name) for name in names))


@dataclass(frozen=True)
class _Trigger:
    kind: str
    first: int
    last: int


def find_asks(words: Sequence[Word], doc=None, vocab: Vocabularies | None = None) -> AskFacts:
    """Asks and weak closes in a timed transcript.

    ``doc`` keeps the common extractor signature and is unused: the parser's subjectless sentence-initial verbs
    were, beyond the requests the frames below already find, pleasantries ("Talk soon", "Take care", "Stay safe"),
    and on lowercase unpunctuated runs it rarely finds the sentence start at all.
    """
    words = tuple(words)
    if not words:
        return AskFacts((), ())
    vocab = vocab or builtin()
    index = TextIndex(words)
    layout = _layout(words, _Words.of(vocab))
    triggers = _triggers(index, layout)
    hours = index.find(vocab.compile(BUSINESS_HOURS))
    deadlines = [d for d in index.find(vocab.compile(DEADLINE)) if not any(h.first <= d.last and d.first <= h.last for h in hours)]
    asks = [_ask(layout, t, _deadline_for(layout, t, deadlines)) for t in triggers]
    asks = _merge_same_kind(_fold_channels(layout, triggers, asks))
    return AskFacts(tuple(asks), tuple(_weak_closes(index, layout, vocab)))


def _layout(words: tuple[Word, ...], lex: _Words) -> _Layout:
    """Clause and sentence bounds: a sentence ends at . ? ! (and at the end), a clause also at , ; : and dashes."""
    clause_start, sentence_start, sentence_end = [], [], [0] * len(words)
    clause_from = sentence_from = 0
    for i, word in enumerate(words):
        clause_start.append(clause_from)
        sentence_start.append(sentence_from)
        tail = word.text.rstrip()
        if i == len(words) - 1 or (tail.endswith((".", "?", "!")) and not _inner_period(tail, words[i + 1].text.strip(), lex)):
            sentence_end[sentence_from : i + 1] = [i] * (i + 1 - sentence_from)
            clause_from = sentence_from = i + 1
        elif tail.endswith((",", ";", ":", "-", "\u2014", "\u2013")):
            clause_from = i + 1
    norm = tuple(normalise(w.text) for w in words)
    return _Layout(words, norm, tuple(clause_start), tuple(sentence_start), tuple(sentence_end), lex)


def _inner_period(word: str, following: str, lex: _Words) -> bool:
    """A period that does not end a sentence: "Dr.", "p.m." before a lowercase word, Whisper's dotted digits ("5. 5. 5.")."""
    bare = word.strip().lower()
    if bare in lex.titles or (bare in lex.abbreviations and not following[:1].isupper()):
        return True
    return bare[:-1].isdigit() and bare.endswith(".") and following[:1].isdigit()


def _before(layout: _Layout, j: int) -> str:
    """The normalised words of j's clause before j; of a long clause only the last FRAME_WORDS, after a "…" that no
    frame or lead-in matches (frames are local, and this keeps long unpunctuated runs linear)."""
    start = _frame_start(layout, j)
    text = " ".join(t for t in layout.norm[start:j] if t)
    return text if start == layout.clause_start[j] else f"… {text}"


def _frame_start(layout: _Layout, j: int) -> int:
    return max(layout.clause_start[j], j - FRAME_WORDS)


def _mood(layout: _Layout, j: int, depth: int = 0) -> str | None:
    """How the clause leading up to word j frames it: "strong" (please, could you), "request" (an imperative or a
    softer frame), "permission" (you can, feel free to), "statement" (another subject, a negation, the caller's own
    purpose), or None when nothing tells."""
    pre = core = _before(layout, j)
    while (m := SOFTENER.search(core)) is not None:
        core = core[: m.start()]
    softeners = pre[len(core) :]
    if PLEASE.search(softeners):
        return "strong"
    strong = bool(INSISTENT.search(softeners))
    if depth == 0 and (m := CAUSATIVE.search(core)) is not None:
        return _mood(layout, _word_at(layout, j, m.start(1)), depth + 1)
    if all(t in layout.lex.leads for t in core.split()):
        return "strong" if strong else "request"
    if STRONG_FRAME.search(core):
        return "strong"
    if FRAME.search(core):
        return "strong" if strong else "request"
    if PERMISSION.search(core):
        return "permission"
    if NEGATION.search(core) or STATEMENT.search(core) or PURPOSE_TO.search(core):
        return "statement"
    return None


def _word_at(layout: _Layout, j: int, offset: int) -> int:
    """The word holding character ``offset`` of ``_before(layout, j)``."""
    start = _frame_start(layout, j)
    seen = 0 if start == layout.clause_start[j] else 2
    for k in range(start, j):
        if layout.norm[k]:
            seen += len(layout.norm[k]) + 1
            if seen > offset:
                return k
    return j


def _triggers(index: TextIndex, layout: _Layout) -> list[_Trigger]:
    """Request phrases their frame accepts, the longest where they overlap, then bare "please <verb>", in time order."""
    candidates: list[_Trigger] = []
    for kind, pattern in SELF_TRIGGERS:
        candidates += [_Trigger(kind, m.first, m.last) for m in index.find(pattern) if _mood(layout, m.first) not in ("statement", "permission")]
    for kind, pattern in NOUN_TRIGGERS:
        candidates += [_Trigger(kind, m.first, m.last) for m in index.find(pattern) if not NEGATION.search(_before(layout, m.first))]
    for kind, pattern in BARE_TRIGGERS:
        candidates += [_Trigger(kind, m.first, m.last) for m in index.find(pattern) if _mood(layout, m.first) in ("strong", "request")]
    chosen: list[_Trigger] = []
    taken: set[int] = set()
    for t in sorted(candidates, key=lambda t: (t.first, t.first - t.last)):
        if not taken.intersection(range(t.first, t.last + 1)):
            chosen.append(t)
            taken.update(range(t.first, t.last + 1))
    return sorted(chosen + _generic(layout, taken), key=lambda t: t.first)


def _generic(layout: _Layout, taken: set[int]) -> list[_Trigger]:
    """A verb right after "please" or "could you" that no listed phrase covers is still a request, of kind "other"."""
    found = []
    for j, token in enumerate(layout.norm):
        head = token.split()[0] if token else ""
        if j not in taken and head.isalpha() and head not in layout.lex.not_actions and head not in layout.lex.leads and _mood(layout, j) == "strong":
            found.append(_Trigger("other", j, j))
    return found


def _deadline_for(layout: _Layout, trigger: _Trigger, deadlines: list[Match]) -> Match | None:
    """The deadline attached to an ask: after it in its sentence, opening the clauses right before it ("by Friday,
    if you could send me..."), or in a short fragment that follows it ("Call me back. Today if possible.")."""
    end = layout.sentence_end[trigger.last]
    found = _deadline_after(layout, deadlines, trigger.last + 1, min(end, trigger.last + DEADLINE_WINDOW_WORDS))
    if found:
        return found
    for match in reversed(deadlines):
        if layout.sentence_start[trigger.first] <= match.first and match.last < trigger.first:
            around = layout.norm[layout.clause_start[match.first] : match.first] + layout.norm[match.last + 1 : trigger.first]
            bridges = DEADLINE_BRIDGES | layout.lex.leads
            return match if all(t in bridges for t in " ".join(around).split()) else None
    following = end + 1
    if following < len(layout.words) and layout.sentence_end[following] - following < FRAGMENT_WORDS:
        return _deadline_after(layout, deadlines, following, layout.sentence_end[following])
    return None


def _deadline_after(layout: _Layout, deadlines: list[Match], first: int, last: int) -> Match | None:
    """The first deadline in words first..last before a word that starts another proposition (after a purpose "to
    <verb>", only a by/before limit)."""
    purpose = None
    for k in range(first, last + 1):
        token, following = layout.norm[k], layout.norm[k + 1] if k + 1 < len(layout.norm) else ""
        if token in layout.lex.stops or (token in ("my", "our") and _announces(layout.norm[k + 1 : k + 4])):
            last = k - 1
            break
        if purpose is None and token == "to" and following not in TO_OBJECTS:
            purpose = k
    return next((m for m in deadlines if first <= m.first <= last and (purpose is None or m.first < purpose or LIMIT.match(m.text))), None)


def _announces(tokens: Sequence[str]) -> bool:
    """Whether the words after "my"/"our" announce something ("my number is", "our hours are", "my cell's")."""
    return any(t in ("is", "are") or t.endswith("'s") for t in tokens)


def _ask(layout: _Layout, trigger: _Trigger, deadline: Match | None) -> Ask:
    """The ask's sentence; of a run-on of MAX_TEXT_WORDS or more, its clause within CONTEXT_WORDS of the request."""
    first, last = layout.sentence_start[trigger.first], layout.sentence_end[trigger.last]
    if last - first >= MAX_TEXT_WORDS:
        lo, hi = trigger.first, trigger.last
        if deadline:
            lo, hi = min(lo, deadline.first), max(hi, deadline.last)
        first = max(first, layout.clause_start[trigger.first], lo - CONTEXT_WORDS)
        last = min(last, hi + CONTEXT_WORDS)
    return Ask(
        text=_written(layout.words[first : last + 1]),
        kind=trigger.kind,
        start=layout.words[first].start,
        end=layout.words[last].end,
        has_deadline=deadline is not None,
        deadline=_phrase(layout.words[deadline.first : deadline.last + 1]) if deadline else None,
    )


def _written(words: Sequence[Word]) -> str:
    """Words as Whisper wrote them, trimmed, keeping a closing . ? or ! but not a trailing comma."""
    return "".join(w.text for w in words).strip().rstrip(",;:")


def _phrase(words: Sequence[Word]) -> str:
    """A phrase inside a sentence, as written, without the punctuation around it."""
    return "".join(w.text for w in words).strip().strip(",;:.?!")


def _fold_channels(layout: _Layout, triggers: list[_Trigger], asks: list[Ask]) -> list[Ask]:
    """One reply offered on several channels is one request: within a sentence, a reply-type ask joined to the one
    before by "or" ("call or text me"), or a "let me know" next to a callback, reply or text, folds into the other."""
    kept: list[tuple[_Trigger, Ask]] = []
    for trigger, ask in zip(triggers, asks):
        if kept and layout.sentence_start[kept[-1][0].first] == layout.sentence_start[trigger.first]:
            prev_trigger, prev = kept[-1]
            joined_by_or = "or" in layout.norm[prev_trigger.last + 1 : trigger.first][:2]
            channels = {ask.kind, prev.kind}
            alternatives = joined_by_or and channels <= set(RESPONSE_KINDS)
            if alternatives or ("confirm" in channels and len(channels & {"callback", "reply", "text"}) == 1):
                keep, other = (ask, prev) if prev.kind == "confirm" and ask.kind != "confirm" else (prev, ask)
                if other.has_deadline and not keep.has_deadline:
                    keep = Ask(keep.text, keep.kind, keep.start, keep.end, True, other.deadline)
                kept[-1] = (trigger, keep)
                continue
        kept.append((trigger, ask))
    return [ask for _, ask in kept]


def _merge_same_kind(asks: list[Ask]) -> list[Ask]:
    """The same request said twice counts once, represented by its most specific occurrence."""
    best: dict[str, Ask] = {}
    for ask in asks:
        if ask.kind not in best or (ask.has_deadline, ask.start) >= (best[ask.kind].has_deadline, best[ask.kind].start):
            best[ask.kind] = ask
    return sorted(best.values(), key=lambda a: a.start)


def _weak_closes(index: TextIndex, layout: _Layout, vocab: Vocabularies) -> list[Span]:
    return [Span(_phrase(layout.words[m.first : m.last + 1]), m.start, m.end) for m in index.find(vocab.regex("weak_closes"))]
