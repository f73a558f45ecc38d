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
from functools import cached_property

from vmcheck.facts import nlp
from vmcheck.textindex import normalise
from vmcheck.transcript import Word
from vmcheck.vocab import Vocabularies, builtin

STOP_WORDS = nlp.import_spacy().lang.en.stop_words.STOP_WORDS  # without pulling in torch


NOT_NAME_ENTITIES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
CONNECTORS = frozenset({"of", "and", "&", "de", "del", "la", "van", "von"})
JOINS = frozenset({"and", "&"})  # the connectors that join names into a firm's: "Smith & Jones"
CONTRACTION_ENDS = frozenset({"s", "m", "re", "ll", "ve", "d", "t"})
NAME_SHAPE = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
TRIM = ".,;:!?\"'()[]\u2026-\u2013\u2014"
MAX_NAME_WORDS = 3
MAX_COMPANY_WORDS = 7
LEAD_SEARCH_WORDS = 6
TAIL_SHARE = 0.25
TAIL_SECONDS = 10.0
SAME_WORD_RATIO = 0.8

Span = tuple[int, int]  # first and last word index, inclusive


@dataclass(frozen=True)
class Caller:
    name: str | None
    company: str | None
    start: float | None
    end: float | None
    company_start: float | None
    probability: float | None
    repeated_at_end: bool

    def to_dict(self) -> dict:
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
class _Words:
    """The vocabularies of ``rules/Core/vocab/names.yml``, as the sets and phrase lists the strategies read."""

    hedged_introductions: tuple[tuple[str, ...], ...]
    introductions: tuple[tuple[str, ...], ...]
    after_name: frozenset[str]
    company_leads: tuple[tuple[str, ...], ...]
    person_leads: tuple[tuple[str, ...], ...]
    self_company: tuple[tuple[str, ...], ...]
    part_of: tuple[tuple[str, ...], ...]
    announcements: frozenset[str]
    topic_words: frozenset[str]
    greetings: tuple[tuple[str, ...], ...]
    recipient_leads: tuple[tuple[str, ...], ...]
    sign_offs: tuple[tuple[str, ...], ...]
    signed_as: tuple[tuple[str, ...], ...]
    closings: frozenset[str]
    fillers: frozenset[str]
    clause_openers: frozenset[str]
    titles: frozenset[str]
    company_words: frozenset[str]
    departments: frozenset[str]
    roles: frozenset[str]
    not_names: frozenset[str]
    abbreviations: frozenset[str]
    accepted: frozenset[str]  # the words of the team's and the companies' own names
    company_names: frozenset[str]

    @classmethod
    def of(cls, vocab: Vocabularies) -> _Words:
        phrases, words = vocab.phrases, vocab.words
        hedged = phrases("hedged_introductions")
        fillers, titles, roles = words("hesitations"), words("titles"), words("roles")
        accepted = vocab["team_names"].words | vocab["company_names"].words
        stop_words = STOP_WORDS - words("stop_word_names")
        return cls(
            hedged_introductions=hedged,
            introductions=tuple(sorted(set(hedged) | set(phrases("introductions")), key=len, reverse=True)),
            after_name=words("after_name"),
            company_leads=phrases("company_leads"),
            person_leads=phrases("person_leads"),
            self_company=phrases("self_company"),
            part_of=phrases("part_of"),
            announcements=words("announcements"),
            topic_words=words("topic_words"),
            greetings=phrases("greetings"),
            recipient_leads=phrases("recipient_leads"),
            sign_offs=phrases("sign_offs"),
            signed_as=phrases("signed_as"),
            closings=words("closings"),
            fillers=fillers,
            clause_openers=fillers | words("clause_openers"),
            titles=titles,
            company_words=words("company_words"),
            departments=words("departments"),
            roles=roles,
            not_names=(stop_words | fillers | titles | roles | words("not_names")) - accepted,
            abbreviations=titles | words("abbreviations"),
            accepted=accepted,
            company_names=vocab["company_names"].words,
        )


@dataclass(frozen=True)
class _Mention:
    """One place where the caller, or the organisation they speak for, is named."""

    name: Span | None
    company: Span | None
    at: int
    sign_off: bool = False


