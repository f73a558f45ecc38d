"""The call to action: what the caller asks the listener to do, by when, and the vague phrases that blunt it.

An ask is an explicit request that the *listener* act: "call me back", "could you
send me the form", "press 1", "let me know". Not asks: what the caller will do
("I'll call you back", "I sent you an email"); a negated request ("no need to
call back"); a permission or possibility ("feel free to call", "don't hesitate to
reach out", "you can reach me at ...": the next step is left to the listener); a
number given with no request. A conditional request still counts ("call me if
Monday doesn't work").

Whisper often drops punctuation, so requests are found two ways. Phrases whose
object is the caller ("call me", "give me a ring", "text me", "let me know") are
requests wherever they stand, unless another subject, a negation or a permission
comes right before them. Bare verbs ("call back", "confirm", "stop by", "sign")
count only in a request frame: at the start of a clause (an imperative) or after
"please", "could you", "if you could", "I need you to"... After "please" or
"could you" any verb is a request, of kind "other".

A deadline is a time by which, or a window in which, to act, attached to the ask
in its own sentence or in a short fragment right after it: "before Friday at 5",
"by end of day", "today", "tomorrow morning", "this week", "between 2 and 4", "by
the 15th", "in the next 10 minutes". Urgency without a time ("ASAP", "as soon as
you can", "at your earliest convenience") is not a deadline. A time that belongs
to something else ("call me to book one of next week's slots") is cut off at the
first word that starts another purpose or proposition.

Asks of the same kind count once: "call me back ... again, call me at ..." is one
request, represented by its most specific occurrence (with a deadline, else the
last). "Call or text me" and "call me back and let me know" are one request too:
one reply offered on several channels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from vmcheck.textindex import Match, Span, TextIndex, normalise
from vmcheck.transcript import Word
from vmcheck.vocab import Vocabularies, builtin

RESPONSE_KINDS = ("callback", "reply", "text", "confirm")
MAX_TEXT_WORDS = 25
CONTEXT_WORDS = 8
FRAME_WORDS = 12
DEADLINE_WINDOW_WORDS = 12
FRAGMENT_WORDS = 6


def _alternatives(alternatives: Sequence[str]) -> str:
    """Whole-word regex source over normalised text; longer alternatives first so the longest phrase wins."""
    return r"(?<![\w'])(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + r")(?![\w'])"


def _rx(alternatives: Sequence[str]) -> re.Pattern:
    return re.compile(_alternatives(alternatives))


def _kinds(table: dict[str, list[str]]) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((kind, _rx(patterns)) for kind, patterns in table.items())


ME = r"(?:me|us)"
# What the caller says they need from the listener ("I need the signed lease back by the 28th").
NEEDED = r"(?:your|the|that|those|these|it|them|a (?:signed )?copy|copies|a signature|a signed|one more)"
KEY = r"(?:\d|one|two|three|four|five|six|seven|eight|nine|zero|star|pound|hash|the pound key|the star key|the pound sign|any key)"
# What an imperative verb takes, so that a noun opening a clause ("Update on your order:") is not read as one.
OBJECT = r"(?:a|an|the|your|my|our|it|them|that|this|those|these|us|me|some|in|back|over|out|up|online|for|by|\d\S*)"
NOT_NOUN_CALL = (
    r"(?! (?:center|centre|log|logs|list|volume|quality|notes|history|record|recording|queue|options?|forwarding|waiting|time"
    r"|was|is|went|got|came|from|with|ended|dropped|you)(?![\w']))"
)
WOULD_YOU_MIND = r"(?:would|do) you mind"

# Requests wherever they stand: their object is the caller (or the caller's line).
SELF_TRIGGERS = _kinds(
    {
        "callback": [
            rf"call {ME}(?: back)?",
            rf"(?:give {ME}|gimme|gimmie) a (?:call|ring|buzz|shout|holler|callback|call back|phone call|quick call|quick ring)",
            rf"(?:ring|phone) {ME}(?: back)?", rf"reach {ME}", rf"contact {ME}", rf"get (?:a )?hold of {ME}", rf"get ahold of {ME}",
            rf"get in touch with {ME}", r"return (?:my|our|this|the) (?:call|phone call|voicemail|message)",
            rf"{WOULD_YOU_MIND} (?:calling|giving (?:me|us) a (?:call|ring))",
        ],
        "reply": [
            rf"get back (?:to|with) {ME}", rf"hit {ME} (?:back|up)", rf"(?:e-?mail|message|ping|dm|write) {ME}(?: back)?", rf"holl[ae]r at {ME}",
            rf"(?:shoot|drop|send|flick|fire) {ME} (?:an? |a quick |a short |your )?(?:e-?mail|note|line|message|reply|response)",
            rf"(?:respond|reply) to {ME}", rf"e-?mail (?:it|that|them|this|those|these) (?:over |back )?to {ME}",
            rf"{WOULD_YOU_MIND} (?:getting back|e-?mailing)",
        ],
        "text": [
            rf"text {ME}(?: back)?", rf"text (?:it|that|them|this) (?:over )?to {ME}", rf"whatsapp {ME}", rf"{WOULD_YOU_MIND} texting",
            rf"(?:shoot|drop|send|flick|fire) {ME} (?:a |a quick )?text(?: message)?",
        ],
        "confirm": [rf"(?:let {ME}|lemme) know", rf"{WOULD_YOU_MIND} letting (?:me|us) know"],
        "press": [rf"press {KEY}", rf"(?:push|hit|dial) {KEY}(?= (?:to|for|now))"],
        "other": [
            rf"send {ME}(?! (?:an?|a quick|a short|your) (?:e-?mail|note|line|message|reply|response|text))", rf"(?:fax|mail|forward) {ME}",
            rf"(?:send|get|bring|fax|mail|forward) (?:it|that|them|this|those|these) (?:over |back )?to {ME}",
        ],
    }
)

# Requests only in a request frame (an imperative, "please", "could you"...).
BARE_TRIGGERS = _kinds(
    {
        "callback": [
            rf"call(?: back| in)?{NOT_NOUN_CALL}", r"(?:ring|phone) (?:back|us|our|the)", r"reach out(?: to (?:me|us|our \w+|the \w+))?",
            r"get in touch(?: with (?:our|the) \w+)?", r"give (?!you\b)(?:\w+ ){1,2}a (?:call|ring|shout|buzz)", r"give a call(?: back)?",
            r"return (?:the|my|this) call", r"dial",
        ],
        "reply": [
            r"reply(?: back)?", r"respond", r"write back", r"get back (?:to|with) (?:our|the|my) \w+", r"follow up with (?:me|us|our|the)",
            r"e-?mail (?:back|the|our|it|them|him|her|your)",
        ],
        "text": [r"text(?: back)?(?! (?:message|messages|is|was|you)(?![\w']))", r"send (?:a|us a) text"],
        "confirm": [r"confirm", r"rsvp", r"r s v p", r"verify", r"let (?:our|the|your) (?:\w+ )?\w+ know", r"let (?:him|her|them) know"],
        "email": [
            r"check (?:your|ur|the|my) (?:e-?mails?|inbox|mailbox|mail|spam|junk(?: folder)?|messages|texts)",
            r"(?:take|have) a (?:quick )?look at (?:the|my|our|that|this) (?:e-?mail|message|attachment|link)",
            r"look (?:at|over|for|out for) (?:the|my|our|that|this|an) (?:e-?mail|message|attachment)",
            r"keep an eye (?:out )?(?:for|on) (?:the|my|our|an|your) (?:e-?mail|inbox)",
            r"(?:open|read) (?:the|my|our|that|this) (?:e-?mail|message|attachment|link)",
        ],
        "visit": [
            r"stop (?:by|in|over)", r"come (?:by|in|into|over|down|back in|see (?:me|us)|pick|get|grab|and (?:pick|get|see|grab))",
            r"drop (?:by|in|off)", r"swing (?:by|over)", r"pop (?:in|by|over)", rf"visit {OBJECT}", r"head (?:over|down|in)",
            r"pick (?:up (?:your|the|my|it|them|a|an)|it up|them up)", r"go (?:to|online|on (?:the|our|to))", r"log (?:in|on|onto|into)",
        ],
        "other": [
            rf"(?:re)?schedule {OBJECT}", rf"book {OBJECT}", rf"sign {OBJECT}", r"sign (?:up|in|here)", rf"send {OBJECT}", rf"bring {OBJECT}",
            rf"(?:complete|submit|pay|review|forward|fax|upload|download|register|renew|update|print|grab) {OBJECT}", r"fill (?:out|in)",
            r"click (?:on|the)", r"ask for", r"set up", r"go over", r"look over", r"(?:take|have) a (?:quick )?look",
            r"have (?:your|the) \w+ ready",
            r"put (?:it|them|that|this|those|the|my|your)", r"leave (?:it|them|that|the \w+) (?:at|in|on|with|by)", r"give (?:it|them|that) to",
            rf"need {NEEDED}",
        ],
    }
)

# Requests as a thing the caller would like ("I'd appreciate a call back"): the caller is naturally the subject.
WOULD_LIKE = r"(?:appreciate|(?:i'd|we'd|would) (?:like|love)|need|want) (?:a|your) (?:quick )?"
NOUN_TRIGGERS = _kinds(
    {
        "callback": [
            rf"{WOULD_LIKE}(?:call back|callback|call|return call|phone call|ring)(?! center| centre)",
            r"(?:a|your) (?:call back|callback|return call) (?:would be|will be|is) "
            r"(?:great|appreciated|helpful|awesome|wonderful|much appreciated|greatly appreciated)",
        ],
        "reply": [rf"{WOULD_LIKE}(?:response|reply|answer)"],
        "other": [
            rf"(?:i|we|i'd|we'd|i'll|we'll|(?:i'm|we're) (?:gonna|going to))(?: still| really| just| also| definitely| will| would| do)?"
            rf" need {NEEDED}",
        ],
    }
)


SOFTENER = re.compile(
    r"(?:\s|^)(?:please|just|also|kindly|maybe|possibly|definitely|really|actually|quickly|simply|go ahead and|try to|try and|be sure to|"
    r"make sure (?:to|you|that you)|remember to|(?:don't|do not) forget to|be able to)$"
)
# "please" makes a request of whatever follows it; these make one insistent.
PLEASE = re.compile(r"(?<![\w'])(?:please|kindly)(?![\w'])")
INSISTENT = re.compile(r"(?<![\w'])(?:be sure|make sure|remember|forget)(?![\w'])")
STRONG_FRAME = re.compile(
    r"(?:^|\s)(?:(?:can|could|would|will|won't|can't|couldn't) you(?: (?:also|please|maybe|possibly|just|kindly|perhaps))*(?: be able to)?"
    r"|if you (?:could|would|can)|if you'd|(?:ask|request) that you"
    r"|(?:need|want|like|love|ask|asking|remind|reminding|request|requesting|for) (?:you|ya) to"
    r"|(?:can|could|would|will) (?:someone|somebody|anyone|anybody|one of you)|if (?:someone|somebody|anyone|anybody) (?:could|can|would)"
    r"|(?:hoping|hope|wondering if|wonder if|see if) (?:that )?you(?:'d|'ll| could| can| would| will| might))$"
)
FRAME = re.compile(
    r"(?:^|(?<!\bif)(?<!\bwhen)(?<!\bonce)(?<!\bunless)\s)"
    r"(?:you (?:should|must|will need to|will want to|will have to|need to|have to|gotta|might want to|may want to|would want to)"
    r"|you'll (?:need|want|have) to|you'd (?:need|want|have) to|you'll wanna)$"
    r"|(?:^|\s)(?:encourage you to|invite you to|urge you to|why don't you|why not|if you (?:get|have) a chance to)$"
)
# Permissions and possibilities: the listener may act, nobody asks them to.
PERMISSION = re.compile(
    r"(?:^|\s)(?:feel free to|(?:don't|do not|never) hesitate to|you (?:can|could|may|might)(?: always| either| still| easily| now)?)$"
)
NEGATION = re.compile(
    r"(?:^|\s)(?:no need|not necessary|no reason|don't|do not|doesn't|does not|never|can't|cannot|won't|couldn't|shouldn't|wouldn't"
    r"|needn't|didn't|not)(?: \S+){0,3}$"
)
# A subject other than the listener, perhaps with auxiliaries: the caller or a third party will do it.
STATEMENT = re.compile(
    r"(?:^|\s)(?:i|i'll|i'm|i'd|i've|we|we'll|we're|we'd|we've|he|he'll|he's|he'd|she|she'll|she's|she'd|they|they'll|they're|they'd|it'll|"
    r"someone|somebody|nobody|who|did you|have you|were you|do you|you'd|thanks for|thank you for|appreciate you)"
    r"(?: (?:will|would|can|could|should|might|may|must|gonna|going to|wanna|want to|wanted to|need to|needs to|needed to|have to|has to|had to|"
    r"used to|tried to|trying to|did|didn't|do|does|usually|always|often|ever|also|just|probably|then|still|already|to))*$"
)
# An infinitive the frames above did not claim is the caller's own purpose ("calling to confirm", "wanted to reach out").
PURPOSE_TO = re.compile(r"(?:^|\s)\S+ to$")
# "have him call me", "tell her to text me": the request is judged where the causative verb stands.
CAUSATIVE = re.compile(r"(?:^|\s)(have|get|tell|ask) (?:him|her|them|someone|somebody|anyone|anybody|your \S+)(?: to)?$")
# Deadlines and time windows.
_WEEKDAY = "{weekdays}"  # the words of these vocabularies, filled in by Vocabularies.compile
_MONTH = "{months}"
_ORDINAL = (
    r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth"
    r"|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth"
    r"|(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))"
)
_HOUR = r"(?:1[0-2]|0?[1-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_MINUTES = r"(?: (?:[0-5]\d|fifteen|thirty|forty-?five|forty five))?"
_MERIDIEM = r"(?:am|pm|a m|p m|o'clock|oclock)"
_NAMED_TIME = r"(?:noon|midday|midnight|lunch(?:time)?)"
_CLOCK = rf"(?:{_HOUR}{_MINUTES}(?: ?{_MERIDIEM})?(?! ?[\d-])|{_NAMED_TIME})"
_STRICT_CLOCK = rf"(?:{_HOUR}{_MINUTES} ?{_MERIDIEM}|{_NAMED_TIME})"
_PART = r"(?:morning|afternoon|evening|night|lunch)"
_END_OF = r"(?:the )?end of (?:the |this |next )?(?:day|business day|business|week|month|year|quarter)|close of business|cob|eod"
_DAY = (
    rf"(?:(?:later |sometime |early |first thing )?(?:today|tonight)|(?:tomorrow|{_WEEKDAY})(?: {_PART})?"
    rf"|(?:later |sometime )?(?:this|next|this coming|coming) (?:{_WEEKDAY}|week|weekend|month|{_PART})"
    rf"|{_END_OF}|first thing in the morning|in the {_PART})"
)
_SAME_DAY = rf"(?: (?:today|tonight|tomorrow(?: {_PART})?|(?:on )?{_WEEKDAY}))?"
_DATE = rf"(?:{_MONTH} {_ORDINAL}|{_MONTH} \d{{1,2}}|the {_ORDINAL}(?: of (?:the month|{_MONTH}))?)"
_BY = r"(?:by|before|until|till|til|no later than|not later than|prior to|on or before)"
_COUNT = r"(?:\d+|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|few|couple(?: of)?|twenty-?four|forty-?eight)"
DEADLINE = _alternatives(
    [
        rf"(?:{_BY} |on )?{_DAY}(?: (?:at|by|before|around|after|between) {_CLOCK}(?: (?:and|to) {_CLOCK})?)?",
        rf"(?:{_BY}|on) {_DATE}", rf"{_BY} {_CLOCK}{_SAME_DAY}", rf"(?:at|around|after) {_STRICT_CLOCK}{_SAME_DAY}",
        rf"between {_CLOCK} and {_CLOCK}", rf"from {_CLOCK} (?:to|until|till) {_CLOCK}", rf"before (?:i|we|you) (?:leave|close|head out|go|lose){_SAME_DAY}",
        rf"before (?:your|the|our|my|it|this|that) (?:\S+ ){{0,3}}?(?:on |by )?(?:{_DATE}|{_WEEKDAY}|tomorrow|today|tonight)",
        r"before (?:the )?(?:weekend|holidays?|long weekend|deadline|cutoff|cut-off|office closes|close|closing)",
        rf"(?:within|in) (?:like )?the next (?:{_COUNT} )?(?:hours?|days?|business days?|minutes?|weeks?)",
        rf"within (?:like )?{_COUNT} (?:hours?|days?|business days?|minutes?|weeks?)", r"within the hour",
    ]
)
# Standing business hours are not a time to act by; deadlines inside them are dropped.
BUSINESS_HOURS = _alternatives(
    [
        rf"{_WEEKDAY}(?: (?:through|thru|to|and) |-){_WEEKDAY}(?:,? (?:from |between )?{_CLOCK} (?:to|and|until|till) {_CLOCK})?",
        rf"(?:open|hours are|we're here|we are here|office is open) (?:from |between )?{_CLOCK} (?:to|and|until|till) {_CLOCK}",
        r"(?:during )?(?:regular |normal )?(?:business|office) hours", r"weekdays",
    ]
)
# A deadline after its ask must come before the first word that starts another proposition; after an infinitive of
# purpose ("call me to review your coverage before the 15th") only a "by"/"before" limit still binds the ask.
TO_OBJECTS = frozenset("me us my our the your that this him her them it a an those these".split())
LIMIT = re.compile(rf"^(?:{_BY}|within|in (?:like )?the next) ")
# Words that may stand, besides request leads, between a fronted deadline and its ask ("today, if you could, call me").
DEADLINE_BRIDGES = frozenset("if you could can would will".split())

@dataclass(frozen=True)
class Ask:
    """One request. ``text`` is its sentence as written, cut to its neighbourhood when Whisper ran sentences together."""

    text: str
    kind: str  # callback | reply | text | confirm | press | email | visit | other
    start: float
    end: float
    has_deadline: bool
    deadline: str | None

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "kind": self.kind,
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "has_deadline": self.has_deadline,
            "deadline": self.deadline,
        }


@dataclass(frozen=True)
class AskFacts:
    asks: tuple[Ask, ...]
    weak_closes: tuple[Span, ...]

    @property
    def main(self) -> Ask | None:
        """The most specific ask: one with a deadline first, then a callback, then another reply, then the last one said."""
        return max(self.asks, key=lambda a: (a.has_deadline, a.kind == "callback", a.kind in RESPONSE_KINDS, a.start), default=None)

    @property
    def count(self) -> int:
        return len(self.asks)

    @property
    def is_callback(self) -> bool:
        return self.main is not None and self.main.kind == "callback"

    def to_dict(self) -> dict:
        main = self.main
        return {
            "asks": [a.to_dict() for a in self.asks],
            "weak_closes": [w.to_dict() for w in self.weak_closes],
            "main": None if main is None else main.to_dict(),
        }


@dataclass(frozen=True)
class _Layout:
    """Per word: its normalised text, and where its clause and sentence begin and end in Whisper's punctuation."""

    words: tuple[Word, ...]
    norm: tuple[str, ...]
    clause_start: tuple[int, ...]
    sentence_start: tuple[int, ...]
    sentence_end: tuple[int, ...]
    lex: _Words


