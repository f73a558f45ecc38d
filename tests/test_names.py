"""The caller's own name and company, as Whisper writes voicemails."""

from __future__ import annotations

import pytest

from vmcheck.facts import nlp
from vmcheck.facts.names import Caller, find_caller
from vmcheck.transcript import Word

STEP = 0.3


def timed(text: str, probability: float = 0.9) -> list[Word]:
    """Whisper-style words: a leading space, punctuation kept, 0.3 s each."""
    return [Word(" " + token, i * STEP, (i + 1) * STEP, probability) for i, token in enumerate(text.split())]


CASES = [
    # recipient greeted first, then the caller
    ("Hi Sarah, this is John Miller from Acme Insurance. Call me at 312-555-0147.", "John Miller", "Acme Insurance"),
    ("Hey Tom, it's Dave from Northside Auto, give me a call back.", "Dave", "Northside Auto"),
    (
        "Good morning Mr. Patel, this is Linda Gomez with Blue Ridge Property Management about your lease.",
        "Linda Gomez",
        "Blue Ridge Property Management",
    ),
    ("Hello, is this Sarah? This is Tom Reed from Summit Bank.", "Tom Reed", "Summit Bank"),
    ("Sarah, this is Greg, call me when you can.", "Greg", None),
    ("Hey Mom, it's Jake. Call me tonight.", "Jake", None),
    ("Hi Mrs. Chen, this is Ms. Okafor, Lily's science teacher at Westview Middle School.", "Okafor", "Westview Middle School"),
    ("Hey Sarah, Dave Kowalski here from Kowalski and Sons Plumbing.", "Dave Kowalski", "Kowalski and Sons Plumbing"),
    # the usual introductions
    ("Hi, my name is Oluwaseun Adeyemi and I'm calling from Lakeside Medical Group.", "Oluwaseun Adeyemi", "Lakeside Medical Group"),
    ("Hello, this is María González from the City of Springfield.", "María González", "City of Springfield"),
    ("This is Mary Ann Smith from Evergreen Home Services, calling about your furnace.", "Mary Ann Smith", "Evergreen Home Services"),
    ("Hi, this is Nguyen Thi Lan from Saigon Motors.", "Nguyen Thi Lan", "Saigon Motors"),
    ("Hi, I'm Carlos with Greenline Solar, I'm reaching out about your roof.", "Carlos", "Greenline Solar"),
    ("Hi Sarah, this is Paul O'Brien over at Harbor Title.", "Paul O'Brien", "Harbor Title"),
    ("Hey, this is Jess, I'm with Brightline Solar.", "Jess", "Brightline Solar"),
    ("Hey, uh, this is Jean-Luc from Le Petit Bistro.", "Jean-Luc", "Le Petit Bistro"),
    ("Hey, uh, it's, um, Kevin Brooks, from Northside Auto, and, you know, call me.", "Kevin Brooks", "Northside Auto"),
    # name before its cue
    ("Mike here, give me a call at 555-0134.", "Mike", None),
    ("Hi, John Miller calling from Acme Insurance regarding your claim.", "John Miller", "Acme Insurance"),
    ("Hi, Ben returning your call, 612-555-0104.", "Ben", None),
    # titles and roles dropped, organisation preferred to its part
    ("Hi, this is Dr. Samuel Osei from Riverside Pediatrics.", "Samuel Osei", "Riverside Pediatrics"),
    ("Good afternoon, this is Officer Daniels with the Springfield Police Department.", "Daniels", "Springfield Police Department"),
    ("Hello, this is Jen from the front desk at Lakeside Dental.", "Jen", "Lakeside Dental"),
    ("Hi, this is Priya, the office manager at Oak Street Realty.", "Priya", "Oak Street Realty"),
    ("Hi, this is Emily calling on behalf of Dr. Lee at Pine Valley Dental.", "Emily", "Pine Valley Dental"),
    ("Well, this is your Uncle Ray, calling to say happy birthday.", "Ray", None),
    ("Hi, it's Raj from IT, your laptop is ready.", "Raj", None),
    # companies without a person
    ("This is a reminder from Springfield Dental about your appointment tomorrow at 3.", None, "Springfield Dental"),
    ("This is Dr. Patel's office calling to confirm your appointment.", None, "Dr. Patel's office"),
    ("Hi, this is Lakeside Pharmacy, your prescription is ready for pickup.", None, "Lakeside Pharmacy"),
    ("This is a courtesy call from First Harbor Bank's fraud prevention team.", None, "First Harbor Bank"),
    ("Hey Tom, Acme Insurance calling about your renewal.", None, "Acme Insurance"),
    ("Hi, calling from Acme Insurance about your policy, please call us back.", None, "Acme Insurance"),
    ("this is the pharmacy calling, your order is ready", None, None),
    # no name at all
    ("Hey, it's me. Call me back when you get this.", None, None),
    ("Hi honey, it's your mom. Call me.", None, None),
    ("Hey, it's Tyler's mom, can you call me about the carpool?", None, None),
    ("Hi David, I'm calling about the quote you requested. My number is 617-555-0182.", None, None),
    ("Hi, this is regarding your car warranty. Please call 1-800-555-0199.", None, None),
    ("It's Tuesday, so just a reminder the pool is closed. Thanks.", None, None),
    ("hi it's me again, I'm heading home now, call me", None, None),
    # the name only at the end, never the recipient's
    ("Hi Karen, just following up on the estimate. Call me back at 312-555-0147. Thanks, Mike.", "Mike", None),
    ("Hi Jennifer, I wanted to talk about the inspection. Thank you, Jennifer, and have a wonderful day.", None, None),
    # names next to numbers, restated names
    ("This is Kevin Brooks 773-555-0126 call me back.", "Kevin Brooks", None),
    ("My name is Ana Lima, 415-555-0139, that's 415-555-0139.", "Ana Lima", None),
    ("Hi, it's Omar, Omar Haddad, with Crescent Realty.", "Omar Haddad", "Crescent Realty"),
    ("Hi, this is John. Again, that's John Miller, 312-555-0147.", "John Miller", None),
    # Whisper left out the commas
    ("Hey Karen Luis Ortega calling from Sunbelt Pools about your filter.", "Luis Ortega", "Sunbelt Pools"),
    ("Hi, this is Tom Tom Becker from Becker Landscaping.", "Tom Becker", "Becker Landscaping"),
    # name and company as a list, organisations with odd shapes
    ("Hi Mr. Johnson, Stephanie Wu, Pacific Northwest Mortgage, following up on your application.", "Stephanie Wu", "Pacific Northwest Mortgage"),
    ("This is Amazon customer service, your package was delayed.", None, "Amazon"),
    ("Hi, this is Nurse Jackie at St. Mary's Hospital.", "Jackie", "St. Mary's Hospital"),
    ("Hey, it's Nick over at Smith & Wesson Realty.", "Nick", "Smith & Wesson Realty"),
    ("Hi, this is Hannah, I'm a nurse at Mercy Hospital, calling about your mother.", "Hannah", "Mercy Hospital"),
    ("Hello, this call is from Ace Hardware. Your order is ready.", None, "Ace Hardware"),
    ("Hi, this is Emily's mom, Karen. Can you call me about the playdate?", "Karen", None),
    ("Hi, it's Noah's dad, Noah in Mrs. Lee's class. He forgot his lunch.", None, None),
    # third people are not the caller
    ("Hi, I talked to Sarah from accounting and she said you had questions.", None, None),
    ("Hi, I got your number from Dave at Acme Insurance.", None, None),
    ("Hey Chris, sorry I missed you, it's Kim. Talk to you soon.", "Kim", None),
    # lowercase Whisper output
    ("hi this is renee, a home health nurse, call me back", "renee", None),
    ("this is john miller from acme insurance about your renewal", "john miller", "acme insurance"),
    ("hey it's will turner from summit bank call me back", "will turner", "summit bank"),
    ("hi sarah this is jake from state farm", "jake", "state farm"),
    ("hi this is summit bank calling about your account", None, "summit bank"),
    # self-introductions without "this is"
    ("Dana Whitfield, Brightwater Staffing, calling about the opening you posted.", "Dana Whitfield", "Brightwater Staffing"),
    ("dana whitfield, brightwater staffing, calling about the opening you posted", "dana whitfield", "brightwater staffing"),
    ("Hi, Dana Whitfield with Brightwater Staffing here, calling about the job.", "Dana Whitfield", "Brightwater Staffing"),
    ("Hey Tom, you've got Maria at Crestline Realty, call me back.", "Maria", "Crestline Realty"),
    ("hey, you've got maria at crestline realty. call me back", "maria", "crestline realty"),
    ("Hi, you've reached Maria from Crestline Realty, returning your call.", "Maria", "Crestline Realty"),
    ("Hi, you've got Maria, call me back at 312-555-0147.", "Maria", None),
    ("Hi, I'm Bethany, I work with Tom, he said you were looking for a sitter.", "Bethany", None),
    ("hi i'm bethany i work with tom, he gave me your number", "bethany", None),
    ("Hi, this is Sam, I talked with Tom yesterday about the deck.", "Sam", None),
    ("Hi, this is Sam, I work with Acme Insurance on your claim.", "Sam", "Acme Insurance"),
    ("Hi, Bethany here from Lakeview Dental, calling to confirm.", "Bethany", "Lakeview Dental"),
    ("it's dana again from brightwater staffing, sorry to bug you", "dana", "brightwater staffing"),
    # ... and what only looks like one
    ("hey you've got questions about the policy, call me", None, None),
    ("hey you've got mail at the front desk, come pick it up", None, None),
    ("Hey, you've got a minute? Call me, it's Dave.", "Dave", None),
    ("Hi Sarah, I think you've got Tom's number already. Call me.", None, None),
    ("Hi, you've reached the voicemail of Sarah Lee. Hi Sarah, it's John from Acme Insurance.", "John", "Acme Insurance"),
    ("Hi, I work with Tom, he said to call you.", None, None),
    ("Hi, this is an automated delivery notice from Swift Parcel.", None, "Swift Parcel"),
    # firms named after people are companies; two people are not a firm
    ("Hi, this is Whitaker and Bloom calling about your consultation.", None, "Whitaker and Bloom"),
    ("this is whitaker and bloom calling about your consultation", None, "whitaker and bloom"),
    ("Hi, this is Smith & Jones, returning your call.", None, "Smith & Jones"),
    ("Hello, this is Baker, Lane and Co. calling about your account.", None, "Baker Lane and Co"),
    ("This is Hodges and Klein Law Group with a message for Anna.", None, "Hodges and Klein Law Group"),
    ("Hi, this is Miller and Sons calling about the fence.", None, "Miller and Sons"),
    ("Hi Sarah, Jim Whitaker here from Whitaker and Bloom.", "Jim Whitaker", "Whitaker and Bloom"),
    ("Hi, this is Maria and Tom from Acme Catering about your wedding.", "Maria", "Acme Catering"),
    ("hi this is maria and tom from acme catering", "maria", "acme catering"),
    ("Hi, it's Dave and Karen. We loved the house!", "Dave", None),
    ("Hi, this is Lisa and the team at Acme Dental.", "Lisa", "Acme Dental"),
    ("Hi, this is Mom and Dad calling.", None, None),
]


