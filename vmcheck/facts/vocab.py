"""The extractors' knowledge of English as data: vocabularies in ``vocab/`` folders of the rule packs.

The built-in pack's ``rules/Core/vocab/`` declares every vocabulary (its
``about`` and ``kind``) and its words; any other pack or user rule folder may
add words to them with ``accept`` (a company's own name, the reps' surnames,
a course's fillers), never declare new ones. Every word remembers the file and
line it came from, so ``vmcheck rules vocab`` can say why a word is known.

Kinds: ``words`` (single words, compared in lowercase as written, so "dr."
keeps its full stop), ``phrases`` (word sequences, compared without case or
punctuation), ``names`` (proper names as spelled, matched in any case) and
``patterns`` (regular expressions over the normalised words, which may use
``{vocabulary}`` for the words of a ``words`` vocabulary).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from vmcheck.errors import VmcheckError
from vmcheck.facts.textindex import check_pattern, normalise
from vmcheck.paths import builtin_rules_dir

VOCAB_FOLDER = "vocab"
KINDS = ("words", "phrases", "names", "patterns")
SUFFIXES = (".yml", ".yaml")
_REFERENCE = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Entry:
    text: str
    source: str  # file:line


@dataclass(frozen=True)
class Vocabulary:
    name: str
    kind: str
    about: str
    entries: tuple[Entry, ...]

    @cached_property
    def words(self) -> frozenset[str]:
        """Every entry in lowercase (as written for ``words``, normalised otherwise); for names, also each word of
        each name ("Zyx Labs": zyx, labs)."""
        if self.kind == "words":
            return frozenset(e.text.lower() for e in self.entries)
        texts = {normalise(e.text) for e in self.entries}
        return frozenset(texts | {word for text in texts for word in text.split()} if self.kind == "names" else texts)

    @cached_property
    def phrases(self) -> tuple[tuple[str, ...], ...]:
        """Entries as word tuples, longest first, so "over at" wins over "at"."""
        return tuple(sorted({tuple(normalise(e.text).split()) for e in self.entries}, key=len, reverse=True))


class Vocabularies:
    """All vocabularies in force; ``words``, ``phrases`` and ``regex`` are what the extractors read."""

    def __init__(self, vocabularies: dict[str, Vocabulary]):
        self.by_name = vocabularies
        self._regexes: dict[str, re.Pattern] = {}

    @cached_property
    def digest(self) -> str:
        """Changes when any entry does: the transcript cache keys on it, since the second listen finds numbers with these words."""
        text = "\n".join(f"{name}|{v.kind}|" + "|".join(e.text for e in v.entries) for name, v in sorted(self.by_name.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def __getitem__(self, name: str) -> Vocabulary:
        return self.by_name[name]

    def get(self, name: str) -> Vocabulary:
        """A vocabulary by name, for people: an unknown name is an error listing the known ones."""
        if name not in self.by_name:
            raise VmcheckError(f"no vocabulary named {name} (known: {', '.join(sorted(self.by_name))})")
        return self.by_name[name]

    def summary(self) -> list[tuple[str, str, int, list[tuple[str, int]]]]:
        """Per vocabulary: name, kind, how many entries, and how many came from each file."""
        rows = []
        for name in sorted(self.by_name):
            vocabulary = self.by_name[name]
            origins: dict[str, int] = {}
            for entry in vocabulary.entries:
                path = entry.source.rsplit(":", 1)[0]
                origins[path] = origins.get(path, 0) + 1
            rows.append((name, vocabulary.kind, len(vocabulary.entries), list(origins.items())))
        return rows

    def extended(self, additions: dict, source: str) -> Vocabularies:
        """These vocabularies with more accepted entries (``{name: [entry, ...]}``), as a rule's example gives them."""
        if not isinstance(additions, dict) or not all(isinstance(v, list) for v in additions.values()):
            raise VmcheckError("vocab must map vocabulary names to lists of entries", source)
        unknown = sorted(set(additions) - set(self.by_name))
        if unknown:
            raise VmcheckError(f"unknown vocabulary {unknown[0]!r}", source)
        declared = {name: (v.kind, v.about) for name, v in self.by_name.items()}
        merged = dict(self.by_name)
        for name, texts in additions.items():
            old = self.by_name[name]
            extra = tuple(_entry(old.kind, str(text), source, declared, True) for text in texts)
            merged[name] = Vocabulary(name, old.kind, old.about, old.entries + extra)
        return Vocabularies(merged)

    def words(self, name: str) -> frozenset[str]:
        return self.by_name[name].words

    def phrases(self, name: str) -> tuple[tuple[str, ...], ...]:
        return self.by_name[name].phrases

    def alternatives(self, name: str) -> str:
        """A ``words`` vocabulary as one regex group, longest word first."""
        words = sorted(self.words(name), key=lambda w: (-len(w), w))
        return "(?:" + "|".join(re.escape(w) for w in words) + ")"

    def compile(self, source: str) -> re.Pattern:
        """A regex whose ``{vocabulary}`` references stand for the words of those vocabularies."""
        if source not in self._regexes:
            self._regexes[source] = re.compile(_REFERENCE.sub(lambda m: self.alternatives(m.group(1)), source))
        return self._regexes[source]

    def regex(self, name: str) -> re.Pattern:
        """Whole-word regex over normalised text for a ``phrases`` or ``patterns`` vocabulary, longest first."""
        if name not in self._regexes:
            vocabulary = self.by_name[name]
            if vocabulary.kind == "patterns":
                parts = [_REFERENCE.sub(lambda m: self.alternatives(m.group(1)), e.text) for e in vocabulary.entries]
            else:
                parts = [re.escape(" ".join(p)).replace(r"\ ", " ") for p in vocabulary.phrases]
            alternatives = "|".join(sorted(parts, key=len, reverse=True))
            self._regexes[name] = re.compile(r"(?<![\w'])(?:" + alternatives + r")(?![\w'])")
        return self._regexes[name]