@dataclass(frozen=True)
class _Words:
    """The vocabularies this module reads (``rules/Core/vocab/asks.yml``), as sets."""

    leads: frozenset[str]
    not_actions: frozenset[str]
    stops: frozenset[str]
    titles: frozenset[str]
    abbreviations: frozenset[str]

    @classmethod
    def of(cls, vocab: Vocabularies) -> _Words:
        names = ("request_leads", "not_actions", "deadline_stops", "dotted_titles", "dotted_abbreviations")
        return cls(*(vocab.words(name) for name in names))


@dataclass(frozen=True)
class _Trigger:
    kind: str
    first: int
    last: int


def find_asks(words: Sequence[Word], doc=None, vocab: Vocabularies | None = None) -> AskFacts:
    """Asks and weak closes in a timed transcript.

    ``doc`` keeps the common extractor signature and is unused: the parser's subjectless sentence-initial verbs
    were, beyond the requests the frames below already find, pleasantries ("Talk soon", "Take care", "Stay safe"),
    and on lowercase unpunctuated runs it rarely finds the sentence start at all.
    """
    words = tuple(words)
    if not words:
        return AskFacts((), ())
    vocab = vocab or builtin()
    index = TextIndex(words)
    layout = _layout(words, _Words.of(vocab))
    triggers = _triggers(index, layout)
    hours = index.find(vocab.compile(BUSINESS_HOURS))
    deadlines = [d for d in index.find(vocab.compile(DEADLINE)) if not any(h.first <= d.last and d.first <= h.last for h in hours)]
    asks = [_ask(layout, t, _deadline_for(layout, t, deadlines)) for t in triggers]
    asks = _merge_same_kind(_fold_channels(layout, triggers, asks))
    return AskFacts(tuple(asks), tuple(_weak_closes(index, layout, vocab)))


