"""The house by stage: the package's own imports (read from the source, deferred ones included) point down
the flow audio -> transcript -> facts -> findings -> score -> report, with orchestration and the CLI on top,
and none of them go round in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "vmcheck"
STAGES = ["audio", "transcript", "facts", "findings", "score", "report", "run", "cli"]
"""Each stage may import those before it, and itself; ``errors``, ``paths`` and the package's own
``__init__`` sit under all of them, ``__main__`` over all of them."""
MAX_LINES = 400
MAX_LOOSE_MODULES = 10


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["vmcheck", *path.relative_to(PACKAGE).with_suffix("").parts]
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules ``name`` imports anywhere in its source, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names)
    found = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def rank(name: str) -> int:
    parts = name.split(".")
    if len(parts) == 1 or parts[1] in ("errors", "paths"):
        return -1
    if parts[1] == "__main__":
        return len(STAGES)
    return STAGES.index(parts[1])


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules round it, or None."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        trail.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        trail.pop()
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_checker_sees_a_cycle_made_of_deferred_imports():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_anywhere():
    assert cycle(graph()) is None, " -> ".join(cycle(graph()) or [])


def test_every_import_points_down_the_flow():
    upward = [f"{a} -> {b}" for a, targets in graph().items() for b in sorted(targets) if rank(b) > rank(a)]
    assert upward == []


def test_every_module_belongs_to_a_stage():
    assert {name.split(".")[1] for name in modules() if name.count(".") >= 1} - {"errors", "paths", "__main__"} <= set(STAGES)


def test_modules_stay_small_and_few_stand_loose():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
    loose = [path.name for path in PACKAGE.glob("*.py")]
    assert len(loose) <= MAX_LOOSE_MODULES, loose
