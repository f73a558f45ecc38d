"""Rule types, one module each; ``extends`` in a rule file names one of these."""

from vmcheck.checks.allowlist import Allowlist
from vmcheck.checks.base import Context, Finding, Rule, RuleError
from vmcheck.checks.conditional import Conditional
from vmcheck.checks.existence import Existence
from vmcheck.checks.metric import Metric
from vmcheck.checks.occurrence import Occurrence
from vmcheck.checks.timing import Timing

TYPES: dict[str, type[Rule]] = {
    "existence": Existence,
    "occurrence": Occurrence,
    "metric": Metric,
    "timing": Timing,
    "conditional": Conditional,
    "allowlist": Allowlist,
}

__all__ = ["TYPES", "Context", "Finding", "Rule", "RuleError"]