def _layout(words: tuple[Word, ...], lex: _Words) -> _Layout:
    """Clause and sentence bounds: a sentence ends at . ? ! (and at the end), a clause also at , ; : and dashes."""
    clause_start, sentence_start, sentence_end = [], [], [0] * len(words)
    clause_from = sentence_from = 0
    for i, word in enumerate(words):
        clause_start.append(clause_from)
        sentence_start.append(sentence_from)
        tail = word.text.rstrip()
        if i == len(words) - 1 or (tail.endswith((".", "?", "!")) and not _inner_period(tail, words[i + 1].text.strip(), lex)):
            sentence_end[sentence_from : i + 1] = [i] * (i + 1 - sentence_from)
            clause_from = sentence_from = i + 1
        elif tail.endswith((",", ";", ":", "-", "\u2014", "\u2013")):
            clause_from = i + 1
    norm = tuple(normalise(w.text) for w in words)
    return _Layout(words, norm, tuple(clause_start), tuple(sentence_start), tuple(sentence_end), lex)


def _inner_period(word: str, following: str, lex: _Words) -> bool:
    """A period that does not end a sentence: "Dr.", "p.m." before a lowercase word, Whisper's dotted digits ("5. 5. 5.")."""
    bare = word.strip().lower()
    if bare in lex.titles or (bare in lex.abbreviations and not following[:1].isupper()):
        return True
    return bare[:-1].isdigit() and bare.endswith(".") and following[:1].isdigit()


