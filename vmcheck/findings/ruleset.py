"""Load rule packs from ``rules/`` and user folders, apply overrides, and run them on a message's facts.

A pack is a folder of YAML files, one rule each; a rule's ID is
``Pack.FileName``. Of the built-in packs only ``Core`` is always on; the
others (the compliance packs) are switched on by name. Loading is strict: an unknown key, a bad pattern or a
missing field stops the run with an error naming the file, because a rule
that silently checks nothing is worse than no rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vmcheck.errors import VmcheckError
from vmcheck.facts import FACT_SCHEMA, FactsDict
from vmcheck.facts import vocab as vocabularies
from vmcheck.facts.textindex import TextIndex
from vmcheck.facts.vocab import VOCAB_FOLDER, Vocabularies
from vmcheck.findings.checks import TYPES, Context, Finding, Rule, RuleError
from vmcheck.findings.checks.base import CATEGORIES, LEVELS
from vmcheck.paths import builtin_rules_dir
from vmcheck.transcript import Word

RULE_SUFFIXES = (".yml", ".yaml")
POLICY_FILE = "scoring.yaml"
ALWAYS_ON = "Core"


class _StrictLoader(yaml.SafeLoader):
    """YAML that refuses duplicate keys instead of keeping the last one."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise VmcheckError(f"invalid YAML ({problem})", where) from None
    except (OSError, UnicodeDecodeError) as error:
        raise VmcheckError(f"cannot read rule file ({error})", str(path)) from None


