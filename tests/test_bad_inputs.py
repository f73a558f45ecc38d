"""A corpus of broken and awkward inputs, generated here, run through the real CLI in one batch.

Each bad file must get one clear line naming it, the rest of the batch must be
unaffected, valid-but-odd files must get a correct result, and silence, noise
and music must give a "no speech" finding, never an invented message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, SAMPLES
from tests.test_audio import _video_only, encode
from vmcheck.audio import decode

RATE = 16000


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE, channels: int = 1) -> Path:
    data = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(data.tobytes())
    return path


def speech(seconds: float, offset: float = 0.5) -> np.ndarray:
    samples = decode(SAMPLES / "excellent.wav").samples
    start = int(offset * RATE)
    return samples[start : start + int(seconds * RATE)]


def music(seconds: float) -> np.ndarray:
    """Chords on a beat, with no voice."""
    t = np.arange(int(seconds * RATE)) / RATE
    chord = sum(np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0, 523.3)) / 4
    beat = (np.sin(2 * np.pi * 2 * t) > 0).astype(float) * 0.6 + 0.4
    return 0.4 * chord * beat


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """name -> (path, expected): expected is an error fragment, or 'ok' / 'no speech'."""
    root = tmp_path_factory.mktemp("corpus")
    folder = root / "inbox"
    folder.mkdir()
    rng = np.random.default_rng(7)
    wav_bytes = (SAMPLES / "excellent.wav").read_bytes()
    mp3 = encode(root / "source.mp3", "mp3", "libmp3lame", 16000, "mono", seconds=6).read_bytes()
    items = {}

    def add(name: str, expected: str, make) -> None:
        path = folder / name
        make(path)
        items[name] = (path, expected)

    add("zero.wav", "file is empty", lambda p: p.write_bytes(b""))
    add("truncated.wav", "no decodable audio", lambda p: p.write_bytes(wav_bytes[:200]))
    add("truncated.mp3", "ok", lambda p: p.write_bytes(mp3[: len(mp3) // 3]))  # frames before the cut still play
    add("random.wav", "not a readable audio file", lambda p: p.write_bytes(rng.bytes(20000)))
    add("letter.wav", "not a readable audio file", lambda p: p.write_text("Dear Sir, this is a letter.\n" * 40))
    add("video.webm", "no audio stream", lambda p: _video_only(p.with_suffix(".mp4")).rename(p))
    add("blip.wav", "ok", lambda p: write_wav(p, speech(0.2, offset=1.0)))
    add("silence.wav", "no speech", lambda p: write_wav(p, np.zeros(30 * RATE)))
    add("noise.wav", "no speech", lambda p: write_wav(p, rng.standard_normal(30 * RATE) * 0.05))
    add("music.wav", "no speech", lambda p: write_wav(p, music(30)))
    add("twenty-minutes.wav", "longer than the 600 s limit", lambda p: write_wav(p, np.tile(speech(10), 120)))
    add("stereo48k.wav", "ok", lambda p: _stereo_48k(p))
    add("mulaw8.wav", "ok", lambda p: encode(p, "wav", "pcm_mulaw", 8000, "mono", signal=speech(8)[None, ::2].copy()))
    add('Rep\'s "final" mesé 1.wav', "ok", lambda p: write_wav(p, speech(8)))
    add("empty.txt", "the transcript is empty", lambda p: p.write_text("  \n"))
    add("binary.txt", "binary data", lambda p: p.write_bytes(b"\x00\x01\x02" * 100))
    add("huge.txt", "larger than 1 MB", lambda p: p.write_text("word " * 2_000_000))
    add("french.txt", "ok", lambda p: p.write_text("Bonjour, c'est Marie de la banque. Rappelez-moi au 01 23 45 67 89. Merci."))
    loop = folder / "loop"
    loop.mkdir()
    (loop / "back").symlink_to(folder)
    return folder, items


def _stereo_48k(path: Path) -> None:
    mono = speech(8)
    upsampled = np.repeat(mono, 3)
    stereo = np.stack([upsampled, upsampled * 0.8], axis=1).reshape(-1)
    write_wav(path, stereo, rate=48000, channels=2)


@pytest.fixture(scope="module")
def batch_run(corpus):
    folder, _ = corpus
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "vmcheck", "check", str(folder), "--format", "json", "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )
    return result, {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}


def test_batch_exit_code_and_no_traceback(batch_run):
    result, files = batch_run
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "symlink loop" in result.stderr


@pytest.mark.parametrize(
    "name",
    [
        "zero.wav",
        "truncated.wav",
        "truncated.mp3",
        "random.wav",
        "letter.wav",
        "video.webm",
        "blip.wav",
        "silence.wav",
        "noise.wav",
        "music.wav",
        "twenty-minutes.wav",
        "stereo48k.wav",
        "mulaw8.wav",
        'Rep\'s "final" mesé 1.wav',
        "empty.txt",
        "binary.txt",
        "huge.txt",
        "french.txt",
    ],
)
def test_each_input_gets_the_right_outcome(corpus, batch_run, name):
    _, items = corpus
    result, files = batch_run
    path, expected = items[name]
    entry = files[name]
    if expected in ("ok", "no speech"):
        assert entry["ok"], entry["error"]
        assert entry["score"] is not None
        if expected == "no speech":
            assert entry["transcript"]["text"] == ""
            assert "Core.NoSpeech" in {f["rule"] for f in entry["findings"]}
        return
    assert not entry["ok"] and expected in entry["error"], entry["error"]
    lines = [line for line in result.stderr.splitlines() if str(path) in line]
    assert len(lines) == 1 and lines[0].startswith("vmcheck: error: "), result.stderr


def test_valid_odd_files_are_transcribed(batch_run):
    _, files = batch_run
    for name in ("stereo48k.wav", "mulaw8.wav", 'Rep\'s "final" mesé 1.wav'):
        assert "John Miller" in files[name]["transcript"]["text"], (name, files[name]["transcript"]["text"])


def test_limit_is_configurable(corpus, tmp_path):
    folder, items = corpus
    (tmp_path / "vmcheck.toml").write_text("max_audio_seconds = 5\n")
    path = items["stereo48k.wav"][0]
    result = subprocess.run(
        [sys.executable, "-m", "vmcheck", "check", str(path), "-q"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 2 and "longer than the 5 s limit" in result.stderr


def test_unreadable_file_as_an_ordinary_user(tmp_path):
    """Root reads everything, so the run gives up root's power to ignore file permissions."""
    locked = tmp_path / "locked.txt"
    locked.write_text("Hi, this is John. Call me at 312-555-0147.")
    locked.chmod(0o000)
    fine = tmp_path / "fine.txt"
    fine.write_text("Hi, this is John Miller from Acme. Please call me back at 312-555-0147 by Friday. Thanks.")
    cache = tmp_path / "cache"
    result = subprocess.run(
        [sys.executable, "-m", "vmcheck", "check", str(locked), str(fine), "-q", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        env={**os.environ, "VMCHECK_CACHE_DIR": str(cache)},
        preexec_fn=_drop_root_file_access,
    )
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert result.returncode == 2
    assert not files["locked.txt"]["ok"] and "permission denied" in files["locked.txt"]["error"]
    assert files["fine.txt"]["ok"]
    assert "Traceback" not in result.stderr


def _drop_root_file_access() -> None:
    """Drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set before exec (a no-op for other users)."""
    import ctypes

    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")
