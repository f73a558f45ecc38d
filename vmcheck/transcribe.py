"""Speech to timed words: openai-whisper by default, faster-whisper as an option.

Both engines get the same treatment around them: silence at either end is cut
before decoding (each 30 s window costs a full encoder pass), a recording with
no sound at all never reaches the model, segments that look like Whisper's
hallucinations on silence ("you", "Thank you.") are dropped, and every number
said is listened to a second time (``vmcheck.relisten``).
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np

from vmcheck.audio import FRAME_SECONDS, SAMPLE_RATE, Audio, measure
from vmcheck.relisten import BEAM_SIZE, DIGIT_PROMPT, relisten
from vmcheck.transcript import Segment, Transcript, Word

ENGINES = ("whisper", "faster-whisper")
FILLER_PROMPT = "Um, uh, hmm."
EDGE_PAD_SECONDS = 0.3
MIN_ACTIVE_SECONDS = 0.2
HALLUCINATION_NO_SPEECH = 0.6
HALLUCINATION_WORD_PROBABILITY = 0.5
GIBBERISH_WORD_PROBABILITY = 0.25
GIBBERISH_LOGPROB = -1.0
UNSURE_WORD_PROBABILITY = 0.4
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
    segments: list[Segment] = []
    words: list[Word] = []
    for raw in engine.segments(clip):
        seg_words = [Word(text, s + start, e + start, float(p)) for text, s, e, p in raw["words"]]
        if _looks_hallucinated(raw, seg_words) or not _has_sound(audio, raw["start"] + start, raw["end"] + start):
            continue
        segments.append(
            Segment(raw["text"].strip(), raw["start"] + start, raw["end"] + start, raw["no_speech_prob"], raw["avg_logprob"])
        )
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
    """A runaway decode: the same word many times in a row, or text that compresses too well."""
    tokens = [text.strip(" -.,").lower() for text, *_ in segment["words"]]
    run = longest = 0
    for previous, token in zip([None, *tokens], tokens):
        run = run + 1 if token == previous else 1
        longest = max(longest, run)
    data = segment["text"].strip().encode("utf-8")
    too_compressible = len(data) > 40 and len(data) / len(zlib.compress(data)) > LOOP_COMPRESSION_RATIO
    return longest >= LOOP_REPEATS or too_compressible


def _looks_hallucinated(raw: dict, words: list[Word]) -> bool:
    """Whisper on silence, tones or music still writes a word or two ("you", "Mhm.", the prompt's
    fillers), but it is unsure of them: real speech, even over a phone line, scores far higher."""
    if not words:
        return True
    mean_probability = sum(w.probability for w in words) / len(words)
    if mean_probability < GIBBERISH_WORD_PROBABILITY:
        return True
    if raw["avg_logprob"] < GIBBERISH_LOGPROB and mean_probability < UNSURE_WORD_PROBABILITY:
        return True
    return raw["no_speech_prob"] > HALLUCINATION_NO_SPEECH and mean_probability < HALLUCINATION_WORD_PROBABILITY


def _has_sound(audio: Audio, start: float, end: float) -> bool:
    piece = audio.samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
    return piece.size >= FRAME_SECONDS * SAMPLE_RATE and measure(piece).active_seconds >= MIN_ACTIVE_SECONDS
