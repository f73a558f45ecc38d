"""The grammar of requests and deadlines for ``ask``: request phrases by kind, the frames around them, time phrases.

Regular expressions over the normalised words (lowercase, no punctuation).
Words a trainer is likely to extend are data instead (``rules/Core/vocab/
asks.yml``); ``{weekdays}`` and ``{months}`` here are filled in from there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


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
            rf"(?:ring|phone) {ME}(?: back)?",
            rf"reach {ME}",
            rf"contact {ME}",
            rf"get (?:a )?hold of {ME}",
            rf"get ahold of {ME}",
            rf"get in touch with {ME}",
            r"return (?:my|our|this|the) (?:call|phone call|voicemail|message)",
            rf"{WOULD_YOU_MIND} (?:calling|giving (?:me|us) a (?:call|ring))",
        ],
        "reply": [
            rf"get back (?:to|with) {ME}",
            rf"hit {ME} (?:back|up)",
            rf"(?:e-?mail|message|ping|dm|write) {ME}(?: back)?",
            rf"holl[ae]r at {ME}",
            rf"(?:shoot|drop|send|flick|fire) {ME} (?:an? |a quick |a short |your )?(?:e-?mail|note|line|message|reply|response)",
            rf"(?:respond|reply) to {ME}",
            rf"e-?mail (?:it|that|them|this|those|these) (?:over |back )?to {ME}",
            rf"{WOULD_YOU_MIND} (?:getting back|e-?mailing)",
        ],
        "text": [
            rf"text {ME}(?: back)?",
            rf"text (?:it|that|them|this) (?:over )?to {ME}",
            rf"whatsapp {ME}",
            rf"{WOULD_YOU_MIND} texting",
            rf"(?:shoot|drop|send|flick|fire) {ME} (?:a |a quick )?text(?: message)?",
        ],
        "confirm": [rf"(?:let {ME}|lemme) know", rf"{WOULD_YOU_MIND} letting (?:me|us) know"],
        "press": [rf"press {KEY}", rf"(?:push|hit|dial) {KEY}(?= (?:to|for|now))"],
        "other": [
            rf"send {ME}(?! (?:an?|a quick|a short|your) (?:e-?mail|note|line|message|reply|response|text))",
            rf"(?:fax|mail|forward) {ME}",
            rf"(?:send|get|bring|fax|mail|forward) (?:it|that|them|this|those|these) (?:over |back )?to {ME}",
        ],
    }
)

# Requests only in a request frame (an imperative, "please", "could you"...).
BARE_TRIGGERS = _kinds(
    {
        "callback": [
            rf"call(?: back| in)?{NOT_NOUN_CALL}",
            r"(?:ring|phone) (?:back|us|our|the)",
            r"reach out(?: to (?:me|us|our \w+|the \w+))?",
            r"get in touch(?: with (?:our|the) \w+)?",
            r"give (?!you\b)(?:\w+ ){1,2}a (?:call|ring|shout|buzz)",
            r"give a call(?: back)?",
            r"return (?:the|my|this) call",
            r"dial",
        ],
        "reply": [
            r"reply(?: back)?",
            r"respond",
            r"write back",
            r"get back (?:to|with) (?:our|the|my) \w+",
            r"follow up with (?:me|us|our|the)",
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
            r"stop (?:by|in|over)",
            r"come (?:by|in|into|over|down|back in|see (?:me|us)|pick|get|grab|and (?:pick|get|see|grab))",
            r"drop (?:by|in|off)",
            r"swing (?:by|over)",
            r"pop (?:in|by|over)",
            rf"visit {OBJECT}",
            r"head (?:over|down|in)",
            r"pick (?:up (?:your|the|my|it|them|a|an)|it up|them up)",
            r"go (?:to|online|on (?:the|our|to))",
            r"log (?:in|on|onto|into)",
        ],
        "other": [
            rf"(?:re)?schedule {OBJECT}",
            rf"book {OBJECT}",
            rf"sign {OBJECT}",
            r"sign (?:up|in|here)",
            rf"send {OBJECT}",
            rf"bring {OBJECT}",
            rf"(?:complete|submit|pay|review|forward|fax|upload|download|register|renew|update|print|grab) {OBJECT}",
            r"fill (?:out|in)",
            r"click (?:on|the)",
            r"ask for",
            r"set up",
            r"go over",
            r"look over",
            r"(?:take|have) a (?:quick )?look",
            r"have (?:your|the) \w+ ready",
            r"put (?:it|them|that|this|those|the|my|your)",
            r"leave (?:it|them|that|the \w+) (?:at|in|on|with|by)",
            r"give (?:it|them|that) to",
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
        rf"(?:{_BY}|on) {_DATE}",
        rf"{_BY} {_CLOCK}{_SAME_DAY}",
        rf"(?:at|around|after) {_STRICT_CLOCK}{_SAME_DAY}",
        rf"between {_CLOCK} and {_CLOCK}",
        rf"from {_CLOCK} (?:to|until|till) {_CLOCK}",
        rf"before (?:i|we|you) (?:leave|close|head out|go|lose){_SAME_DAY}",
        rf"before (?:your|the|our|my|it|this|that) (?:\S+ ){{0,3}}?(?:on |by )?(?:{_DATE}|{_WEEKDAY}|tomorrow|today|tonight)",
        r"before (?:the )?(?:weekend|holidays?|long weekend|deadline|cutoff|cut-off|office closes|close|closing)",
        rf"(?:within|in) (?:like )?the next (?:{_COUNT} )?(?:hours?|days?|business days?|minutes?|weeks?)",
        rf"within (?:like )?{_COUNT} (?:hours?|days?|business days?|minutes?|weeks?)",
        r"within the hour",
    ]
)
# Standing business hours are not a time to act by; deadlines inside them are dropped.
BUSINESS_HOURS = _alternatives(
    [
        rf"{_WEEKDAY}(?: (?:through|thru|to|and) |-){_WEEKDAY}(?:,? (?:from |between )?{_CLOCK} (?:to|and|until|till) {_CLOCK})?",
        rf"(?:open|hours are|we're here|we are here|office is open) (?:from |between )?{_CLOCK} (?:to|and|until|till) {_CLOCK}",
        r"(?:during )?(?:regular |normal )?(?:business|office) hours",
        r"weekdays",
    ]
)
# A deadline after its ask must come before the first word that starts another proposition; after an infinitive of
# purpose ("call me to review your coverage before the 15th") only a "by"/"before" limit still binds the ask.
TO_OBJECTS = frozenset("me us my our the your that this him her them it a an those these".split())
LIMIT = re.compile(rf"^(?:{_BY}|within|in (?:like )?the next) ")
# Words that may stand, besides request leads, between a fronted deadline and its ask ("today, if you could, call me").
DEADLINE_BRIDGES = frozenset("if you could can would will".split())
