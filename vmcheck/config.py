"""Settings from ``vmcheck.toml`` or ``[tool.vmcheck]`` in ``pyproject.toml``, then the command line.

The file is found by walking up from the working directory, so a trainer can
commit one beside the course material. Unknown keys and wrong types are
errors naming the file and key: a typo must not silently check nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmcheck.errors import VmcheckError

LEVEL_NAMES = ("suggestion", "warning", "error")

# key: (type check, description, default)
KEYS: dict[str, tuple[type | tuple, str, Any]] = {
    "threshold": ((int, float), "overall score a message needs to pass (0-100)", None),
    "fail_on": (str, "lowest finding level that fails a message: warning or error", "error"),
    "min_level": (str, "lowest finding level shown: suggestion, warning or error", "suggestion"),
    "rule_folders": (list, "extra rule folders, relative to this file", []),
    "rules": (dict, "per-rule or per-pack overrides: off, suggestion, warning or error", {}),
    "caller": (str, "the caller's real name, to check it comes through", None),
    "number": (str, "the caller's real callback number, to check it comes through", None),
    "region": (str, "phone number region (ISO country code)", "US"),
    "model": (str, "Whisper model name or checkpoint path", "tiny.en"),
    "engine": (str, "speech engine", "whisper"),
    "text_wpm": ((int, float), "speaking rate assumed for text transcripts", 150),
    "max_audio_seconds": ((int, float), "longest recording vmcheck will check", 600),
}
CONFIG_NAMES = ("vmcheck.toml", "pyproject.toml")


@dataclass
class Config:
    values: dict[str, Any] = field(default_factory=lambda: {k: v[2] for k, v in KEYS.items()})
    sources: dict[str, str] = field(default_factory=lambda: {k: "default" for k in KEYS})
    path: Path | None = None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def set(self, key: str, value: Any, source: str) -> None:
        if value is None or value == () or value == {}:
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


def load(path: Path | None = None, discover: bool = True) -> Config:
    config = Config()
    path = path or (find_config() if discover else None)
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
        kind = KEYS[key][0]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise VmcheckError(f"'{key}' has the wrong type ({type(value).__name__}); expected {KEYS[key][1]}", str(path))
        if key == "rule_folders":
            value = [str((path.parent / folder).resolve()) for folder in value]
        config.set(key, value, str(path))
    validate(config)
    return config


def validate(config: Config) -> None:
    for key in ("fail_on", "min_level"):
        if config[key] not in LEVEL_NAMES:
            raise VmcheckError(f"{key} must be one of {', '.join(LEVEL_NAMES)} (got {config[key]!r}, from {config.sources[key]})")
    threshold = config["threshold"]
    if threshold is not None and not 0 <= threshold <= 100:
        raise VmcheckError(f"threshold must be between 0 and 100 (got {threshold}, from {config.sources['threshold']})")
    if config["text_wpm"] <= 0 or config["max_audio_seconds"] <= 0:
        raise VmcheckError("text_wpm and max_audio_seconds must be positive")