class _Text:
    """The words with what the strategies ask of them: clean forms, punctuation, tags."""

    def __init__(self, words: tuple[Word, ...], doc, vocab: Vocabularies):
        self.words = words
        self.n = len(words)
        self.clean = [w.text.strip().strip(TRIM) for w in words]
        self.low = [normalise(c) for c in self.clean]
        self.pos = [""] * self.n
        self.ent = [""] * self.n
        self.possessive = [False] * self.n
        self.verb = [False] * self.n  # a verb saying what someone does, not one describing a noun ("automated notice")
        owner = nlp.char_to_word(words)
        for token in doc:
            if token.idx >= len(owner) or token.is_punct or token.is_space:
                continue
            i = owner[token.idx]
            if not self.pos[i]:
                self.pos[i], self.ent[i] = token.pos_, token.ent_type_
                self.verb[i] = token.pos_ == "VERB" and token.dep_ != "amod"
            self.possessive[i] |= token.tag_ == "POS"
        self.w = _Words.of(vocab)
        self.recipient: set[int] = set()
        self._recased: dict[Span, dict[int, str]] = {}

    # punctuation and phrases

    def ends_clause(self, i: int) -> bool:
        text = self.words[i].text.rstrip()
        return text.endswith((",", ";", ":", "?", "!")) or text.endswith(".") and self.low[i] not in self.w.abbreviations

    def ends_sentence(self, i: int) -> bool:
        text = self.words[i].text.rstrip()
        return text.endswith(("?", "!")) or text.endswith(".") and self.low[i] not in self.w.abbreviations

    def opens_message(self, i: int) -> bool:
        """At the very start, or right after the greeting or the recipient's name."""
        if i == 0 or i - 1 in self.recipient:
            return True
        joined = self.low[i - 1] == "and" and i > 1 and self.is_name(i - 2) and not self.ends_clause(i - 2)
        opener = self.low[i - 1] in self.w.clause_openers and not joined  # "and Dave here", not "Whitaker and Bloom"
        return opener or any(g[-1] == self.low[i - 1] for g in self.w.greetings)

    def starts_clause(self, i: int) -> bool:
        """At the start, after punctuation, a greeting, a filler or the recipient's name."""
        return self.opens_message(i) or self.ends_clause(i - 1)

    def phrase_at(self, i: int, phrases) -> int:
        """Length of the longest phrase starting at word i and not broken by punctuation, or 0."""
        for phrase in phrases:
            end = i + len(phrase)
            if tuple(self.low[i:end]) == phrase and not any(self.ends_clause(k) for k in range(i, end - 1)):
                return len(phrase)
        return 0

    def find(self, phrases) -> Iterable[tuple[int, int]]:
        """(first word, word after the phrase) for every occurrence of any of the phrases."""
        for i in range(self.n):
            length = self.phrase_at(i, phrases)
            if length:
                yield i, i + length

    def has_digits(self, i: int) -> bool:
        return any(ch.isdigit() for ch in self.low[i])

    def skip_fillers(self, i: int) -> int:
        while i < self.n and self.low[i] in self.w.fillers:
            i += 1
        return i

    # what a word is

    @cached_property
    def cased(self) -> bool:
        """Whether anything is capitalised mid-sentence; if not, case says nothing about names."""
        return any(
            self.clean[i][:1].isupper() and not self.sentence_start(i) and self.low[i].split("'")[0] != "i"
            for i in range(self.n)
        )

    def sentence_start(self, i: int) -> bool:
        return i == 0 or self.ends_sentence(i - 1)

    def is_name(self, i: int, recase: bool = True) -> bool:
        """A word that can belong to a person's name or to an organisation's proper name.

        `recase=False` trusts only what the transcript shows: re-cased, "job site" looks proper too."""
        word, low = self.clean[i], self.low[i]
        if low in self.w.accepted:  # the team's and the companies' own names, known or not to spaCy
            return True
        if not NAME_SHAPE.fullmatch(word) or low in self.w.not_names or self.ent[i] in NOT_NAME_ENTITIES:
            return False
        head, _, rest = low.partition("'")
        if rest in CONTRACTION_ENDS and head in self.w.not_names:
            return False
        if word[0].isupper():
            return not self.sentence_start(i) or self.pos[i] == "PROPN" or self.ent[i] == "PERSON"
        if self.pos[i] == "PROPN" or self.ent[i] == "PERSON":
            return True
        return recase and not self.cased and self._recasable(i) and self._recased_pos(i) == "PROPN"

    def is_title(self, i: int) -> bool:
        return self.low[i] in self.w.titles

    def is_company_word(self, i: int) -> bool:
        return re.sub(r"'s$", "", self.low[i]) in self.w.company_words

    def _recased_pos(self, i: int) -> str:
        """spaCy's tag for a lowercase word once it and its lowercase neighbours are capitalised."""
        first = last = i
        while first > 0 and i - first < 3 and self._in_run(first - 1, -1) and not self.ends_clause(first - 1):
            first -= 1
        while last + 1 < self.n and last - i < 3 and self._in_run(last + 1, 1) and not self.ends_clause(last):
            last += 1
        if (first, last) not in self._recased:
            pieces: list[str] = []
            owner: list[int] = []
            for k in range(max(0, first - 6), min(self.n, last + 7)):
                text = self.words[k].text
                if first <= k <= last and self._recasable(k):
                    lead = len(text) - len(text.lstrip())
                    text = text[:lead] + text[lead:].capitalize()
                pieces.append(text)
                owner.extend([k] * len(text))
            tags: dict[int, str] = {}
            for token in nlp.load()("".join(pieces)):
                tags.setdefault(owner[token.idx], token.pos_)
            self._recased[(first, last)] = tags
        return self._recased[(first, last)].get(i, "")

    def _in_run(self, k: int, step: int) -> bool:
        """Word k goes on a run to recase: a recasable word, or "and" joining two ("whitaker and bloom")."""
        beyond = k + step
        joins = self.clean[k].lower() in JOINS and 0 <= beyond < self.n and self._recasable(beyond)
        return joins or self._recasable(k)

    def _recasable(self, i: int) -> bool:
        """A plain lowercase word that could be a name: not a stop word, nor a verb in -ing ("heading")."""
        word = self.clean[i]
        verb = self.pos[i] == "VERB" and word.endswith("ing")
        return word.islower() and bool(NAME_SHAPE.fullmatch(word)) and self.low[i] not in self.w.not_names and not verb

    # spans

    def text_of(self, span: Span, person: bool = False) -> str:
        """The words as Whisper wrote them, without a person's titles or an owner's "'s"."""
        first, last = span
        while person and first < last and (self.is_title(first) or self.low[first] == "your"):
            first += 1
        parts = [self.words[k].text.strip() for k in range(first, last + 1)]
        text = " ".join([p.rstrip(",;:") for p in parts[:-1]] + [parts[-1]]).strip(TRIM)
        return re.sub(r"['\u2019]s$", "", text) if self.possessive[last] else text

    def name_words(self, span: Span) -> list[str]:
        return [self.low[k] for k in range(span[0], span[1] + 1) if not self.is_title(k)]

    def is_company(self, span: Span) -> bool:
        """A name-like phrase that is an organisation: it holds a company word, a possessive or an accepted company name.

        spaCy's small model calls many people's names ORG or GPE, so its entities do not decide."""
        words = range(span[0], span[1] + 1)
        return any(self.is_company_word(k) or self.possessive[k] or self.low[k] in self.w.company_names for k in words)


