"""Property tests (issue "Robust text handling").

1. Whatever text comes in, the fact extractors, the rule engine and scoring do not raise, and what they
   return is JSON (no NaN) within its own contract.
2. Every valid North American and UK number, spoken in any of the shapes Whisper writes, comes back from
   ``find_numbers`` exactly once with the digits as said; said twice, it is one number said twice.

tests/test_numbers.py holds the example table and the US-only shape properties; these extend them to
Canada and the UK, country codes, spelled digits with "oh", "double" and "triple", and Whisper's split words.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from vmcheck.audio import AudioStats
from vmcheck.facts import FACT_SCHEMA, Expectations, extract, nlp
from vmcheck.facts.numbers import find_numbers
from vmcheck.findings import ruleset as rules
from vmcheck.findings.checks.base import CATEGORIES, LEVELS
from vmcheck.score import scoring
from vmcheck.transcript import Transcript, Word
from vmcheck.transcript.textmode import from_text

nlp.load()  # once per module: spaCy takes a second to load
RULES = rules.load()
RULE_IDS = {r.id for r in RULES.rules}
AUDIO_RULES = {r.id for r in RULES.rules if "audio" in r.needs}

ROBUST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NUMBERS = settings(max_examples=300, deadline=None)


# --- 1. nothing raises ---------------------------------------------------------------------------

ODD_CHARACTERS = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u2060",  # zero-width
    "\u202e",
    "\u202d",
    "\u200f",
    "\u061c",  # bidi controls
    "\u0301",
    "\u0308",
    "\u20dd",  # combining marks
    "\U0001f600",
    "\U0001f44d\U0001f3fd",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f1ec\U0001f1e7",  # emoji
    "\u00a0",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0b",
    "\x0c",
    "\r",
    "\t",
    "\x00",
    "\x1b",
    "\x7f",  # spaces and controls
    "\u2019",
    "\u2018",
    "\u201c",
    "\u2026",
    "\u2013",
    "\u2014",
    "\u2212",
    "\u00b7",  # typographic punctuation
    "\u0130",
    "\ufb03",
    "\u00df",
    "\u0149",
    "\u1e9e",  # change length or shape when lowercased
    "\u00b2",
    "\u00bd",
    "\u2167",
    "\u2460",
    "\u0663",
    "\uff13",
    "\u0967",
    "\U0001d7d1",  # digits of other kinds
    "\u05e9\u05dc\u05d5\u05dd",
    "\u0645\u0631\u062d\u0628\u0627",
    "\u4f60\u597d",
    "\u0928\u092e\u0938\u094d\u0924\u0947",
]
VOICEMAIL_WORDS = (
    "hi hey hello this is it's i'm my name's name from with at over on behalf of calling here again that's thanks "
    "thank you bye take care Sarah John Miller Dr. Mr. Jr. St. Acme Insurance the HR team your Emily's mom "
    "call me back please could you text let know reach get give a ring confirm stop by press 1 "
    "by before friday tomorrow today end of day 5 pm 3:30 between 2 and 4 asap whenever you get chance no rush "
    "uh um er hmm like so you know basically i mean kind of sort of maybe i think probably just wanted to "
    "extension ext x204 double triple treble oh o zero one two three four five six seven eight nine ten eleven "
    "twenty fifty hundred plus + 1- 1 00 011 44 +44 +1 $500 50% 2024 @ / "
    "regarding about following up checking in touching base"
).split()
PUNCTUATION = list(".,;:!?-()'\"/[]{}*&#") + ["...", "--", "?!", ".,", "- -", "''"]
SEPARATORS = ["-", ".", " ", ", ", ". ", "/", ")", "(", " - ", "\u2013", "\u00a0", ":", "", "+", "x"]


@st.composite
def separated_digits(draw) -> str:
    """Digits in groups with any separator between them: "312-555-0147", "3. 1. 2", "(0)20 7946"..."""
    groups = draw(st.lists(st.from_regex(r"[0-9]{1,5}", fullmatch=True), min_size=1, max_size=8))
    out = groups[0]
    for group in groups[1:]:
        out += draw(st.sampled_from(SEPARATORS)) + group
    return draw(st.sampled_from(["", "+", "(", "1-", "00"])) + out + draw(st.sampled_from(["", ".", ",", "?", ")"]))


TOKENS = st.one_of(
    st.sampled_from(VOICEMAIL_WORDS),
    st.sampled_from(ODD_CHARACTERS),
    st.sampled_from(PUNCTUATION),
    separated_digits(),
    st.text(max_size=12),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=16),
    st.text(alphabet=st.characters(categories=["P", "S", "Z", "Cc", "Cf", "Co", "Cn"]), min_size=1, max_size=8),
    st.text(alphabet=st.characters(categories=["M"]), min_size=1, max_size=4).map(lambda marks: "a" + marks),
    st.integers(50, 3000).map(lambda n: "x" * n),  # a very long word
)
GLUE = st.sampled_from([" ", " ", " ", "", "\n", ", ", ". ", "\t", "\u00a0", "\u200b"])


@st.composite
def messy_texts(draw) -> str:
    """Voicemail words, numbers, fillers and odd Unicode in any mixture, joined by any whitespace or none."""
    tokens = draw(st.lists(TOKENS, max_size=50))
    return "".join(token + draw(GLUE) for token in tokens)


TEXTS = st.one_of(
    st.text(),
    st.text(max_size=400),
    messy_texts(),
    st.text(alphabet=st.characters(categories=["P"]), max_size=80),  # only punctuation
    st.text(alphabet="0123456789", max_size=80),  # only digits
    st.text(alphabet="0123456789 -.,()+", max_size=80),  # digits with separators
)
EXPECTATIONS = st.builds(
    Expectations,
    name=st.none() | st.sampled_from(["Sarah Lindgren", "John Miller", "", " ", "!!"]) | st.text(max_size=30),
    number=st.none() | st.sampled_from(["312-555-0147", "+44 20 7946 0958", "", "n/a", "\uff13\uff11\uff12"]) | st.text(max_size=20),
    region=st.sampled_from(["US", "CA", "GB", "AU", "ZZ"]),
)


def check_everything(transcript: Transcript, expected: Expectations = Expectations(), audio: AudioStats | None = None):
    """The pipeline after transcription, as ``pipeline.judge`` runs it, with the contract of each stage checked."""
    facts = extract(transcript, audio, expected).to_dict()
    assert set(facts) == set(FACT_SCHEMA)
    encoded = json.dumps(facts, allow_nan=False)
    assert json.loads(encoded) == facts
    assert 0 <= facts["word_count"] <= len(transcript.words)
    assert facts["filler_count"] == len(facts["fillers"]) and facts["ask_count"] == len(facts["asks"])
    assert facts["ask"] is None or 0.0 <= facts["ask"]["position"] <= 1.0, facts["ask"]
    identity = facts["expected"]
    assert identity["name_recovered"] is not True or identity["name_heard"], identity
    for number in facts["callback_numbers"]:
        assert re.fullmatch(r"[0-9]+", number["digits"]), number
        assert number["times_said"] == len(number["mentions"]) >= 1
        assert number["e164"] is None or re.fullmatch(r"\+[0-9]+", number["e164"]), number
        assert number["extension"] is None or re.fullmatch(r"[0-9]+", number["extension"]), number
    findings, skipped = RULES.run(facts, transcript.words)
    assert {f.rule for f in findings} <= RULE_IDS
    assert all(f.level in LEVELS and f.category in CATEGORIES for f in findings)
    assert set(skipped) == (AUDIO_RULES if facts["mode"] == "text" else set())
    json.dumps([f.to_dict() for f in findings], allow_nan=False)
    result = scoring.score(findings, RULES, skipped)
    assert 0 <= result.score <= 100
    json.dumps(result.to_dict(), allow_nan=False)
    return facts


@ROBUST
@given(text=TEXTS, wpm=st.sampled_from([60.0, 150.0, 400.0]), expected=EXPECTATIONS)
def test_any_text_goes_through_the_whole_pipeline(text, wpm, expected):
    check_everything(from_text(text, wpm), expected)


WORD_TEXT = st.one_of(
    st.sampled_from(VOICEMAIL_WORDS).map(lambda w: " " + w),
    st.sampled_from(VOICEMAIL_WORDS + ODD_CHARACTERS + PUNCTUATION),  # glued to the word before, as Whisper does
    separated_digits().map(lambda d: " " + d),
    st.sampled_from(["", " ", "  ", "\n"]),  # empty and blank words
    st.text(max_size=10),
)
TIMES = st.one_of(st.floats(-1.0, 120.0, allow_nan=False), st.sampled_from([0.0, 1.0, 1e-9, 1e6]))
DURATIONS = st.one_of(st.just(0.0), st.floats(-2.0, 3.0, allow_nan=False), st.sampled_from([1e-12, 5.0]))
PROBABILITIES = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))


@st.composite
def odd_words(draw) -> list[Word]:
    """Words with any timing Whisper might give (but never NaN, which it does not emit): zero and negative
    durations, overlaps, equal starts, times out of order, far apart; probabilities 0 and 1."""
    words = []
    clock = draw(TIMES)
    for _ in range(draw(st.integers(0, 40))):
        how = draw(st.sampled_from(["next", "same start", "overlap", "anywhere", "gap"]))
        if how == "anywhere":
            clock = draw(TIMES)
        elif how == "overlap":
            clock -= draw(st.floats(0.0, 2.0))
        elif how == "gap":
            clock += draw(st.floats(0.0, 30.0))
        start = clock
        end = start + draw(DURATIONS)
        words.append(Word(draw(WORD_TEXT), start, end, draw(PROBABILITIES)))
        if how != "same start":
            clock = max(start, end)
    return words


AUDIO_STATS = st.none() | st.builds(
    AudioStats,
    duration=st.floats(0.0, 600.0),
    leading_silence=st.floats(0.0, 60.0),
    trailing_silence=st.floats(0.0, 60.0),
    peak_dbfs=st.floats(-120.0, 0.0),
    clipped_fraction=st.floats(0.0, 1.0),
    speech_rms_dbfs=st.floats(-120.0, 0.0),
    active_seconds=st.floats(0.0, 600.0),
)


@ROBUST
@given(
    words=odd_words(),
    estimated=st.booleans(),
    duration=st.none() | st.floats(0.0, 200.0) | st.sampled_from([0.0, 5e-324, 1e-300]),
    audio=AUDIO_STATS,
    expected=EXPECTATIONS,
)
@example(  # an ask at 1 s in a message said to last next to no time was at position inf, which is no JSON
    words=[Word(" call", 1.0, 1.0, 0.0), Word(" me", 1.0, 1.0, 0.0)],
    estimated=False,
    duration=5e-324,
    audio=None,
    expected=Expectations(),
)
@example(  # the number parser adds digits not said: one probability per digit all the same (was an IndexError)
    words=[Word(" 0+67200-000", 0.0, 0.0, 0.0)],
    estimated=False,
    duration=None,
    audio=None,
    expected=Expectations(),
)
def test_any_words_with_any_timing_go_through_the_whole_pipeline(words, estimated, duration, audio, expected):
    if duration is None:
        duration = max((w.end for w in words), default=0.0)
    transcript = Transcript("".join(w.text for w in words), tuple(words), duration=duration, estimated=estimated)
    facts = check_everything(transcript, expected, None if estimated else audio)
    assert facts["mode"] == ("text" if estimated else "audio")


@ROBUST
@given(
    before=messy_texts(),
    number=st.sampled_from(
        [
            "312-555-0147",
            "(416) 555-0123",
            "+44 20 7946 0958",
            "1-800-555-0199",
            "020 7946 0958",
            "five five five, oh one four seven",
            "double oh seven",
            "3, 1, 2, 5, 5, 5, 0, 1, 4, 7",
        ]
    )
    | separated_digits(),
    filler=st.lists(st.sampled_from(["uh", "um,", "like,", "you know", "er", "hmm.", "so,", "I mean,"]), max_size=4),
    after=messy_texts(),
    region=st.sampled_from(["US", "CA", "GB"]),
)
def test_text_with_numbers_and_fillers_goes_through_the_whole_pipeline(before, number, filler, after, region):
    text = f"{before} {' '.join(filler)} call me at {number} {' '.join(reversed(filler))} {after}"
    check_everything(from_text(text), Expectations("Sarah", number, region))


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "x" * 1_000_000,  # as long as a text file may be, as one word (spaCy's own limit is a million characters)
        "1 " * 3000,  # a long run of digits is carved in linear time
        "5" * 5000,
        "-" * 5000,
        "\u200b" * 1000,
        "um, " * 1000,
    ],
    ids=["empty", "blank", "one huge word", "many digits", "one long number", "dashes", "zero-width", "fillers"],
)
def test_extremes(text):
    check_everything(from_text(text))


def test_other_scripts_digits_are_read_as_digits():
    """Full-width or Arabic-Indic digits (pasted scripts) give the same number, with ASCII digits, as 0-9."""
    text = "call \uff13\uff11\uff12-\uff15\uff15\uff15-\uff10\uff11\uff14\uff17, or \u0663\u0661\u0662 555 0147"
    [number] = find_numbers(from_text(text).words)
    assert (number.digits, number.valid, number.times_said) == ("3125550147", True, 2)
    facts = extract(from_text(text), None, Expectations(number="\uff13\uff11\uff12 555 0147")).to_dict()
    assert facts["expected"]["number_recovered"] is True


def test_punctuation_only_words_do_not_shift_phrases():
    """Whisper's stand-alone "-" or "..." words must not move a hedge or filler onto the wrong word."""
    words = [Word(" I", 0.0, 0.2), Word(" -", 0.2, 0.3), Word(" think", 0.3, 0.6), Word(" ...", 0.6, 0.7),
             Word(" what", 0.7, 0.9), Word(" maybe", 0.9, 1.2)]  # fmt: skip
    facts = extract(Transcript("", tuple(words), duration=1.2), None).to_dict()
    assert [(h["text"], h["start"]) for h in facts["hedges"]] == [("i think", 0.0)]  # "what maybe" is no hedge


