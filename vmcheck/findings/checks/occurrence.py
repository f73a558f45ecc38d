"""``occurrence``: a phrase that must be said at least ``min`` or at most ``max`` times (courtesy, "sorry")."""

from __future__ import annotations

from vmcheck.findings.checks.base import Context, Finding, Rule, RuleError
from vmcheck.findings.checks.phrases import Phrases


class Occurrence(Rule):
    FIELDS = {"tokens": False, "patterns": False, "match": False, "min": False, "max": False}
    TEMPLATE_NAMES = {"count", "min", "max"}

    def __init__(self, *args):
        super().__init__(*args)
        self.phrases = Phrases(self.spec)
        self.min = self.spec.get("min")
        self.max = self.spec.get("max")
        if self.min is None and self.max is None:
            raise RuleError("give min, max or both")
        for key in ("min", "max"):
            value = self.spec.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise RuleError(f"{key} must be a whole number", key=key)

    def findings(self, context: Context) -> list[Finding]:
        matches = self.phrases.find(context)
        count = len(matches)
        values = {**context.facts, "count": count, "min": self.min, "max": self.max}
        if self.min is not None and count < self.min:
            return [self.finding(values)]
        if self.max is not None and count > self.max:
            return [self.finding(values, matches[self.max].start, matches[-1].end)]
        return []
