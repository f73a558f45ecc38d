"""Callback numbers said in a voicemail: which numbers are for calling back, and how clearly each came through.

``digits`` reads every number out of the words. Here the words around each
one decide whether it is a callback number at all (a claim number, a ZIP code
or "the fax" is not), a correction replaces what it corrects, and the
mentions of one number are merged. Mentions that differ by a digit or two are
one number heard unclearly: ``consensus`` aligns them digit by digit and lets
them vote, so the number is what most of them heard, and the digits they
disagree on are kept for the listener's sake. A second decode of a mention's
audio (a relisten) votes as one more reading of it.

The pipeline: ``_read`` (words -> mentions, corrections applied) -> ``_contexts``
(is each one for calling back?) -> ``_group`` (mentions of one number) ->
``_second_listens`` -> ``_number`` (the reconciled ``CallbackNumber``).
The words that say what a number is are data (``rules/Core/vocab/numbers.yml``),
so a course can add its own distractors ("member number", "locker").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from vmcheck.facts import digits as reading
from vmcheck.facts.callback import CallbackNumber, Mention
from vmcheck.facts.consensus import Reading, distance, reconcile
from vmcheck.facts.digits import MIN_DIGITS, Parsed, Said
from vmcheck.facts.vocab import Vocabularies, builtin
from vmcheck.transcript import Word

CONTEXT_WORDS = 6
"""How far to look either side of a number for the words that say what it is."""

STRAY_DIGITS = 2
"""Single digits before a mention in the same stream of digits that still make it part of that stream."""

MAX_MISHEARD = 2
"""Mentions at most this many edits apart (a misheard, doubled or dropped digit) are one number heard unclearly."""

_ENDS_SENTENCE = re.compile(r"[.!?…][\"')\]]*$")
_EDGE_PUNCTUATION = ".,;:!?…\"'()[]"


@dataclass(frozen=True)
class _Words:
    """The vocabularies this module reads, as sets, fetched once per message."""

    decoys: frozenset[str]
    dead: frozenset[str]
    phone: frozenset[str]
    verbs: frozenset[str]
    negations: frozenset[str]
    links: frozenset[str]
    abbreviations: frozenset[str]
    copulas: frozenset[str]
    units: frozenset[str]
    cues: tuple[tuple[str, ...], ...]
    correction_fillers: frozenset[str]
    labels: frozenset[str]
    another: frozenset[str]

    @classmethod
    def of(cls, vocab: Vocabularies) -> _Words:
        words = vocab.words
        return cls(
            decoys=words("decoy_nouns"),
            dead=words("dead_words"),
            phone=words("phone_words"),
            verbs=words("phone_verbs"),
            negations=words("negations"),
            links=words("link_words"),
            abbreviations=words("number_abbreviations"),
            copulas=words("copulas"),
            units=words("units"),
            cues=vocab.phrases("correction_cues"),
            correction_fillers=words("correction_fillers"),
            labels=words("line_labels"),
            another=words("another_line"),
        )


def find_numbers(
    words: Sequence[Word], region: str = "US", relistens: Sequence[Sequence[Word]] = (), vocab: Vocabularies | None = None
) -> list[CallbackNumber]:
    """Every callback number said in ``words``, in the order first said.

    ``region`` is where the caller is assumed to be: it decides how numbers
    without a country code are read and validated. Each of ``relistens`` is a
    second decode of the audio around a mention, with absolute times.
    """
    lex = _Words.of(vocab or builtin())
    said, digit_words = _read(words, region, lex)
    contexts = _contexts(words, said, digit_words, lex)
    callbacks = [s for s in said if contexts[id(s)].callable]
    groups = _group(callbacks, contexts)
    second = _second_listens(callbacks, relistens, region, lex)
    numbers = [_number(group, second, words, region) for group in groups]
    return sorted(numbers, key=lambda n: n.first_start)


def _read(words: Sequence[Word], region: str, lex: _Words) -> tuple[list[Said], dict[int, int]]:
    """Every number said, a correction put in place of what it corrects, and how many digits each word holds."""
    said: list[Said] = []
    digit_words: dict[int, int] = {}
    for run in reading.runs(words, region):
        for token in run.tokens:
            for i in range(token.first, token.last + 1):
                digit_words[i] = digit_words.get(i, 0) + len(token.digits)
        corrects = said[-1] if said and _takes_back(words, said[-1], run.tokens[0].first, lex) else None
        found = reading.numbers_in(run, region, corrects)
        if corrects is not None and found and found[0].corrected:  # the number is taken back, however often it was said
            said = [s for s in said if s.digits != corrects.digits]
        said.extend(found)
    return said, digit_words


def _takes_back(words: Sequence[Word], said: Said, next_word: int, lex: _Words) -> bool:
    """Do the words between ``said`` and the next digits correct it ("..., sorry, I mean ...")?"""
    between = tuple(w for w in (_plain(word.text) for word in words[said.tokens[-1].last + 1 : next_word]) if w)
    cued = any(between[k : k + len(cue)] == cue for cue in lex.cues for k in range(len(between)))
    cue_words = {word for cue in lex.cues for word in cue}
    return cued and all(w in lex.correction_fillers or w in cue_words for w in between)


# --- is it a callback number? --------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What the words around one mention say about it."""

    callable: bool
    label: str | None  # the line named before it ("cell", "office")
    another: bool  # introduced as another line ("or ...", "also ...")

    @classmethod
    def of(cls, words: Sequence[Word], said: Said, digit_words: dict[int, int], lex: _Words) -> _Context:
        single = len(said.tokens[0].digits) == 1
        before = _before(words, _stream_start(words, said.tokens[0].first, digit_words, single), digit_words, lex)
        after = _after(words, said.tokens[-1].last, digit_words, lex)
        label = next((w for w in before if w in lex.labels), None)
        return cls(_callable(_kind_before(before, lex), _kind_after(after, lex)), label, any(w in lex.another for w in before))