# --- 2. every valid number in every shape comes back -----------------------------------------------

SPOKEN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _nanp_area_codes(region: str) -> list[str]:
    exchanges = ("234", "555", "820", "963", "410")
    return [
        str(area)
        for area in range(200, 1000)
        if any(phonenumbers.is_valid_number_for_region(phonenumbers.parse(f"{area}{e}0123", region), region) for e in exchanges)
    ]


def _gb_prefixes() -> list[tuple[str, int]]:
    """Three-digit starts of UK national significant numbers, with a length, that hold some valid number."""
    samples = ("2345678", "9460958", "5550123")
    return [
        (str(prefix), length)
        for prefix in range(100, 900)
        if str(prefix)[0] in "12378"
        for length in (9, 10)
        if any(phonenumbers.is_valid_number_for_region(phonenumbers.parse("0" + str(prefix) + s[: length - 3], "GB"), "GB") for s in samples)
    ]


AREA_CODES = {"US": _nanp_area_codes("US"), "CA": _nanp_area_codes("CA")}
GB_PREFIXES = _gb_prefixes()


def _groups(formatted: str) -> list[str]:
    return re.findall(r"\d+", formatted)


@st.composite
def valid_numbers(draw) -> tuple[str, phonenumbers.PhoneNumber]:
    """A random valid number of the US, Canada or the UK, and its country."""
    country = draw(st.sampled_from(["US", "CA", "GB"]))
    if country == "GB":
        prefix, length = draw(st.sampled_from(GB_PREFIXES))
        national = "0" + prefix + draw(st.from_regex(rf"[0-9]{{{length - 3}}}", fullmatch=True))
    else:
        area = draw(st.sampled_from(AREA_CODES[country]))
        national = area + draw(st.from_regex(r"[2-9][0-9]{6}", fullmatch=True))
    number = phonenumbers.parse(national, country)
    assume(phonenumbers.is_valid_number_for_region(number, country))
    return country, number