# Readers: what stands at a given place.


def _read_name(t: _Text, i: int) -> Span | None:
    """A person's name starting at word i: optional titles, then one to three name words."""
    start = i = t.skip_fillers(i)
    if i + 1 < t.n and t.low[i] == "your" and t.is_title(i + 1):
        i += 1
    while i < t.n and t.is_title(i):
        i += 1
    last = None
    while i < t.n and len(t.name_words((start, i))) <= MAX_NAME_WORDS and t.is_name(i) and not t.possessive[i]:
        if last is not None and t.low[i] == t.low[start]:
            start = i  # "this is Sarah Sarah Lindgren": said again, in full
        last = i
        i += 1
        if t.ends_clause(last):
            break
    if last is None:
        return None
    if i < t.n and t.possessive[i] and not t.ends_clause(last):
        return None  # "this is John Miller's assistant": someone else's name
    return start, last


def _read_name_before(t: _Text, k: int, punctuated: bool = False) -> Span | None:
    """A name ending just before word k, at the start of its clause; `punctuated`: "Sarah, this is"."""
    last = k - 1
    if last < 0 or t.ends_clause(last) != punctuated or not (t.is_name(last) or t.is_company_word(last)):
        return None
    first = last
    while first > 0 and last - first < MAX_COMPANY_WORDS - 1 and not t.ends_clause(first - 1):
        before = first - 1
        if t.is_title(before):
            first = before
            break
        if before in t.recipient or not (t.is_name(before) or t.is_company_word(before) or t.possessive[before]):
            break
        first = before
    return (first, last) if t.starts_clause(first) else None