def _before(layout: _Layout, j: int) -> str:
    """The normalised words of j's clause before j; of a long clause only the last FRAME_WORDS, after a "…" that no
    frame or lead-in matches (frames are local, and this keeps long unpunctuated runs linear)."""
    start = _frame_start(layout, j)
    text = " ".join(t for t in layout.norm[start:j] if t)
    return text if start == layout.clause_start[j] else f"… {text}"


def _frame_start(layout: _Layout, j: int) -> int:
    return max(layout.clause_start[j], j - FRAME_WORDS)


def _mood(layout: _Layout, j: int, depth: int = 0) -> str | None:
    """How the clause leading up to word j frames it: "strong" (please, could you), "request" (an imperative or a
    softer frame), "permission" (you can, feel free to), "statement" (another subject, a negation, the caller's own
    purpose), or None when nothing tells."""
    pre = core = _before(layout, j)
    while (m := SOFTENER.search(core)) is not None:
        core = core[: m.start()]
    softeners = pre[len(core) :]
    if PLEASE.search(softeners):
        return "strong"
    strong = bool(INSISTENT.search(softeners))
    if depth == 0 and (m := CAUSATIVE.search(core)) is not None:
        return _mood(layout, _word_at(layout, j, m.start(1)), depth + 1)
    if all(t in layout.lex.leads for t in core.split()):
        return "strong" if strong else "request"
    if STRONG_FRAME.search(core):
        return "strong"
    if FRAME.search(core):
        return "strong" if strong else "request"
    if PERMISSION.search(core):
        return "permission"
    if NEGATION.search(core) or STATEMENT.search(core) or PURPOSE_TO.search(core):
        return "statement"
    return None