@st.composite
def said_numbers(draw):
    """(groups, country code said, written prefix, region, expected digits) for a valid number as a caller says it.

    NANP: national ("312 555 0147", region US or CA), "1-" before it, or "+1" (any region).
    UK: national with its trunk 0 ("020 7946 0958", region GB), or "+44" (any region).
    Either from abroad with the international prefix ("011 44 20 7946 0958" from the US, "00 1 312..." from the UK).
    """
    country, number = draw(valid_numbers())
    national_groups = _groups(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    international_groups = _groups(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))[1:]
    code = str(number.country_code)
    if country == "GB":
        form = draw(st.sampled_from(["national", "plus", "abroad"]))
    else:
        form = draw(st.sampled_from(["national", "one", "plus", "abroad"]))
    if form == "national":
        groups, prefix = national_groups, None
        region = "GB" if country == "GB" else draw(st.sampled_from(["US", "CA"]))
        expected = "".join(groups)
    elif form == "one":
        groups, prefix = national_groups, "1"
        region = draw(st.sampled_from(["US", "CA"]))
        expected = "1" + "".join(groups)
    elif form == "plus":
        groups, prefix = international_groups, "+" + code
        region = draw(st.sampled_from(["US", "CA", "GB"]))
        expected = code + "".join(groups)
    else:
        region = draw(st.sampled_from(["US", "CA"])) if country == "GB" else "GB"
        groups, prefix = ["011" if region in ("US", "CA") else "00", code, *international_groups], None
        expected = code + "".join(international_groups)
    return groups, prefix, region, expected


