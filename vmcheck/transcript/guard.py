"""The hallucination guard: which of Whisper's segments were heard, and which it made up.

Whisper writes words over silence, tones and noise ("you", "Thank you."), loops on digits, and can
skip seconds of speech. Both engines' readings pass through here: a segment is kept when the sound
under it and Whisper's own figures say it was said.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from vmcheck.audio import MIN_ACTIVE_SECONDS, SAMPLE_RATE, Audio, Sound, measure
from vmcheck.transcript.types import Segment, Transcript, Word

HALLUCINATION_NO_SPEECH = 0.6
CLEAR_WORD_PROBABILITY = 0.5
GIBBERISH_WORD_PROBABILITY = 0.25
GIBBERISH_LOGPROB = -1.0
UNSURE_WORD_PROBABILITY = 0.4
SURE_SPEECH_NO_SPEECH = 0.15
"""Whisper's no-speech probability under which it is sure it hears speech, whatever it makes of the words:
at most 0.14 on the short real utterances measured, 0.19 on a steady tone."""
TIMING_SLACK_SECONDS = 0.2
"""How far Whisper's segment times on a short clip can sit from the sound they belong to."""
WORD_SOUND_SECONDS = 0.1
"""The least sound a word needs: even fast speech (four words a second) gives each word twice this."""
FEW_WORDS = 3
"""What Whisper writes over a beep or a tone: a word or two, rarely more."""
ECHO_SECONDS = 0.04
"""A word this short that repeats the one before it is tiny.en's echo ("Three. Three."), not said again."""
STOCK_PHRASES = frozenset({"you", "thank you", "thanks", "thank you very much", "thanks for watching", "thank you for watching"})
"""What Whisper writes over silence, tones and noise when it writes anything."""
FILLER = re.compile(r"u+[mh]+|h+m+|m{2,}|m+h+m+|a+h+|e+r+m*")
"""The filler prompt's "um", "uh", "hmm" as Whisper spells them ("Mmm.", "Mhm."), not the letter "M"."""
LOOP_COMPRESSION_RATIO = 2.4
LOOP_REPEATS = 7
SKIPPED_GAP_SECONDS = 4.0
SKIPPED_SOUND_SECONDS = 2.5
SECONDS_PER_WORD = 2.0
"""The most sound one heard word accounts for: a drawn-out name, not seconds of skipped speech."""


def kept(audio: Audio, clip: np.ndarray, start: float, raws: list[dict], engine: str, model: str) -> Transcript:
    """The transcript of the segments that survive the hallucination guard."""
    sound = Sound(clip)
    read: set[tuple[int, int]] = set()
    segments: list[Segment] = []
    words: list[Word] = []
    for raw in raws:
        clip_words = _without_echo([Word(text, s, e, float(p)) for text, s, e, p in raw["words"]])
        under = sound.under(raw["start"], raw["end"], TIMING_SLACK_SECONDS)
        rereads = read.issuperset(under)
        if rereads and words:
            clip_words = _without_tail_of(words[-1], clip_words)
        if _looks_hallucinated(raw, clip_words, sound, under, rereads):
            continue
        read.update(under)
        seg_words = [Word(w.text, w.start + start, w.end + start, w.probability) for w in clip_words]
        text = "".join(w.text for w in seg_words).strip()
        segments.append(Segment(text, raw["start"] + start, raw["end"] + start, raw["no_speech_prob"], raw["avg_logprob"]))
        words.extend(seg_words)
    return Transcript(
        text="".join(w.text for w in words).strip(),
        words=tuple(words),
        segments=tuple(segments),
        duration=audio.stats.duration,
        engine=engine,
        model=model,
    )


def skips_speech(samples: np.ndarray, segments: list[dict]) -> bool:
    """Whether a stretch with no words holds seconds of sound in the speech band. A word counts as ending
    SECONDS_PER_WORD after its start at the latest: one stretched over seconds (faster-whisper timed
    "there." from 9 s to 20 s on an 8 kHz call) hides skipped speech as well."""
    times = [0.0]
    for segment in segments:
        for _text, start, end, _p in segment["words"]:
            times += [start, min(end, start + SECONDS_PER_WORD)]
    times.append(samples.size / SAMPLE_RATE)
    for start, end in zip(times[::2], times[1::2]):
        if end - start >= SKIPPED_GAP_SECONDS:
            piece = samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
            if measure(piece).active_seconds >= SKIPPED_SOUND_SECONDS:
                return True
    return False


def before_loop(segment: dict) -> dict:
    """The words before a runaway repeat ("3 1 2 5 5 5 0 1 4 7 9 9 9 9 9 9 9 ..."), which beam search on digits can fall into."""
    tokens = [text.strip(" -.,").lower() for text, *_ in segment["words"]]
    for i in range(len(tokens) - LOOP_REPEATS + 1):
        if len(set(tokens[i : i + LOOP_REPEATS])) == 1:
            return {**segment, "words": segment["words"][:i]}
    return segment