def _word_at(layout: _Layout, j: int, offset: int) -> int:
    """The word holding character ``offset`` of ``_before(layout, j)``."""
    start = _frame_start(layout, j)
    seen = 0 if start == layout.clause_start[j] else 2
    for k in range(start, j):
        if layout.norm[k]:
            seen += len(layout.norm[k]) + 1
            if seen > offset:
                return k
    return j


def _triggers(index: TextIndex, layout: _Layout) -> list[_Trigger]:
    """Request phrases their frame accepts, the longest where they overlap, then bare "please <verb>", in time order."""
    candidates: list[_Trigger] = []
    for kind, pattern in SELF_TRIGGERS:
        candidates += [_Trigger(kind, m.first, m.last) for m in index.find(pattern) if _mood(layout, m.first) not in ("statement", "permission")]
    for kind, pattern in NOUN_TRIGGERS:
        candidates += [_Trigger(kind, m.first, m.last) for m in index.find(pattern) if not NEGATION.search(_before(layout, m.first))]
    for kind, pattern in BARE_TRIGGERS:
        candidates += [_Trigger(kind, m.first, m.last) for m in index.find(pattern) if _mood(layout, m.first) in ("strong", "request")]
    chosen: list[_Trigger] = []
    taken: set[int] = set()
    for t in sorted(candidates, key=lambda t: (t.first, t.first - t.last)):
        if not taken.intersection(range(t.first, t.last + 1)):
            chosen.append(t)
            taken.update(range(t.first, t.last + 1))
    return sorted(chosen + _generic(layout, taken), key=lambda t: t.first)


