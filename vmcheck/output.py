"""Write reports so that an interrupted run never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from vmcheck.errors import VmcheckError


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[TextIO]:
    """Standard output, or a temporary file beside ``path`` renamed over it only when all went well."""
    if path is None or path == "-":
        yield sys.stdout
        return
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise VmcheckError(f"cannot write the report ({error.strerror})", path) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