def looping(segment: dict) -> bool:
    """A runaway decode: stopped as one (``batched.RUNAWAY_TOKENS``), the same word many times in a row, or text that compresses too well."""
    if segment.get("runaway"):
        return True
    tokens = [text.strip(" -.,").lower() for text, *_ in segment["words"]]
    run = longest = 0
    for previous, token in zip([None, *tokens], tokens):
        run = run + 1 if token == previous else 1
        longest = max(longest, run)
    data = segment["text"].strip().encode("utf-8")
    too_compressible = len(data) > 40 and len(data) / len(zlib.compress(data)) > LOOP_COMPRESSION_RATIO
    return longest >= LOOP_REPEATS or too_compressible


def _looks_hallucinated(raw: dict, words: list[Word], sound: Sound, under: list, rereads: bool) -> bool:
    """Whether a segment is Whisper writing over silence, tones or noise rather than hearing speech.

    Whisper's doubt about the words alone cannot tell them apart: a name said once over a
    phone line scores as low as a word made up over a beep. So a doubted segment that first
    reads an utterance (``under``: the runs of sound it lies on) is kept when Whisper is sure
    it hears speech and the sound is as long as its words could be (one word is not the six
    seconds of a tone). A segment that ``rereads`` utterances a kept segment already covers
    is usually Whisper going over the tail of a word again ("October." then "There."): it
    needs words Whisper is sure of and sound of its own. Words always need sound under them,
    and Whisper's stock phrases ("you", "Thank you.") and the prompt's fillers count only when
    heard clearly or over sound Whisper takes for speech. Where Whisper doubts it hears
    speech, more signs of invention hold whatever the words' average (a tone read at a
    raised temperature can score well): a low log probability for the whole reading, most
    words given no time of their own (the alignment found no sound for them; a runaway
    repeat, "one, one, one, ..." on a card number, is crammed into no time whatever was
    said, so only a run's first word counts), or a word or two of which one is a guess
    ("All right." over a beep, "All" at 0.005).
    """
    said = [w for w in words if re.search(r"[^\W_]", w.text)]
    if not said or sound.seconds_in(under) < WORD_SOUND_SECONDS * len(said):
        return True
    probabilities = [w.probability for w in said]
    doubts_speech = raw["no_speech_prob"] > SURE_SPEECH_NO_SPEECH
    first_of_runs = [w for w, before in zip(said, [None, *said]) if before is None or _letters(w) != _letters(before)]
    timeless = sum(w.end - w.start <= ECHO_SECONDS for w in first_of_runs) * 2 > len(first_of_runs)
    few_with_a_guess = len(said) <= FEW_WORDS and min(probabilities) < GIBBERISH_WORD_PROBABILITY
    if doubts_speech and (raw["avg_logprob"] < GIBBERISH_LOGPROB or timeless or few_with_a_guess):
        return True
    if _stock(said) and min(probabilities) < CLEAR_WORD_PROBABILITY and doubts_speech:
        return True
    if rereads:
        return _unsure(raw, probabilities) or sound.seconds_within(raw["start"], raw["end"]) < MIN_ACTIVE_SECONDS
    if not _unsure(raw, probabilities):
        return False
    return doubts_speech or sound.length_of(under) > SECONDS_PER_WORD * len(said)


def _unsure(raw: dict, probabilities: list[float]) -> bool:
    """Whisper's own doubt about a segment's words: low word probabilities, a low log probability
    with middling ones, or unclear words in a window it thinks is silent."""
    mean = sum(probabilities) / len(probabilities)
    if mean < GIBBERISH_WORD_PROBABILITY:
        return True
    if raw["avg_logprob"] < GIBBERISH_LOGPROB and mean < UNSURE_WORD_PROBABILITY:
        return True
    return raw["no_speech_prob"] > HALLUCINATION_NO_SPEECH and mean < CLEAR_WORD_PROBABILITY


def _stock(words: list[Word]) -> bool:
    """Whether the words are only the prompt's fillers, or a stock phrase with fillers around it."""
    tokens = [t for t in re.findall(r"[a-z0-9']+", "".join(w.text for w in words).lower()) if not FILLER.fullmatch(t)]
    return not tokens or " ".join(tokens) in STOCK_PHRASES


def _without_echo(words: list[Word]) -> list[Word]:
    """tiny.en often ends a lone word by writing it again in no time: the repeat has no sound of its own."""
    if len(words) >= 2 and words[-1].end - words[-1].start <= ECHO_SECONDS and _letters(words[-1]) == _letters(words[-2]):
        return words[:-1]
    return words


def _without_tail_of(previous: Word, words: list[Word]) -> list[Word]:
    """A segment going over an utterance again often starts with the end of the word before
    ("Goodbye." then "Bye."): that word was said once."""
    ending, word = (_letters(words[0]) if words else ""), _letters(previous)
    if ending and len(ending) < len(word) and word.endswith(ending):
        return words[1:]
    return words


def _letters(word: Word) -> str:
    return re.sub(r"[\W_]", "", word.text).lower()