def _generic(layout: _Layout, taken: set[int]) -> list[_Trigger]:
    """A verb right after "please" or "could you" that no listed phrase covers is still a request, of kind "other"."""
    found = []
    for j, token in enumerate(layout.norm):
        head = token.split()[0] if token else ""
        if j not in taken and head.isalpha() and head not in layout.lex.not_actions and head not in layout.lex.leads and _mood(layout, j) == "strong":
            found.append(_Trigger("other", j, j))
    return found


def _deadline_for(layout: _Layout, trigger: _Trigger, deadlines: list[Match]) -> Match | None:
    """The deadline attached to an ask: after it in its sentence, opening the clauses right before it ("by Friday,
    if you could send me..."), or in a short fragment that follows it ("Call me back. Today if possible.")."""
    end = layout.sentence_end[trigger.last]
    found = _deadline_after(layout, deadlines, trigger.last + 1, min(end, trigger.last + DEADLINE_WINDOW_WORDS))
    if found:
        return found
    for match in reversed(deadlines):
        if layout.sentence_start[trigger.first] <= match.first and match.last < trigger.first:
            around = layout.norm[layout.clause_start[match.first] : match.first] + layout.norm[match.last + 1 : trigger.first]
            bridges = DEADLINE_BRIDGES | layout.lex.leads
            return match if all(t in bridges for t in " ".join(around).split()) else None
    following = end + 1
    if following < len(layout.words) and layout.sentence_end[following] - following < FRAGMENT_WORDS:
        return _deadline_after(layout, deadlines, following, layout.sentence_end[following])
    return None


