"""One message's outcome, as every reporter reads it: its transcript, facts, findings and score, or why it could not be checked."""

from __future__ import annotations

from dataclasses import dataclass, field

from vmcheck.facts import FactsDict
from vmcheck.findings.checks import Finding
from vmcheck.score.scoring import Score
from vmcheck.transcript import Transcript


@dataclass
class FileResult:
    path: str
    ok: bool
    error: str | None = None
    transcript: Transcript | None = None
    facts: FactsDict | None = None
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

    def checked(self) -> tuple[Score, FactsDict, Transcript]:
        """The score, facts and transcript of a message that was checked (``ok``): it always has all three."""
        if self.score is None or self.facts is None or self.transcript is None:
            raise ValueError(f"{self.path}: not checked ({self.error})")
        return self.score, self.facts, self.transcript