def _read_company(t: _Text, i: int) -> Span | None:
    """The words of an organisation's name from word i to the end of its noun phrase."""
    i = t.skip_fillers(i)
    generic = i < t.n and t.low[i] == "the" and not t.cased  # lowercase "the job site" is no name
    if i < t.n and t.low[i] == "the":
        i = t.skip_fillers(i + 1)
    start, last = i, None
    while i < t.n and i - start < MAX_COMPANY_WORDS:
        if last is not None and t.possessive[last] and not (t.is_name(i, recase=False) or t.is_company_word(i)):
            break  # "Dr. Patel's office" is a practice; "Acme Bank's fraud team" belongs to Acme Bank
        if t.possessive[i] and t.clean[i][:1].isupper() and any(t.is_company_word(k) for k in range(start, i)):
            break  # "Paws and Claws Animal Hospital Biscuit's all done": a new sentence
        titled = t.is_title(i) and i + 1 < t.n and t.is_name(i + 1)  # "Dr. Patel's office"
        if titled or t.is_name(i) or t.is_company_word(i) or t.low[i] in t.w.departments or t.ent[i] == "ORG":
            last = i
        elif _joins_names(t, i, last):
            pass
        else:
            head = _lowercase_company_head(t, i)
            if head is None:
                break
            i = last = head
        if t.ends_clause(i) and not _lists_names(t, i):
            break
        i += 1
    if last is None or last + 1 < t.n and t.low[last + 1] in t.w.roles and not t.ends_clause(last):
        return None  # "home health nurse" is a job
    if (t.possessive[last] or generic) and not any(t.is_company_word(k) for k in range(start, last + 1)):
        return None  # "Tyler's mom" is a role
    return start, last


def _joins_names(t: _Text, i: int, last: int | None) -> bool:
    """A connector inside a proper name: "City of Springfield", "Smith & Wesson", "Plumbing and Heating"."""
    joined = i + 1 < t.n and (t.is_name(i + 1) or t.is_company_word(i + 1))
    return t.clean[i].lower() in CONNECTORS and last == i - 1 and joined


def _lists_names(t: _Text, i: int) -> bool:
    """ "Baker, Lane and Co.": a comma between names that "and" or "&" goes on to join."""
    k = i + 2
    listed = k < t.n and t.is_name(i + 1) and not t.ends_clause(i + 1) and t.clean[k].lower() in JOINS
    return t.words[i].text.rstrip().endswith(",") and listed and _joins_names(t, k, k - 1)


def _lowercase_company_head(t: _Text, i: int) -> int | None:
    """The last company word in a run of plain lowercase words ("blue ridge property management")."""
    found = None
    for k in range(i, min(i + 4, t.n)):
        if not t.clean[k].islower() or not NAME_SHAPE.fullmatch(t.clean[k]) or t.low[k] in t.w.not_names:
            break
        if t.is_company_word(k):
            found = k
        if t.ends_clause(k):
            break
    return found