def _deadline_after(layout: _Layout, deadlines: list[Match], first: int, last: int) -> Match | None:
    """The first deadline in words first..last before a word that starts another proposition (after a purpose "to
    <verb>", only a by/before limit)."""
    purpose = None
    for k in range(first, last + 1):
        token, following = layout.norm[k], layout.norm[k + 1] if k + 1 < len(layout.norm) else ""
        if token in layout.lex.stops or (token in ("my", "our") and _announces(layout.norm[k + 1 : k + 4])):
            last = k - 1
            break
        if purpose is None and token == "to" and following not in TO_OBJECTS:
            purpose = k
    return next((m for m in deadlines if first <= m.first <= last and (purpose is None or m.first < purpose or LIMIT.match(m.text))), None)


def _announces(tokens: Sequence[str]) -> bool:
    """Whether the words after "my"/"our" announce something ("my number is", "our hours are", "my cell's")."""
    return any(t in ("is", "are") or t.endswith("'s") for t in tokens)


def _ask(layout: _Layout, trigger: _Trigger, deadline: Match | None) -> Ask:
    """The ask's sentence; of a run-on of MAX_TEXT_WORDS or more, its clause within CONTEXT_WORDS of the request."""
    first, last = layout.sentence_start[trigger.first], layout.sentence_end[trigger.last]
    if last - first >= MAX_TEXT_WORDS:
        lo, hi = trigger.first, trigger.last
        if deadline:
            lo, hi = min(lo, deadline.first), max(hi, deadline.last)
        first = max(first, layout.clause_start[trigger.first], lo - CONTEXT_WORDS)
        last = min(last, hi + CONTEXT_WORDS)
    return Ask(
        text=_written(layout.words[first : last + 1]),
        kind=trigger.kind,
        start=layout.words[first].start,
        end=layout.words[last].end,
        has_deadline=deadline is not None,
        deadline=_phrase(layout.words[deadline.first : deadline.last + 1]) if deadline else None,
    )


