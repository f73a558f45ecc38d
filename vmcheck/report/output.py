"""Write reports so that an interrupted run never leaves a half-written file behind.

The temporary file ``mkstemp`` makes is private (0600); before it is renamed
over the target it gets the mode any other tool's output would have: the
existing file's mode when one is replaced, else 0666 less the user's umask,
so an ``audit.html`` written for the team can be read by the team.
"""

from __future__ import annotations

import contextlib
import os
import stat
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
        os.fchmod(handle, _mode_for(target))
    except OSError as error:
        raise VmcheckError(f"cannot write the report ({error.strerror})", path) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """The replaced file's permission bits, or what ``open(..., "w")`` would give a new file."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
