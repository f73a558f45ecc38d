"""Speech to timed words: openai-whisper by default, faster-whisper as an option.

Both engines get the same treatment around them: silence at either end is cut
before decoding (each 30 s window costs a full encoder pass), a recording with
no sound at all never reaches the model, segments that look like Whisper's
hallucinations ("you", "Thank you." on silence, a word or two on a tone) are
dropped, and every number said is listened to a second time (``vmcheck.relisten``).

The hallucination guard judges a segment by how its words relate to the sound
under them, since Whisper's confidence alone cannot tell a name said once over a
phone line from a word invented over a beep: both score low.
"""

from __future__ import annotations

import os
import re
import zlib
from pathlib import Path

import numpy as np

from vmcheck.audio import FRAME_SECONDS, SAMPLE_RATE, SILENCE_DBFS, Audio, _frame_rms, measure, speech_band
from vmcheck.relisten import BEAM_SIZE, DIGIT_PROMPT, relisten
from vmcheck.transcript import Segment, Transcript, Word

ENGINES = ("whisper", "faster-whisper")
FILLER_PROMPT = "Um, uh, hmm."
EDGE_PAD_SECONDS = 0.3
MIN_ACTIVE_SECONDS = 0.2
"""Speech-band sound a recording needs to reach the model, and a segment re-reading an utterance to be kept."""
PAUSE_SECONDS = 0.3
"""A gap in the sound this long ends an utterance; gaps between words and inside them are shorter."""
TIMING_SLACK_SECONDS = 0.2
"""How far Whisper's word times on a short clip can sit from the sound they belong to."""
WORD_SOUND_SECONDS = 0.1
"""The least sound a word needs: even fast speech (four words a second) gives each word twice this."""
SECONDS_PER_WORD = 2.0
"""The most sound one heard word accounts for: a drawn-out name, not the seconds of a tone or a hum."""
ECHO_SECONDS = 2 * FRAME_SECONDS
SPEECH_NO_SPEECH = 0.2
"""Whisper's no-speech probability under which it is sure it hears speech, whatever it makes of the words."""
HALLUCINATION_NO_SPEECH = 0.6
CLEAR_WORD_PROBABILITY = 0.5
GIBBERISH_WORD_PROBABILITY = 0.25
GIBBERISH_LOGPROB = -1.0
UNSURE_WORD_PROBABILITY = 0.4
STOCK_PHRASES = frozenset({"you", "thank you", "thanks", "thank you very much", "thanks for watching", "thank you for watching"})
"""What Whisper writes over silence, tones and noise when it writes anything."""
FILLER = re.compile(r"u+[mh]+|h*m+|m+h+m*|a+h+|e+r+m*")
"""The filler prompt's "um", "uh", "hmm" as Whisper spells them ("Mmm.", "Mhm.", "Ah."): alone, it may be echoing the prompt."""
LOOP_COMPRESSION_RATIO = 2.4
LOOP_REPEATS = 7
SKIPPED_GAP_SECONDS = 4.0
SKIPPED_SOUND_SECONDS = 2.5
# openai-whisper's transcribe() defaults, spelled out so faster-whisper decodes the same way.
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
COMPRESSION_RATIO_THRESHOLD = 2.4
LOG_PROB_THRESHOLD = -1.0
NO_SPEECH_THRESHOLD = 0.6
FASTER_COMPUTE_TYPE = "int8"
FAST_EXTRA_HINT = "the faster-whisper engine needs the optional extra: pip install 'vmcheck[fast]'"