def _organisation(t: _Text, i: int) -> Span | None:
    """The organisation named from word i, preferring the whole to its part or practice."""
    span = _read_company(t, i)
    if span is None:
        return None
    first, last = span
    words = range(first, last + 1)
    part = t.low[last] in t.w.departments or any(t.possessive[k] for k in words) or not _is_organisation(t, span)
    lead = t.phrase_at(last + 1, t.w.part_of) if last + 1 < t.n and not t.ends_clause(last) else 0
    whole = _organisation(t, last + 1 + lead) if lead and part else None
    if whole:
        return whole
    return span if _is_organisation(t, span) else None


def _is_organisation(t: _Text, span: Span) -> bool:
    """Some word is a proper name that is neither a generic company word nor a department
    ("the bank" is no company), and the phrase is no titled person ("a patient of Dr. Reyes")."""
    first, last = span
    words = range(first, last + 1)
    plain = [k for k in words if not t.is_company_word(k) and t.low[k] not in t.w.departments]
    proper = any(t.is_name(k) or t.ent[k] == "ORG" for k in plain)
    person = t.is_title(first) and not t.is_company(span)
    return proper and not person


def _firm(t: _Text, i: int) -> Span | None:
    """Names joined into a firm's from word i: "Smith & Jones", "Baker, Lane and Co.", "Whitaker and Bloom calling".

    Two people say where they are from ("this is Maria and Tom from Acme"), so names joined
    by a bare "and" make a firm only with a company word in them or a cue after them."""
    span = _read_company(t, i)
    joins = {t.clean[k].lower() for k in range(span[0], span[1] + 1)} & JOINS if span else set()
    return span if joins and ("&" in joins or t.is_company(span) or _cue_after(t, span)) else None


def _cue_after(t: _Text, span: Span) -> bool:
    """A cue such as "calling" or "here" after the span, a comma between allowed: "Brightwater Staffing, calling"."""
    k = span[1] + 1
    return k < t.n and not t.ends_sentence(span[1]) and t.low[k] in t.w.after_name


def _company_after(t: _Text, i: int) -> Span | None:
    """The organisation named after the caller's name: "X from Y", "X, Y", "X calling from Y".

    Past a verb of the caller's own ("I work with Tom", "I spoke with Dave at...") a lead may
    name someone else, so only an organisation with a company word in it counts there."""
    verb = False
    for k in range(i, min(i + LEAD_SEARCH_WORDS, t.n)):
        if k > i and t.ends_sentence(k - 1) or t.low[k] in t.w.topic_words:
            break
        lead = t.phrase_at(k, t.w.company_leads)
        if lead:
            company = _organisation(t, k + lead)
            if company and (not verb or t.is_company(company)):
                return company
        elif k == i and k > 0 and t.ends_clause(k - 1):
            company = _read_company(t, k)
            company = _organisation(t, k) if company and t.is_company(company) else None
            if company:
                return company
        verb |= t.verb[k] and t.low[k] not in t.w.after_name
    return None


# Strategies: one for each way callers name themselves.


def _recipients(t: _Text) -> set[int]:
    """Words naming the person the message is for: "Hi Sarah,", "Sarah, this is...", "message for Sarah"."""
    found: set[int] = set()
    for start, after in t.find(t.w.greetings):
        name = _read_name(t, after) if t.starts_clause(start) else None
        if name and not _caller_follows(t, name):
            found.update(range(name[0], name[1] + 1))
        elif name and len(t.name_words(name)) == MAX_NAME_WORDS:  # "Hi Jessica Mike Chen calling"
            found.add(name[0])
    for start, _ in t.find(t.w.introductions):
        name = _read_name_before(t, start, punctuated=True)
        if name and t.opens_message(name[0]):
            found.update(range(name[0], name[1] + 1))
    for _, after in t.find(t.w.recipient_leads):
        name = _read_name(t, after)
        if name and not _caller_follows(t, name):
            found.update(range(name[0], name[1] + 1))
    return found


def _caller_follows(t: _Text, name: Span) -> bool:
    """ "Hi, John Miller calling from..." names the caller, not the recipient."""
    k = name[1] + 1
    return k < t.n and not t.ends_clause(name[1]) and (t.low[k] in t.w.after_name or bool(t.phrase_at(k, t.w.company_leads)))


