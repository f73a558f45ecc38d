"""Turn the command line's files, folders and globs into a sorted list of things to check.

Folders are walked recursively for audio and ``.txt`` files; reference
transcripts kept beside recordings (``*.ref.txt``) are not messages.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from pathlib import Path

AUDIO_SUFFIXES = (
    ".wav",
    ".mp3",
    ".m4a",
    ".aac",
    ".ogg",
    ".oga",
    ".opus",
    ".flac",
    ".amr",
    ".webm",
    ".mp4",
    ".3gp",
    ".wma",
    ".aiff",
    ".aif",
    ".caf",
    ".mka",
)
TEXT_SUFFIXES = (".txt",)
DEFAULT_EXCLUDES = ("*.ref.txt",)


def wanted(path: str, excludes: tuple[str, ...]) -> bool:
    name = os.path.basename(path)
    return not any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(path, p) for p in excludes)


def collect(arguments: tuple[str, ...], excludes: tuple[str, ...] = ()) -> tuple[list[str], list[tuple[str, str]]]:
    """Files to check, and (path, reason) for what was skipped in folders."""
    excludes = (*DEFAULT_EXCLUDES, *excludes)
    files: list[str] = []
    skipped: list[tuple[str, str]] = []
    for argument in arguments:
        if argument == "-" or (os.path.exists(argument) and not os.path.isdir(argument)):
            files.append(argument)
        elif os.path.isdir(argument):
            files.extend(_walk(argument, excludes, skipped))
        elif glob.has_magic(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            files.extend(m for m in matches if not os.path.isdir(m) and wanted(m, excludes))
            if not matches:
                skipped.append((argument, "pattern matched no files"))
        else:
            files.append(argument)
    return list(dict.fromkeys(files)), skipped  # each file once, first place kept


def _walk(folder: str, excludes: tuple[str, ...], skipped: list[tuple[str, str]]) -> list[str]:
    found = []
    visited = set()

    def on_error(error: OSError) -> None:
        skipped.append((error.filename, f"cannot read folder ({error.strerror})"))

    for root, dirs, names in os.walk(folder, followlinks=True, onerror=on_error):
        real = os.path.realpath(root)
        if real in visited:
            skipped.append((root, "symlink loop"))
            dirs[:] = []
            continue
        visited.add(real)
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            if not name.lower().endswith(AUDIO_SUFFIXES + TEXT_SUFFIXES):
                continue
            if wanted(path, excludes):
                found.append(path)
    return sorted(found, key=lambda p: Path(p).parts)
