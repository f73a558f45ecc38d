"""Where vmcheck keeps things: the user's cache (converted models, transcripts) and the shipped rules."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir

from vmcheck.errors import VmcheckError


def cache_dir() -> Path:
    """Where converted models and transcripts live; ``VMCHECK_CACHE_DIR`` overrides."""
    override = os.environ.get("VMCHECK_CACHE_DIR")
    if override:
        return Path(override)
    return Path(user_cache_dir("vmcheck"))


def models_dir() -> Path:
    return cache_dir() / "models"


def transcripts_dir() -> Path:
    return cache_dir() / "transcripts"


def builtin_rules_dir() -> Path:
    """The shipped ``rules/``: inside the wheel, or beside the package in a source checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_rules", package.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise VmcheckError("the built-in rules folder is missing; reinstall vmcheck")
