"""The words of a message as the caller strategies in ``names`` see them: clean forms, clause punctuation, spaCy's
tags, and the shapes of names.

A word can belong to a name when it is shaped like one and is no listed
non-name; capitals decide where the transcript has them, spaCy's tags (of the
words re-cased when it has none) where it does not. The team's and the
companies' own names (vocabularies ``team_names``, ``company_names``) are names
whatever spaCy says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from vmcheck.facts import nlp
from vmcheck.facts.textindex import normalise
from vmcheck.facts.vocab import Vocabularies
from vmcheck.transcript import Word

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
class NameWords:
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
    def of(cls, vocab: Vocabularies) -> NameWords:
        phrases, words = vocab.phrases, vocab.words
        hedged = phrases("hedged_introductions")
        fillers, titles, roles = words("hesitations"), words("titles"), words("roles")
        accepted = vocab["team_names"].words | vocab["company_names"].words
        stop_words = nlp.stop_words() - words("stop_word_names")
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


class NameText:
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
        self.w = NameWords.of(vocab)
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
        return any(self.clean[i][:1].isupper() and not self.sentence_start(i) and self.low[i].split("'")[0] != "i" for i in range(self.n))

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
