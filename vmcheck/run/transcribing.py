"""Transcription as every runner does it, in one process, in local workers (``batch``) or in Ray actors
(``cluster``): files decoded and heard in batches, each process with its share of the cores."""

from __future__ import annotations

import os
import sys
from functools import partial

from vmcheck import audio
from vmcheck.errors import VmcheckError
from vmcheck.facts import spoken_numbers
from vmcheck.facts.vocab import Vocabularies
from vmcheck.run.config import Settings
from vmcheck.transcript import engines, model
from vmcheck.transcript.engines import FILLER_PROMPT, Engine
from vmcheck.transcript.relisten import DIGIT_PROMPT

DECODING_VERSION = "greedy-filler-prompt-relisten-4"


def cache_identity(settings: Settings, vocab: Vocabularies) -> str:
    """What a cached transcript depends on beside the audio: the engine, the model, how it decodes, and the
    vocabularies that find the numbers its second listen hears again."""
    return f"{settings.engine}|{model.identity(settings.model)}|{DECODING_VERSION}|{FILLER_PROMPT}|{DIGIT_PROMPT}|{vocab.digest}"


def use_threads(threads: int) -> None:
    """This process's share of the cores, for torch and the BLAS libraries under it. torch reads it from the
    environment when it loads, so it is not imported here: faster-whisper's workers never need it."""
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[variable] = str(threads)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)


def shared_batches(pending: dict[str, list[str]], size: int, workers: int) -> list[list[str]]:
    """Batches of at most ``size`` files, smaller on a short list, so that every worker gets a share of it."""
    return batches_by_length(pending, max(1, min(size, -(-len(pending) // workers))))


def transcribe_together(
    paths: list[str], max_seconds: float, engine: Engine, contents: list[bytes | None] | None = None, vocab: Vocabularies | None = None
) -> list:
    """Each file's (transcript, audio stats), or the error that stopped it, decoded as one batch
    (from ``contents``, the files' bytes, where given); ``vocab`` is what reads the numbers the second
    listen hears again (the built-in vocabularies when None)."""

    outcomes: list = []
    for path, data in zip(paths, contents or [None] * len(paths)):
        try:
            outcomes.append(audio.decode(path, max_seconds, data))
        except VmcheckError as error:
            outcomes.append(error)
    decoded = [outcome for outcome in outcomes if not isinstance(outcome, VmcheckError)]
    transcripts = iter(engines.transcribe_many(decoded, engine, partial(spoken_numbers.spans, vocab=vocab)))
    return [outcome if isinstance(outcome, VmcheckError) else (next(transcripts), outcome.stats) for outcome in outcomes]


def batches_by_length(pending: dict[str, list[str]], size: int) -> list[list[str]]:
    """The pending keys in batches of files of about the same length (file size stands in for it), so a batch ends together."""
    keys = sorted(pending, key=lambda key: os.path.getsize(pending[key][0]), reverse=True)
    return [keys[i : i + size] for i in range(0, len(keys), size)]
