"""Stage 1, audio: any voicemail file decoded to 16 kHz mono samples, and measured."""

from vmcheck.audio.decode import DEFAULT_MAX_SECONDS, check_readable, decode, too_long
from vmcheck.audio.sound import FRAME_SECONDS, MIN_ACTIVE_SECONDS, SAMPLE_RATE, Audio, AudioStats, AudioStatsDict, Sound, measure, sounding_frames

__all__ = [
    "DEFAULT_MAX_SECONDS",
    "FRAME_SECONDS",
    "MIN_ACTIVE_SECONDS",
    "SAMPLE_RATE",
    "Audio",
    "AudioStats",
    "AudioStatsDict",
    "Sound",
    "check_readable",
    "decode",
    "measure",
    "sounding_frames",
    "too_long",
]
