"""Run the examples a rule file carries: each ``trigger`` must fire the rule, each ``pass`` must not.

An example is a script (text mode) or a mapping that adds what text alone
cannot give: a speaking ``rate``, a word ``probability``, ``audio`` levels,
the expected ``caller`` and ``number``, a pause (``pause_after``), or words
added to the vocabularies (``vocab: {team_names: [...]}``). Rules
that need audio are run as if the text had been recorded.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from vmcheck.audio import AudioStats
from vmcheck.errors import VmcheckError
from vmcheck.facts import Expectations, FactsDict, extract
from vmcheck.facts.vocab import Vocabularies
from vmcheck.findings.checks import Rule
from vmcheck.findings.ruleset import RuleSet
from vmcheck.transcript import Word, textmode

EXAMPLE_KEYS = {"text", "rate", "probability", "audio", "caller", "number", "pause_after", "vocab"}


@dataclass(frozen=True)
class ExampleResult:
    rule: str
    kind: str
    text: str
    fired: bool

    @property
    def ok(self) -> bool:
        return self.fired == (self.kind == "trigger")


def run_examples(rule: Rule, ruleset: RuleSet) -> list[ExampleResult]:
    results = []
    for kind in ("trigger", "pass"):
        for example in rule.examples.get(kind, []):
            example = {"text": example} if isinstance(example, str) else example
            if not isinstance(example, dict) or set(example) - EXAMPLE_KEYS or "text" not in example:
                raise VmcheckError(f"rule {rule.id}: an example must be a string or a mapping with keys {sorted(EXAMPLE_KEYS)}")
            vocab = ruleset.vocab.extended(example["vocab"], f"rule {rule.id}") if "vocab" in example else ruleset.vocab
            facts, words = _facts(example, "audio" in rule.needs, vocab)
            findings, _ = RuleSet([rule], ruleset.policy, vocab=vocab).run(facts, words)
            results.append(ExampleResult(rule.id, kind, example["text"], bool(findings)))
    return results


def _facts(example: dict, needs_audio: bool, vocab: Vocabularies) -> tuple[FactsDict, tuple[Word, ...]]:
    transcript = textmode.from_text(example["text"], float(example.get("rate", textmode.DEFAULT_WPM)), float(example.get("probability", 1.0)))
    if "pause_after" in example:
        after, seconds = int(example["pause_after"]["word"]), float(example["pause_after"]["seconds"])
        words = tuple(
            w if i <= after else dataclasses.replace(w, start=w.start + seconds, end=w.end + seconds) for i, w in enumerate(transcript.words)
        )
        transcript = dataclasses.replace(transcript, words=words, duration=transcript.duration + seconds)
    audio = None
    if needs_audio or "audio" in example:
        transcript = dataclasses.replace(transcript, estimated=False)
        defaults = dict(
            duration=transcript.duration,
            leading_silence=0.3,
            trailing_silence=0.3,
            peak_dbfs=-3.0,
            clipped_fraction=0.0,
            speech_rms_dbfs=-20.0,
            active_seconds=transcript.duration,
        )
        audio = AudioStats(**{**defaults, **example.get("audio", {})})
    expected = Expectations(name=example.get("caller"), number=example.get("number"))
    return extract(transcript, audio, expected, vocab=vocab).to_dict(), transcript.words
