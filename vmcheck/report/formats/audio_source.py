"""Where the HTML report's player finds a message's audio: a path relative to the report, or the audio itself.

A relative link keeps the page small and works wherever report and recordings
are moved together; ``--embed-audio`` puts the file's bytes in a data: URI
instead, so one page can be mailed.
"""

from __future__ import annotations

import base64
import os
from urllib.request import pathname2url

from vmcheck.errors import VmcheckError
from vmcheck.report.formats.common import Extras
from vmcheck.report.result import FileResult

# Media types browsers know; the file's bytes are embedded as they are.
MEDIA_TYPES = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".webm": "audio/webm",
    ".amr": "audio/amr",
    ".3gp": "audio/3gpp",
    ".wma": "audio/x-ms-wma",
    ".aiff": "audio/aiff",
    ".aif": "audio/aiff",
    ".caf": "audio/x-caf",
    ".mka": "audio/x-matroska",
}


def audio_url(result: FileResult, extras: Extras) -> str | None:
    """The player's src for this message, or None for a text script."""
    if result.facts is None or result.facts.get("mode") == "text":
        return None
    if extras.embed_audio:
        return _data_uri(result.path)
    relative = os.path.relpath(os.path.abspath(result.path), os.path.abspath(extras.report_dir))
    return pathname2url(relative)


def _data_uri(path: str) -> str:
    media_type = MEDIA_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise VmcheckError(f"cannot embed the audio ({error.strerror})", path) from None
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"