def _introductions(t: _Text) -> Iterable[_Mention]:
    """ "this is X (from Y)", "my name is X", "it's me, X", "this is Acme Insurance", "this is a reminder from Y"."""
    for start, i in t.find(t.w.introductions):
        hedged = tuple(t.low[start:i]) in t.w.hedged_introductions
        i = t.skip_fillers(i)
        if i < t.n and t.low[i] == "me":
            i = t.skip_fillers(i + 1)
        i = _after_role(t, i)
        if i >= t.n:
            continue
        name = _read_name(t, i)
        firm = _firm(t, i) if name else None
        if firm:
            yield _Mention(None, firm, i)
        elif name and _department_follows(t, name):
            if _is_organisation(t, name):
                yield _Mention(None, name, i)
        elif name and not t.is_company(name):
            for said in (name, _restated(t, name)):
                company = _company_after(t, said[1] + 1) if said else None
                if said and (company or not hedged or t.is_name(said[1], recase=False)):
                    yield _Mention(said, company, said[0])
        elif t.low[i] in t.w.announcements and t.low[start] == "this":
            company = _company_after(t, i)
            if company:
                yield _Mention(None, company, company[0])
        else:
            company = _organisation(t, i)
            if company and (t.is_company(company) or t.low[i] == "the" and not hedged):
                yield _Mention(None, company, i)


def _after_role(t: _Text, i: int) -> int:
    """Where the name starts in "this is Emily's mom, Karen" or "it's your neighbor, Linda"."""
    if i < t.n and (t.low[i] == "your" or t.possessive[i]):
        owner = re.sub(r"'s$", "", t.low[i])
        for k in range(i + 1, min(i + 3, t.n)):
            if t.ends_clause(k):
                name = _read_name(t, k + 1) if k + 1 < t.n else None
                return k + 1 if name and owner not in t.name_words(name) else i  # not "Aiden's dad, Aiden in room 12"
    return i


def _restated(t: _Text, name: Span) -> Span | None:
    """The name said again straight away, often in full: "this is Sarah, Sarah Lindgren", "Paul again. Paul Jenkins"."""
    k = name[1] + 1
    if k < t.n and t.low[k] == "again" and not t.ends_clause(name[1]):
        k += 1
    again = _read_name(t, k) if k < t.n and t.ends_clause(k - 1) else None
    return again if again and t.name_words(again)[:1] == t.name_words(name)[:1] else None


def _department_follows(t: _Text, name: Span) -> bool:
    """ "This is Amazon customer service": a name followed by a department is an organisation."""
    k = name[1] + 1
    return k < t.n and not t.ends_clause(name[1]) and t.low[k] in t.w.departments


def _names_with_company(t: _Text) -> Iterable[_Mention]:
    """ "Hi Mr. Johnson, Stephanie Wu, Pacific Northwest Mortgage, ...": name and company as a list,
    the company known by a company word or by the cue after it ("Dana Whitfield, Brightwater Staffing, calling")."""
    for k in range(1, t.n):
        if not t.ends_clause(k - 1) or t.ends_sentence(k - 1):
            continue
        company = _read_company(t, k)
        cued = company and t.ends_clause(company[1]) and _cue_after(t, company)  # "..., Brightwater Staffing, calling"
        listed = company and (t.is_company(company) or cued)
        name = _read_name_before(t, k, punctuated=True) if listed else None
        if name and t.opens_message(name[0]) and not t.is_company(name) and t.name_words(name):
            company = _organisation(t, k)
            yield _Mention(name, company, name[0])


def _names_before_cues(t: _Text) -> Iterable[_Mention]:
    """ "Dave here", "John Miller calling", "Sarah from Acme", "Acme Insurance calling"."""
    for k in range(1, t.n):
        lead = t.phrase_at(k, t.w.company_leads)
        after_name = t.low[k] in t.w.after_name
        if not (after_name or lead and (t.phrase_at(k, t.w.person_leads) or _organisation(t, k + lead))):
            continue
        span = _read_name_before(t, k)
        if span is None:
            continue
        if t.is_company(span):
            company = _organisation(t, span[0]) if after_name else None
            if company:
                yield _Mention(None, company, span[0])
        elif 0 < len(t.name_words(span)) <= MAX_NAME_WORDS:
            yield _Mention(span, _company_after(t, span[1] + 1), span[0])


