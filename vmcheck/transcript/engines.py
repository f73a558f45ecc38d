"""Speech to timed words: openai-whisper by default, faster-whisper as an option.

Both engines get the same treatment around them: silence at either end is cut
before decoding (each 30 s window costs a full encoder pass), a recording with
no sound at all never reaches the model, segments that look like Whisper's
hallucinations on silence ("you", "Thank you.") are dropped, and every number
said is listened to a second time (``vmcheck.transcript.relisten``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from vmcheck.audio import MIN_ACTIVE_SECONDS, SAMPLE_RATE, Audio
from vmcheck.errors import VmcheckError
from vmcheck.transcript import Transcript, Word, guard, model
from vmcheck.transcript.relisten import BEAM_SIZE, DIGIT_PROMPT, relisten

ENGINES = ("whisper", "faster-whisper")
FILLER_PROMPT = "Um, uh, hmm."
EDGE_PAD_SECONDS = 0.3
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
        from vmcheck.transcript import decoder_cpu  # loads whisper and torch: only the engine that decodes with them

        self.model = model.load(model_name)
        self.model_name = self.model.name
        decoder_cpu.install(self.model)
        _compile_alignment_once()

    def segments_many(self, clips: list[np.ndarray]) -> list[list[dict]]:
        """Every clip's segments, decoded together (``vmcheck.transcript.batched``; how many at most: ``--batch-size``,
        ``config.BATCH_SIZE``). A lone clip too: unlike whisper.transcribe, the batched decoder encodes each
        window once for its fallback and its word times, and stops a runaway reading."""
        return _decode_with_fallback(self._decode_many, clips)

    def _decode_many(self, clips: list[np.ndarray], prompt: str | None) -> list[list[dict]]:
        from vmcheck.transcript import batched  # loads whisper and torch

        return [[_raw(segment) for segment in segments] for segments in batched.transcribe(self.model, clips, prompt, FALLBACK)]

    def listen_closely(self, clips: list[np.ndarray], budgets: list[Callable[[float], int]]) -> list[list[dict]]:
        """The second listen to numbers (``vmcheck.transcript.relisten``): beam search, temperature 0, a digit prompt,
        the clips decoded together, and a token budget for each window from what is left to hear after
        its start, since a beam stuck on "9 9 9 ..." would otherwise run to Whisper's limit, in the
        silence after the last number too."""
        from vmcheck.transcript import batched  # loads whisper and torch

        settings = {**FALLBACK, "temperatures": (0.0,)}
        decoded = batched.transcribe(self.model, clips, DIGIT_PROMPT, settings, batch_size=LISTEN_BATCH, beam_size=BEAM_SIZE, budgets=budgets)
        return [[guard.before_loop(_raw(segment)) for segment in segments] for segments in decoded]


def _compile_alignment_once() -> None:
    """openai-whisper's word alignment (its DTW) is compiled by numba in every process that uses it,
    2.6 s each time; with numba's own on-disk cache (beside whisper's code, else the user's cache
    folder) it is compiled once. Where neither can be written it is compiled each run, as before."""
    from whisper.timing import dtw_cpu  # loads whisper: only the openai-whisper engine calls this

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
        try:
            from faster_whisper import WhisperModel  # loads CTranslate2: only for this engine
        except ImportError:
            raise VmcheckError(FAST_EXTRA_HINT) from None

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
        """As WhisperEngine.segments_many: the clips decoded together (``vmcheck.transcript.batched_fast``), a lone clip too, since
        unlike faster-whisper's transcribe() the batched decoder leaves a silent tail unread (``windows.Place``):
        one worker took 42 s instead of 55-60 s for the benchmark's 60 short clips, one at a time."""
        return _decode_with_fallback(self._decode_many, clips)

    def _decode_many(self, clips: list[np.ndarray], prompt: str | None) -> list[list[dict]]:
        from vmcheck.transcript import batched_fast  # loads CTranslate2 and faster-whisper

        return batched_fast.transcribe(self.model, [_contiguous(clip) for clip in clips], prompt, FALLBACK)

    def listen_closely(self, clips: list[np.ndarray], budgets: list[Callable[[float], int]]) -> list[list[dict]]:
        """The second listen of WhisperEngine.listen_closely, the clips decoded together, each window with its own budget."""
        from vmcheck.transcript import batched_fast  # loads CTranslate2 and faster-whisper

        settings = {**FALLBACK, "temperatures": (0.0,)}
        clips = [_contiguous(clip) for clip in clips]
        decoded = batched_fast.transcribe(self.model, clips, DIGIT_PROMPT, settings, batch_size=LISTEN_BATCH, beam_size=BEAM_SIZE, budgets=budgets)
        return [[guard.before_loop(segment) for segment in segments] for segments in decoded]


