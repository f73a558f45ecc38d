"""Compliance packs: off by default, switched on by name, each rule's own examples, the allowlist rule type, and a
compliant and a non-compliant message for each pack, as text and as audio."""

from __future__ import annotations

import pytest

from tests.data.make_voicemails import render
from vmcheck.errors import VmcheckError
from vmcheck.findings import ruleset as rules
from vmcheck.findings.ruletest import run_examples
from vmcheck.run import pipeline
from vmcheck.run.config import Settings
from vmcheck.transcript.textmode import from_text

PACKS = ["TCPA", "RegF", "HIPAA"]
EVERY = rules.load(packs=PACKS)
PACK_RULES = [r for r in EVERY.rules if r.id.split(".")[0] in PACKS]

# pack: (compliant, non-compliant, a rule the non-compliant one must fire); {...} digits are said by a recorded voice.
MESSAGES = {
    "TCPA": (
        "Hi, this is Blue River Insurance with an offer on home insurance. Call {800 555 0199} to learn more, or to opt out of future calls.",
        "Hi there, we have a great offer on home insurance this month. Call {800 555 0199} to learn more.",
        "TCPA.OptOut",
    ),
    "RegF": (
        "Hi, this is Robin Smith from Blue River Services. Please call me back at {312 555 0147}. Thank you.",
        "Hi, this is Robin Smith from Blue River Services. This is about the debt you owe. Please call me back at {312 555 0147}.",
        "RegF.LimitedContent",
    ),
    "HIPAA": (
        "Hi, this is Dana from Lakeside Family Practice, calling to confirm your appointment on Tuesday."
        " Please call us at {312 555 0147}. Thank you.",
        "Hi, this is Dana from Lakeside Family Practice. Your test results came back positive. Please call us at {312 555 0147}.",
        "HIPAA.HealthInformation",
    ),
}


def _text(script: str) -> str:
    return script.replace("{", "").replace("}", "").replace(" 555 ", "-555-").replace("800 ", "800-").replace("312 ", "312-")


def _pack_findings(result, pack: str) -> list[str]:
    return [f.rule for f in result.findings if f.rule.startswith(pack + ".")]


@pytest.mark.parametrize("rule", PACK_RULES, ids=lambda r: r.id)
def test_pack_rule_examples(rule):
    results = run_examples(rule, EVERY)
    assert any(r.kind == "trigger" for r in results) and any(r.kind == "pass" for r in results), rule.id
    for result in results:
        assert result.ok, f"{rule.id} {result.kind}: {result.text}"
    assert rule.source and rule.link and rule.category == "compliance"


def test_packs_are_off_until_switched_on():
    default = rules.load()
    assert not [r for r in default.rules if r.id.split(".")[0] in PACKS]
    assert set(default.packs_off) == set(PACKS)
    tcpa = rules.load(packs=["tcpa"], overrides={"RegF.LimitedContent": "off", "TCPA.OptOut": "warning"})
    assert {r.id.split(".")[0] for r in tcpa.rules} == {"Core", "TCPA"} and tcpa.get("TCPA.OptOut").level == "warning"
    with pytest.raises(VmcheckError, match="no built-in pack named Nope"):
        rules.load(packs=["Nope"])


@pytest.mark.parametrize("pack", PACKS)
def test_each_pack_passes_a_compliant_message_and_fails_one_that_is_not(pack):
    good, bad, rule = MESSAGES[pack]
    ruleset = rules.load(packs=[pack])
    passed = pipeline.judge("good.txt", from_text(_text(good)), None, ruleset, Settings())
    failed = pipeline.judge("bad.txt", from_text(_text(bad)), None, ruleset, Settings())
    assert _pack_findings(passed, pack) == [] and passed.score.categories["compliance"].passed
    assert rule in _pack_findings(failed, pack) and not failed.score.passed


def _allowlist(tmp_path, body: str):
    folder = tmp_path / "Course"
    folder.mkdir(exist_ok=True)
    head = 'extends: allowlist\nmessage: "Not allowed: {content}"\ndescription: d\nsuggestion: s\nlevel: warning\ncategory: compliance\n'
    (folder / "Only.yml").write_text(head + body)
    return rules.load([folder])


def test_allowlist_reports_each_stretch_not_allowed_with_its_time(tmp_path):
    loaded = _allowlist(
        tmp_path,
        "allow:\n  hello: {tokens: [hello]}\n  who: {entities: [PERSON], facts: [caller]}\n"
        "  number: {facts: [callback_numbers], tokens: [call]}\n"
        "ignore: {match: [[{POS: {IN: [DET, PRON, AUX, ADP, PUNCT]}}]]}\ndeny: {tokens: [Smith]}\n",
    )
    transcript = from_text("Hello, this is Robin Smith. Call me at 312-555-0147. The weather is nice.")
    result = pipeline.judge("x", transcript, None, loaded, Settings())
    found = [(f.message, f.start) for f in result.findings if f.rule == "Course.Only"]
    words = transcript.words
    assert found == [("Not allowed: Smith", words[4].start), ("Not allowed: weather is nice", words[10].start)]


@pytest.mark.parametrize(
    "body, error",
    [
        ("allow: []\n", "allow must be a mapping"),
        ("allow:\n  x: {colour: red}\n", "allow.x must be a mapping of"),
        ("allow:\n  x: {entities: [PEOPLE]}\n", "unknown entity label PEOPLE"),
        ("allow:\n  x: {facts: [speed]}\n", "unknown fact: speed"),
        ("allow:\n  x: {tokens: [hi]}\ndeny: {facts: [caller]}\n", "deny must be a mapping of"),
    ],
)
def test_bad_allowlists_are_errors_naming_the_file(tmp_path, body, error):
    with pytest.raises(VmcheckError, match="Only.yml") as caught:
        _allowlist(tmp_path, body)
    assert error in str(caught.value)


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    cases = [
        {"id": f"{pack}-{kind}", "voice": "flite:slt", "rate_hz": 16000, "human_digits": True, "script": script}
        for pack, (good, bad, _) in MESSAGES.items()
        for kind, script in (("good", good), ("bad", bad))
    ]
    return {case["id"]: path for path, case in render(tmp_path_factory.mktemp("compliance"), cases=cases)}


@pytest.mark.parametrize("pack", PACKS)
def test_each_pack_on_recorded_messages(pack, recordings, engine):
    ruleset = rules.load(packs=[pack])
    passed = pipeline.check_audio(str(recordings[f"{pack}-good"]), engine, ruleset, Settings())
    failed = pipeline.check_audio(str(recordings[f"{pack}-bad"]), engine, ruleset, Settings())
    assert _pack_findings(passed, pack) == [], passed.transcript.text
    assert MESSAGES[pack][2] in _pack_findings(failed, pack), failed.transcript.text
