"""Transcripts cached by the audio's content, so re-checking a folder after a rule change costs no decoding.

An entry is keyed by the SHA-256 of the file's bytes plus everything that
changes the transcript (engine, model, decoding options). Transcripts arrive
here masked: no sensitive number is ever written to disk. Entries are written
to a temporary file and renamed, so an interrupted or concurrent run leaves
either a whole entry or none; each carries a checksum of its payload, so a
damaged entry is detected, discarded with a warning, and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path

from vmcheck.audio import AudioStats, check_readable
from vmcheck.transcript import Transcript

FORMAT = 2
"""2: entries hold masked transcripts (``vmcheck.facts.privacy``); older entries may hold raw card numbers and are never read."""
CHUNK = 1 << 20


def file_digest(path: str) -> str:
    """SHA-256 of the file's bytes; raises the same one-line errors as decoding would."""
    check_readable(Path(path))
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _checksum(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class TranscriptCache:
    """A folder of JSON entries; ``enabled`` goes false (with one warning) if it cannot be written."""

    def __init__(self, root: Path, enabled: bool = True):
        self.root = root
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    @staticmethod
    def key(audio_digest: str, identity: str) -> str:
        return hashlib.sha256(f"{FORMAT}|{audio_digest}|{identity}".encode()).hexdigest()

    def get(self, key: str) -> tuple[Transcript, AudioStats] | None:
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            payload = entry["payload"]
            if entry["key"] != key or entry["checksum"] != _checksum(payload):
                raise ValueError("checksum mismatch")
            result = Transcript.from_dict(payload["transcript"]), AudioStats.from_dict(payload["audio"])
        except OSError:
            self.misses += 1
            return None
        except (ValueError, KeyError, TypeError) as error:
            warnings.warn(f"{path}: damaged cache entry discarded ({type(error).__name__}: {error})")
            path.unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, key: str, transcript: Transcript, audio: AudioStats) -> None:
        if not self.enabled:
            return
        payload = {"transcript": transcript.to_dict(), "audio": audio.to_dict()}
        entry = {"key": key, "checksum": _checksum(payload), "payload": payload}
        path = self._path(key)
        temporary = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(temporary, path)
        except OSError as error:
            if temporary:
                Path(temporary).unlink(missing_ok=True)
            self.enabled = False
            warnings.warn(f"{self.root}: cannot write the transcript cache ({error.strerror}); continuing without it")

    def entries(self) -> list[Path]:
        return sorted(self.root.glob("*/*.json")) if self.root.is_dir() else []

    def clear(self) -> int:
        removed = 0
        for path in self.entries():
            path.unlink(missing_ok=True)
            removed += 1
        for leftover in self.root.glob("*/.*.tmp") if self.root.is_dir() else ():
            leftover.unlink(missing_ok=True)
        return removed
