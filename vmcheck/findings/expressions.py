"""Conditions in rule files, such as ``wpm > 180 and word_count > 20``.

A small, safe subset of Python expression syntax, parsed when the rule is
loaded (so a typo is an error naming the rule file, before any audio is
checked) and evaluated by walking the tree, never with ``eval``. Names are
fact keys; ``caller.start`` reads a nested key; a missing or null fact makes
a comparison false instead of raising, because a rule about the ask cannot
fire on a message that has none. So that a misspelt fact or field is a load
error rather than a null that quietly makes the rule fire, ``Expression.check``
reads every name, field and ``count``/``first`` key against the facts' types.
"""

from __future__ import annotations

import ast
import operator
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "any": any,
    "all": all,
    "round": round,
    "count": lambda items, key, value: sum(1 for item in items or () if _get(item, key) == value),
    "first": lambda items, key, value: next((item for item in items or () if _get(item, key) == value), None),
}


class ExpressionError(ValueError):
    pass


class Expression:
    """A parsed condition; ``names`` lists the top-level facts it reads."""

    def __init__(self, source: str):
        self.source = str(source)
        try:
            self.tree = ast.parse(self.source, mode="eval").body
        except SyntaxError as error:
            raise ExpressionError(f"cannot parse condition {self.source!r}: {error.msg}") from None
        self.names: set[str] = set()
        self._validate(self.tree)

    def _validate(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            self.names.add(node.id)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
                raise ExpressionError(f"in {self.source!r}: only {', '.join(_FUNCTIONS)} may be called")
            for arg in node.args:
                self._validate(arg)
            return
        elif isinstance(node, ast.Attribute):
            self._validate(node.value)
            return
        elif isinstance(node, ast.Subscript):
            if not isinstance(_index(node.slice), int):
                raise ExpressionError(f"in {self.source!r}: index with a whole number, like numbers[0] or numbers[-1]")
            self._validate(node.value)
            return
        elif isinstance(node, ast.BinOp) and type(node.op) not in _ARITHMETIC:
            raise ExpressionError(f"in {self.source!r}: only + - * / are allowed")
        elif isinstance(node, ast.Compare) and any(type(op) not in _COMPARE for op in node.ops):
            raise ExpressionError(f"in {self.source!r}: unsupported comparison")
        elif not isinstance(
            node, (ast.BoolOp, ast.UnaryOp, ast.Compare, ast.BinOp, ast.Constant, ast.List, ast.Tuple, ast.And, ast.Or, ast.Not, ast.USub, ast.Load)
        ):
            raise ExpressionError(f"in {self.source!r}: {type(node).__name__} is not allowed in a condition")
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.cmpop, ast.operator, ast.boolop, ast.unaryop, ast.expr_context)):
                self._validate(child)

    def check(self, schema: Mapping[str, Any]) -> str | None:
        """What this expression names that the facts do not have, or None. ``schema`` maps each name to its
        type (a TypedDict, a list of one, a scalar, or ``Any`` for names whose shape is not known)."""
        problems: list[str] = []
        _shape(self.tree, schema, problems)
        return problems[0] if problems else None

    def evaluate(self, facts: Mapping[str, Any]) -> Any:
        return _evaluate(self.tree, facts)

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def _shape(node: ast.AST, schema: Mapping[str, Any], problems: list[str]) -> Any:
    """The type ``node`` evaluates to (``Any`` where it cannot tell), noting each name or field that does not exist."""
    if isinstance(node, ast.Name):
        if node.id not in schema:
            problems.append(f"unknown fact: {node.id}")
            return Any
        return schema[node.id]
    if isinstance(node, ast.Attribute):
        return _field(_shape(node.value, schema, problems), node.attr, ast.unparse(node.value), problems)
    if isinstance(node, ast.Subscript):
        return _element(_shape(node.value, schema, problems))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        shapes = [_shape(arg, schema, problems) for arg in node.args]
        if node.func.id in ("count", "first") and len(node.args) >= 2:
            key = node.args[1]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                found = _field(_element(shapes[0]), key.value, f"an item of {ast.unparse(node.args[0])}", problems)
                return _element(shapes[0]) if node.func.id == "first" and found is not None else Any
        return Any
    for child in ast.iter_child_nodes(node):
        _shape(child, schema, problems)
    return Any


def _field(shape: Any, name: str, owner: str, problems: list[str]) -> Any:
    shape = _not_none(shape)
    if shape is Any:
        return Any
    if isinstance(shape, type) and typing.is_typeddict(shape):
        fields = typing.get_type_hints(shape)
        if name in fields:
            return fields[name]
        problems.append(f"{owner} has no field '{name}' (it has: {', '.join(fields)})")
        return Any
    problems.append(f"{owner} has no fields, so not '{name}'")
    return Any


def _element(shape: Any) -> Any:
    """The type of an item of a list (``Any`` for anything else)."""
    shape = _not_none(shape)
    return typing.get_args(shape)[0] if typing.get_origin(shape) in (list, tuple) and typing.get_args(shape) else Any


def _not_none(shape: Any) -> Any:
    if typing.get_origin(shape) in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(shape) if arg is not type(None)]
        return rest[0] if len(rest) == 1 else Any
    return shape


def _index(node: ast.AST) -> int | None:
    """A whole-number index, negative ones included (``-1`` parses as a unary minus)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _index(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    return None


def _get(value: Any, key: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, (list, tuple)) and isinstance(key, int):
        return value[key] if -len(value) <= key < len(value) else None
    return None


def _evaluate(node: ast.AST, facts: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in facts:
            raise ExpressionError(f"unknown fact '{node.id}'")
        return facts[node.id]
    if isinstance(node, ast.Attribute):
        return _get(_evaluate(node.value, facts), node.attr)
    if isinstance(node, ast.Subscript):
        return _get(_evaluate(node.value, facts), _index(node.slice))
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_evaluate(e, facts) for e in node.elts]
    if isinstance(node, ast.BoolOp):
        values = (_evaluate(v, facts) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, facts)
        if isinstance(node.op, ast.Not):
            return not value
        return None if value is None else -value
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, facts), _evaluate(node.right, facts)
        if left is None or right is None or (isinstance(node.op, ast.Div) and right == 0):
            return None
        return _ARITHMETIC[type(node.op)](left, right)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, facts)
        for op, comparator in zip(node.ops, node.comparators):
            right = _evaluate(comparator, facts)
            if not isinstance(op, (ast.Is, ast.IsNot, ast.Eq, ast.NotEq)) and (left is None or right is None):
                return False
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):  # the only calls _validate lets through
        args = [_evaluate(a, facts) for a in node.args]
        if node.func.id not in ("count", "first") and any(a is None for a in args):
            return None
        return _FUNCTIONS[node.func.id](*args)
    raise ExpressionError(f"cannot evaluate {type(node).__name__}")
