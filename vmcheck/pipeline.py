"""One message from start to finish: audio, transcript, facts, findings, score.

Read top to bottom like whisper's transcribe: each step is one call into its
own module, with settings resolved once before the first file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vmcheck import privacy, scoring, textmode
from vmcheck.audio import AudioStats
from vmcheck.checks import Finding
from vmcheck.config import default_batch_size
from vmcheck.errors import VmcheckError
from vmcheck.facts import Expectations, extract
from vmcheck.ruleset import RuleSet
from vmcheck.scoring import Score
from vmcheck.transcript import Transcript

TEXT_SUFFIXES = (".txt",)
MAX_TEXT_BYTES = 1_000_000


@dataclass
class Settings:
    model: str = "tiny.en"
    engine: str = "whisper"
    expected: Expectations = field(default_factory=Expectations)
    text_wpm: float = textmode.DEFAULT_WPM
    threshold: float | None = None
    max_audio_seconds: float = 600.0
    batch_size: int | None = None
    show_pii: bool = False
    cluster: str | None = None
    cluster_shared_storage: bool = False
    cluster_workers: int | None = None

    @property
    def files_per_batch(self) -> int:
        """``batch_size``, or the engine's own default."""
        return self.batch_size or default_batch_size(self.engine)


@dataclass
class FileResult:
    path: str
    ok: bool
    error: str | None = None
    transcript: Transcript | None = None
    facts: dict | None = None
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    score: Score | None = None

    def to_dict(self) -> dict:
        data = {
            "path": self.path,
            "ok": self.ok,
            "error": self.error,
            "duration_s": self.facts["duration_s"] if self.facts else None,
            "transcript": self.transcript.to_dict() if self.transcript else None,
            "facts": self.facts,
        }
        if self.score:
            data.update(self.score.to_dict())
        else:
            data.update({"score": None, "grade": None, "passed": False, "categories": {}})
        data["findings"] = [f.to_dict() for f in self.findings]
        data["skipped_rules"] = self.skipped
        return data

    def checked(self) -> tuple[Score, dict, Transcript]:
        """The score, facts and transcript of a message that was checked (``ok``): it always has all three."""
        if self.score is None or self.facts is None or self.transcript is None:
            raise ValueError(f"{self.path}: not checked ({self.error})")
        return self.score, self.facts, self.transcript


def is_text(path: str) -> bool:
    return path == "-" or path.lower().endswith(TEXT_SUFFIXES)


def read_text(path: str) -> str:
    """A script to lint: UTF-8 text, not binary, not huge, not empty."""
    import sys

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
    from vmcheck.facts import nlp

    masked = privacy.redact(transcript, ruleset.vocab)
    doc = nlp.parse(masked.words)
    facts = extract(masked, audio, settings.expected, doc, ruleset.vocab).to_dict()
    findings, skipped = ruleset.run(facts, masked.words, doc)
    result_score = scoring.score(findings, ruleset, skipped, settings.threshold)
    shown = transcript if settings.show_pii else masked
    return FileResult(path, True, None, shown, facts, findings, skipped, result_score)


def check_text(path: str, ruleset: RuleSet, settings: Settings) -> FileResult:
    return judge(path, textmode.from_text(read_text(path), settings.text_wpm), None, ruleset, settings)


def check_audio(path: str, engine, ruleset: RuleSet, settings: Settings) -> FileResult:
    from vmcheck import audio, transcribe

    decoded = audio.decode(path, settings.max_audio_seconds)
    transcript = transcribe.transcribe(decoded, engine)
    return judge(path, transcript, decoded.stats, ruleset, settings)