def _spell(digits: str, zero: str) -> str:
    return " ".join(zero if d == "0" else SPOKEN[int(d)] for d in digits)


def _repeats(digits: str, zero: str) -> str:
    """ "double five", "triple oh", "double five double five": how British callers say repeated digits."""
    out = []
    for run in re.finditer(r"(\d)\1*", digits):
        d, n = run.group(1), len(run.group(0))
        word = zero if d == "0" else SPOKEN[int(d)]
        while n:
            take = 3 if n == 3 or n > 4 else min(n, 2)
            out.append(word if take == 1 else f"{'double' if take == 2 else 'triple'} {word}")
            n -= take
    return " ".join(out)


def _written_prefix(prefix: str | None, glue: str) -> str:
    return "" if prefix is None else prefix + glue


def _spoken_prefix(prefix: str | None, zero: str, glue: str, speak=_spell) -> str:
    """ "plus four four", "plus double four", "one": the country code as said."""
    if prefix is None:
        return ""
    plus = "plus " if prefix.startswith("+") else ""
    return plus + speak(prefix.lstrip("+"), zero) + glue


# Each shape: (groups, prefix, zero word) -> the number as Whisper writes it.
SHAPES = {
    "dashes": lambda g, p, z: _written_prefix(p, "-") + "-".join(g),
    "dots": lambda g, p, z: _written_prefix(p, ".") + ".".join(g),
    "spaces": lambda g, p, z: _written_prefix(p, " ") + " ".join(g),
    "parentheses": lambda g, p, z: _written_prefix(p, " ") + f"({g[0]}) " + "-".join(g[1:]),
    "parentheses spaced": lambda g, p, z: _written_prefix(p, " ") + f"({g[0]}) " + " ".join(g[1:]),
    "one run": lambda g, p, z: _written_prefix(p, " " if p and p.startswith("+") else "-") + "".join(g),
    "glued run": lambda g, p, z: (p or "") + "".join(g),
    "whisper split": lambda g, p, z: _written_prefix(p, " ") + "- ".join(g),
    "stopped groups": lambda g, p, z: _written_prefix(p, " ") + ". ".join(g),
    "comma digits": lambda g, p, z: _digit_list(g, p, ", "),
    "period digits": lambda g, p, z: _digit_list(g, p, ". "),
    "spaced digits": lambda g, p, z: _digit_list(g, p, " "),
    "spelled": lambda g, p, z: _spoken_prefix(p, z, ", ") + ", ".join(_spell(x, z) for x in g),
    "spelled run": lambda g, p, z: _spoken_prefix(p, z, " ") + " ".join(_spell(x, z) for x in g),
    "spelled stops": lambda g, p, z: _spoken_prefix(p, z, ". ") + ". ".join(_spell(x, z) for x in g),
    "repeats": lambda g, p, z: _spoken_prefix(p, z, ", ", _repeats) + ", ".join(_repeats(x, z) for x in g),
    "repeats run": lambda g, p, z: _spoken_prefix(p, z, " ", _repeats) + " ".join(_repeats(x, z) for x in g),
    "mixed": lambda g, p, z: _written_prefix(p, " ") + " ".join(x if i % 2 else _spell(x, z) for i, x in enumerate(g)),
}


