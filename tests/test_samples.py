"""Every sample voicemail, real audio through the whole pipeline, gets a verdict that matches its intent."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES, heard
from vmcheck.run import pipeline
from vmcheck.run.config import Settings

FLAWS = {
    "no_name.mp3": {"Core.NameMissing"},
    "no_number.ogg": {"Core.NumberMissing"},
    "number_once_fast.flac": {"Core.NumberOnce", "Core.NumberTooFast"},
    "rambling.m4a": {"Core.FillerHeavy", "Core.TooLong"},
    "no_ask.mp3": {"Core.NoAsk", "Core.WeakAsk"},
    "long.mp3": {"Core.WayTooLong"},
    "bad_tone.ogg": {"Core.Profanity", "Core.Sarcasm", "Core.BadMouthing"},
}


@pytest.fixture(scope="module")
def results(engine, ruleset):
    settings = Settings()
    names = ["excellent.wav", "telephone.wav", *FLAWS]
    return {name: pipeline.judge(str(SAMPLES / name), *heard(SAMPLES / name, engine), ruleset, settings) for name in names}


@pytest.mark.parametrize("name", ["excellent.wav", "telephone.wav"])
def test_model_messages_score_100_with_no_findings(results, name):
    result = results[name]
    assert result.score.score == 100 and result.score.passed, [(f.rule, f.message) for f in result.findings]
    assert result.findings == []


def test_excellent_sample_facts(results):
    facts = results["excellent.wav"].facts
    assert facts["caller_name"] == "John Miller" and facts["company"] == "Acme Insurance"
    assert facts["caller"]["repeated_at_end"]
    [number] = facts["callback_numbers"]
    assert number["digits"] == "3125550147" and number["times_said"] == 2 and number["formatted"] == "(312) 555-0147"
    assert facts["ask"]["has_deadline"]


def test_telephone_quality_sample_still_comes_through(results):
    [number] = results["telephone.wav"].facts["callback_numbers"]
    assert number["digits"] == "5125550191" and number["times_said"] == 2


@pytest.mark.parametrize("name", sorted(FLAWS))
def test_each_flawed_sample_fails_for_its_flaw(results, name):
    result = results[name]
    fired = {f.rule for f in result.findings}
    assert FLAWS[name] <= fired, (name, fired)
    assert not result.score.passed and result.score.grade not in ("A", "B"), (name, result.score)


def test_rambling_sample_fails_its_rambling_category(results):
    assert not results["rambling.m4a"].score.categories["rambling"].passed


@pytest.mark.parametrize("name", ["excellent.ref.txt", "telephone.ref.txt"])
def test_model_message_scripts_score_100_with_no_findings(ruleset, name):
    result = pipeline.check_text(str(SAMPLES / name), ruleset, Settings())
    assert result.score.score == 100 and result.findings == [], [(f.rule, f.message) for f in result.findings]