@pytest.mark.parametrize(("text", "name", "company"), CASES)
def test_name_and_company(text, name, company):
    caller = find_caller(timed(text))
    assert (caller.name, caller.company) == (name, company)


def test_start_end_and_company_start():
    caller = find_caller(timed("Hi Sarah, this is John Miller from Acme Insurance."))
    assert caller.start == pytest.approx(4 * STEP)  # "John" is the fifth word
    assert caller.end == pytest.approx(6 * STEP)
    assert caller.company_start == pytest.approx(7 * STEP)


def test_probability_is_the_mean_over_the_name_words():
    words = timed("Hi, this is John Miller from Acme.")
    words[3] = Word(" John", words[3].start, words[3].end, 0.5)
    words[4] = Word(" Miller", words[4].start, words[4].end, 0.7)
    assert find_caller(words).probability == pytest.approx(0.6)


def test_title_is_not_part_of_the_name_timing():
    caller = find_caller(timed("Hello, this is Dr. Samuel Osei."))
    assert caller.start == pytest.approx(4 * STEP)


LONG_MIDDLE = " ".join(["I'm calling about the inspection we did last fall at your house."] * 4)


@pytest.mark.parametrize(
    ("text", "repeated"),
    [
        (f"Hi Sarah, this is John Miller from Acme. {LONG_MIDDLE} Again, that's John Miller, 312-555-0147. Thank you, Sarah.", True),
        (f"Hi, this is John Miller from Acme. {LONG_MIDDLE} Call me back at 312-555-0147. Thanks, John.", True),
        (f"Hi, this is John Miller from Acme. {LONG_MIDDLE} Whisper heard it as Millar, 312-555-0147.", True),
        (f"Hi Sarah, this is John Miller from Acme. {LONG_MIDDLE} Call me at 312-555-0147. Thank you, Sarah.", False),
        (f"Hi, this is John. John Miller. {LONG_MIDDLE} Call me at 312-555-0147. Bye.", False),
        (f"Hi Sarah, {LONG_MIDDLE} Call me back at 312-555-0147. Thanks, Mike.", False),
    ],
)
def test_repeated_at_end(text, repeated):
    assert find_caller(timed(text)).repeated_at_end is repeated


