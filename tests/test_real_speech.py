"""Real recorded speech through the real tiny.en engines: short utterances are kept, non-speech is still dropped.

The hallucination guard once emptied a caller saying just their name, because Whisper is
as unsure of a lone real word as of a word made up over a beep. These recordings are
installed, not generated: Debian's asterisk-core-sounds-en-wav (one professional voice
recorded at 8 kHz, CC-BY-SA 3.0) and the phone-style two-person conversation shipped in
the pyannote.audio wheel (MIT), which CI downloads into tests/.fixtures
(``VMCHECK_FIXTURES`` points elsewhere). Either missing fails the tests with how to get
it: a skipped test would hide the guard dropping real speech again.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, reseeded
from tests.test_audio import encode
from tests.test_bad_inputs import music
from tests.test_transcribe import _audio
from tests.wer import normalise, wer
from vmcheck.audio import SAMPLE_RATE, decode
from vmcheck.facts.spoken_numbers import spans as numbers_said
from vmcheck.transcript.engines import transcribe

ASTERISK = Path("/usr/share/asterisk/sounds/en")
PYANNOTE_VERSION = "4.0.7"
FIXTURES = Path(os.environ.get("VMCHECK_FIXTURES") or ROOT / "tests" / ".fixtures")
TELEPHONE_BAND = (300.0, 3400.0)
TURN_PAD_SECONDS = 0.15

# Across lengths, shortest first: the single words, digits, letters and spelling-alphabet
# names (0.4-1 s) that came out empty before, then phrases and sentences up to 20 s.
PROMPTS = [
    "letters/e.wav",
    "letters/a.wav",
    "digits/oh.wav",
    "is.wav",
    "digits/h-8.wav",
    "digits/8.wav",
    "digits/2.wav",
    "digits/6.wav",
    "digits/5.wav",
    "digits/3.wav",
    "digits/7.wav",
    "digits/hundred.wav",
    "hello.wav",
    "goodbye.wav",
    "cancelled.wav",
    "dictate/record.wav",
    "hours.wav",
    "enabled.wav",
    "phonetic/j_p.wav",
    "phonetic/r_p.wav",
    "phonetic/v_p.wav",
    "letters/zed.wav",
    "im-sorry.wav",
    "from-unknown-caller.wav",
    "vm-goodbye.wav",
    "conf-locked.wav",
    "cannot-complete-as-dialed.wav",
    "conf-onlyone.wav",
    "followme/status.wav",
    "conf-adminmenu.wav",
]
# What the file name says was said, for the word error rate of a few.
KNOWN = {
    "digits/5.wav": "five",
    "digits/3.wav": "three",
    "digits/7.wav": "seven",
    "hello.wav": "hello",
    "goodbye.wav": "goodbye",
    "im-sorry.wav": "I'm sorry",
    "from-unknown-caller.wav": "from an unknown caller",
    "conf-locked.wav": "this conference is locked",
    "phonetic/j_p.wav": "Juliet",
    "phonetic/r_p.wav": "Romeo",
    "phonetic/v_p.wav": "Victor",
}
MAX_KNOWN_WER = 0.5
CONVERSATION_WORDS = ("diane", "new jersey", "chicago", "texas")
MAX_CONVERSATION_WER = 0.3
# Asterisk's own recordings with no voice in them: beeps, two-tone chimes, recorded silence.
NON_SPEECH_PROMPTS = [
    "beep.wav",
    "beeperr.wav",
    "ascending-2tone.wav",
    "descending-2tone.wav",
    "confbridge-join.wav",
    "confbridge-leave.wav",
    "silence/1.wav",
    "silence/3.wav",
]


@pytest.fixture(scope="module")
def asterisk() -> Path:
    if not (ASTERISK / "hello.wav").is_file():
        pytest.fail(f"Asterisk's recorded prompts are missing from {ASTERISK}: apt-get install asterisk-core-sounds-en-wav")
    return ASTERISK


@pytest.fixture(scope="module")
def conversation(tmp_path_factory) -> tuple[Path, list[tuple[float, float, str]]]:
    """pyannote.audio's sample.wav (30 s, 16 kHz) and its turns, (start, end, text), from sample.stm."""
    wheels = sorted(FIXTURES.glob(f"pyannote_audio-{PYANNOTE_VERSION}-*.whl"))
    if not wheels:
        pytest.fail(
            f"no pyannote.audio {PYANNOTE_VERSION} wheel in {FIXTURES} (set VMCHECK_FIXTURES to look elsewhere): "
            f".venv/bin/pip download -q --no-deps pyannote.audio=={PYANNOTE_VERSION} -d tests/.fixtures"
        )
    folder = tmp_path_factory.mktemp("pyannote")
    with zipfile.ZipFile(wheels[0]) as wheel:
        (folder / "sample.wav").write_bytes(wheel.read("pyannote/audio/sample/sample.wav"))
        stm = wheel.read("pyannote/audio/sample/sample.stm").decode()
    turns = []
    for line in stm.splitlines():
        _session, _channel, _speaker, start, end, text = line.split(None, 5)
        turns.append((float(start), float(end), text))
    return folder / "sample.wav", turns


