"""``metric``: a condition over the facts that signals a problem (``when: wpm > 180``)."""

from __future__ import annotations

from vmcheck.findings.checks.base import Context, Finding, Rule


class Metric(Rule):
    FIELDS = {"when": True, "at": False}

    def __init__(self, *args):
        super().__init__(*args)
        self.when = self.expression("when")
        self.at = self.expression("at") if "at" in self.spec else None

    def findings(self, context: Context) -> list[Finding]:
        if not self.when.evaluate(context.facts):
            return []
        return [self.finding(context.facts, *self.span(self.at, context.facts))]