def _digit_list(groups: list[str], prefix: str | None, sep: str) -> str:
    """ "3, 1, 2, 5, ..." or "4. 0. 4. ...": every digit its own word; "+44" stays "plus 4, 4"."""
    digits = sep.join("".join(groups))
    if prefix is None:
        return digits
    lead = ("plus " if prefix.startswith("+") else "") + sep.join(prefix.lstrip("+"))
    return lead + sep + digits


INTROS = [
    "Hi, it's Sam from Acme. You can reach me at {number}, thanks.",
    "Hello Sarah, this is Priya Shah with Northwind. Please call me back on {number}. Thanks, bye.",
    "Hey, um, it's Tom. My number is {number}. Talk soon.",
    "{number}. That's my cell. Cheers.",
    "Give me a ring on {number}",
    "It's Sam about order 4471. Call me back before 5 pm on {number}, thanks.",
]
TWICE = [
    "Hi, it's Sam from Acme. You can reach me at {number}. Again, that's {number}. Thanks.",
    "Please call me back at {number}, {number}. Bye.",
    "My number is {number}. {number}. Thanks.",
    "It's Tom on {number}, once more {number}, talk soon.",
]


def whisper_words(text: str, wpm: float, split: bool, pause: float = 0.0) -> list[Word]:
    """Timed words as from text mode; with ``split``, Whisper-style pieces: " 555-", "867-", "5309." share one slot;
    ``pause`` is extra silence after each comma and full stop, as from a caller who takes their time."""
    words, shift = [], 0.0
    for word in from_text(text, wpm).words:
        words.append(replace(word, start=word.start + shift, end=word.end + shift))
        shift += pause if word.text.endswith((",", ".")) else 0.0
    if not split:
        return words
    out = []
    for word in words:
        pieces = re.findall(r"[^-.]+[-.]*|[-.]+", word.text.strip()) or [word.text.strip()]
        step = (word.end - word.start) / len(pieces)
        for k, piece in enumerate(pieces):
            out.append(Word((" " if k == 0 else "") + piece, word.start + k * step, word.start + (k + 1) * step))
    return out


