"""``match:`` in a rule file: spaCy ``Matcher`` patterns, compiled when the rule loads and run on the message's Doc.

A pattern says what a list of forms cannot: ``{LEMMA: call}`` is "call",
"called", "calling" and "calls"; ``{POS: ADJ}`` is any adjective. Patterns are
checked here, one at a time, so an error can point at the pattern's own line;
spaCy's schema errors are cut down to the one thing that is wrong.
"""

from __future__ import annotations

import re
from typing import Any

from vmcheck.facts import nlp
from vmcheck.facts.textindex import Match
from vmcheck.findings.checks.base import RuleError

# Attributes whose value is text: YAML 1.1 reads a bare yes, no, on or off there as a boolean.
TEXT_ATTRIBUTES = frozenset({"ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "POS", "TAG", "MORPH", "DEP", "ENT_TYPE", "SHAPE"})
_PROBLEM = re.compile(r"^- \[pattern -> (\d+)(?: -> ([^\]]+))?\] (.+)$", re.MULTILINE)


class TokenPatterns:
    """The patterns of one rule, in one ``Matcher`` that keeps the longest of overlapping matches."""

    def __init__(self, patterns: Any):
        vocab = nlp.load().vocab  # first: it imports spaCy the way that keeps torch out
        from spacy.errors import MatchPatternError
        from spacy.matcher import Matcher

        if not isinstance(patterns, list) or not patterns:
            raise RuleError("match must be a list of patterns, each a list of token mappings", key="match")
        self.matcher = Matcher(vocab, validate=True)
        for number, pattern in enumerate(patterns):
            _check_shape(pattern, number)
            try:
                self.matcher.add("match", [pattern], greedy="LONGEST")
            except MatchPatternError as error:
                raise RuleError(f"match pattern {number + 1}, {_first_problem(str(error))}", key="match", item=number) from None
            except ValueError as error:
                raise RuleError(f"match pattern {number + 1}: {str(error).splitlines()[0]}", key="match", item=number) from None

    def find(self, doc, owners: list[int], words) -> list[Match]:
        """Matches in time order, each mapped back to the timed words it covers."""
        found = []
        for span in self.matcher(doc, as_spans=True):
            first, last = owners[span[0].idx], owners[span[-1].idx]
            found.append(Match(span.text, first, last, words[first].start, words[last].end))
        return sorted(found, key=lambda m: m.first)


def _check_shape(pattern: Any, number: int) -> None:
    where = f"match pattern {number + 1}"
    if not isinstance(pattern, list) or not pattern or not all(isinstance(token, dict) and token for token in pattern):
        raise RuleError(f"{where} must be a non-empty list of token mappings like [{{LOWER: call}}, {{LOWER: me}}]", key="match", item=number)
    for position, token in enumerate(pattern, 1):
        for attribute, value in token.items():
            if str(attribute).upper() in TEXT_ATTRIBUTES and isinstance(value, bool):
                raise RuleError(
                    f"{where}, token {position}: {attribute} is {str(value).lower()}, which is how YAML reads a bare yes, no, "
                    f"on or off; put the word in quotes",
                    key="match",
                    item=number,
                )


def _first_problem(message: str) -> str:
    """spaCy lists every schema branch that failed; the first line names the attribute or operator at fault."""
    problem = _PROBLEM.search(message)
    if problem is None:
        return message.strip().splitlines()[-1]
    token, path, reason = int(problem.group(1)) + 1, (problem.group(2) or "").split(" -> "), problem.group(3)
    if path == [""]:
        return f"token {token} must be a mapping of attributes"
    extra = "Extra inputs are not permitted" in reason or "extra fields not permitted" in reason  # pydantic 2's wording, and 1's
    if extra and len(path) == 1:
        return f"token {token}: unknown attribute {path[0]}"
    if extra:
        return f"token {token}: unknown operator {path[-1]} in {path[0]}"
    if path[0] == "OP":
        return f"token {token}: OP must be one of + * ? ! or a count like {{2}} or {{1,3}}"
    return f"token {token}: {path[0]}: {reason[0].lower()}{reason[1:]}"
