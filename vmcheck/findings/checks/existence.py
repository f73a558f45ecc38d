"""``existence``: a phrase that should not be said at all ("case of the Mondays", profanity)."""

from __future__ import annotations

from vmcheck.findings.checks.base import Context, Finding, Rule, RuleError
from vmcheck.findings.checks.phrases import Phrases


class Existence(Rule):
    FIELDS = {"tokens": False, "patterns": False, "match": False, "max_findings": False}
    TEMPLATE_NAMES = {"match"}

    def __init__(self, *args):
        super().__init__(*args)
        self.phrases = Phrases(self.spec)
        self.max_findings = self.spec.get("max_findings", 3)
        if not isinstance(self.max_findings, int) or self.max_findings < 1:
            raise RuleError("max_findings must be a whole number of at least 1", key="max_findings")

    def findings(self, context: Context) -> list[Finding]:
        matches = self.phrases.find(context)[: self.max_findings]
        return [self.finding({**context.facts, "match": m.text}, m.start, m.end) for m in matches]
