"""Speech to timed words: openai-whisper by default, faster-whisper as an option.

Both engines get the same treatment around them: silence at either end is cut
before decoding (each 30 s window costs a full encoder pass), a recording with
no sound at all never reaches the model, segments that look like Whisper's
hallucinations on silence ("you", "Thank you.") are dropped, and every number
said is listened to a second time (``vmcheck.relisten``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from vmcheck.audio import MIN_ACTIVE_SECONDS, SAMPLE_RATE, Audio, Sound, measure
from vmcheck.relisten import BEAM_SIZE, DIGIT_PROMPT, relisten
from vmcheck.transcript import Segment, Transcript, Word

ENGINES = ("whisper", "faster-whisper")
FILLER_PROMPT = "Um, uh, hmm."
EDGE_PAD_SECONDS = 0.3
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
# openai-whisper's transcribe() defaults, spelled out so faster-whisper decodes the same way.
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
COMPRESSION_RATIO_THRESHOLD = 2.4
LOG_PROB_THRESHOLD = -1.0
NO_SPEECH_THRESHOLD = 0.6
FALLBACK = dict(
    temperatures=FALLBACK_TEMPERATURES,
    compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
    logprob_threshold=LOG_PROB_THRESHOLD,
    no_speech_threshold=NO_SPEECH_THRESHOLD,
)
LISTEN_BATCH = 4
"""Windows of the second listen decoded together (five beams each). On the 8 longest benchmark voicemails,
4 took the same time as 8 (49 s) and peaked at 1.22 GB of memory instead of 1.43."""
FASTER_COMPUTE_TYPE = "int8"
FAST_EXTRA_HINT = "the faster-whisper engine needs the optional extra: pip install 'vmcheck[fast]'"


class WhisperEngine:
    """openai-whisper on the CPU, greedy decoding, word timestamps on."""

    name = "whisper"

    def __init__(self, model_name: str):
        from vmcheck import decoder_cpu, model

        self.model = model.load(model_name)
        self.model_name = self.model.name
        decoder_cpu.install(self.model)
        _compile_alignment_once()

    def segments_many(self, clips: list[np.ndarray]) -> list[list[dict]]:
        """Every clip's segments, decoded together (``vmcheck.batched``; how many at most: ``--batch-size``,
        ``config.BATCH_SIZE``). A lone clip too: unlike whisper.transcribe, the batched decoder encodes each
        window once for its fallback and its word times, and stops a runaway reading."""
        return _decode_with_fallback(self._decode_many, clips)

    def _decode_many(self, clips: list[np.ndarray], prompt: str | None) -> list[list[dict]]:
        from vmcheck import batched

        return [[_raw(segment) for segment in segments] for segments in batched.transcribe(self.model, clips, prompt, FALLBACK)]

    def listen_closely(self, clips: list[np.ndarray], budgets: list[Callable[[float], int]]) -> list[list[dict]]:
        """The second listen to numbers (``vmcheck.relisten``): beam search, temperature 0, a digit prompt,
        the clips decoded together, and a token budget for each window from what is left to hear after
        its start, since a beam stuck on "9 9 9 ..." would otherwise run to Whisper's limit, in the
        silence after the last number too."""
        from vmcheck import batched

        settings = {**FALLBACK, "temperatures": (0.0,)}
        decoded = batched.transcribe(self.model, clips, DIGIT_PROMPT, settings, batch_size=LISTEN_BATCH, beam_size=BEAM_SIZE, budgets=budgets)
        return [[_before_loop(_raw(segment)) for segment in segments] for segments in decoded]


def _compile_alignment_once() -> None:
    """openai-whisper's word alignment (its DTW) is compiled by numba in every process that uses it,
    2.6 s each time; with numba's own on-disk cache (beside whisper's code, else the user's cache
    folder) it is compiled once. Where neither can be written it is compiled each run, as before."""
    from whisper.timing import dtw_cpu

    with contextlib.suppress(RuntimeError):
        dtw_cpu.enable_caching()


class FasterWhisperEngine:
    """faster-whisper (CTranslate2) on the CPU, int8, decoding exactly as WhisperEngine does.

    It reads the offline models' CTranslate2 folders directly (tiny.en's package
    folder, base joined in the cache), so there is no conversion step and no
    torch. The filler prompt goes in as ``hotwords``: with
    ``condition_on_previous_text=False`` faster-whisper drops an
    ``initial_prompt`` after the first 30 s window, whereas ``hotwords`` is put
    before every window as ``<|startofprev|> Um, uh, hmm.``, the same tokens
    openai-whisper decodes with under ``carry_initial_prompt``. Its VAD filter is
    left off: trimming and the hallucination guard are the ones both engines share.
    """

    name = "faster-whisper"

    def __init__(self, model_name: str, threads: int | None = None, compute_type: str = FASTER_COMPUTE_TYPE):
        from vmcheck.errors import VmcheckError

        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise VmcheckError(FAST_EXTRA_HINT) from None
        from vmcheck import model

        self.threads = threads or os.cpu_count() or 1
        self.compute_type = compute_type
        options = dict(device="cpu", compute_type=compute_type, cpu_threads=self.threads)
        if model_name in model.OFFLINE:
            source, label = str(model.source(model_name)), model_name
        elif os.path.isdir(model_name):
            if not (Path(model_name) / "model.bin").is_file():
                raise VmcheckError("not a CTranslate2 Whisper model folder (no model.bin)", model_name)
            source, label = model_name, Path(model_name).resolve().name
        elif os.path.exists(model_name):
            raise VmcheckError(
                "the faster-whisper engine needs a CTranslate2 model folder, not a file (use --engine whisper for openai-whisper checkpoints)",
                model_name,
            )
        else:
            # Another size or Hub id only if it is already in the local Hugging Face cache: no downloads.
            source, label = model_name, model_name
            options["local_files_only"] = True
        try:
            self.model = WhisperModel(source, **options)
        except Exception as error:
            if options.get("local_files_only"):
                raise VmcheckError(
                    f"cannot load faster-whisper model '{model_name}' offline ({type(error).__name__}); "
                    f"use the embedded '{model.EMBEDDED_NAME}' or pass a CTranslate2 model folder"
                ) from None
            detail = (str(error).strip().splitlines() or [""])[0]
            raise VmcheckError(f"not a CTranslate2 Whisper model ({type(error).__name__}: {detail})", source) from None
        self.model_name = label

    def segments_many(self, clips: list[np.ndarray]) -> list[list[dict]]:
        """As WhisperEngine.segments_many: the clips decoded together (``vmcheck.batched_fast``), a lone clip too, since
        unlike faster-whisper's transcribe() the batched decoder leaves a silent tail unread (``windows.Place``):
        one worker took 42 s instead of 55-60 s for the benchmark's 60 short clips, one at a time."""
        return _decode_with_fallback(self._decode_many, clips)

    def _decode_many(self, clips: list[np.ndarray], prompt: str | None) -> list[list[dict]]:
        from vmcheck import batched_fast

        return batched_fast.transcribe(self.model, [_contiguous(clip) for clip in clips], prompt, FALLBACK)

    def listen_closely(self, clips: list[np.ndarray], budgets: list[Callable[[float], int]]) -> list[list[dict]]:
        """The second listen of WhisperEngine.listen_closely, the clips decoded together, each window with its own budget."""
        from vmcheck import batched_fast

        settings = {**FALLBACK, "temperatures": (0.0,)}
        clips = [_contiguous(clip) for clip in clips]
        decoded = batched_fast.transcribe(self.model, clips, DIGIT_PROMPT, settings, batch_size=LISTEN_BATCH, beam_size=BEAM_SIZE, budgets=budgets)
        return [[_before_loop(segment) for segment in segments] for segments in decoded]


