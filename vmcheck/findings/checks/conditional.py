"""``conditional``: when one thing holds, another must too (``if: ask.kind == 'callback'`` then ``callback_numbers``)."""

from __future__ import annotations

from vmcheck.findings.checks.base import Context, Finding, Rule


class Conditional(Rule):
    FIELDS = {"if": True, "then": True, "at": False}

    def __init__(self, *args):
        super().__init__(*args)
        self.condition = self.expression("if")
        self.requirement = self.expression("then")
        self.at = self.expression("at") if "at" in self.spec else None

    def findings(self, context: Context) -> list[Finding]:
        if not self.condition.evaluate(context.facts) or self.requirement.evaluate(context.facts):
            return []
        return [self.finding(context.facts, *self.span(self.at, context.facts))]
