"""One message from start to finish: audio, transcript, facts, findings, score.

Read top to bottom like whisper's transcribe: each step is one call into its
own module, with settings resolved once before the first file.
"""

from __future__ import annotations

import sys
from functools import partial

from vmcheck import audio
from vmcheck.audio import AudioStats
from vmcheck.errors import VmcheckError
from vmcheck.facts import extract, nlp, privacy, spoken_numbers
from vmcheck.findings.ruleset import RuleSet
from vmcheck.report.result import FileResult
from vmcheck.run.config import Settings
from vmcheck.run.inputs import TEXT_SUFFIXES
from vmcheck.score import scoring
from vmcheck.transcript import Transcript, engines, textmode
from vmcheck.transcript.engines import Engine

MAX_TEXT_BYTES = 1_000_000


def is_text(path: str) -> bool:
    return path == "-" or path.lower().endswith(TEXT_SUFFIXES)


def read_text(path: str) -> str:
    """A script to lint: UTF-8 text, not binary, not huge, not empty."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_TEXT_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_TEXT_BYTES + 1)
    except FileNotFoundError:
        raise VmcheckError("no such file", path) from None
    except IsADirectoryError:
        raise VmcheckError("is a directory, not a transcript", path) from None
    except PermissionError:
        raise VmcheckError("permission denied", path) from None
    except OSError as error:
        raise VmcheckError(f"cannot read file ({error.strerror})", path) from None
    if len(raw) > MAX_TEXT_BYTES:
        raise VmcheckError(f"transcript is larger than {MAX_TEXT_BYTES // 1_000_000} MB; is this really a voicemail script?", path)
    if b"\x00" in raw:
        raise VmcheckError("binary data, not a text transcript", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise VmcheckError("not UTF-8 text", path) from None
    if not text.split():
        raise VmcheckError("the transcript is empty", path)
    return text


def judge(path: str, transcript: Transcript, audio: AudioStats | None, ruleset: RuleSet, settings: Settings) -> FileResult:
    """Facts, findings and score for a transcript, from audio or from text.

    Facts and findings are always read from the masked transcript, so none can quote a sensitive number;
    ``show_pii`` only puts the words as heard back into the result's transcript.
    """
    masked = privacy.redact(transcript, ruleset.vocab)
    doc = nlp.parse(masked.words)
    facts = extract(masked, audio, settings.expected, doc, ruleset.vocab).to_dict()
    findings, skipped = ruleset.run(facts, masked.words, doc)
    result_score = scoring.score(findings, ruleset, skipped, settings.threshold)
    shown = transcript if settings.show_pii else masked
    return FileResult(path, True, None, shown, facts, findings, skipped, result_score)


def check_text(path: str, ruleset: RuleSet, settings: Settings) -> FileResult:
    return judge(path, textmode.from_text(read_text(path), settings.text_wpm), None, ruleset, settings)


def check_audio(path: str, engine: Engine, ruleset: RuleSet, settings: Settings) -> FileResult:
    decoded = audio.decode(path, settings.max_audio_seconds)
    transcript = engines.transcribe(decoded, engine, partial(spoken_numbers.spans, vocab=ruleset.vocab))
    return judge(path, transcript, decoded.stats, ruleset, settings)
