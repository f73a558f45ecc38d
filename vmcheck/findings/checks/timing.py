"""``timing``: something must happen within the opening or closing seconds of the message.

``time`` is the moment (say ``caller.start``); ``within`` is ``{first: 8}`` or
``{last: 15}``. A missing moment is left to another rule ("name missing" is
not "name late").
"""

from __future__ import annotations

from vmcheck.findings.checks.base import Context, Finding, Rule, RuleError


class Timing(Rule):
    FIELDS = {"time": True, "within": True}
    TEMPLATE_NAMES = {"time", "limit"}

    def __init__(self, *args):
        super().__init__(*args)
        self.time = self.expression("time")
        within = self.spec["within"]
        if not isinstance(within, dict) or len(within) != 1 or not set(within) <= {"first", "last"}:
            raise RuleError("within must be {first: SECONDS} or {last: SECONDS}", key="within")
        ((self.edge, self.seconds),) = within.items()
        if not isinstance(self.seconds, (int, float)) or self.seconds <= 0:
            raise RuleError("within needs a positive number of seconds", key="within")

    def findings(self, context: Context) -> list[Finding]:
        time = self.time.evaluate(context.facts)
        if not isinstance(time, (int, float)):
            return []
        duration = context.facts.get("duration_s") or 0.0
        limit = self.seconds if self.edge == "first" else max(0.0, duration - self.seconds)
        late = time > limit if self.edge == "first" else time < limit
        if not late:
            return []
        return [self.finding({**context.facts, "time": time, "limit": limit}, time, time)]
