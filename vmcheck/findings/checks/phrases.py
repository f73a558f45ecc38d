"""What a phrase rule looks for: ``tokens`` and ``patterns`` (regexes over the words) and ``match`` (spaCy patterns).

Rule files come from users, so a pattern such as ``(a+)+`` that can take
exponential time on a long transcript is refused when the rule is loaded (``textindex.check_pattern``).
"""

from __future__ import annotations

import re

from vmcheck.facts.textindex import Match, check_pattern, phrase_pattern
from vmcheck.findings.checks.base import Context, RuleError
from vmcheck.findings.checks.tokens import TokenPatterns


class Phrases:
    """Everything a rule's ``tokens``, ``patterns`` and ``match`` find in a message, in time order, never overlapping."""

    def __init__(self, spec: dict):
        if not (spec.get("tokens") or spec.get("patterns") or "match" in spec):
            raise RuleError("give at least one of tokens, patterns or match")
        self.regex = compile_phrases(spec) if spec.get("tokens") or spec.get("patterns") else None
        self.tokens = TokenPatterns(spec["match"]) if "match" in spec else None

    def find(self, context: Context) -> list[Match]:
        found = context.index.find(self.regex) if self.regex is not None else []
        if self.tokens is None:
            return found
        found += self.tokens.find(context.doc, context.owners, context.index.words)
        kept: list[Match] = []
        for match in sorted(found, key=lambda m: (m.first, m.first - m.last)):
            if not kept or match.first > kept[-1].last:
                kept.append(match)
        return kept


def compile_phrases(spec: dict) -> re.Pattern:
    """``tokens`` (plain phrases, matched as whole words) and ``patterns`` (regexes) as one regex."""
    tokens = spec.get("tokens", [])
    patterns = spec.get("patterns", [])
    for key, value in (("tokens", tokens), ("patterns", patterns)):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise RuleError(f"{key} must be a list of non-empty strings", key=key)
    parts = [phrase_pattern(tokens).pattern] if tokens else []
    for pattern in patterns:
        problem = check_pattern(pattern)
        if problem:
            raise RuleError(problem, key="patterns")
        parts.append(r"(?<![\w'])(?:" + pattern + r")(?![\w'])")
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)
