"""What every rule type shares: the common YAML fields, their validation, and the Finding it returns.

A rule type is a module with one class that declares its own fields, compiles
them when the rule file is loaded (so a bad field is an error naming the file
before any audio is checked), and turns a message's facts into findings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from vmcheck.facts import nlp
from vmcheck.facts.textindex import TextIndex
from vmcheck.findings.expressions import Expression, ExpressionError

LEVELS = ("suggestion", "warning", "error")
CATEGORIES = ("name", "number", "rambling", "ask", "tone", "delivery", "compliance")
COMMON_FIELDS = {
    "extends",
    "message",
    "description",
    "level",
    "category",
    "weight",
    "suggestion",
    "link",
    "source",
    "needs",
    "applies",
    "examples",
}
_PLACEHOLDER = re.compile(r"\{([^{}:]+)(?::([^{}]+))?\}")


class RuleError(ValueError):
    """A rule file that cannot be used; the loader adds the file name, and the line of ``key`` (or of its
    ``item``-th entry) when given."""

    def __init__(self, message: str, key: str | None = None, item: int | None = None):
        super().__init__(message)
        self.key = key
        self.item = item


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    level: str
    message: str
    suggestion: str
    start: float | None = None
    end: float | None = None
    link: str | None = None

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "category": self.category,
            "level": self.level,
            "message": self.message,
            "suggestion": self.suggestion,
            "start": None if self.start is None else round(self.start, 2),
            "end": None if self.end is None else round(self.end, 2),
            "link": self.link,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        return cls(**fields)


class Context:
    """One message as the rules see it: its facts as a dict, its words for phrase search, and its spaCy Doc
    (parsed on first use when the caller has none) for ``match`` patterns."""

    def __init__(self, facts: Mapping[str, Any], index: TextIndex, doc: Any = None):
        self.facts = facts
        self.index = index
        self._doc = doc

    @cached_property
    def doc(self) -> Any:
        return self._doc if self._doc is not None else nlp.parse(self.index.words)

    @cached_property
    def owners(self) -> list[int]:
        """For each character of the Doc's text, the index of the word it belongs to."""
        return nlp.char_to_word(self.index.words)


class Template:
    """A message with ``{fact}`` or ``{fact:.1f}`` placeholders, checked at load time."""

    def __init__(self, source: str, schema: Mapping[str, Any]):
        self.source = source
        self.parts = []
        for match in _PLACEHOLDER.finditer(source):
            expression = Expression(match.group(1).strip())
            problem = expression.check(schema)
            if problem:
                raise RuleError(f"message refers to {problem}")
            self.parts.append((match.group(0), expression, match.group(2) or ""))

    def render(self, values: Mapping[str, Any]) -> str:
        text = self.source
        for placeholder, expression, spec in self.parts:
            try:
                value = expression.evaluate(values)
                rendered = "?" if value is None else format(value, spec)
            except (ExpressionError, TypeError, ValueError):
                rendered = "?"
            text = text.replace(placeholder, rendered, 1)
        return text


class Rule:
    """Fields every rule has; subclasses add ``FIELDS`` and implement ``findings``."""

    FIELDS: ClassVar[dict[str, bool]] = {}
    REQUIRED = ("extends", "message", "level", "category", "description", "suggestion")
    TEMPLATE_NAMES: ClassVar[set[str]] = set()

    def __init__(self, rule_id: str, spec: dict, schema: Mapping[str, Any], default_weights: dict[str, int]):
        unknown = set(spec) - COMMON_FIELDS - set(self.FIELDS)
        if unknown:
            raise RuleError(f"unknown key{'s' if len(unknown) > 1 else ''}: {', '.join(sorted(unknown))}", key=sorted(unknown)[0])
        missing = [k for k in (*self.REQUIRED, *(k for k, required in self.FIELDS.items() if required)) if k not in spec]
        if missing:
            raise RuleError(f"missing required key{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
        self.id = rule_id
        self.spec = spec
        self.schema = schema
        self.level = _choice(spec["level"], LEVELS, "level")
        self.category = _choice(spec["category"], CATEGORIES, "category")
        self.description = _text(spec, "description")
        self.weight = spec.get("weight", default_weights[self.level])
        if not isinstance(self.weight, (int, float)) or isinstance(self.weight, bool) or not 0 <= self.weight <= 100:
            raise RuleError("weight must be a number from 0 to 100", key="weight")
        self.link = spec.get("link")
        self.source = spec.get("source")
        needs = spec.get("needs", [])
        self.needs = set([needs] if isinstance(needs, str) else needs)
        if not self.needs <= {"audio"}:
            raise RuleError("needs may only list: audio", key="needs")
        self.applies = self.expression("applies") if "applies" in spec else None
        names = {**schema, **dict.fromkeys(self.TEMPLATE_NAMES, Any)}
        self.message = _template(spec, "message", names)
        self.suggestion = _template(spec, "suggestion", names)
        self.examples = spec.get("examples", {})
        if not isinstance(self.examples, dict) or set(self.examples) - {"trigger", "pass"}:
            raise RuleError("examples must be a mapping with 'trigger' and 'pass' lists", key="examples")

    def expression(self, key: str) -> Expression:
        """The condition under ``key`` in the rule file, parsed and checked against the known facts."""
        source = self.spec[key]
        try:
            expression = Expression(source)
        except ExpressionError as error:
            raise RuleError(str(error), key=key) from None
        problem = expression.check(self.schema)
        if problem:
            raise RuleError(f"condition {source!r}: {problem}", key=key)
        return expression

    def run(self, context: Context) -> list[Finding]:
        if self.applies is not None and not self.applies.evaluate(context.facts):
            return []
        return self.findings(context)

    def findings(self, context: Context) -> list[Finding]:
        raise NotImplementedError

    def finding(self, values: Mapping[str, Any], start: float | None = None, end: float | None = None) -> Finding:
        return Finding(
            rule=self.id,
            category=self.category,
            level=self.level,
            message=self.message.render(values),
            suggestion=self.suggestion.render(values),
            start=start,
            end=end if end is not None else start,
            link=self.link,
        )

    def span(self, expression: Expression | None, facts: Mapping[str, Any]) -> tuple[float | None, float | None]:
        """Where a finding sits: an ``at`` expression giving a time or a [start, end] pair."""
        if expression is None:
            return None, None
        value = expression.evaluate(facts)
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return _number(value[0]), _number(value[1])
        return _number(value), _number(value)


def _template(spec: dict, key: str, schema: Mapping[str, Any]) -> Template:
    try:
        return Template(_text(spec, key), schema)
    except (ExpressionError, RuleError) as error:
        raise RuleError(str(error), key=key) from None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _choice(value: Any, allowed: tuple[str, ...], key: str) -> str:
    if value not in allowed:
        raise RuleError(f"{key} must be one of {', '.join(allowed)} (got {value!r})", key=key)
    return value


def _text(spec: dict, key: str) -> str:
    value = spec[key]
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{key} must be a non-empty string", key=key)
    return value.strip()
