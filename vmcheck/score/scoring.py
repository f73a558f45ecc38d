"""From findings to a score a trainer can predict.

Each category starts at 100 and loses each fired rule's ``weight`` once,
however often the rule fired. The overall score is the weighted mean of the
categories that were checked, capped by any error-level finding and by any
failed critical category (name, number, ask: what a voicemail lives on); a
message passes when the score reaches the threshold and neither cap applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vmcheck.findings.checks import Finding
from vmcheck.findings.checks.base import CATEGORIES, LEVELS
from vmcheck.findings.ruleset import RuleSet


@dataclass(frozen=True)
class CategoryScore:
    score: int
    passed: bool
    checked: bool = True

    def to_dict(self) -> dict:
        return {"score": self.score, "passed": self.passed, "checked": self.checked}


@dataclass(frozen=True)
class Score:
    score: int
    grade: str
    passed: bool
    categories: dict[str, CategoryScore]

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "grade": self.grade,
            "passed": self.passed,
            "categories": {name: c.to_dict() for name, c in self.categories.items()},
        }


def score(findings: list[Finding], ruleset: RuleSet, skipped: Iterable[str] = (), threshold: float | None = None) -> Score:
    policy = ruleset.policy
    weights = {rule.id: rule.weight for rule in ruleset.rules}
    not_run = set(skipped)
    run_categories = {r.category for r in ruleset.rules if r.id not in not_run}
    categories: dict[str, CategoryScore] = {}
    for category in CATEGORIES:
        fired = {f.rule for f in findings if f.category == category}
        points = max(0, round(100 - sum(weights.get(rule_id, 0) for rule_id in fired)))
        has_error = any(f.level == "error" for f in findings if f.category == category)
        categories[category] = CategoryScore(points, points >= policy.category_pass and not has_error, checked=category in run_categories)
    counted = {name: c for name, c in categories.items() if c.checked}
    total_weight = sum(policy.category_weights.get(name, 0) for name in counted)
    overall = round(sum(policy.category_weights.get(name, 0) * c.score for name, c in counted.items()) / total_weight) if total_weight else 0
    has_error = any(f.level == "error" for f in findings)
    if has_error:
        overall = min(overall, round(policy.error_cap))
    critical_failed = any(not counted[name].passed for name in policy.critical_categories if name in counted)
    if critical_failed:
        overall = min(overall, round(policy.critical_cap))
    bar = policy.threshold if threshold is None else threshold
    return Score(
        score=overall,
        grade=grade(overall, policy.grades),
        passed=overall >= bar and not has_error and not critical_failed,
        categories=categories,
    )


def grade(points: float, bands: dict[str, float]) -> str:
    for letter, floor in sorted(bands.items(), key=lambda item: -item[1]):
        if points >= floor:
            return letter
    return "F"


def fails(passed: bool, levels, fail_on: str = "error") -> bool:
    """The usual verdict: the score did not pass, or a finding is at the ``--fail-on`` level or above."""
    floor = LEVELS.index(fail_on)
    return not passed or any(LEVELS.index(level) >= floor for level in levels)