@NUMBERS
@given(
    said=said_numbers(),
    shape=st.sampled_from(sorted(SHAPES)),
    zero=st.sampled_from(["zero", "oh", "Oh", "o"]),
    template=st.sampled_from(INTROS),
    wpm=st.sampled_from([110.0, 150.0, 190.0]),
    split=st.booleans(),
    pause=st.sampled_from([0.0, 0.0, 1.2]),
)
@example(  # "0113 000" is a possible UK number, and used to end the number at the stop after it
    said=(["0113", "000", "0000"], None, "GB", "01130000000"),
    shape="stopped groups",
    zero="oh",
    template=INTROS[0],
    wpm=150.0,
    split=False,
    pause=0.0,
)
@example(  # ... or, said slowly digit by digit, the possible "+44 113 0000" did
    said=(["113", "000", "0000"], "+44", "US", "441130000000"),
    shape="comma digits",
    zero="oh",
    template=INTROS[0],
    wpm=110.0,
    split=False,
    pause=1.2,
)
@example(  # ... or, a second between every digit, the valid 0800 000000 took the last 0 for another number
    said=(["0800", "000", "0000"], None, "GB", "08000000000"),
    shape="comma digits",
    zero="zero",
    template=INTROS[0],
    wpm=110.0,
    split=False,
    pause=1.2,
)
def test_every_valid_number_in_every_shape_round_trips(said, shape, zero, template, wpm, split, pause):
    groups, prefix, region, expected = said
    text = template.format(number=SHAPES[shape](groups, prefix, zero))
    numbers = find_numbers(whisper_words(text, wpm, split, pause), region)
    assert [(n.digits, n.valid, n.times_said) for n in numbers] == [(expected, True, 1)], text