def _written(words: Sequence[Word]) -> str:
    """Words as Whisper wrote them, trimmed, keeping a closing . ? or ! but not a trailing comma."""
    return "".join(w.text for w in words).strip().rstrip(",;:")


def _phrase(words: Sequence[Word]) -> str:
    """A phrase inside a sentence, as written, without the punctuation around it."""
    return "".join(w.text for w in words).strip().strip(",;:.?!")


def _fold_channels(layout: _Layout, triggers: list[_Trigger], asks: list[Ask]) -> list[Ask]:
    """One reply offered on several channels is one request: within a sentence, a reply-type ask joined to the one
    before by "or" ("call or text me"), or a "let me know" next to a callback, reply or text, folds into the other."""
    kept: list[tuple[_Trigger, Ask]] = []
    for trigger, ask in zip(triggers, asks):
        if kept and layout.sentence_start[kept[-1][0].first] == layout.sentence_start[trigger.first]:
            prev_trigger, prev = kept[-1]
            joined_by_or = "or" in layout.norm[prev_trigger.last + 1 : trigger.first][:2]
            channels = {ask.kind, prev.kind}
            alternatives = joined_by_or and channels <= set(RESPONSE_KINDS)
            if alternatives or ("confirm" in channels and len(channels & {"callback", "reply", "text"}) == 1):
                keep, other = (ask, prev) if prev.kind == "confirm" and ask.kind != "confirm" else (prev, ask)
                if other.has_deadline and not keep.has_deadline:
                    keep = Ask(keep.text, keep.kind, keep.start, keep.end, True, other.deadline)
                kept[-1] = (trigger, keep)
                continue
        kept.append((trigger, ask))
    return [ask for _, ask in kept]


def _merge_same_kind(asks: list[Ask]) -> list[Ask]:
    """The same request said twice counts once, represented by its most specific occurrence."""
    best: dict[str, Ask] = {}
    for ask in asks:
        if ask.kind not in best or (ask.has_deadline, ask.start) >= (best[ask.kind].has_deadline, best[ask.kind].start):
            best[ask.kind] = ask
    return sorted(best.values(), key=lambda a: a.start)


def _weak_closes(index: TextIndex, layout: _Layout, vocab: Vocabularies) -> list[Span]:
    return [Span(_phrase(layout.words[m.first : m.last + 1]), m.start, m.end) for m in index.find(vocab.regex("weak_closes"))]