def load(pack_folders: Iterable[Path]) -> Vocabularies:
    """The built-in vocabularies, then every ``vocab/`` file of the packs given (built-in first)."""
    declared: dict[str, tuple[str, str]] = {}
    entries: dict[str, list[Entry]] = {}
    for folder in pack_folders:
        for path in _files(folder / VOCAB_FOLDER):
            for name, spec, lines in _vocabularies(path):
                where = f"{path}:{lines['name']}"
                declaring = name not in declared
                if declaring:
                    if "kind" not in spec:
                        known = ", ".join(sorted(declared)) or "none"
                        raise VmcheckError(f"unknown vocabulary {name!r} (known: {known})", where)
                    if spec["kind"] not in KINDS or not isinstance(spec.get("about"), str):
                        raise VmcheckError(f"vocabulary {name} needs about: TEXT and kind: one of {', '.join(KINDS)}", where)
                    declared[name] = (spec["kind"], spec["about"].strip())
                    entries[name] = []
                elif "kind" in spec or "about" in spec:
                    raise VmcheckError(f"vocabulary {name} is declared in the built-in pack; here only accept: may add to it", where)
                kind = declared[name][0]
                entries[name] += [_entry(kind, text, f"{path}:{line}", declared, not declaring) for text, line in _accepted(spec, lines, where)]
    return Vocabularies({name: Vocabulary(name, kind, about, tuple(entries[name])) for name, (kind, about) in declared.items()})


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES) if folder.is_dir() else []


def _vocabularies(path: Path) -> Iterable[tuple[str, dict, dict]]:
    """Each vocabulary in a file, with the lines of its name and of its accepted entries."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise VmcheckError(f"invalid YAML ({getattr(error, 'problem', None) or error})", f"{path}:{mark.line + 1}" if mark else str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise VmcheckError(f"cannot read vocabulary file ({error})", str(path)) from None
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise VmcheckError("a vocabulary file maps vocabulary names to {accept: [...]}", str(path))
    for key_node, value_node in node.value:
        name, spec = key_node.value, data[key_node.value]
        where = f"{path}:{key_node.start_mark.line + 1}"
        if not isinstance(spec, dict) or set(spec) - {"about", "kind", "accept"}:
            raise VmcheckError(f"vocabulary {name} must be a mapping with accept: (and, where declared, about: and kind:)", where)
        lines = {"name": key_node.start_mark.line + 1, "accept": []}
        for k, v in value_node.value:
            if k.value == "accept" and isinstance(v, yaml.SequenceNode):
                lines["accept"] = [item.start_mark.line + 1 for item in v.value]
        yield name, spec, lines


def _accepted(spec: dict, lines: dict, where: str) -> list[tuple[str, int]]:
    accept = spec.get("accept", [])
    if not isinstance(accept, list) or not all(isinstance(a, str) and a.strip() for a in accept):
        raise VmcheckError("accept must be a list of words or phrases (quote yes, no, on and off)", where)
    return list(zip(accept, lines["accept"]))


def _entry(kind: str, text: str, where: str, declared: dict, checked: bool) -> Entry:
    """One accepted word; a pattern added by a user (not the pack that declares it) is checked for runaway repeats."""
    if kind == "words" and len(text.split()) != 1:
        raise VmcheckError(f"{text!r}: this vocabulary holds single words", where)
    if kind == "patterns":
        unknown = [m for m in _REFERENCE.findall(text) if declared.get(m, ("",))[0] != "words"]
        if unknown:
            raise VmcheckError(f"{text!r} refers to {{{unknown[0]}}}, which is no words vocabulary", where)
        problem = check_pattern(_REFERENCE.sub("x", text))
        if problem and (checked or "nests repeats" not in problem):
            raise VmcheckError(problem, where)
    elif kind != "words" and not normalise(text):
        raise VmcheckError(f"{text!r} has no letters or digits", where)
    return Entry(text.strip(), where)


@lru_cache(maxsize=1)
def builtin() -> Vocabularies:
    """The built-in pack's vocabularies alone: what an extractor uses when it is given none."""
    return load([builtin_rules_dir() / "Core"])