@NUMBERS
@given(
    said=said_numbers(),
    shape=st.sampled_from(sorted(SHAPES)),
    zero=st.sampled_from(["zero", "oh", "Oh", "o"]),
    template=st.sampled_from(TWICE),
    wpm=st.sampled_from([110.0, 150.0, 190.0]),
    split=st.booleans(),
    pause=st.sampled_from([0.0, 0.0, 1.2]),
)
@example(  # "1 201 200 000" is a possible US number, not the one said
    said=(["201", "200", "0000"], "1", "US", "12012000000"),
    shape="comma digits",
    zero="zero",
    template=TWICE[0],
    wpm=110.0,
    split=False,
    pause=1.2,
)
@example(  # found by the lowest-versions run: read as Costa Rica's +506 2000 0005 (a bare country code) and a stray tail
    said=(["506", "200", "0000"], None, "US", "5062000000"),
    shape="comma digits",
    zero="zero",
    template=TWICE[1],
    wpm=110.0,
    split=False,
    pause=1.2,
)
def test_every_valid_number_said_twice_is_one_number_said_twice(said, shape, zero, template, wpm, split, pause):
    groups, prefix, region, expected = said
    text = template.format(number=SHAPES[shape](groups, prefix, zero))
    numbers = find_numbers(whisper_words(text, wpm, split, pause), region)
    assert [(n.digits, n.valid, n.times_said) for n in numbers] == [(expected, True, 2)], text


def test_generators_cover_all_three_countries():
    assert len(AREA_CODES["US"]) > 300 and len(AREA_CODES["CA"]) > 30 and len(GB_PREFIXES) > 100
    assert _repeats("0058555", "oh") == "double oh five eight triple five"
    assert _repeats("5555", "zero") == "double five double five"
    assert _repeats("77777", "zero") == "triple seven double seven"
    assert SHAPES["period digits"](["404"], None, "oh") == "4. 0. 4"
    assert SHAPES["spelled"](["20", "7946"], "+44", "oh") == "plus four four, two oh, seven nine four six"
    assert SHAPES["repeats"](["20", "7946"], "+44", "oh") == "plus double four, two oh, seven nine four six"
    assert SHAPES["dashes"](["312", "555", "0147"], "1", "oh") == "1-312-555-0147"