def _contexts(words: Sequence[Word], said: list[Said], digit_words: dict[int, int], lex: _Words) -> dict[int, _Context]:
    """The context of each mention, by id; the same digits again straight after ("4417229031, 4417229031") are a
    repeat of whatever they were."""
    contexts: dict[int, _Context] = {}
    for k, item in enumerate(said):
        previous = said[k - 1] if k else None
        repeat = previous and previous.digits == item.digits and previous.tokens[-1].last >= item.tokens[0].first - 1
        contexts[id(item)] = contexts[id(previous)] if repeat else _Context.of(words, item, digit_words, lex)
    return contexts


def _plain(text: str) -> str:
    return text.strip().lower().replace("’", "'").strip(_EDGE_PUNCTUATION)


def _stream_start(words: Sequence[Word], first: int, digit_words: dict[int, int], single: bool) -> int:
    """Where the digit-by-digit stream a mention was carved from begins, if only a stray digit or two go before it:
    in "order number 7 7 3 4 1 2 9 0" the local number 734-1290 is part of the order number."""
    start = first
    while single and first - start < STRAY_DIGITS and digit_words.get(start - 1) == 1:
        before = words[start - 1]
        if _ENDS_SENTENCE.search(before.text.strip()) or words[start].start - before.end >= reading.PAUSE:
            break
        start -= 1
    return start if start - 1 not in digit_words else first


def _before(words: Sequence[Word], first: int, digit_words: dict[int, int], lex: _Words) -> list[str]:
    """The words before a mention, nearest first, back to the previous digits or sentence."""
    out: list[str] = []
    i = first - 1
    while i >= 0 and len(out) < CONTEXT_WORDS and i not in digit_words:
        plain = _plain(words[i].text)
        if _ENDS_SENTENCE.search(words[i].text.strip()) and plain not in lex.abbreviations:
            break
        out.append(plain)
        i -= 1
    return out


def _after(words: Sequence[Word], last: int, digit_words: dict[int, int], lex: _Words) -> list[str]:
    """The rest of the mention's sentence up to a comma, or, after a full stop, a next one that refers back ("That's
    the fax.")."""
    out: list[str] = []
    i = last + 1
    ended = _ENDS_SENTENCE.search(words[last].text.strip()) is not None
    while i < len(words) and len(out) < CONTEXT_WORDS and i not in digit_words:
        text = words[i].text.strip()
        out.append(_plain(text))
        if _ENDS_SENTENCE.search(text) or text.endswith((",", ";")):
            break
        i += 1
    return out if not ended or (out and out[0] in lex.copulas) else []


def _kind_before(before: list[str], lex: _Words) -> str | None:
    """phone, decoy, dead or None, from the nearest word before the number that is not a link word."""
    for k, word in enumerate(before):
        if word in lex.links:
            continue
        if word in lex.verbs:
            negated = any(w in lex.negations for w in before[k + 1 : k + 3])
            return "dead" if negated else "phone"
        if word in lex.decoys:
            return "decoy"
        if word in lex.dead:
            return "dead"
        return "phone" if word in lex.phone else None
    return None


def _kind_after(after: list[str], lex: _Words) -> str | None:
    """phone, decoy, dead or None, from what the number is said to be: "..., that's the fax", "... is disconnected"."""
    if after and after[0] in lex.units:
        return "decoy"
    if not after or after[0] not in lex.copulas:
        return None
    word = next((w for w in after if w not in lex.links and w not in ("my", "our")), None)
    if word in lex.dead:
        return "dead"
    if word in lex.decoys:
        return "decoy"
    return "phone" if word in lex.phone else None