def _contiguous(samples: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(samples, dtype=np.float32)


Engine = WhisperEngine | FasterWhisperEngine


def load_engine(engine: str, model_name: str, threads: int | None = None) -> Engine:
    """``threads`` applies to faster-whisper only (default: every CPU)."""
    if engine == "whisper":
        return WhisperEngine(model_name)
    if engine == "faster-whisper":
        return FasterWhisperEngine(model_name, threads=threads)
    from vmcheck.errors import VmcheckError

    raise VmcheckError(f"unknown engine '{engine}' (choose from: {', '.join(ENGINES)})")


def transcribe(audio: Audio, engine: Engine) -> Transcript:
    return transcribe_many([audio], engine)[0]


def transcribe_many(audios: list[Audio], engine: Engine) -> list[Transcript]:
    """Transcripts of many recordings, decoded together: the engine batches their windows, and the second listen their numbers'."""
    clips = {i: _trimmed(audio) for i, audio in enumerate(audios) if audio.stats.active_seconds >= MIN_ACTIVE_SECONDS}
    decoded = dict(zip(clips, engine.segments_many([clip for clip, _start in clips.values()])))
    transcripts = []
    for i, audio in enumerate(audios):
        if i not in clips:
            transcripts.append(Transcript(text="", words=(), duration=audio.stats.duration, engine=engine.name, model=engine.model_name))
            continue
        clip, start = clips[i]
        transcripts.append(_kept(audio, clip, start, decoded[i], engine))
    readings = relisten([(audio, transcript.words) for audio, transcript in zip(audios, transcripts)], engine)
    return [dataclasses.replace(transcript, relistens=found) for transcript, found in zip(transcripts, readings)]


def _trimmed(audio: Audio) -> tuple[np.ndarray, float]:
    """The recording without the silence at either end (each 30 s window costs a full encoder pass), and where it starts."""
    stats = audio.stats
    start = max(0.0, stats.leading_silence - EDGE_PAD_SECONDS)
    end = min(stats.duration, stats.duration - stats.trailing_silence + EDGE_PAD_SECONDS)
    return audio.samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)], start


