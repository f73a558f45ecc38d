"""Decode any voicemail to 16 kHz mono float32 with PyAV.

PyAV bundles FFmpeg's decoders, so no system ffmpeg is needed and Whisper is
handed an array instead of spawning a subprocess.
"""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np

from vmcheck.audio.sound import SAMPLE_RATE, Audio, measure
from vmcheck.errors import VmcheckError

DEFAULT_MAX_SECONDS = 600.0


def decode(path: str | Path, max_seconds: float = DEFAULT_MAX_SECONDS, data: bytes | None = None) -> Audio:
    """Decode the first audio stream of ``path``, refusing anything longer than ``max_seconds``.

    ``data`` is the file's bytes, read elsewhere: a cluster worker gets them from the driver, and
    decodes them in memory, so no copy of a recording is left on the worker's disk."""
    path = Path(path)
    if data is None:
        check_readable(path)
    try:
        container = av.open(str(path) if data is None else io.BytesIO(data), mode="r", metadata_errors="ignore")
    except av.error.FFmpegError as error:
        raise VmcheckError(f"not a readable audio file ({_reason(error)})", str(path)) from None
    with container:
        if not container.streams.audio:
            raise VmcheckError("no audio stream in this file", str(path))
        stream = container.streams.audio[0]
        if container.duration and container.duration / 1e6 > max_seconds + 1:
            raise VmcheckError(too_long(container.duration / 1e6, max_seconds), str(path))
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        limit = int((max_seconds + 1) * SAMPLE_RATE)
        decoded = 0
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    decoded += chunk.size
                if decoded > limit:
                    raise VmcheckError(too_long(decoded / SAMPLE_RATE, max_seconds), str(path))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError as error:
            raise VmcheckError(f"corrupt or truncated audio ({_reason(error)})", str(path)) from None
    samples = np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)
    if samples.size < SAMPLE_RATE // 10:
        raise VmcheckError("no decodable audio (empty, truncated or under 0.1 s)", str(path))
    if not np.all(np.isfinite(samples)):
        raise VmcheckError("corrupt audio (samples are not finite numbers)", str(path))
    return Audio(samples, measure(samples))


def too_long(seconds: float, limit: float) -> str:
    return f"recording is longer than the {limit:.0f} s limit ({seconds:.0f} s); raise max_audio_seconds to check it"


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)


def check_readable(path: Path) -> None:
    if not path.exists():
        raise VmcheckError("no such file", str(path))
    if path.is_dir():
        raise VmcheckError("is a directory, not an audio file", str(path))
    try:
        with path.open("rb") as handle:
            if not handle.read(1):
                raise VmcheckError("file is empty", str(path))
    except PermissionError:
        raise VmcheckError("permission denied", str(path)) from None
    except OSError as error:
        raise VmcheckError(f"cannot read file ({error.strerror})", str(path)) from None