def paced(text: str, digit_seconds: float = 0.75) -> list[Word]:
    """Like timed(), but each digit said slowly and apart, as a number should be."""
    words, clock = [], 0.0
    for token in text.split():
        length = digit_seconds if any(ch.isdigit() for ch in token) else STEP
        words.append(Word(" " + token, clock, clock + length, 0.9))
        clock += length
    return words


# As Whisper wrote samples/excellent.wav: the second number alone fills the last 10 s.
SLOW_CLOSE = (
    "Hi, Sarah. This is John Miller from Acme Insurance. I'm calling because your home insurance policy renews "
    "next week and I found a way to lower your premium. Could you call me back before Friday at 5 p.m.? "
    "My number is 3 1 2 5 5 5 0 1 4 7. Again, that's {name} 3 1 2 5 5 5 0, 1, 4, 7. Thank you, Sarah, and have a great day."
)


@pytest.mark.parametrize(("name", "repeated"), [("John Miller", True), ("the number", False)])
def test_name_said_with_a_slow_number_at_the_end_is_repeated(name, repeated):
    caller = find_caller(paced(SLOW_CLOSE.format(name=name)))
    assert (caller.name, caller.repeated_at_end) == ("John Miller", repeated)


def test_a_company_named_after_the_caller_is_no_repeat():
    words = timed("My name is Andrew Whitfield, I'm an attorney with Whitfield and Stone. Please call 404-555-0166.")
    caller = find_caller(words)
    assert (caller.company, caller.repeated_at_end) == ("Whitfield and Stone", False)