def _kept(audio: Audio, clip: np.ndarray, start: float, raws: list[dict], engine: Engine) -> Transcript:
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
        engine=engine.name,
        model=engine.model_name,
    )


def _decode_with_fallback(decode_many, clips: list[np.ndarray]) -> list[list[dict]]:
    """Decode with the filler prompt, and again without it the clips where the prompt has sent the model
    astray: into a repetition loop ("1-1-1-1-..." on digits, seen with tiny.en), or past speech (base can
    end a window on a lone timestamp, which makes Whisper skip the rest of that window)."""
    decoded = decode_many(clips, FILLER_PROMPT)
    astray = [i for i, (clip, segments) in enumerate(zip(clips, decoded)) if any(map(_looping, segments)) or _skips_speech(clip, segments)]
    for i, segments in zip(astray, decode_many([clips[i] for i in astray], None) if astray else []):
        decoded[i] = segments
    return decoded


def _raw(segment: dict) -> dict:
    """A segment of openai-whisper's, as both engines hand them to the guard."""
    return {
        "text": segment["text"],
        "start": segment["start"],
        "end": segment["end"],
        "no_speech_prob": segment["no_speech_prob"],
        "avg_logprob": segment["avg_logprob"],
        "words": [(w["word"], w["start"], w["end"], w["probability"]) for w in segment.get("words", [])],
        "runaway": segment.get("runaway", False),
    }


def _skips_speech(samples: np.ndarray, segments: list[dict]) -> bool:
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


def _before_loop(segment: dict) -> dict:
    """The words before a runaway repeat ("3 1 2 5 5 5 0 1 4 7 9 9 9 9 9 9 9 ..."), which beam search on digits can fall into."""
    tokens = [text.strip(" -.,").lower() for text, *_ in segment["words"]]
    for i in range(len(tokens) - LOOP_REPEATS + 1):
        if len(set(tokens[i : i + LOOP_REPEATS])) == 1:
            return {**segment, "words": segment["words"][:i]}
    return segment


def _looping(segment: dict) -> bool:
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