class WhisperEngine:
    """openai-whisper on the CPU, greedy decoding, word timestamps on."""

    name = "whisper"

    def __init__(self, model_name: str):
        from vmcheck import model

        self.model = model.load(model_name)
        self.model_name = self.model.name

    def segments(self, samples: np.ndarray) -> list[dict]:
        return _decode_with_fallback(self._decode, samples)

    def listen_closely(self, samples: np.ndarray, max_tokens: int) -> list[dict]:
        """The second listen to a number (``vmcheck.relisten``): beam search, temperature 0, a digit prompt,
        and a token budget, since a beam stuck on "9 9 9 ..." would otherwise run to Whisper's limit."""
        segments = self._decode(samples, DIGIT_PROMPT, beam_size=BEAM_SIZE, temperature=0.0, sample_len=max_tokens)
        return [_before_loop(segment) for segment in segments]

    def _decode(self, samples: np.ndarray, prompt: str | None, **options) -> list[dict]:
        import whisper

        result = whisper.transcribe(
            self.model,
            samples,
            fp16=False,
            language="en",
            word_timestamps=True,
            initial_prompt=prompt,
            carry_initial_prompt=prompt is not None,
            condition_on_previous_text=False,
            verbose=None,
            **options,
        )
        return [
            {
                "text": segment["text"],
                "start": segment["start"],
                "end": segment["end"],
                "no_speech_prob": segment["no_speech_prob"],
                "avg_logprob": segment["avg_logprob"],
                "words": [(w["word"], w["start"], w["end"], w["probability"]) for w in segment.get("words", [])],
            }
            for segment in result["segments"]
        ]


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
                "the faster-whisper engine needs a CTranslate2 model folder, not a file "
                "(use --engine whisper for openai-whisper checkpoints)",
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

    def segments(self, samples: np.ndarray) -> list[dict]:
        return _decode_with_fallback(self._decode, samples)

    def listen_closely(self, samples: np.ndarray, max_tokens: int) -> list[dict]:
        """Same second listen to a number as WhisperEngine.listen_closely."""
        segments = self._decode(samples, DIGIT_PROMPT, beam_size=BEAM_SIZE, temperature=[0.0], max_new_tokens=max_tokens)
        return [_before_loop(segment) for segment in segments]

    def _decode(
        self,
        samples: np.ndarray,
        prompt: str | None,
        beam_size: int = 1,
        temperature=FALLBACK_TEMPERATURES,
        max_new_tokens: int | None = None,
    ) -> list[dict]:
        result, _info = self.model.transcribe(
            np.ascontiguousarray(samples, dtype=np.float32),
            language="en",
            task="transcribe",
            beam_size=beam_size,
            max_new_tokens=max_new_tokens,
            best_of=1,
            temperature=list(temperature),
            compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
            log_prob_threshold=LOG_PROB_THRESHOLD,
            no_speech_threshold=NO_SPEECH_THRESHOLD,
            condition_on_previous_text=False,
            initial_prompt=None,
            hotwords=prompt,
            word_timestamps=True,
            without_timestamps=False,
            vad_filter=False,
            log_progress=False,
        )
        return [
            {
                "text": segment.text,
                "start": segment.start,
                "end": segment.end,
                "no_speech_prob": segment.no_speech_prob,
                "avg_logprob": segment.avg_logprob,
                "words": [(w.word, w.start, w.end, w.probability) for w in segment.words or []],
            }
            for segment in result
        ]


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
    stats = audio.stats
    empty = Transcript(text="", words=(), duration=stats.duration, engine=engine.name, model=engine.model_name)
    if stats.active_seconds < MIN_ACTIVE_SECONDS:
        return empty
    start = max(0.0, stats.leading_silence - EDGE_PAD_SECONDS)
    end = min(stats.duration, stats.duration - stats.trailing_silence + EDGE_PAD_SECONDS)
    clip = audio.samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
    sound = _Sound(clip)
    readings = []
    for raw in engine.segments(clip):
        clip_words = _without_echo([Word(text, s, e, float(p)) for text, s, e, p in raw["words"]])
        readings.append((raw, clip_words, sound.utterances_under(raw["start"], raw["end"])))
    segments: list[Segment] = []
    words: list[Word] = []
    read: set[int] = set()
    for raw, clip_words, under in readings:
        heard = sum(len(_said(other)) for _raw, other, its in readings if not under.isdisjoint(its))
        if _looks_hallucinated(raw, clip_words, sound, under, read, heard):
            continue
        read |= under
        seg_words = [Word(w.text, w.start + start, w.end + start, w.probability) for w in clip_words]
        text = "".join(w.text for w in seg_words).strip()
        segments.append(Segment(text, raw["start"] + start, raw["end"] + start, raw["no_speech_prob"], raw["avg_logprob"]))
        words.extend(seg_words)
    text = "".join(w.text for w in words).strip()
    return Transcript(
        text=text,
        words=tuple(words),
        segments=tuple(segments),
        duration=stats.duration,
        engine=engine.name,
        model=engine.model_name,
        relistens=relisten(audio, tuple(words), engine),
    )


def _decode_with_fallback(decode, samples: np.ndarray) -> list[dict]:
    """Decode with the filler prompt, and again without it when the prompt has sent the model astray:
    into a repetition loop ("1-1-1-1-..." on digits, seen with tiny.en), or past speech (base can end
    a window on a lone timestamp, which makes Whisper skip the rest of that window)."""
    segments = decode(samples, FILLER_PROMPT)
    if any(_looping(segment) for segment in segments) or _skips_speech(samples, segments):
        segments = decode(samples, None)
    return segments


def _skips_speech(samples: np.ndarray, segments: list[dict]) -> bool:
    """Whether a stretch with no words holds seconds of sound in the speech band."""
    times = [0.0] + [t for segment in segments for _text, start, end, _p in segment["words"] for t in (start, end)]
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
    """A runaway decode: the same word many times in a row, or text that compresses too well."""
    tokens = [text.strip(" -.,").lower() for text, *_ in segment["words"]]
    run = longest = 0
    for previous, token in zip([None, *tokens], tokens):
        run = run + 1 if token == previous else 1
        longest = max(longest, run)
    data = segment["text"].strip().encode("utf-8")
    too_compressible = len(data) > 40 and len(data) / len(zlib.compress(data)) > LOOP_COMPRESSION_RATIO
    return longest >= LOOP_REPEATS or too_compressible


