"""Decoding every format a voicemail arrives in, made here with PyAV, and every way a file can be bad."""

from __future__ import annotations

import fractions
from pathlib import Path

import av
import numpy as np
import pytest

from tests.conftest import SAMPLES
from vmcheck.audio import SAMPLE_RATE, decode, measure
from vmcheck.errors import VmcheckError

FORMATS = [
    # (suffix, container format, codec, rate, layout)
    ("wav", "wav", "pcm_s16le", 44100, "stereo"),
    ("mulaw.wav", "wav", "pcm_mulaw", 8000, "mono"),
    ("alaw.wav", "wav", "pcm_alaw", 8000, "mono"),
    ("mp3", "mp3", "libmp3lame", 22050, "mono"),
    ("m4a", "mp4", "aac", 48000, "stereo"),
    ("ogg", "ogg", "libopus", 48000, "mono"),
    ("flac", "flac", "flac", 16000, "mono"),
    ("amr", "amr", "libopencore_amrnb", 8000, "mono"),  # committed: see AMR_TONE
    ("webm", "webm", "libopus", 48000, "stereo"),
]

# PyAV's wheels decode AMR-NB but, since PyAV 13, no longer encode it, so the AMR file is committed:
# tests/data/tone.amr is ``encode(path, "amr", "libopencore_amrnb", 8000, "mono")`` below, run once
# with PyAV 12.0.0 (whose wheel had the opencore encoder), 6.4 kB at 12.2 kbit/s.
AMR_TONE = Path(__file__).parent / "data" / "tone.amr"


def tone(seconds: float, rate: int, channels: int) -> np.ndarray:
    """A 440 Hz tone at half scale with a second of silence at each end."""
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.5 * np.sin(2 * np.pi * 440 * t)
    signal[:rate] = 0
    signal[-rate:] = 0
    return np.repeat(signal[None, :], channels, axis=0).astype(np.float32)


def encode(path, container_format, codec, rate, layout, seconds=4.0, signal=None):
    """Write ``signal`` (channels x samples at ``rate``; a test tone by default) with PyAV."""
    channels = 2 if layout == "stereo" else 1
    with av.open(str(path), "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        if codec == "libopencore_amrnb":
            stream.bit_rate = 12200  # how tests/data/tone.amr was made
        samples = tone(seconds, rate, channels) if signal is None else signal
        fmt = stream.codec_context.format.name
        frame_size = stream.codec_context.frame_size or 1024
        pts = 0
        for start in range(0, samples.shape[1], frame_size):
            chunk = samples[:, start : start + frame_size]
            frame = _frame(chunk, fmt, layout)
            frame.sample_rate = rate
            frame.pts = pts
            frame.time_base = fractions.Fraction(1, rate)
            pts += chunk.shape[1]
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _frame(chunk: np.ndarray, fmt: str, layout: str) -> av.AudioFrame:
    planar = fmt.endswith("p")
    base = fmt.rstrip("p")
    if base == "s16":
        data = (chunk * 32767).astype(np.int16)
    elif base == "s32":
        data = (chunk * 2147483647).astype(np.int32)
    else:
        data = chunk.astype(np.float32)
    if not planar:
        data = data.T.reshape(1, -1)
    return av.AudioFrame.from_ndarray(np.ascontiguousarray(data), format=fmt, layout=layout)


@pytest.mark.parametrize("suffix, container_format, codec, rate, layout", FORMATS, ids=[f[0] for f in FORMATS])
def test_decodes_every_format_to_16k_mono(tmp_path, suffix, container_format, codec, rate, layout):
    path = AMR_TONE if suffix == "amr" else encode(tmp_path / f"tone.{suffix}", container_format, codec, rate, layout)
    audio = decode(path)
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.sample_rate == SAMPLE_RATE
    assert audio.stats.duration == pytest.approx(4.0, abs=0.15)
    assert audio.stats.leading_silence == pytest.approx(1.0, abs=0.15)
    assert audio.stats.trailing_silence == pytest.approx(1.0, abs=0.25)
    assert -9.0 < audio.stats.peak_dbfs < -2.0  # 0.5 full scale is -6 dBFS; lossy codecs overshoot
    assert audio.stats.clipped_fraction == 0.0


def test_measures_clipping_and_quiet_speech():
    t = np.arange(SAMPLE_RATE * 2) / SAMPLE_RATE
    loud = np.clip(3 * np.sin(2 * np.pi * 300 * t), -1, 1).astype(np.float32)
    quiet = (0.02 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    assert measure(loud).clipped_fraction > 0.3
    assert measure(loud).peak_dbfs == pytest.approx(0.0, abs=0.01)
    assert measure(quiet).speech_rms_dbfs == pytest.approx(-37, abs=0.5)
    assert measure(np.zeros(SAMPLE_RATE, np.float32)).active_seconds == 0.0


def test_sample_levels_are_sane():
    audio = decode(SAMPLES / "excellent.wav")
    assert 20 < audio.stats.duration < 40
    assert audio.stats.leading_silence < 1.5
    assert -30 < audio.stats.speech_rms_dbfs < -10


def _video_only(path):
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), i * 40, np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _bad_files(tmp_path):
    good = (SAMPLES / "excellent.wav").read_bytes()
    mp3 = encode(tmp_path / "good.mp3", "mp3", "libmp3lame", 16000, "mono").read_bytes()
    files = {
        "missing": (tmp_path / "nope.wav", "no such file"),
        "directory": (tmp_path, "is a directory"),
        "empty": (tmp_path / "empty.wav", "file is empty"),
        "truncated wav": (tmp_path / "truncated.wav", "no decodable audio"),
        "truncated mp3": (tmp_path / "truncated.mp3", ""),
        "random bytes": (tmp_path / "noise.mp3", "not a readable audio file"),
        "text as wav": (tmp_path / "notes.wav", "not a readable audio file"),
        "video only": (tmp_path / "video.mp4", "no audio stream"),
    }
    files["empty"][0].write_bytes(b"")
    files["truncated wav"][0].write_bytes(good[:60])
    files["truncated mp3"][0].write_bytes(mp3[:300])
    files["random bytes"][0].write_bytes(np.random.default_rng(1).bytes(5000))
    files["text as wav"][0].write_text("Hi Sarah, this is a note, not a recording.\n" * 20)
    _video_only(files["video only"][0])
    return files


def test_every_bad_input_is_one_clear_error(tmp_path):
    for label, (path, reason) in _bad_files(tmp_path).items():
        with pytest.raises(VmcheckError) as caught:
            decode(path)
        message = str(caught.value)
        assert str(path) in message, label
        assert reason in message, (label, message)
        assert "\n" not in message, label


def test_refuses_recordings_over_the_limit(tmp_path):
    path = encode(tmp_path / "long.flac", "flac", "flac", 16000, "mono", seconds=12.0)
    with pytest.raises(VmcheckError, match="longer than the 5 s limit"):
        decode(path, max_seconds=5)
