"""The call to action: asks, their kind and deadline, and weak closes, on text shaped like Whisper's."""

from __future__ import annotations

import pytest

from vmcheck.facts.ask import Ask, AskFacts, find_asks
from vmcheck.transcript import Word

STEP = 0.3


def words(text: str) -> list[Word]:
    """One Whisper-style word per space-separated token (leading space, punctuation attached), STEP seconds each."""
    return [Word(" " + token, start_of(i), end_of(i)) for i, token in enumerate(text.split())]


def start_of(i: int) -> float:
    return i * STEP


def end_of(i: int) -> float:
    return i * STEP + STEP - 0.05


# text, kind of the main ask (None: no ask), main ask has a deadline, weak close present, number of asks
CASES = [
    # callbacks, polite and plain
    ("Hi Sarah, this is John. Could you call me back before Friday at 5? My number is 312-555-0147.", "callback", True, False, 1),
    ("Hey it's me, call me back.", "callback", False, False, 1),
    ("hey its mike gimme a call when you get a chance", "callback", False, True, 1),
    ("give me a ring tomorrow morning if you can", "callback", True, False, 1),
    ("So, um, yeah, if you could give me a call back at 801-555-0198, that'd be great. Thanks.", "callback", False, False, 1),
    ("HI THIS IS A MESSAGE FOR JOHN SMITH PLEASE RETURN THIS CALL AT 1-800-555-0101 REFERENCE NUMBER 4432", "callback", False, False, 1),
    ("yeah so um wanna give me a call back? i'm around till like 6", "callback", False, False, 1),
    ("Why don't you give me a call this afternoon?", "callback", True, False, 1),
    ("Can someone call me at 6 0 8 5 5 5 0 1 7 7? Thanks.", "callback", False, False, 1),
    ("Can you ask your husband to call me back? Thanks.", "callback", False, False, 1),
    ("Give Sarah a call at 555-0145, she can help you with that.", "callback", False, False, 1),
    ("I'd appreciate a call back by tomorrow.", "callback", True, False, 1),
    ("Please call me back at 5. 5. 5. 0. 1. 4. 2.", "callback", False, False, 1),
    # the same request twice counts once; one reply on two channels is one request
    ("Hi Mr. Jones, please give me a call back. Again, please call me at 555-0192.", "callback", False, False, 1),
    ("Call or text me at 555-0123 by 3 o'clock today.", "callback", True, False, 1),
    ("Give me a call back and let me know what you think.", "callback", False, False, 1),
    # other kinds
    ("yo it's dre hit me back", "reply", False, False, 1),
    ("Please reply to my email by Wednesday with your availability.", "reply", True, False, 1),
    ("if you're interested shoot me a text", "text", False, False, 1),
    ("hey man it's chris you coming to the game tonight? lemme know", "confirm", False, False, 1),
    ("Please RSVP by the 15th.", "confirm", True, False, 1),
    ("This is an automated message from your bank. If you did not make this purchase, press 1. Otherwise press 2.", "press", False, False, 1),
    ("Can you check your email? I sent the contract over.", "email", False, False, 1),
    ("Your car is ready, come pick it up anytime before 6 tonight.", "visit", True, False, 1),
    ("I was wondering if you could send me the updated quote by end of week.", "other", True, False, 1),
    ("I need the signed lease back by the 28th. Sarah, 941-555-0152.", "other", True, False, 1),
    ("Please be sure to arrive 15 minutes early.", "other", False, False, 1),
    # several competing asks
    ("Call me back, and also email me the form, and text your manager.", "callback", False, False, 3),
    ("Hi, this is Meg. Could you send me the slides? And could you also call me back when you can? Thanks!", "callback", False, True, 2),
    # deadlines and what is not one
    ("Call me back. Today if possible.", "callback", True, False, 1),
    ("give us a call between 2 and 4 today", "callback", True, False, 1),
    ("Could you please call me back within the next hour?", "callback", True, False, 1),
    ("so call me back on my cell tonight", "callback", True, False, 1),
    ("Call me ASAP, it's urgent.", "callback", False, False, 1),
    ("Please give us a call at your earliest convenience.", "callback", False, False, 1),
    ("Please call our office at 555-0100, Monday through Friday between 9 and 5.", "callback", False, False, 1),
    ("we can do the install on Tuesday, call me to set it up", "callback", False, False, 1),
    ("hi I've got openings next week. Give me a call at 512.555.0160 to grab one of those.", "callback", False, False, 1),
    ("Please give us a call at 1-800-555-0172 to review your coverage before your policy renews on the 15th.", "callback", True, False, 1),
    # weak closes, with and without an ask
    ("whenever you get a chance, give me a call", "callback", False, True, 1),
    ("get back to me sometime", "reply", False, True, 1),
    ("No rush, get back to me sometime next week.", "reply", True, True, 1),
    ("Just following up on the email I sent last week. Just touching base. My number is 206-555-0164. Thanks.", None, False, True, 0),
    ("Just checking in to see how you're doing. Talk soon.", None, False, True, 0),
    # not asks: the caller acts, negations, permissions, information, pleasantries
    ("I'll call you back later.", None, False, False, 0),
    ("I called yesterday but nobody picked up. I sent you an email this morning.", None, False, False, 0),
    ("I'll try you again tomorrow.", None, False, False, 0),
    ("No need to call me back.", None, False, False, 0),
    ("please do not call this number back", None, False, False, 0),
    ("Thanks for calling us back so quickly.", None, False, False, 0),
    ("I called the office and they said you'd call me back. I'm still waiting.", None, False, False, 0),
    ("Feel free to give me a call at 555-0101 if you have any questions.", None, False, False, 0),
    ("if you have any questions please don't hesitate to call", None, False, False, 0),
    ("You can reach me at 555-0199.", None, False, False, 0),
    ("Hi, returning your call, 612-555-0104.", None, False, False, 0),
    ("Hi, I'm calling to confirm your cleaning appointment next Tuesday at 3 p.m.", None, False, False, 0),
    ("Your prescription is ready for pickup. We close at 6.", None, False, False, 0),
    ("Look, I heard you're thinking about it. Have a great day. Take care.", None, False, False, 0),
    ("Please note that our office will be closed Monday.", None, False, False, 0),
    ("I'll be in the office until 5 if you want to stop by.", None, False, False, 0),
    ("Call center hours are 8 to 5. Text messages are the best way to reach me.", None, False, False, 0),
    (
        "hey it's jen um so i talked to the landlord and he said he can come by on thursday to fix the sink so i'll let you know what time",
        None,
        False,
        False,
        0,
    ),
    ("Hi, this is Dr. Patel returning your call. Nothing urgent, we can talk at your next visit.", None, False, False, 0),
]