def test_short_message_counts_its_last_ten_seconds_as_the_end():
    caller = find_caller(timed("Hi, it's Dave, call me at 555-0134. Thanks, Dave."))
    assert caller.name == "Dave" and caller.repeated_at_end


def test_no_words():
    assert find_caller([]) == Caller(None, None, None, None, None, None, False)


def test_company_only_has_no_name_timing():
    caller = find_caller(timed("This is a reminder from Springfield Dental."))
    assert (caller.name, caller.start, caller.probability) == (None, None, None)
    assert caller.company_start == pytest.approx(5 * STEP)


def test_precomputed_doc_gives_the_same_answer():
    words = timed("Hey Tom, it's Dave from Northside Auto.")
    assert find_caller(words, doc=nlp.parse(words)) == find_caller(words)


def test_first_word_without_leading_space():
    words = timed("Dave here from Northside Auto.")
    words[0] = Word("Dave", words[0].start, words[0].end, 0.9)
    assert (find_caller(words).name, find_caller(words).company) == ("Dave", "Northside Auto")


def test_to_dict():
    caller = find_caller(timed("Hi, this is John Miller from Acme Insurance."))
    assert caller.to_dict() == {
        "name": "John Miller",
        "company": "Acme Insurance",
        "start": 0.9,
        "end": 1.5,
        "company_start": 1.8,
        "probability": 0.9,
        "repeated_at_end": False,
    }
