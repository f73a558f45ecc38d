"""Rule types, one module each; ``extends`` in a rule file names one of these."""

from vmcheck.findings.checks.allowlist import Allowlist
from vmcheck.findings.checks.base import Context, Finding, Rule, RuleError
from vmcheck.findings.checks.conditional import Conditional
from vmcheck.findings.checks.existence import Existence
from vmcheck.findings.checks.metric import Metric
from vmcheck.findings.checks.occurrence import Occurrence
from vmcheck.findings.checks.timing import Timing

TYPES: dict[str, type[Rule]] = {
    "existence": Existence,
    "occurrence": Occurrence,
    "metric": Metric,
    "timing": Timing,
    "conditional": Conditional,
    "allowlist": Allowlist,
}

__all__ = ["TYPES", "Context", "Finding", "Rule", "RuleError"]