@dataclass
class Policy:
    """How findings become scores; lives in ``rules/scoring.yaml``."""

    category_weights: dict[str, float]
    level_weights: dict[str, int]
    category_pass: float
    threshold: float
    error_cap: float
    critical_categories: frozenset[str]
    critical_cap: float
    grades: dict[str, float]

    @classmethod
    def load(cls, path: Path) -> Policy:
        data: Any = read_yaml(path)  # any YAML: the wrong shapes are caught below
        try:
            policy = cls(
                category_weights={k: float(v) for k, v in data["category_weights"].items()},
                level_weights={level: int(data["level_weights"][level]) for level in LEVELS},
                category_pass=float(data["category_pass"]),
                threshold=float(data["threshold"]),
                error_cap=float(data["error_cap"]),
                critical_categories=frozenset(str(c) for c in data["critical_categories"]),
                critical_cap=float(data["critical_cap"]),
                grades={k: float(v) for k, v in data["grades"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise VmcheckError(f"invalid scoring policy ({type(error).__name__}: {error})", str(path)) from None
        unknown = policy.critical_categories - set(CATEGORIES)
        if unknown:
            raise VmcheckError(f"invalid scoring policy (unknown critical category: {', '.join(sorted(unknown))})", str(path))
        return policy


@dataclass
class RuleSet:
    rules: list[Rule]
    policy: Policy
    files: dict[str, Path] = field(default_factory=dict)
    vocab: Vocabularies = field(default_factory=vocabularies.builtin)
    packs_off: tuple[str, ...] = ()

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id.lower() == rule_id.lower():
                return rule
        raise VmcheckError(f"no rule named {rule_id} (see 'vmcheck rules')")

    def run(self, facts: FactsDict, words: tuple[Word, ...] | list[Word], doc=None) -> tuple[list[Finding], list[str]]:
        """Findings in time order, and the IDs of rules skipped because the message has no audio.

        ``doc`` is the spaCy Doc the facts were read from, if there is one, so ``match`` patterns need no second parse."""
        context = Context(facts, TextIndex(words), doc)
        findings: list[Finding] = []
        skipped: list[str] = []
        for rule in self.rules:
            if "audio" in rule.needs and facts.get("mode") != "audio":
                skipped.append(rule.id)
                continue
            findings.extend(rule.run(context))
        findings.sort(key=lambda f: (f.start is None, f.start or 0.0, LEVELS.index(f.level) * -1, f.rule))
        return findings, skipped


def load_rule(path: Path, pack: str, policy: Policy) -> Rule:
    spec = read_yaml(path)
    if not isinstance(spec, dict):
        raise VmcheckError("a rule file must be a YAML mapping", str(path))
    kind = spec.get("extends")
    if kind not in TYPES:
        line = _key_lines(path).get("extends")
        where = f"{path}:{line}" if line else str(path)
        raise VmcheckError(f"unknown rule type extends: {kind!r} (choose from: {', '.join(TYPES)})", where)
    try:
        return TYPES[kind](f"{pack}.{path.stem}", spec, FACT_SCHEMA, policy.level_weights)
    except RuleError as error:
        line = _item_line(path, error.key, error.item) if error.item is not None else None
        line = line or (_key_lines(path).get(error.key) if error.key is not None else None)
        raise VmcheckError(str(error), f"{path}:{line}" if line else str(path)) from None


def _key_lines(path: Path) -> dict[str, int]:
    """Line numbers of a rule file's top-level keys, so an error can point at the line."""
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    return {key.value: key.start_mark.line + 1 for key, _ in node.value} if isinstance(node, yaml.MappingNode) else {}


def _item_line(path: Path, key: str | None, item: int) -> int | None:
    """The line of the ``item``-th entry of a top-level list, such as one pattern of ``match``."""
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    for key_node, value in node.value if isinstance(node, yaml.MappingNode) else ():
        if key_node.value == key and isinstance(value, yaml.SequenceNode) and item < len(value.value):
            return value.value[item].start_mark.line + 1
    return None


def pack_folders(folder: Path) -> list[Path]:
    """A folder holding rule files (or a ``vocab/`` folder) is one pack; otherwise each sub-folder with them is."""
    if not folder.is_dir():
        raise VmcheckError("rules folder not found", str(folder))
    if any(p.suffix in RULE_SUFFIXES and p.name != POLICY_FILE for p in folder.iterdir()) or (folder / VOCAB_FOLDER).is_dir():
        return [folder]
    return sorted(p for p in folder.iterdir() if p.is_dir() and any(q.suffix in RULE_SUFFIXES or q.name == VOCAB_FOLDER for q in p.iterdir()))


def builtin_packs() -> list[str]:
    """The packs shipped with vmcheck: ``Core`` and those a manager may switch on."""
    return [pack.name for pack in pack_folders(builtin_rules_dir())]


def load(extra_folders: Iterable[Path] = (), overrides: dict[str, str] | None = None, packs: Iterable[str] = ()) -> RuleSet:
    """Core, the built-in ``packs`` named, then user packs; ``overrides`` maps a rule ID or pack name to 'off' or a level.

    Every built-in pack is loaded, so a broken one is an error and an override may name a pack that is off;
    the rules of packs not switched on are then left out."""
    builtin = builtin_rules_dir()
    policy = Policy.load(builtin / POLICY_FILE)
    shipped = {name.lower(): name for name in builtin_packs()}
    unknown = [name for name in packs if name.lower() not in shipped]
    if unknown:
        raise VmcheckError(f"no built-in pack named {', '.join(unknown)} (choose from: {', '.join(sorted(set(shipped.values()) - {ALWAYS_ON}))})")
    chosen = {ALWAYS_ON.lower(), *(name.lower() for name in packs)}
    rules: list[Rule] = []
    files: dict[str, Path] = {}
    folders = [pack for folder in [builtin, *map(Path, extra_folders)] for pack in pack_folders(folder)]
    for pack in folders:
        for path in sorted(pack.iterdir()):
            if path.suffix not in RULE_SUFFIXES or path.name == POLICY_FILE:
                continue
            rule = load_rule(path, pack.name, policy)
            if rule.id in files:
                raise VmcheckError(f"rule {rule.id} is defined twice (also in {files[rule.id]})", str(path))
            files[rule.id] = path
            rules.append(rule)
    rules = _apply_overrides(rules, overrides or {})
    off = {lowered for lowered in shipped if lowered not in chosen}
    kept = [rule for rule in rules if files[rule.id].parent.parent != builtin or files[rule.id].parent.name.lower() not in off]
    in_force = [pack for pack in folders if pack.parent != builtin or pack.name.lower() in chosen]
    return RuleSet(kept, policy, files, vocabularies.load(in_force), tuple(sorted(shipped[name] for name in off)))


def _apply_overrides(rules: list[Rule], overrides: dict[str, str]) -> list[Rule]:
    known = {r.id.lower() for r in rules} | {r.id.split(".")[0].lower() for r in rules}
    for key, value in overrides.items():
        if key.lower() not in known:
            raise VmcheckError(f"override for unknown rule or pack '{key}'")
        if value not in (*LEVELS, "off"):
            raise VmcheckError(f"override for '{key}' must be off or one of {', '.join(LEVELS)} (got {value!r})")
    lowered = {k.lower(): v for k, v in overrides.items()}
    kept = []
    for rule in rules:
        setting = lowered.get(rule.id.lower()) or lowered.get(rule.id.split(".")[0].lower())
        if setting == "off":
            continue
        if setting:
            rule.level = setting
        kept.append(rule)
    return kept