def phone_band(samples: np.ndarray) -> np.ndarray:
    """The 16 kHz signal with only what a phone line carries, 300-3400 Hz."""
    spectrum = np.fft.rfft(samples)
    frequencies = np.fft.rfftfreq(samples.size, 1 / SAMPLE_RATE)
    spectrum[(frequencies < TELEPHONE_BAND[0]) | (frequencies > TELEPHONE_BAND[1])] = 0
    return np.fft.irfft(spectrum, samples.size).astype(np.float32)


@pytest.fixture(scope="module")
def conversation_8k(conversation, tmp_path_factory) -> Path:
    """The conversation band-limited and stored as 8 kHz mu-law, like a voicemail system keeps it."""
    path = tmp_path_factory.mktemp("telephone") / "sample-8k.wav"
    samples = phone_band(decode(conversation[0]).samples)[None, ::2]
    return encode(path, "wav", "pcm_mulaw", SAMPLE_RATE // 2, "mono", signal=np.ascontiguousarray(samples))


@pytest.mark.parametrize("prompt", PROMPTS)
def test_short_real_utterances_are_kept(asterisk, prompt, seeded_engine):
    transcript = transcribe(decode(asterisk / prompt), seeded_engine, numbers_said)
    assert transcript.words and normalise(transcript.text), (prompt, transcript.text)
    if prompt in KNOWN:
        assert wer(KNOWN[prompt], transcript.text) <= MAX_KNOWN_WER, (prompt, transcript.text)


@pytest.mark.parametrize("rate", ["16k", "8k"])
def test_phone_conversation_is_transcribed(conversation, conversation_8k, any_engine, rate):
    path, turns = conversation
    transcript = transcribe(decode(path if rate == "16k" else conversation_8k), any_engine, numbers_said)
    text = normalise(transcript.text)
    assert all(words in text for words in CONVERSATION_WORDS), transcript.text
    assert wer(" ".join(t for _s, _e, t in turns), transcript.text) < MAX_CONVERSATION_WER, transcript.text


def test_every_turn_of_the_conversation_is_kept_over_a_phone_line(conversation, conversation_8k, seeded_engine):
    """Each turn on its own from the 8 kHz copy (0.5-4.5 s, two of them a lone "Hello?").

    Each turn's sampling starts from the seed, so a turn read only at a raised temperature ("Neither did I.",
    which faster-whisper reads as "I'm gonna leave the design." or, as a loop, "You're a f-n-n-n-...") is judged
    on its own draws, not on how many draws the turns before it took."""
    _path, turns = conversation
    samples = decode(conversation_8k).samples
    for start, end, text in turns:
        piece = samples[int((start - TURN_PAD_SECONDS) * SAMPLE_RATE) : int((end + TURN_PAD_SECONDS) * SAMPLE_RATE)]
        heard = transcribe(_audio(piece), reseeded(seeded_engine), numbers_said)
        assert heard.words, (start, text)


@pytest.mark.parametrize("prompt", NON_SPEECH_PROMPTS)
def test_recorded_tones_and_silence_stay_empty(asterisk, prompt, seeded_engine):
    transcript = transcribe(decode(asterisk / prompt), seeded_engine, numbers_said)
    assert transcript.text == "" and transcript.words == (), (prompt, transcript.text)


def _line_sounds() -> dict[str, np.ndarray]:
    """What else a phone line carries, at 16 kHz: call-progress tones (North American), keypad digits, noise, music."""
    t = np.arange(SAMPLE_RATE * 8) / SAMPLE_RATE
    rng = np.random.default_rng(3)

    def pair(low: float, high: float, seconds: np.ndarray = t) -> np.ndarray:
        return 0.2 * (np.sin(2 * np.pi * low * seconds) + np.sin(2 * np.pi * high * seconds))

    keys = [(697, 1209), (770, 1336), (852, 1477), (941, 1336), (697, 1477), (770, 1209), (852, 1209)]
    key = t[: SAMPLE_RATE // 10]
    return {
        "dial tone": pair(350, 440),
        "ringback": pair(440, 480) * ((t % 6) < 2),
        "busy": pair(480, 620) * ((t % 1) < 0.5),
        "keypad digits": np.concatenate([np.concatenate([pair(a, b, key), np.zeros(key.size)]) for a, b in keys]),
        "short noise": rng.standard_normal(SAMPLE_RATE * 5 // 2) * 0.05,
        "noise bursts": rng.standard_normal(t.size) * 0.1 * ((t % 1.5) < 0.3),
        "clicks": np.where(rng.random(t.size) < 0.0005, 0.8, 0.0) * rng.choice([-1, 1], t.size),
        "short tone": 0.5 * np.sin(2 * np.pi * 440 * t[: SAMPLE_RATE * 5 // 2]),
        "sweep": 0.3 * np.sin(2 * np.pi * (200 * t[: SAMPLE_RATE * 3] + 600 * t[: SAMPLE_RATE * 3] ** 2)),
        "short music": music(3),
        "music on hold": phone_band(music(8)),
    }


@pytest.mark.parametrize("label", list(_line_sounds()))
def test_line_sounds_stay_empty(label, seeded_engine):
    transcript = transcribe(_audio(_line_sounds()[label]), seeded_engine, numbers_said)
    assert transcript.text == "" and transcript.words == (), (label, transcript.text)