def _looks_hallucinated(raw: dict, words: list[Word], sound: _Sound, under: set[int], read: set[int], heard: int) -> bool:
    """Whether a segment is Whisper inventing rather than hearing.

    ``under`` are the utterances the segment lies on, ``read`` those an earlier kept segment
    already transcribed, ``heard`` how many words Whisper wrote over ``under`` in all.
    Whisper's stock phrases and the prompt's fillers count only when heard clearly. The
    first reading of an utterance is judged by its sound: no more words than the sound can
    carry, and, where Whisper is unsure of the words (a name said once scores as low as a
    word made up over a beep), Whisper sure it hears speech and the words accounting for
    the utterance's length. A segment on sound already transcribed is usually Whisper
    re-reading the end of a word it cut short ("October." then "There."): it needs sound
    under its own times and words Whisper is sure of.
    """
    said = _said(words)
    if not said:
        return True
    probabilities = [w.probability for w in said]
    if _stock(said) and min(probabilities) < CLEAR_WORD_PROBABILITY:
        return True
    if under and read.isdisjoint(under):
        if len(said) * WORD_SOUND_SECONDS > sound.seconds_in(under):
            return True
        if not _unsure(raw, probabilities):
            return False
        return raw["no_speech_prob"] > SPEECH_NO_SPEECH or sound.length_of(under) > SECONDS_PER_WORD * heard
    return sound.seconds(raw["start"], raw["end"]) < MIN_ACTIVE_SECONDS or _unsure(raw, probabilities)


def _unsure(raw: dict, probabilities: list[float]) -> bool:
    """Whisper's own doubt about a segment's words: low word probabilities, a low log probability
    with middling ones, or unclear words in a window it thinks is silent."""
    mean = sum(probabilities) / len(probabilities)
    if mean < GIBBERISH_WORD_PROBABILITY:
        return True
    if raw["avg_logprob"] < GIBBERISH_LOGPROB and mean < UNSURE_WORD_PROBABILITY:
        return True
    return raw["no_speech_prob"] > HALLUCINATION_NO_SPEECH and mean < CLEAR_WORD_PROBABILITY


def _said(words: list[Word]) -> list[Word]:
    """The words with a letter or a digit: Whisper also emits bare punctuation ("," over a tone)."""
    return [w for w in words if re.search(r"[^\W_]", w.text)]


def _stock(words: list[Word]) -> bool:
    """Whether the words are only the prompt's fillers, or a stock phrase with fillers around it."""
    tokens = [token for token in re.findall(r"[a-z0-9']+", "".join(w.text for w in words).lower()) if not FILLER.fullmatch(token)]
    return not tokens or " ".join(tokens) in STOCK_PHRASES


def _without_echo(words: list[Word]) -> list[Word]:
    """tiny.en often ends a lone word by writing it again in no time ("Three. Three."): the repeat has no sound of its own."""
    if len(words) >= 2 and words[-1].end - words[-1].start <= ECHO_SECONDS and _letters(words[-1]) == _letters(words[-2]):
        return words[:-1]
    return words


def _letters(word: Word) -> str:
    return re.sub(r"[\W_]", "", word.text).lower()


class _Sound:
    """Which 20 ms frames of a clip hold speech-band sound, and the utterances they form.

    Whisper's word times on a short clip can sit a few hundred milliseconds off the sound
    (a lone word is often timed from the very start of the clip), so a segment is matched
    to whole utterances, runs of sound between pauses, rather than to the frames its
    timestamps cover.
    """

    def __init__(self, samples: np.ndarray):
        level = 20 * np.log10(np.maximum(_frame_rms(speech_band(samples)), 1e-10))
        self.active = level > SILENCE_DBFS
        self.utterances: list[tuple[int, int]] = []
        pause = round(PAUSE_SECONDS / FRAME_SECONDS)
        for frame in np.flatnonzero(self.active):
            if self.utterances and frame - self.utterances[-1][1] < pause:
                self.utterances[-1] = (self.utterances[-1][0], frame + 1)
            else:
                self.utterances.append((frame, frame + 1))

    def seconds(self, start: float, end: float) -> float:
        """Seconds of sound between two times."""
        return float(self.active[_frame(start) : _frame(end)].sum() * FRAME_SECONDS)

    def utterances_under(self, start: float, end: float) -> set[int]:
        """The utterances within timing slack of a span."""
        first, last = _frame(start - TIMING_SLACK_SECONDS), _frame(end + TIMING_SLACK_SECONDS)
        return {i for i, (a, b) in enumerate(self.utterances) if a < last and b > first}

    def seconds_in(self, utterances: set[int]) -> float:
        return sum(float(self.active[a:b].sum() * FRAME_SECONDS) for a, b in (self.utterances[i] for i in utterances))

    def length_of(self, utterances: set[int]) -> float:
        """Seconds from the start of the first of the utterances to the end of the last."""
        spans = [self.utterances[i] for i in utterances]
        return (max(b for _a, b in spans) - min(a for a, _b in spans)) * FRAME_SECONDS


def _frame(seconds: float) -> int:
    return max(0, int(seconds * SAMPLE_RATE) // int(FRAME_SECONDS * SAMPLE_RATE))