@pytest.mark.parametrize(("text", "kind", "has_deadline", "weak", "count"), CASES)
def test_cases(text, kind, has_deadline, weak, count):
    facts = find_asks(words(text))
    main = facts.main
    assert (main.kind if main else None) == kind, facts.to_dict()
    assert (main.has_deadline if main else False) == has_deadline, facts.to_dict()
    assert bool(facts.weak_closes) == weak, facts.to_dict()
    assert facts.count == count, facts.to_dict()
    assert facts.is_callback == (kind == "callback")


def test_ask_text_deadline_and_times_follow_the_words():
    text = "Hi Sarah, this is John. Could you call me back before Friday at 5? My number is 312-555-0147."
    ask = find_asks(words(text)).main
    assert ask.text == "Could you call me back before Friday at 5?"
    assert ask.deadline == "before Friday at 5"
    first = text.split().index("Could")
    assert (ask.start, ask.end) == pytest.approx((start_of(first), end_of(first + 8)))


def test_weak_close_times():
    text = "Hey Tom, it's Dave. Give me a call whenever you get a chance, 555-0182."
    close = find_asks(words(text)).weak_closes[0]
    first = text.split().index("whenever")
    assert close.text == "whenever you get a chance"
    assert (close.start, close.end) == pytest.approx((start_of(first), end_of(first + 4)))


def test_repeated_ask_keeps_the_most_specific_occurrence():
    text = "Call me back when you can. Again, please call me back by noon tomorrow at 555-0111. Thanks."
    facts = find_asks(words(text))
    assert facts.count == 1
    assert facts.main.deadline == "by noon tomorrow"
    assert facts.main.start == pytest.approx(start_of(text.split().index("Again,")))


def test_asks_are_in_time_order_and_main_prefers_the_callback():
    facts = find_asks(words("Please sign the form. Then check your email. And call me back at 555-0123."))
    assert [a.kind for a in facts.asks] == ["other", "email", "callback"]
    assert [a.start for a in facts.asks] == sorted(a.start for a in facts.asks)
    assert facts.main.kind == "callback"


def test_main_prefers_the_ask_with_a_deadline():
    facts = find_asks(words("Please restart your laptop before you leave today. If anything looks weird, just ping me."))
    assert [a.kind for a in facts.asks] == ["other", "reply"]
    assert facts.main.kind == "other" and facts.main.deadline == "before you leave today"
    assert not facts.is_callback


def test_long_unpunctuated_run_is_trimmed_around_the_ask():
    text = (
        "hi this is tom from acme roofing i was out at your place yesterday and i noticed a couple of shingles missing "
        "so um we can get that fixed this week if you want just give me a call back at 555 0134 thanks"
    )
    ask = find_asks(words(text)).main
    assert "give me a call back" in ask.text
    assert len(ask.text.split()) <= 25
    assert not ask.has_deadline


def test_to_dict_shape():
    facts = find_asks(words("No rush, but text me back by Friday."))
    data = facts.to_dict()
    assert data["main"] == data["asks"][0]
    assert data["main"] == {
        "text": "No rush, but text me back by Friday.",
        "kind": "text",
        "start": 0.0,
        "end": round(end_of(7), 2),
        "has_deadline": True,
        "deadline": "by Friday",
    }
    assert data["weak_closes"] == [{"text": "No rush", "start": 0.0, "end": round(end_of(1), 2)}]


def test_empty_transcript():
    facts = find_asks([])
    assert facts == AskFacts((), ())
    assert facts.main is None and facts.count == 0 and not facts.is_callback
    assert facts.to_dict() == {"asks": [], "weak_closes": [], "main": None}


def test_accepts_a_spacy_doc_and_ignores_it():
    text = "Could you call me back before Friday?"
    assert find_asks(words(text), doc=object()) == find_asks(words(text))


def test_ask_is_frozen():
    ask = Ask("Call me.", "callback", 0.0, 0.5, False, None)
    with pytest.raises(AttributeError):
        ask.kind = "reply"
