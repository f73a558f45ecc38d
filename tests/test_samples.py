"""Every sample voicemail, real audio through the whole pipeline, gets a verdict that matches its intent."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES
from vmcheck import pipeline

FLAWS = {
    "no_name.mp3": {"Core.NameMissing"},
    "no_number.ogg": {"Core.NumberMissing"},
    "number_once_fast.flac": {"Core.NumberOnce", "Core.NumberTooFast"},
    "rambling.m4a": {"Core.TooManyFillers", "Core.TooLong"},
    "no_ask.mp3": {"Core.NoAsk", "Core.WeakAsk"},
    "long.mp3": {"Core.WayTooLong"},
    "bad_tone.ogg": {"Core.Profanity", "Core.Sarcasm", "Core.BadMouthing"},
}


@pytest.fixture(scope="module")
def results(engine, ruleset):
    settings = pipeline.Settings()
    names = ["excellent.wav", "telephone.wav", *FLAWS]
    return {name: pipeline.check_audio(str(SAMPLES / name), engine, ruleset, settings) for name in names}


def test_excellent_sample_gets_an_a(results):
    result = results["excellent.wav"]
    assert result.score.grade == "A" and result.score.passed, [f.rule for f in result.findings]
    assert result.facts["caller_name"] == "John Miller" and result.facts["company"] == "Acme Insurance"
    assert result.facts["callback_numbers"][0]["digits"] == "3125550147"
    assert result.facts["ask"]["has_deadline"]


def test_telephone_quality_sample_still_comes_through(results):
    result = results["telephone.wav"]
    assert result.score.passed
    assert result.facts["callback_numbers"][0]["digits"] == "5125550191"


@pytest.mark.parametrize("name", sorted(FLAWS))
def test_each_flawed_sample_is_flagged_for_its_flaw(results, name):
    fired = {f.rule for f in results[name].findings}
    assert FLAWS[name] <= fired, (name, fired)


def test_samples_with_an_error_fail(results):
    for name in ("no_name.mp3", "no_number.ogg", "no_ask.mp3", "long.mp3", "bad_tone.ogg"):
        assert not results[name].score.passed, name
        assert results[name].score.score <= 69, name
