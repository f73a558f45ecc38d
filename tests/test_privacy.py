"""Sensitive numbers: read in every shape Whisper writes, masked once, and absent from every output and the cache."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from tests.data.make_voicemails import render
from vmcheck.cli.main import FORMATS, cli
from vmcheck.facts import privacy, sensitive
from vmcheck.facts.vocab import builtin
from vmcheck.findings import ruleset
from vmcheck.paths import transcripts_dir
from vmcheck.run import pipeline
from vmcheck.run.config import Settings
from vmcheck.transcript import Transcript
from vmcheck.transcript.textmode import from_text

RULES = ruleset.load()
CARD, SSN = "4111111111111111", "536904399"


@pytest.mark.parametrize(
    "text, kind, digits",
    [
        ("My card number is 4111 1111 1111 1111, thanks.", "card", CARD),
        ("It's 4111111111111111.", "card", CARD),
        ("My card is 4-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1.", "card", CARD),
        ("Card number four one one one, one one one one, one one one one, one one one one.", "card", CARD),
        ("The Visa is four two four two 4242 forty-two forty-two 4242.", "card", "4242424242424242"),
        ("My social is 536 90 4399.", "ssn", SSN),
        ("SSN 536-90-4399.", "ssn", SSN),
        ("It's 536-90-4399.", "ssn", SSN),
        ("The routing number is 011000015.", "bank", "011000015"),
        ("Our checking account is 12345678.", "bank", "12345678"),
    ],
)
def test_sensitive_numbers_in_the_shapes_whisper_writes(text, kind, digits):
    found = sensitive.find(from_text(text).words, builtin())
    assert [(s.kind, s.digits) for s in found] == [(kind, digits)]


@pytest.mark.parametrize(
    "text",
    [
        "Call me at 312-555-0147. Again 312-555-0147.",
        "Call me at 3 1 2 5 5 5 0 1 4 7 3 1 2 5 5 5 0 1 4 7.",
        "Your claim number is 536904399.",  # a valid SSN shape, but no cue and not said 3-2-4
        "Your tracking number is 4111 1111 1111 1112.",  # fails the Luhn check
        "The routing number is 011000016.",  # fails the ABA checksum
        "Your account number is 12345678.",  # not said to be a bank account
        "Use the card ending in 1111.",
    ],
)
def test_numbers_that_are_not_sensitive(text):
    assert sensitive.find(from_text(text).words, builtin()) == []


def test_masking_keeps_the_last_four_the_times_and_is_idempotent():
    transcript = from_text("Hi, this is John. My card is 4111 1111 1111 1111. Social 536-90-4399. Call 312-555-0147.")
    masked = privacy.redact(transcript, builtin())
    assert masked.text == "Hi, this is John. My card is •••• •••• •••• 1111. Social •••-••-4399. Call 312-555-0147."
    assert [(r.kind, r.masked) for r in masked.redactions] == [("card", "••••••••••••1111"), ("ssn", "•••••4399")]
    assert (masked.redactions[0].start, masked.redactions[0].end) == (transcript.words[7].start, transcript.words[10].end)
    assert privacy.redact(masked, builtin()) == masked


def test_findings_fire_on_a_masked_transcript_read_back_from_the_cache():
    transcript = from_text("Hi, this is John from Acme. My card is 4111 1111 1111 1111. Call me at 312-555-0147.")
    cached = Transcript.from_dict(privacy.redact(transcript, builtin()).to_dict())
    assert CARD[:12] not in str(cached.to_dict())
    for given in (transcript, cached):
        result = pipeline.judge("x", given, None, RULES, Settings())
        card = [f for f in result.findings if f.rule == "Core.PaymentCard"]
        assert card and card[0].start == pytest.approx(transcript.words[9].start, abs=1e-3) and "••••1111" in card[0].message
        assert not result.score.passed and not result.score.categories["compliance"].passed
        assert result.facts["callback_numbers"][0]["digits"] == "3125550147"  # the card digits are no callback number


def test_show_pii_shows_the_words_as_heard_but_facts_stay_masked():
    transcript = from_text("Hi, this is John. My card is 4111 1111 1111 1111.")
    result = pipeline.judge("x", transcript, None, RULES, Settings(show_pii=True))
    assert "4111 1111 1111 1111" in result.transcript.text
    assert CARD not in str(result.facts) and "4111" not in str(result.facts)


SCRIPT = (
    "Hi, this is John Miller from Blue River Insurance. My card number is {4111 1111 1111 1111}."
    " My social is {536 90 4399}. Please call me back at {312 555 0147}. Thank you."
)


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    case = {"id": "card-and-ssn", "voice": "flite:slt", "rate_hz": 16000, "human_digits": True, "script": SCRIPT}
    [(path, _)] = render(tmp_path_factory.mktemp("pii"), cases=[case])
    return path


SPOKEN = "zero one two three four five six seven eight nine".split()


def _raw(digits: str) -> re.Pattern:
    """The digits written or spelled, with anything but a digit between them: "4111 1111", "4-1-1-1", "Four, one, one"."""
    return re.compile(r"[\W_]{0,3}".join(f"(?:{d}|{SPOKEN[int(d)]})" for d in digits), re.IGNORECASE)


def test_no_card_or_ssn_digits_in_any_output_or_the_cache(recording, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    runner = CliRunner()
    outputs = {}
    for fmt in FORMATS:
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(cli, ["check", str(recording), "--format", fmt, "-o", str(out), "-q"])
        assert result.exit_code == 1, result.output  # the message fails: it holds a card number
        outputs[fmt] = out.read_text(encoding="utf-8")
    assert "Core.PaymentCard" in outputs["json"] and "Core.SocialSecurityNumber" in outputs["json"]
    transcript = runner.invoke(cli, ["transcribe", str(recording), "--format", "json"])
    outputs["transcribe"] = transcript.output
    entries = list(transcripts_dir().glob("*/*.json"))
    assert entries
    outputs.update({str(p): p.read_text(encoding="utf-8") for p in entries})
    for name, text in outputs.items():
        for digits in (CARD[:12], SSN[:5]):
            assert not _raw(digits).search(text), f"raw digits in {name}"


def test_show_pii_turns_masking_off_for_one_run_with_a_warning():
    script = "Hi, this is John from Acme. My card is 4111 1111 1111 1111. Call me at 312-555-0147."
    with pytest.warns(UserWarning, match="--show-pii"):
        shown = CliRunner().invoke(cli, ["check", "-", "--format", "json", "--show-pii"], input=script)
    masked = CliRunner().invoke(cli, ["check", "-", "--format", "json"], input=script)
    assert _raw(CARD[:12]).search(shown.output) and not _raw(CARD[:12]).search(masked.output)
