"""Callback numbers from timed Whisper words (vmcheck.facts.numbers, digits and consensus): every shape Whisper
writes, the numbers that are not for calling back, corrections, mentions heard differently and second listens."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import phonenumbers
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vmcheck.facts.identity import check_identity
from vmcheck.facts.numbers import CallbackNumber, find_numbers
from vmcheck.transcript import Word

STEP = 0.3


def words(text: str, step: float = STEP) -> list[Word]:
    """Whisper-style words: one per whitespace token, each ``step`` long, with a leading space.

    A token like ``<1.5>`` is not a word but 1.5 s of silence before the next one.
    """
    out, t = [], 0.0
    for token in text.split():
        pause = re.fullmatch(r"<(\d+(?:\.\d+)?)>", token)
        if pause:
            t += float(pause.group(1))
            continue
        out.append(Word(" " + token, t, t + step))
        t += step
    return out


def found(text: str, region: str = "US") -> list[tuple[str, str | None, bool, int]]:
    return [(n.digits, n.extension, n.valid, n.times_said) for n in find_numbers(words(text), region)]


# (digits, extension, valid, times_said). 555 is no real area code, so phonenumbers calls 555-867-5309 invalid.
JENNY = ("5558675309", None, False, 1)
CHICAGO = ("3125550147", None, True, 1)
ATLANTA = ("4045550112", None, True, 1)
TOLL_FREE = ("18005550199", None, True, 1)
LONDON = ("442079460958", None, True, 1)
MILWAUKEE = ("4145550174", None, True, 1)  # what a caller who corrects "...0147" to "...0174" left
NEW_CELL = ("9785550119", None, True, 1)

# One case a line, or two where it is long: kept as written.
# fmt: off
CASES = [
    # written shapes
    ("dashes", "call me at 555-867-5309", [JENNY]),
    ("parentheses", "call me at (555) 867-5309", [JENNY]),
    ("dots", "call me at 555.867.5309", [JENNY]),
    ("dot per digit", "call me at 5.5.5.867.5309", [JENNY]),
    ("plain", "call me at 5558675309", [JENNY]),
    ("spaced groups", "call me at 555 867 5309", [JENNY]),
    ("split by whisper", "it's 555- 867- 5309. Thanks", [JENNY]),
    ("dash split by whisper", "it's 555 867-5309.", [JENNY]),
    ("commas per digit", "call 5, 5, 5, 8, 6, 7, 5, 3, 0, 9. Thanks", [JENNY]),
    ("sentence dots per digit", "it is 4. 0. 4. 5. 5. 5. 0. 1. 1. 2. Bye", [ATLANTA]),
    ("grouped with stops", "it is 404. 555. 0112. Bye", [ATLANTA]),
    # spoken shapes
    ("spelled", "my cell is five five five, eight six seven, five three oh nine", [JENNY]),
    ("zero", "call four zero four five five five zero one one two", [ATLANTA]),
    ("o for zero", "call four o four five five five o one one two", [ATLANTA]),
    ("double", "call double five five eight six seven five three oh nine", [JENNY]),
    ("triple", "call triple two five five five one two one two", [("2225551212", None, False, 1)]),
    ("fifty three", "it's eight six seven fifty three oh nine", [("8675309", None, False, 1)]),
    ("fifty-three", "it's eight six seven fifty-three oh nine", [("8675309", None, False, 1)]),
    ("mixed digits and words", "it's 555 eight six seven 5309", [JENNY]),
    ("capitalised", "Five five five. Eight six seven. Five three oh nine.", [JENNY]),
    ("fillers", "five five five, uh, eight six seven, um, five three oh nine", [JENNY]),
    # toll free
    ("1-800", "call 1-800-555-0199 today", [TOLL_FREE]),
    ("1 800", "call 1 800 555 0199 today", [TOLL_FREE]),
    ("one eight hundred", "call one eight hundred five five five oh one nine nine", [TOLL_FREE]),
    ("vanity letters ignored", "call 1-800-FLOWERS today", []),
    # extensions
    ("extension", "call 1-800-555-0199 extension 204", [("18005550199", "204", True, 1)]),
    ("ext.", "call 312-555-0147 ext. 204 thanks", [("3125550147", "204", True, 1)]),
    ("x204", "call 312-555-0147 x204", [("3125550147", "204", True, 1)]),
    ("spelled extension", "my number is 312-555-0147 extension two oh four thanks", [("3125550147", "204", True, 1)]),
    ("extension with no number", "ask for extension 204", []),
    # international
    ("plus", "reach me at +44 20 7946 0958", [LONDON]),
    ("spoken plus", "plus four four, two oh, seven nine four six, oh nine five eight", [LONDON]),
    ("00 prefix", "reach me at 0044 20 7946 0958", [LONDON]),
    ("011 prefix", "reach me at 011 44 20 7946 0958", [LONDON]),
    ("bare country code", "reach me at 44 20 7946 0958", [LONDON]),
    # said more than once
    ("said twice in sentences", "Hi Sarah, this is John from Acme. My number is 312-555-0147. "
     "Again, that's 312-555-0147. Thanks.", [("3125550147", None, True, 2)]),
    ("twice in one dashed word", "call 4-0-4-5-5-5-0-1-1-2-4-0-4-5-5-5-0-1-1-2", [("4045550112", None, True, 2)]),
    ("twice with stops", "call 3125550147. 3125550147.", [("3125550147", None, True, 2)]),
    ("twice glued", "call 31255501473125550147", [("3125550147", None, True, 2)]),
    ("three times", "312-555-0147 312-555-0147 312-555-0147", [("3125550147", None, True, 3)]),
    ("twice after a pause", "5 5 5 8 6 7 5 3 0 9 <1.5> 5 5 5 8 6 7 5 3 0 9", [("5558675309", None, False, 2)]),
    ("local then full", "call 555-0147, that's 312-555-0147", [("3125550147", None, True, 2)]),
    ("with and without 1", "1-312-555-0147 or 312-555-0147", [("13125550147", None, True, 2)]),
    # several numbers
    ("two numbers", "cell 555-867-5309 or office 312-555-0147", [JENNY, CHICAGO]),
    ("two numbers, comma", "555-867-5309, 312-555-0147", [JENNY, CHICAGO]),
    ("two numbers back to back", "5558675309 3125550147", [JENNY, CHICAGO]),
    ("two numbers, pause", "555 867 5309 <1.5> 312 555 0147", [JENNY, CHICAGO]),
    # pauses and stray numbers around a number
    ("pauses between groups", "555 <1.5> 867 <1.5> 5309", [JENNY]),
    ("spelled pauses between groups", "five five five, <1.2> eight six seven <1.5> five three oh nine", [JENNY]),
    ("toll free with pauses", "1 <1.2> 800 <1.2> 555 <1.2> 0199", [TOLL_FREE]),
    ("stray number before", "at 10, 555-867-5309", [JENNY]),
    ("year before", "2024, 555 867 5309", [JENNY]),
    ("stray number after digits said one by one", "3 1 2 5 5 5 0 1 4 7. 10", [("3125550147", None, True, 1)]),
    ("time before", "at 3:30, 555-867-5309", [JENNY]),
    ("digit then pause", "I have 2 <2> 555 867 5309", [JENNY]),
    ("room then pause", "room 204 <1.2> 555 867 5309", [JENNY]),
    ("five. then number", "call me at five. 312 555 0147", [CHICAGO]),
    ("oh, then number", "Oh, 312 555 0147", [CHICAGO]),
    # short and broken numbers
    ("local number", "call 867-5309", [("8675309", None, False, 1)]),
    ("local then minutes", "555-1234. 10 minutes", [("5551234", None, False, 1)]),
    ("digit missing", "call 555 867 530 please", [("555867530", None, False, 1)]),
    # not phone numbers
    ("before 5", "call me before 5", []),
    ("time", "I'm free at 3:30 tomorrow", []),
    ("minutes", "give me 10 minutes", []),
    ("pm", "after 2 pm", []),
    ("money", "it costs $500", []),
    ("money with cents", "it costs $1,250.99 total", []),
    ("year", "the year 2024", []),
    ("order number", "order 12345 shipped", []),
    ("one or two", "one or two things", []),
    ("prose numbers", "one of the two weeks, three days", []),
    ("spelled year", "nineteen ninety nine", []),
    ("percent", "up 50% since 2019", []),
    ("oh in prose", "Oh, hi. Oh well", []),
    ("empty", "", []),
    # decoys: numbers nobody dials, each followed by the callback number they must not break
    ("policy number", "My policy number is 4417 2290 31. Call me at 312-555-0147.", [CHICAGO]),
    ("spelled policy number", "your policy number is four four one seven, two two nine oh, three one. Call 312-555-0147",
     [CHICAGO]),
    ("claim #", "regarding claim #2024-88317, call me at 312-555-0147", [CHICAGO]),
    ("claim glued to the number", "regarding claim number 2024-88317 312-555-0147", [CHICAGO]),
    ("order digit by digit", "your order number 7 7 3 4 1 2 9 0 shipped. My number is 312-555-0147.", [CHICAGO]),
    ("order then double five", "order 4471, call double five five, eight six seven, five three oh nine", [JENNY]),
    ("account ending in", "the account ending in 4417 2290 31, call me at 312-555-0147", [CHICAGO]),
    ("ticket", "ticket 4417229, my cell is 312-555-0147", [CHICAGO]),
    ("reference", "reference 88317425, 312-555-0147", [CHICAGO]),
    ("Ref.", "Ref. 77341290. Call 312-555-0147", [CHICAGO]),
    ("confirmation code", "your confirmation code is 7734 1290. My number is 3, 1, 2, 5, 5, 5, 0, 1, 4, 7.", [CHICAGO]),
    ("case number", "case number 20240088. Call me at five five five, eight six seven, five three oh nine", [JENNY]),
    ("named after the number", "77341290 is your confirmation number. Call 312-555-0147", [CHICAGO]),
    ("decoy then extension", "claim 20240088, call 1-800-555-0199 extension 204", [("18005550199", "204", True, 1)]),
    ("date", "your appointment on 12-15-2024, call 312-555-0147", [CHICAGO]),
    ("years", "between 2023, 2024 and 2025", []),
    ("amount", "a 1,250,000 dollar loan, call 312-555-0147", [CHICAGO]),
    ("dollars", "it comes to 1250000 dollars", []),
    ("zip code", "zip code 60601 1234, call 312-555-0147", [CHICAGO]),
    ("zip+4", "zip code 60601-1234", []),
    ("suite and house number", "we're at suite 400, 1200 West Madison, call 312-555-0147", [CHICAGO]),
    ("don't call the fax", "don't call 555-0100, that's the fax. My cell is 312-555-0147", [CHICAGO]),
    ("the fax after the number", "My cell is 312-555-0147. Please don't call 555-0100, that's the fax.", [CHICAGO]),
    ("fax named first", "my fax is 555-0100 and my cell is 312-555-0147", [CHICAGO]),
    ("is the fax", "555-0100 is the fax, call 312-555-0147", [CHICAGO]),
    ("old number disconnected", "my old number 978-555-0100 is disconnected, the new one is 978-555-0119", [NEW_CELL]),
    ("the old one is dead", "the new one is 978-555-0119, the old one, 978-555-0100, is dead", [NEW_CELL]),
    ("not that one", "call me at 312-555-0147, not 555-0100", [CHICAGO]),
    ("doesn't work", "call 312-555-0147. 555-0100 doesn't work anymore.", [CHICAGO]),
    # corrections replace what they correct
    ("sorry, last group", "call me at 414-555-0147, sorry, 0174", [MILWAUKEE]),
    ("sorry, I mean", "call me at 414-555-0147, sorry, I mean 414-555-0174", [MILWAUKEE]),
    ("no wait, that's", "call me at 414-555-0147. No, wait, that's 0174.", [MILWAUKEE]),
    ("scratch that", "call me at 414-555-0147, scratch that, 414-555-0174", [MILWAUKEE]),
    ("digit by digit correction", "call me at 4 1 4 5 5 5 0 1 4 7, sorry, 0 1 7 4", [MILWAUKEE]),
    ("spelled correction", "call me at 414-555-0147, sorry, I mean four one four five five five oh one seven four",
     [MILWAUKEE]),
    ("correction then said again", "call me at 414-555-0147, sorry, 0174, 414-555-0174. Thanks",
     [("4145550174", None, True, 2)]),
    ("correction of a number said twice", "4 0 4 5 5 5 0 1 1 2 4 0 4 5 5 5 0 1 1 2, sorry, 0 1 2 1",
     [("4045550121", None, True, 1)]),
    ("sorry before any number", "Sorry I missed you, my number is 312-555-0147.", [CHICAGO]),
    ("sorry between two mentions", "My number is 312-555-0147. Sorry for the trouble, again 312-555-0147",
     [("3125550147", None, True, 2)]),
    # two lines, even when their digits are close
    ("direct and toll-free", "my direct line is 312-555-0147, or our toll-free line, 1-800-555-0199",
     [CHICAGO, TOLL_FREE]),
    ("direct and toll-free, direct again",
     "my direct line is 312-555-0147, or our toll-free line, 1-800-555-0199. Again, direct 312-555-0147.",
     [("3125550147", None, True, 2), TOLL_FREE]),
    ("office and cell two digits apart", "my office number is 515-555-0147 and my cell is 515-555-0188",
     [("5155550147", None, True, 1), ("5155550188", None, True, 1)]),
    ("shop or cell two digits apart", "call me at the shop, 555-0120, or my cell 555-0181",
     [("5550120", None, False, 1), ("5550181", None, False, 1)]),
    # mentions heard a digit or two apart are one number (see test_misheard_mentions_are_reconciled)
    ("doubled digit", "3 1 2 5 5 5 0 1 4 7. Again, that's 3 1 2 5 5 5 5 0, 1, 4, 7.", [("3125550147", None, True, 2)]),
    ("two digits swapped", "312-555-0147. Again, 312-555-0174.", [("3125550147", None, True, 2)]),
    ("dropped digit", "312-555-0147. Again 312-555-047.", [("3125550147", None, True, 2)]),
    ("three mentions, one odd", "312-555-0147. Again 312-555-0147. Once more, 312-555-0174.",
     [("3125550147", None, True, 3)]),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_find_numbers(text, expected):
    assert found(text) == expected


def test_case_table_is_large():
    assert len(CASES) >= 40


def test_mentions_carry_times_text_and_pace():
    text = "Hi Sarah. My number is 312-555-0147. Again, five five five oh one four seven. Thanks."
    [number] = find_numbers(words(text))
    first, second = number.mentions
    assert (first.start, first.end, first.text, first.digits) == (1.5, 1.8, "312-555-0147.", "3125550147")
    assert first.digits_per_second == pytest.approx(10 / 0.3)
    assert second.text == "five five five oh one four seven."
    assert second.digits == "5550147"
    assert second.digits_per_second == pytest.approx(7 / 2.1)
    assert number.first_start == 1.5
    assert number.digits_per_second == first.digits_per_second
    assert number.fastest_digits_per_second == first.digits_per_second


def test_mention_without_duration_has_zero_pace():
    [number] = find_numbers([Word(" 312-555-0147", 4.0, 4.0)])
    assert number.digits_per_second == 0.0


def test_whisper_tokens_spanning_words():
    ws = [Word(" Call", 9.0, 9.1), Word(" 555-", 9.1, 9.6), Word("867-", 9.6, 9.9), Word("5309.", 9.9, 10.4)]
    [number] = find_numbers(ws)
    assert number.digits == "5558675309"
    assert (number.mentions[0].start, number.mentions[0].end) == (9.1, 10.4)
    assert number.mentions[0].text == "555-867-5309."


def test_ordered_by_first_start():
    numbers = find_numbers(words("office 312-555-0147, cell 555-867-5309, again office 312-555-0147"))
    assert [n.digits for n in numbers] == ["3125550147", "5558675309"]
    assert [n.first_start for n in numbers] == sorted(n.first_start for n in numbers)


def test_e164_and_validity_come_from_phonenumbers():
    jenny, chicago, local = (find_numbers(words(t))[0] for t in ("555-867-5309", "312-555-0147", "867-5309"))
    assert (jenny.e164, jenny.valid) == ("+15558675309", False)
    assert (chicago.e164, chicago.valid) == ("+13125550147", True)
    assert (local.e164, local.valid) == (None, False)


def test_region_decides_national_numbers():
    [number] = find_numbers(words("ring me on 020 7946 0958"), region="GB")
    assert (number.digits, number.e164, number.valid) == ("02079460958", "+442079460958", True)


def test_to_dict_is_json():
    [number] = find_numbers(words("call 1-800-555-0199 extension 204, again 1-800-555-0199"))
    data = json.loads(json.dumps(number.to_dict()))
    assert data["digits"] == "18005550199"
    assert data["extension"] == "204"
    assert data["e164"] == "+18005550199"
    assert data["valid"] is True
    assert data["times_said"] == 2
    assert data["first_start"] == 0.3
    assert data["digits_per_second"] == pytest.approx(11 / 0.3, abs=0.01)
    assert [m["start"] for m in data["mentions"]] == [0.3, 1.5]
    assert data["formatted"] == "(800) 555-0199" and data["unclear"] == [] and data["unclear_summary"] is None
    required = {"digits", "formatted", "extension", "e164", "valid", "times_said", "first_start", "digits_per_second",
                "mentions", "unclear", "unclear_summary"}  # fmt: skip
    assert set(data) >= required


def test_callback_number_is_frozen():
    [number] = find_numbers(words("312-555-0147"))
    assert isinstance(number, CallbackNumber)
    with pytest.raises(AttributeError):
        number.digits = "0"  # type: ignore[misc]


# --- mentions heard differently, and second listens --------------------------------

# (text, digits, times said, [(positions, consensus digits there, what each mention heard there)])
RECONCILED = [
    ("doubled digit", "My number is 3 1 2 5 5 5 0 1 4 7. Again, that's 3 1 2 5 5 5 5 0, 1, 4, 7.",
     "3125550147", 2, [((6,), "5", ["5", "55"])]),
    ("two digits swapped", "312-555-0147. Again, 312-555-0174.", "3125550147", 2, [((9, 10), "47", ["47", "74"])]),
    ("dropped digit", "312-555-0147. Again 312-555-047.", "3125550147", 2, [((7, 8), "01", ["01", "0"])]),
    ("three mentions, one odd", "312-555-0147. Again 312-555-0147. Once more, 312-555-0174.", "3125550147", 3,
     [((9, 10), "47", ["47", "47", "74"])]),
    ("the odd one first", "312-555-0174. Again 312-555-0147. Once more, 312-555-0147.", "3125550147", 3,
     [((9, 10), "47", ["74", "47", "47"])]),
    ("local and full, heard the same", "call 555-0147, that's 312-555-0147", "3125550147", 2, []),
    ("no mention has it all", "313-555-0147, again 312-555-0148, once more 312-555-0157", "3125550147", 3,
     [((3,), "2", ["3", "2", "2"]), ((9, 10), "47", ["47", "48", "57"])]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "digits", "times", "unclear"), [pytest.param(*c[1:], id=c[0]) for c in RECONCILED])
def test_misheard_mentions_are_reconciled(text, digits, times, unclear):
    [number] = find_numbers(words(text))
    assert (number.digits, number.times_said) == (digits, times)
    assert [(u.positions, u.digits, [h.digits for h in u.heard]) for u in number.unclear] == unclear
    for u in number.unclear:  # never a digit no mention heard
        assert u.digits in {h.digits for h in u.heard}
        assert number.digits[u.positions[0] - 1 : u.positions[-1]] == u.digits


def _sure(ws: list[Word], unsure: dict[str, float]) -> list[Word]:
    """``ws`` with the given probability on every word whose text is a key ("7": 0.3)."""
    return [replace(w, probability=unsure.get(w.text.strip(" ."), w.probability)) for w in ws]


def test_a_tie_goes_to_the_mention_whisper_was_surer_of():
    first, second = words("My number is 312-555-0174."), words("Again, 312-555-0147.")
    later = [replace(w, start=w.start + 10, end=w.end + 10) for w in second]
    [number] = find_numbers(_sure(first, {"312-555-0174": 0.4}) + _sure(later, {"312-555-0147": 0.95}))
    assert number.digits == "3125550147"
    assert [m.digits for m in number.mentions] == ["3125550174", "3125550147"]
    assert number.unclear[0].start == number.mentions[0].start  # the first mention is the one heard otherwise


def test_unclear_in_json_and_in_words():
    [number] = find_numbers(words("My number is 3 1 2 5 5 5 0 1 4 7. Again, that's 3 1 2 5 5 5 5 0, 1, 4, 7."))
    data = json.loads(json.dumps(number.to_dict()))
    assert data["unclear"] == [{
        "positions": [6], "digits": "5", "start": 4.5,
        "heard": [{"start": 0.9, "digits": "5", "second_listen": False},
                  {"start": 4.5, "digits": "55", "second_listen": False}],
    }]  # fmt: skip
    assert data["unclear_summary"] == "digit 6 was heard as 5 at 0:01 but as 55 at 0:04"
    assert [m["relistens"] for m in data["mentions"]] == [[], []]
    [clear] = find_numbers(words("312-555-0147, again 312-555-0147"))
    assert (clear.unclear, clear.to_dict()["unclear"], clear.unclear_summary) == ((), [], None)


ONCE = "Call me at 3 1 2 5 5 5 0 1 7 4. Thanks."  # the last two digits mumbled: Whisper doubts them


def _relisten(text: str, at: float, probability: float = 0.9) -> list[Word]:
    """A second decode of the audio from ``at`` seconds: its own words, with absolute times."""
    return [replace(w, start=w.start + at, end=w.end + at, probability=probability) for w in words(text)]


def test_a_relisten_settles_what_the_first_pass_doubted():
    first = _sure(words(ONCE), {"7": 0.3, "4": 0.3})
    assert find_numbers(first)[0].digits == "3125550174"
    [number] = find_numbers(first, relistens=[_relisten("3 1 2 5 5 5 0 1 4 7.", at=0.9)])
    assert (number.digits, number.times_said) == ("3125550147", 1)
    assert number.mentions[0].digits == "3125550174" and number.mentions[0].relistens == ("3125550147",)
    assert number.unclear == () and number.unclear_summary is None  # settled by the second listen
    assert number.heard == ("3125550174", "3125550147")


def test_a_mention_heard_otherwise_by_both_listens_is_unclear():
    first = _sure(words(ONCE), {"7": 0.3, "4": 0.3})
    again = [replace(w, start=w.start + 10, end=w.end + 10) for w in words("Again, 3 1 2 5 5 5 0 1 4 7.")]
    [number] = find_numbers(first + again, relistens=[_relisten("3 1 2 5 5 5 0 1 7 4.", at=0.9, probability=0.5)])
    assert number.digits == "3125550147"
    [unclear] = number.unclear
    assert unclear.positions == (9, 10) and unclear.start == number.mentions[0].start
    heard = [(round(h.start, 3), h.digits, h.second_listen) for h in unclear.heard]
    assert heard == [(0.9, "74", False), (0.9, "74", True), (round(number.mentions[1].start, 3), "47", False)]
    assert "(second listen)" in number.unclear_summary


def test_a_relisten_cannot_outvote_the_mentions_or_add_digits():
    text = "My number is 312-555-0147. Again, 312-555-0147."
    [number] = find_numbers(words(text), relistens=[_relisten("312-5555-0147", at=0.9, probability=1.0)])
    assert (number.digits, number.times_said) == ("3125550147", 2) and number.unclear == ()


@pytest.mark.parametrize(
    "relisten",
    [
        _relisten("Thanks.", at=0.9),  # hears no number
        _relisten("3 1 2 5 5 5 0 1 4 7.", at=30.0),  # overlaps no mention
        _relisten("5 5 5 8 6 7 5 3 0 9.", at=0.9),  # another number altogether
        [],
    ],
    ids=["no number", "elsewhere", "another number", "no words"],
)
def test_a_relisten_that_reads_nothing_of_a_mention_changes_nothing(relisten):
    first = _sure(words(ONCE), {"7": 0.3, "4": 0.3})
    assert find_numbers(first, relistens=[relisten]) == find_numbers(first)


def test_the_number_came_through_only_if_some_reading_heard_it_exactly():
    ws = words("313-555-0147, again 312-555-0148, once more 312-555-0157")
    [number] = find_numbers(ws)
    assert number.digits == "3125550147"  # what most mentions heard, digit by digit ...
    identity = check_identity(ws, [number], None, "312-555-0147")
    assert identity.number_recovered is False  # ... but nobody heard it whole
    assert identity.numbers_heard == ("3135550147", "3125550148", "3125550157")
    first = _sure(words(ONCE), {"7": 0.3, "4": 0.3})
    numbers = find_numbers(first, relistens=[_relisten("3 1 2 5 5 5 0 1 4 7.", at=0.9)])
    assert check_identity(first, numbers, None, "312-555-0147").number_recovered is True


@pytest.mark.parametrize(
    ("text", "region", "formatted"),
    [
        ("call 312-555-0147", "US", "(312) 555-0147"),
        ("call 1-800-555-0199", "US", "(800) 555-0199"),
        ("reach me at +44 20 7946 0958", "US", "+44 20 7946 0958"),
        ("ring me on 020 7946 0958", "GB", "020 7946 0958"),
        ("call 555-0182", "US", "555-0182"),
        ("call 555 867 530 please", "US", "555867530"),
    ],
)
def test_formatted_as_people_write_numbers(text, region, formatted):
    [number] = find_numbers(words(text), region)
    assert number.formatted == formatted == number.to_dict()["formatted"]


# --- property: any valid US number, in any shape, comes back exactly -------------------

SPOKEN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _groups(n: str) -> list[str]:
    return [n[:3], n[3:6], n[6:]]


def _spelled(group: str, zero: str) -> str:
    return " ".join(zero if d == "0" else SPOKEN[int(d)] for d in group)


def _with_doubles(group: str) -> str:
    out, i = [], 0
    while i < len(group):
        if i + 1 < len(group) and group[i] == group[i + 1]:
            out.append("double " + SPOKEN[int(group[i])])
            i += 2
        else:
            out.append(SPOKEN[int(group[i])])
            i += 1
    return " ".join(out)


SHAPES = {
    "dashes": lambda n: "-".join(_groups(n)),
    "parentheses": lambda n: "({}) {}-{}".format(*_groups(n)),
    "dots": lambda n: ".".join(_groups(n)),
    "plain": lambda n: n,
    "spaced": lambda n: " ".join(_groups(n)),
    "split words": lambda n: "{}- {}- {}".format(*_groups(n)),
    "digit commas": lambda n: ", ".join(n),
    "digit stops": lambda n: ". ".join(n),
    "spelled oh": lambda n: ", ".join(_spelled(g, "oh") for g in _groups(n)),
    "spelled zero": lambda n: " ".join(_spelled(g, "zero") for g in _groups(n)),
    "doubles": lambda n: ", ".join(_with_doubles(g) for g in _groups(n)),
    "paused groups": lambda n: " <1.4> ".join(_groups(n)),
    "plus one": lambda n: "+1 " + " ".join(_groups(n)),
    "one dash": lambda n: "1-" + "-".join(_groups(n)),
}


@st.composite
def us_numbers(draw) -> str:
    area = draw(st.integers(200, 999))
    exchange = draw(st.integers(200, 999))
    line = draw(st.integers(0, 9999))
    number = f"{area}{exchange}{line:04d}"
    assume(phonenumbers.is_valid_number(phonenumbers.parse(number, "US")))
    return number


UNTIMED = settings(deadline=None)
"""What is asserted is the reading, not its speed: a loaded machine once took 294 ms over the default 200 ms deadline."""


@UNTIMED
@given(
    number=us_numbers(),
    shape=st.sampled_from(sorted(SHAPES)),
    before=st.sampled_from(["", "Call me back at", "Hi, it's Sam from Acme. My number is", "at 10,"]),
    after=st.sampled_from(["", "Thanks!", "I'll be in until 5 pm.", "extension 12"]),
)
def test_any_valid_number_in_any_shape(number, shape, before, after):
    said = SHAPES[shape](number)
    expected = "1" + number if shape in ("plus one", "one dash") else number
    numbers = find_numbers(words(f"{before} {said}. {after}"))
    assert [n.digits for n in numbers] == [expected]
    assert numbers[0].e164 == "+1" + number
    assert numbers[0].valid
    assert numbers[0].extension == ("12" if after == "extension 12" else None)


@UNTIMED
@given(number=us_numbers(), shape=st.sampled_from(["dashes", "plain", "digit commas", "spelled oh"]))
def test_any_valid_number_said_twice(number, shape):
    said = SHAPES[shape](number)
    [callback] = find_numbers(words(f"My number is {said}, {said}. Thanks"))
    assert (callback.digits, callback.times_said) == (number, 2)


def test_a_second_listen_that_makes_the_number_valid_settles_a_first_pass_heard_wrong_twice():
    first = words("My number is 617-55-0-1 -82. Again, that's 617-55-0-1 -82. Thanks.")
    again = [first[3], first[7]]
    relistens = [_relisten("6 1 7 5 5 5 0 1 8 2", at=w.start) for w in again]
    assert find_numbers(first)[0].digits == "617550182"  # as heard: a broken number, not 617-5501
    [number] = find_numbers(first, relistens=relistens)
    assert (number.digits, number.valid, number.times_said) == ("6175550182", True, 2)
