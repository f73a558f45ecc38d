"""Who left the message: the caller's own name and company, and when they were said.

Callers introduce themselves in a handful of set phrases ("this is X from Y",
"X here", "my name is X", "thanks, X" at the end) and often greet the recipient
by name first ("Hi Sarah, ..."). The phrases say where a name should stand, the
greeting rules the recipient out, and spaCy's tagger decides whether the words
there are proper nouns. Whisper does not always capitalise names, so in a
transcript written without capitals a candidate is tagged again with its words
capitalised, which is how spaCy best tells "this is will turner" from "this is
regarding".

Conventions: titles are dropped from the name ("Dr. Samuel Osei" -> "Samuel
Osei"); a company loses its lead-in and a leading "the"; a department gives way
to the organisation it belongs to ("the HR team at Corvant" -> "Corvant"), and a
bare department, a role or a generic "the bank" is no company.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TypedDict

from vmcheck.facts import nlp
from vmcheck.facts.namereaders import (
    company_after,
    cue_after,
    firm,
    is_organisation,
    organisation,
    read_company,
    read_name,
    read_name_before,
)
from vmcheck.facts.nametext import MAX_NAME_WORDS, SAME_WORD_RATIO, TAIL_SECONDS, TAIL_SHARE, NameText, Span
from vmcheck.facts.vocab import Vocabularies, builtin
from vmcheck.transcript import Word


class CallerDict(TypedDict):
    """``Caller`` as rules and JSON read it."""

    name: str | None
    company: str | None
    start: float | None
    end: float | None
    company_start: float | None
    probability: float | None
    repeated_at_end: bool


@dataclass(frozen=True)
class Caller:
    name: str | None
    company: str | None
    start: float | None
    end: float | None
    company_start: float | None
    probability: float | None
    repeated_at_end: bool

    def to_dict(self) -> CallerDict:
        def rounded(value: float | None, places: int = 3) -> float | None:
            return None if value is None else round(value, places)

        return {
            "name": self.name,
            "company": self.company,
            "start": rounded(self.start),
            "end": rounded(self.end),
            "company_start": rounded(self.company_start),
            "probability": rounded(self.probability, 4),
            "repeated_at_end": self.repeated_at_end,
        }


NOBODY = Caller(None, None, None, None, None, None, False)


@dataclass(frozen=True)
class _Mention:
    """One place where the caller, or the organisation they speak for, is named."""

    name: Span | None
    company: Span | None
    at: int
    sign_off: bool = False


# Strategies: one for each way callers name themselves.


def _recipients(t: NameText) -> set[int]:
    """Words naming the person the message is for: "Hi Sarah,", "Sarah, this is...", "message for Sarah"."""
    found: set[int] = set()
    for start, after in t.find(t.w.greetings):
        name = read_name(t, after) if t.starts_clause(start) else None
        if name and not _caller_follows(t, name):
            found.update(range(name[0], name[1] + 1))
        elif name and len(t.name_words(name)) == MAX_NAME_WORDS:  # "Hi Jessica Mike Chen calling"
            found.add(name[0])
    for start, _ in t.find(t.w.introductions):
        name = read_name_before(t, start, punctuated=True)
        if name and t.opens_message(name[0]):
            found.update(range(name[0], name[1] + 1))
    for _, after in t.find(t.w.recipient_leads):
        name = read_name(t, after)
        if name and not _caller_follows(t, name):
            found.update(range(name[0], name[1] + 1))
    return found


def _caller_follows(t: NameText, name: Span) -> bool:
    """ "Hi, John Miller calling from..." names the caller, not the recipient."""
    k = name[1] + 1
    return k < t.n and not t.ends_clause(name[1]) and (t.low[k] in t.w.after_name or bool(t.phrase_at(k, t.w.company_leads)))


def _introductions(t: NameText) -> Iterable[_Mention]:
    """ "this is X (from Y)", "my name is X", "it's me, X", "this is Acme Insurance", "this is a reminder from Y"."""
    for start, i in t.find(t.w.introductions):
        hedged = tuple(t.low[start:i]) in t.w.hedged_introductions
        i = t.skip_fillers(i)
        if i < t.n and t.low[i] == "me":
            i = t.skip_fillers(i + 1)
        i = _after_role(t, i)
        if i >= t.n:
            continue
        name = read_name(t, i)
        joined = firm(t, i) if name else None
        if joined:
            yield _Mention(None, joined, i)
        elif name and _department_follows(t, name):
            if is_organisation(t, name):
                yield _Mention(None, name, i)
        elif name and not t.is_company(name):
            for said in (name, _restated(t, name)):
                company = company_after(t, said[1] + 1) if said else None
                if said and (company or not hedged or t.is_name(said[1], recase=False)):
                    yield _Mention(said, company, said[0])
        elif t.low[i] in t.w.announcements and t.low[start] == "this":
            company = company_after(t, i)
            if company:
                yield _Mention(None, company, company[0])
        else:
            company = organisation(t, i)
            if company and (t.is_company(company) or t.low[i] == "the" and not hedged):
                yield _Mention(None, company, i)


def _after_role(t: NameText, i: int) -> int:
    """Where the name starts in "this is Emily's mom, Karen" or "it's your neighbor, Linda"."""
    if i < t.n and (t.low[i] == "your" or t.possessive[i]):
        owner = re.sub(r"'s$", "", t.low[i])
        for k in range(i + 1, min(i + 3, t.n)):
            if t.ends_clause(k):
                name = read_name(t, k + 1) if k + 1 < t.n else None
                return k + 1 if name and owner not in t.name_words(name) else i  # not "Aiden's dad, Aiden in room 12"
    return i


def _restated(t: NameText, name: Span) -> Span | None:
    """The name said again straight away, often in full: "this is Sarah, Sarah Lindgren", "Paul again. Paul Jenkins"."""
    k = name[1] + 1
    if k < t.n and t.low[k] == "again" and not t.ends_clause(name[1]):
        k += 1
    again = read_name(t, k) if k < t.n and t.ends_clause(k - 1) else None
    return again if again and t.name_words(again)[:1] == t.name_words(name)[:1] else None


def _department_follows(t: NameText, name: Span) -> bool:
    """ "This is Amazon customer service": a name followed by a department is an organisation."""
    k = name[1] + 1
    return k < t.n and not t.ends_clause(name[1]) and t.low[k] in t.w.departments


def _names_with_company(t: NameText) -> Iterable[_Mention]:
    """ "Hi Mr. Johnson, Stephanie Wu, Pacific Northwest Mortgage, ...": name and company as a list,
    the company known by a company word or by the cue after it ("Dana Whitfield, Brightwater Staffing, calling")."""
    for k in range(1, t.n):
        if not t.ends_clause(k - 1) or t.ends_sentence(k - 1):
            continue
        company = read_company(t, k)
        cued = company and t.ends_clause(company[1]) and cue_after(t, company)  # "..., Brightwater Staffing, calling"
        listed = company and (t.is_company(company) or cued)
        name = read_name_before(t, k, punctuated=True) if listed else None
        if name and t.opens_message(name[0]) and not t.is_company(name) and t.name_words(name):
            company = organisation(t, k)
            yield _Mention(name, company, name[0])


def _names_before_cues(t: NameText) -> Iterable[_Mention]:
    """ "Dave here", "John Miller calling", "Sarah from Acme", "Acme Insurance calling"."""
    for k in range(1, t.n):
        lead = t.phrase_at(k, t.w.company_leads)
        after_name = t.low[k] in t.w.after_name
        if not (after_name or lead and (t.phrase_at(k, t.w.person_leads) or organisation(t, k + lead))):
            continue
        span = read_name_before(t, k)
        if span is None:
            continue
        if t.is_company(span):
            company = organisation(t, span[0]) if after_name else None
            if company:
                yield _Mention(None, company, span[0])
        elif 0 < len(t.name_words(span)) <= MAX_NAME_WORDS:
            yield _Mention(span, company_after(t, span[1] + 1), span[0])


def _sign_offs(t: NameText) -> Iterable[_Mention]:
    """ "Thanks, Mike." or "Again, that's John Miller, 312..." near the end, with only closings after."""
    tail = _tail_start(t)
    for start, after in t.find(t.w.sign_offs):
        after += t.phrase_at(after, t.w.signed_as) if after < t.n else 0
        name = read_name(t, after) if t.words[start].start >= tail else None
        if name and not t.is_company(name) and _only_closings_after(t, name[1] + 1):
            yield _Mention(name, None, name[0], sign_off=True)


def _only_closings_after(t: NameText, i: int) -> bool:
    """Nothing but goodbyes, or the number, after word i: a name there signs the message."""
    for k in range(i, t.n):
        if t.has_digits(k):
            return True
        if t.low[k] and t.low[k] not in t.w.closings and t.low[k] not in t.w.fillers:
            return False
    return True


def _company_claims(t: NameText) -> Iterable[_Mention]:
    """ "I'm with Acme", "calling on behalf of Y", "here at Y": the organisation, said apart from a name."""
    for _, after in t.find(t.w.self_company):
        company = organisation(t, after)
        if company:
            yield _Mention(None, company, company[0])


STRATEGIES = (_introductions, _names_before_cues, _names_with_company, _sign_offs, _company_claims)


# The caller.


def find_caller(words: Sequence[Word], doc=None, vocab: Vocabularies | None = None) -> Caller:
    """The caller's own name and company as said in the message, with when and how clearly.

    The earliest self-introduction names the caller (a sign-off only when there is
    none); a fuller form said elsewhere ("again, John Miller") completes the name.
    """
    words = tuple(words)
    if not words:
        return NOBODY
    t = NameText(words, doc if doc is not None else nlp.parse(words), vocab or builtin())
    t.recipient = _recipients(t)
    recipient_names = {t.low[k] for k in t.recipient}
    mentions = sorted(
        (m for strategy in STRATEGIES for m in strategy(t) if not _names_recipient(t, m, recipient_names)),
        key=lambda m: (m.sign_off, m.at),
    )
    named = [(m, m.name) for m in mentions if m.name]
    first = named[0][1] if named else None
    first_words = t.name_words(first) if first else []
    same = [(m, name) for m, name in named if _same_person(t.name_words(name), first_words)]
    theirs = [m for m in mentions if m.company and (m.name is None or any(m == s for s, _ in same))]
    company = min(theirs, key=lambda m: m.at).company if theirs else None
    company_text = t.text_of(company) if company else None
    company_start = words[company[0]].start if company else None
    if first is None:
        return Caller(None, company_text, None, None, company_start, None, False)
    fullest = max(same, key=lambda pair: (len(t.name_words(pair[1])), -pair[0].at))[1]
    said = [words[k] for k in range(first[0], first[1] + 1) if not t.is_title(k)]
    return Caller(
        name=t.text_of(fullest, person=True),
        company=company_text,
        start=said[0].start,
        end=said[-1].end,
        company_start=company_start,
        probability=sum(w.probability for w in said) / len(said),
        repeated_at_end=_repeated_at_end(t, first, company),
    )


def _names_recipient(t: NameText, mention: _Mention, recipient_names: set[str]) -> bool:
    if mention.name is None:
        return False
    first, last = mention.name
    return any(k in t.recipient for k in range(first, last + 1)) or set(t.name_words(mention.name)) <= recipient_names


def _same_person(a: list[str], b: list[str]) -> bool:
    return any(_same_word(x, y) for x in a for y in b)


def _same_word(a: str, b: str) -> bool:
    """Whisper may spell a name differently when it is said again ("Miller", "Millar")."""
    if min(len(a), len(b)) <= 3:
        return a == b
    return SequenceMatcher(None, a, b).ratio() >= SAME_WORD_RATIO


def _tail_start(t: NameText) -> float:
    """Where the end of the message begins: its last quarter or last 10 s of talk, whichever is longer.

    Digits, and the pauses after them, are not counted as talk: a number said slowly at the end, as
    it should be, would fill the window and push out the name said with it ("again, that's John Miller, 3 1 2...")."""
    words = t.words
    talk = [0.0 if t.has_digits(k) else max(0.0, (words[k + 1].start if k + 1 < t.n else words[k].end) - words[k].start) for k in range(t.n)]
    left = max(TAIL_SHARE * sum(talk), TAIL_SECONDS)
    for k in reversed(range(t.n)):
        if talk[k] > left:
            return words[k].start + talk[k] - left
        left -= talk[k]
    return words[0].start


def _repeated_at_end(t: NameText, first: Span, company: Span | None) -> bool:
    """The name said again at the end, a second chance for a listener who missed it.

    Restating it straight away ("this is Sarah, Sarah Lindgren") is not saying it again, nor is
    a company named after the caller ("Andrew Whitfield ... with Whitfield and Stone")."""
    said = _restated(t, first) or first
    names = t.name_words(first) + t.name_words(said)
    tail = _tail_start(t)
    firm = range(company[0], company[1] + 1) if company else range(0)
    return any(
        t.words[k].start >= tail and k not in t.recipient and k not in firm and t.is_name(k) and any(_same_word(t.low[k], name) for name in names)
        for k in range(said[1] + 1, t.n)
    )
