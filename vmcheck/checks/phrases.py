"""Phrase lists and regexes from rule files, compiled once and checked for runaway patterns.

Rule files come from users, so a pattern such as ``(a+)+`` that can take
exponential time on a long transcript is refused when the rule is loaded.
"""

from __future__ import annotations

import re

import re._parser as sre_parse

from vmcheck.checks.base import RuleError
from vmcheck.textindex import phrase_pattern

_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}


def compile_phrases(spec: dict) -> re.Pattern:
    """``tokens`` (plain phrases, matched as whole words) and ``patterns`` (regexes) as one regex."""
    tokens = spec.get("tokens", [])
    patterns = spec.get("patterns", [])
    for key, value in (("tokens", tokens), ("patterns", patterns)):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise RuleError(f"{key} must be a list of non-empty strings", key=key)
    if not tokens and not patterns:
        raise RuleError("give at least one of tokens or patterns")
    parts = [phrase_pattern(tokens).pattern] if tokens else []
    for pattern in patterns:
        try:
            parsed = sre_parse.parse(pattern)
        except re.error as error:
            raise RuleError(f"bad pattern {pattern!r}: {error}", key="patterns") from None
        if _nested_repeat(parsed, inside=False):
            raise RuleError(f"pattern {pattern!r} nests repeats (like (a+)+) and could run for hours; rewrite it", key="patterns")
        parts.append(r"(?<![\w'])(?:" + pattern + r")(?![\w'])")
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def _nested_repeat(parsed, inside: bool) -> bool:
    for op, value in parsed:
        if op in _REPEATS:
            low, high, sub = value
            if inside and high > 1:
                return True
            if _nested_repeat(sub, inside or high > 1):
                return True
        elif op == sre_parse.SUBPATTERN:
            if _nested_repeat(value[-1], inside):
                return True
        elif op == sre_parse.BRANCH:
            if any(_nested_repeat(branch, inside) for branch in value[1]):
                return True
    return False