def _callable(before: str | None, after: str | None) -> bool:
    """A number is for calling back unless its words say otherwise; a named line on one side outweighs a decoy noun
    on the other ("regarding the policy, 312-555-0147 is my direct line")."""
    if "dead" in (before, after):
        return False
    if "decoy" in (before, after):
        return "phone" in (before, after)
    return True


# --- mentions -> callback numbers ----------------------------------------------


def _group(said: list[Said], contexts: dict[int, _Context]) -> list[list[Said]]:
    """Mentions of one number, each group led by its fullest mention."""
    groups: list[list[Said]] = []
    for item in sorted(said, key=lambda s: -len(s.digits)):
        group = next((g for g in groups if _same_number(g, item, contexts)), None)
        if group is None:
            groups.append([item])
        else:
            group.append(item)
    return groups


def _same_number(group: list[Said], item: Said, contexts: dict[int, _Context]) -> bool:
    """The same number, said in full and without country or area code ("13125550147", "5550147"), or misheard by a
    digit or two, unless the words make it another line ("my office is ..., and my cell is ...")."""
    apart = distance(group[0].digits, item.digits)
    if len(item.digits) < MIN_DIGITS or apart > MAX_MISHEARD:
        return False
    return apart == 0 or not any(_told_apart(contexts[id(s)], contexts[id(item)], s.start < item.start) for s in group)


def _told_apart(one: _Context, other: _Context, one_first: bool) -> bool:
    """Named as two lines ("office" and "cell"), or the later one brought in as another ("or ...")."""
    later = other if one_first else one
    return later.another or (one.label is not None and other.label is not None and one.label != other.label)


def _second_listens(said: list[Said], relistens: Sequence[Sequence[Word]], region: str, lex: _Words) -> dict[int, list[Said]]:
    """The readings of each first-pass mention (by id) from the second listens: the number a relisten reads that
    overlaps the mention most in time, if it is the same number heard; a relisten that reads none adds nothing."""
    found: dict[int, list[Said]] = {}
    for words in relistens:
        for again in _read(words, region, lex)[0]:
            overlaps = [(min(s.end, again.end) - max(s.start, again.start), k) for k, s in enumerate(said)]
            overlap, k = max(overlaps, default=(0.0, -1))
            if overlap > 0 and distance(said[k].digits, again.digits) <= MAX_MISHEARD:
                found.setdefault(id(said[k]), []).append(again)
    return found


def _number(group: list[Said], second: dict[int, list[Said]], words: Sequence[Word], region: str) -> CallbackNumber:
    """One callback number from its mentions, and what each second listen of them read."""
    in_order = sorted(group, key=lambda s: s.start)
    readings = [(r, s.start, r is not s) for s in in_order for r in (s, *second.get(id(s), ()))]
    as_heard: dict[str, Parsed] = {}
    for r, _, _ in readings:
        as_heard.setdefault(r.digits, r.parsed)

    def parsed(digits: str) -> Parsed:
        """As one reading heard it or, when the vote made it up of several, as the fullest mention was said."""
        found = as_heard.get(digits) or reading.parse(digits, group[0].parsed.international, region)
        return found or Parsed(digits, None, False)

    consensus, unclear = reconcile(
        [Reading(r.digits, r.probabilities, start, again) for r, start, again in readings],
        lambda digits: parsed(digits).valid,
    )
    number = parsed(consensus)
    extension = next((s.extension for s in in_order if s.extension), None)
    mentions = tuple(_mention(s, second.get(id(s), ()), words) for s in in_order)
    formatted = _formatted(number, region)
    return CallbackNumber(number.digits, extension, number.e164, number.valid, mentions, formatted, unclear)


def _formatted(number: Parsed, region: str) -> str:
    """As people write it: national for a number of ``region`` ("(312) 555-0147"), else international
    ("+44 20 7946 0958"); the digits as said when ``phonenumbers`` cannot read them."""
    try:
        parsed = phonenumbers.parse(number.e164 or number.digits, region)
    except NumberParseException:
        return number.digits
    home = parsed.country_code == phonenumbers.country_code_for_region(region)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL)


def _mention(said: Said, relistens: Sequence[Said], words: Sequence[Word]) -> Mention:
    first, last = said.tokens[0].first, said.tokens[-1].last
    text = "".join(w.text for w in words[first : last + 1]).strip()
    rate = said.digit_count / (said.end - said.start) if said.end > said.start else 0.0
    return Mention(said.start, said.end, text, rate, said.digits, tuple(r.digits for r in relistens))
