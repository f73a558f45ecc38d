"""``allowlist``: a message may say only what the rule allows; every other stretch of content is a finding.

Other rule types say what must not be said. Some rules say what *may* be
said and forbid the rest, such as Regulation F's limited-content message. So
this rule lists the allowed parts (a greeting, a person's name, a request to
reply, a phone number ...), each found as phrase rules find things
(``tokens``, ``patterns``, ``match``), by spaCy entity label (``entities:
[PERSON, DATE]``) or by facts that carry times (``facts: [callback_numbers]``).
A word no part covers is a finding, unless ``ignore`` says it carries no
content (articles, pronouns, fillers: best said with ``match`` on parts of
speech), and only when it covers every token of the word. ``deny`` names what is never allowed, even inside an allowed part
("Acme Collections" is a business name that says it collects debts).
Neighbouring words that are not allowed make one finding, ``{content}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vmcheck.facts import nlp
from vmcheck.findings.checks.base import Context, Finding, Rule, RuleError
from vmcheck.findings.checks.phrases import Phrases
from vmcheck.findings.expressions import Expression, ExpressionError

PHRASE_KEYS = {"tokens", "patterns", "match"}
_EDGE = ".,;:!?…\"'()[] "
_SLACK = 0.01
"""Seconds of rounding allowed when a fact's times are matched to the words."""


class Content:
    """One kind of content: the words that phrases, entity labels and timed facts pick out of a message."""

    def __init__(self, spec: Any, where: str, schema: Mapping[str, Any], facts_allowed: bool = True):
        keys = PHRASE_KEYS | {"entities"} | ({"facts"} if facts_allowed else set())
        if not isinstance(spec, dict) or not spec or set(spec) - keys:
            raise RuleError(f"{where} must be a mapping of {', '.join(sorted(keys))}", key=where.split(".")[0])
        self.phrases = Phrases(spec) if PHRASE_KEYS & set(spec) else None
        self.entities = _labels(spec.get("entities", []), where)
        self.facts = [_fact(source, where, schema) for source in _list(spec.get("facts", []), f"{where}.facts")]

    def words(self, context: Context) -> set[int]:
        covered: set[int] = set()
        if self.phrases is not None:
            for match in self.phrases.find(context):
                covered.update(range(match.first, match.last + 1))
        if self.entities:
            owners = context.owners
            for entity in context.doc.ents:
                if entity.label_ in self.entities:
                    covered.update(range(owners[entity.start_char], owners[entity.end_char - 1] + 1))
        for expression in self.facts:
            for start, end in _spans(expression.evaluate(context.facts)):
                covered.update(i for i, w in enumerate(context.index.words) if start - _SLACK <= (w.start + w.end) / 2 <= end + _SLACK)
        return covered

    def whole_words(self, context: Context) -> set[int]:
        """Words this content covers token by token: "nice." is not ignored because its full stop is punctuation."""
        covered: set[int] = set()
        if self.phrases is not None and self.phrases.regex is not None:
            for match in context.index.find(self.phrases.regex):
                covered.update(range(match.first, match.last + 1))
        hit: set[int] = set()
        if self.phrases is not None and self.phrases.tokens is not None:
            hit = {token.i for span in self.phrases.tokens.matcher(context.doc, as_spans=True) for token in span}
        hit |= {token.i for entity in context.doc.ents if entity.label_ in self.entities for token in entity}
        by_word: dict[int, list[int]] = {}
        for token in context.doc:
            if any(c.isalnum() for c in token.text):
                by_word.setdefault(context.owners[token.idx], []).append(token.i)
        return covered | {word for word, tokens in by_word.items() if all(i in hit for i in tokens)}


class Allowlist(Rule):
    FIELDS = {"allow": True, "deny": False, "ignore": False, "max_findings": False}
    TEMPLATE_NAMES = {"content"}

    def __init__(self, *args):
        super().__init__(*args)
        allow = self.spec["allow"]
        if not isinstance(allow, dict) or not allow:
            raise RuleError("allow must be a mapping of named parts, each with tokens, patterns, match, entities or facts", key="allow")
        self.allow = {str(name): Content(part, f"allow.{name}", self.schema) for name, part in allow.items()}
        self.deny = Content(self.spec["deny"], "deny", self.schema, facts_allowed=False) if "deny" in self.spec else None
        self.ignore = Content(self.spec["ignore"], "ignore", self.schema, facts_allowed=False) if "ignore" in self.spec else None
        self.max_findings = self.spec.get("max_findings", 3)
        if not isinstance(self.max_findings, int) or isinstance(self.max_findings, bool) or self.max_findings < 1:
            raise RuleError("max_findings must be a whole number of at least 1", key="max_findings")

    def findings(self, context: Context) -> list[Finding]:
        words = context.index.words
        allowed = set().union(*(part.words(context) for part in self.allow.values()))
        denied = self.deny.words(context) if self.deny else set()
        ignored = self.ignore.whole_words(context) if self.ignore else set()
        ignored |= {i for i, w in enumerate(words) if not any(c.isalnum() for c in w.text)}
        bad = [i for i in range(len(words)) if i in denied or (i not in allowed and i not in ignored)]
        stretches: list[list[int]] = []
        for i in bad:
            if stretches and all(k in ignored and k not in denied for k in range(stretches[-1][-1] + 1, i)):
                stretches[-1].append(i)
            else:
                stretches.append([i])
        found = []
        for stretch in stretches[: self.max_findings]:
            first, last = stretch[0], stretch[-1]
            content = "".join(w.text for w in words[first : last + 1]).strip(_EDGE)
            found.append(self.finding({**context.facts, "content": content}, words[first].start, words[last].end))
        return found


def _labels(value: Any, where: str) -> frozenset[str]:
    labels = _list(value, f"{where}.entities")
    known = set(nlp.load().get_pipe("ner").labels)
    unknown = sorted(set(labels) - known)
    if unknown:
        raise RuleError(f"{where}.entities: unknown entity label {', '.join(unknown)} (known: {', '.join(sorted(known))})", key=where.split(".")[0])
    return frozenset(labels)


def _fact(source: str, where: str, schema: Mapping[str, Any]) -> Expression:
    try:
        expression = Expression(source)
    except ExpressionError as error:
        raise RuleError(f"{where}.facts: {error}", key=where.split(".")[0]) from None
    problem = expression.check(schema)
    if problem:
        raise RuleError(f"{where}.facts: {source!r}: {problem}", key=where.split(".")[0])
    return expression


def _list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(f"{where} must be a list of non-empty strings", key=where.split(".")[0])
    return value


def _spans(value: Any) -> list[tuple[float, float]]:
    """The times a fact covers: an item with ``start`` and ``end``, a number with its ``mentions``, or a list of them."""
    if isinstance(value, list):
        return [span for item in value for span in _spans(item)]
    if not isinstance(value, dict):
        return []
    if "mentions" in value:
        return _spans(value["mentions"])
    start, end = value.get("start"), value.get("end")
    return [(float(start), float(end))] if isinstance(start, (int, float)) and isinstance(end, (int, float)) else []