def _sign_offs(t: _Text) -> Iterable[_Mention]:
    """ "Thanks, Mike." or "Again, that's John Miller, 312..." near the end, with only closings after."""
    tail = _tail_start(t)
    for start, after in t.find(t.w.sign_offs):
        after += t.phrase_at(after, t.w.signed_as) if after < t.n else 0
        name = _read_name(t, after) if t.words[start].start >= tail else None
        if name and not t.is_company(name) and _only_closings_after(t, name[1] + 1):
            yield _Mention(name, None, name[0], sign_off=True)


def _only_closings_after(t: _Text, i: int) -> bool:
    """Nothing but goodbyes, or the number, after word i: a name there signs the message."""
    for k in range(i, t.n):
        if t.has_digits(k):
            return True
        if t.low[k] and t.low[k] not in t.w.closings and t.low[k] not in t.w.fillers:
            return False
    return True


def _company_claims(t: _Text) -> Iterable[_Mention]:
    """ "I'm with Acme", "calling on behalf of Y", "here at Y": the organisation, said apart from a name."""
    for _, after in t.find(t.w.self_company):
        company = _organisation(t, after)
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
    t = _Text(words, doc if doc is not None else nlp.parse(words), vocab or builtin())
    t.recipient = _recipients(t)
    recipient_names = {t.low[k] for k in t.recipient}
    mentions = sorted(
        (m for strategy in STRATEGIES for m in strategy(t) if not _names_recipient(t, m, recipient_names)),
        key=lambda m: (m.sign_off, m.at),
    )
    named = [m for m in mentions if m.name]
    first = named[0].name if named else None
    same = [m for m in named if _same_person(t.name_words(m.name), t.name_words(first))]
    theirs = [m for m in mentions if m.company and (m.name is None or m in same)]
    company = min(theirs, key=lambda m: m.at).company if theirs else None
    company_text = t.text_of(company) if company else None
    company_start = words[company[0]].start if company else None
    if first is None:
        return Caller(None, company_text, None, None, company_start, None, False)
    fullest = max(same, key=lambda m: (len(t.name_words(m.name)), -m.at)).name
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


def _names_recipient(t: _Text, mention: _Mention, recipient_names: set[str]) -> bool:
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


def _tail_start(t: _Text) -> float:
    """Where the end of the message begins: its last quarter or last 10 s of talk, whichever is longer.

    Digits, and the pauses after them, are not counted as talk: a number said slowly at the end, as
    it should be, would fill the window and push out the name said with it ("again, that's John Miller, 3 1 2...")."""
    words = t.words
    talk = [
        0.0 if t.has_digits(k) else max(0.0, (words[k + 1].start if k + 1 < t.n else words[k].end) - words[k].start)
        for k in range(t.n)
    ]
    left = max(TAIL_SHARE * sum(talk), TAIL_SECONDS)
    for k in reversed(range(t.n)):
        if talk[k] > left:
            return words[k].start + talk[k] - left
        left -= talk[k]
    return words[0].start


def _repeated_at_end(t: _Text, first: Span, company: Span | None) -> bool:
    """The name said again at the end, a second chance for a listener who missed it.

    Restating it straight away ("this is Sarah, Sarah Lindgren") is not saying it again, nor is
    a company named after the caller ("Andrew Whitfield ... with Whitfield and Stone")."""
    said = _restated(t, first) or first
    names = t.name_words(first) + t.name_words(said)
    tail = _tail_start(t)
    firm = range(company[0], company[1] + 1) if company else range(0)
    return any(
        t.words[k].start >= tail and k not in t.recipient and k not in firm and t.is_name(k)
        and any(_same_word(t.low[k], name) for name in names)
        for k in range(said[1] + 1, t.n)
    )