def _contiguous(samples: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(samples, dtype=np.float32)


Engine = WhisperEngine | FasterWhisperEngine


def load_engine(engine: str, model_name: str, threads: int | None = None) -> Engine:
    """``threads`` applies to faster-whisper only (default: every CPU)."""
    if engine == "whisper":
        return WhisperEngine(model_name)
    if engine == "faster-whisper":
        return FasterWhisperEngine(model_name, threads=threads)
    raise VmcheckError(f"unknown engine '{engine}' (choose from: {', '.join(ENGINES)})")


NumbersSaid = Callable[[tuple[Word, ...]], list[tuple[float, float]]]
"""Where a first transcript's words say numbers, as (start, end): ``vmcheck.facts.spoken_numbers.spans``
with the vocabularies in force, handed in by the orchestration, since reading numbers is the facts stage's."""


def transcribe(audio: Audio, engine: Engine, numbers_said: NumbersSaid) -> Transcript:
    return transcribe_many([audio], engine, numbers_said)[0]


def transcribe_many(audios: list[Audio], engine: Engine, numbers_said: NumbersSaid) -> list[Transcript]:
    """Transcripts of many recordings, decoded together: the engine batches their windows, and the second listen
    (``vmcheck.transcript.relisten``) the numbers ``numbers_said`` finds in them."""
    clips = {i: _trimmed(audio) for i, audio in enumerate(audios) if audio.stats.active_seconds >= MIN_ACTIVE_SECONDS}
    decoded = dict(zip(clips, engine.segments_many([clip for clip, _start in clips.values()])))
    transcripts = []
    for i, audio in enumerate(audios):
        if i not in clips:
            transcripts.append(Transcript(text="", words=(), duration=audio.stats.duration, engine=engine.name, model=engine.model_name))
            continue
        clip, start = clips[i]
        transcripts.append(guard.kept(audio, clip, start, decoded[i], engine.name, engine.model_name))
    readings = relisten([(audio, numbers_said(transcript.words)) for audio, transcript in zip(audios, transcripts)], engine)
    return [dataclasses.replace(transcript, relistens=found) for transcript, found in zip(transcripts, readings)]


def _trimmed(audio: Audio) -> tuple[np.ndarray, float]:
    """The recording without the silence at either end (each 30 s window costs a full encoder pass), and where it starts."""
    stats = audio.stats
    start = max(0.0, stats.leading_silence - EDGE_PAD_SECONDS)
    end = min(stats.duration, stats.duration - stats.trailing_silence + EDGE_PAD_SECONDS)
    return audio.samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)], start


def _decode_with_fallback(decode_many, clips: list[np.ndarray]) -> list[list[dict]]:
    """Decode with the filler prompt, and again without it the clips where the prompt has sent the model
    astray: into a repetition loop ("1-1-1-1-..." on digits, seen with tiny.en), or past speech (base can
    end a window on a lone timestamp, which makes Whisper skip the rest of that window)."""
    decoded = decode_many(clips, FILLER_PROMPT)
    astray = [i for i, (clip, segments) in enumerate(zip(clips, decoded)) if any(map(guard.looping, segments)) or guard.skips_speech(clip, segments)]
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
