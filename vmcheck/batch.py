"""Many messages at once: the cache first, worker processes (or a Ray cluster) for what is left, judging in the parent.

Transcription is the only slow step, so only it goes to workers; each worker
loads the model once and gets its share of the cores as torch threads, so
workers do not fight over them. Facts and rules take milliseconds and run in
the parent, where spaCy is loaded once. Files with the same content are
transcribed once. Results come back as they finish.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TYPE_CHECKING

from vmcheck import model, pipeline, privacy
from vmcheck.audio import AudioStats, too_long
from vmcheck.cache import TranscriptCache, file_digest
from vmcheck.errors import VmcheckError
from vmcheck.ruleset import RuleSet
from vmcheck.transcript import Transcript

if TYPE_CHECKING:
    from vmcheck.transcribe import Engine

DECODING_VERSION = "greedy-filler-prompt-relisten-4"
PR_SET_PDEATHSIG = 1
FASTER_WORKERS_AT_MOST = 8
_worker_engine: Engine | VmcheckError | None = None


def default_jobs(engine: str) -> int:
    """The worker processes that transcribe fastest by default, measured on the 2-core machine this was built on.

    openai-whisper's decoding is bound by memory bandwidth, which the cores share: one process with two torch
    threads checked 16 voicemails in 52 s, two single-threaded workers in 96 s (each process's CPU time
    doubled). faster-whisper's int8 weights read a quarter of that, and its decoding keeps about one core
    busy: two single-threaded workers took 34-35 s against 45 s for one process, with the same verdicts.
    So faster-whisper gets a worker a core (each holds its own model, about 0.5 GB; at most 8), and
    openai-whisper one process using every core on small machines; larger machines get a worker per four
    cores, an estimate not yet measured.
    """
    cores = os.cpu_count() or 1
    if engine == "faster-whisper":
        return min(cores, FASTER_WORKERS_AT_MOST)
    return max(1, cores // 4)


def cache_identity(settings: pipeline.Settings) -> str:
    from vmcheck.transcribe import DIGIT_PROMPT, FILLER_PROMPT

    return f"{settings.engine}|{model.identity(settings.model)}|{DECODING_VERSION}|{FILLER_PROMPT}|{DIGIT_PROMPT}"


def _die_with_parent() -> None:
    """A worker must not outlive a parent killed with SIGKILL (Linux only; elsewhere a no-op)."""
    import ctypes

    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (AttributeError, OSError):
        pass


def _start_worker(engine_name: str, model_name: str, threads: int) -> None:
    """Worker set-up: the parent handles Ctrl-C; the model is loaded once, with this worker's share of cores.
    A model that cannot be loaded is kept as its error, which the worker's first batch raises to the run, as
    loading in the run's own process would, rather than breaking the pool with no word of why."""
    global _worker_engine
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    use_threads(threads)
    from vmcheck.transcribe import load_engine

    try:
        _worker_engine = load_engine(engine_name, model_name, threads=threads)
    except VmcheckError as error:
        _worker_engine = error


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


def _transcribe_in_worker(paths: list[str], max_seconds: float) -> list:
    if isinstance(_worker_engine, VmcheckError):
        raise _worker_engine
    return [
        outcome if isinstance(outcome, VmcheckError) else (outcome[0].to_dict(), outcome[1].to_dict())
        for outcome in transcribe_together(paths, max_seconds, _worker_engine)
    ]


def transcribe_together(paths: list[str], max_seconds: float, engine, contents: list[bytes | None] | None = None) -> list:
    """Each file's (transcript, audio stats), or the error that stopped it, decoded as one batch
    (from ``contents``, the files' bytes, where given)."""
    from vmcheck import audio, transcribe

    outcomes: list = []
    for path, data in zip(paths, contents or [None] * len(paths)):
        try:
            outcomes.append(audio.decode(path, max_seconds, data))
        except VmcheckError as error:
            outcomes.append(error)
    decoded = [outcome for outcome in outcomes if not isinstance(outcome, VmcheckError)]
    transcripts = iter(transcribe.transcribe_many(decoded, engine))
    return [outcome if isinstance(outcome, VmcheckError) else (next(transcripts), outcome.stats) for outcome in outcomes]


def batches_by_length(pending: dict[str, list[str]], size: int) -> list[list[str]]:
    """The pending keys in batches of files of about the same length (file size stands in for it), so a batch ends together."""
    keys = sorted(pending, key=lambda key: os.path.getsize(pending[key][0]), reverse=True)
    return [keys[i : i + size] for i in range(0, len(keys), size)]


def check_all(
    paths: list[str],
    ruleset: RuleSet,
    settings: pipeline.Settings,
    cache: TranscriptCache,
    jobs: int = 1,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> Iterator[pipeline.FileResult]:
    """Yield one result per path, in the order they finish."""
    identity = cache_identity(settings)
    pending: dict[str, list[str]] = {}
    for path in paths:
        if pipeline.is_text(path):
            yield _guarded(path, partial(pipeline.check_text, path, ruleset, settings))
            continue
        try:
            key = cache.key(file_digest(path), identity)
        except VmcheckError as error:
            yield pipeline.FileResult(path, ok=False, error=str(error))
            continue
        hit = cache.get(key) if key not in pending else None
        if hit and hit[1].duration > settings.max_audio_seconds + 1:
            yield pipeline.FileResult(path, ok=False, error=str(VmcheckError(too_long(hit[1].duration, settings.max_audio_seconds), path)))
            continue
        if hit:
            yield _guarded(path, partial(pipeline.judge, path, hit[0], hit[1], ruleset, settings))
        else:
            pending.setdefault(key, []).append(path)
    if not pending:
        return
    if settings.cluster:
        from vmcheck.cluster import transcribe_all as transcribed
    else:
        transcribed = _in_process if jobs <= 1 or len(pending) == 1 else _in_workers
    for key, outcome in transcribed(pending, settings, max(1, jobs), on_stage):
        if isinstance(outcome, VmcheckError):
            for path in pending[key]:
                yield pipeline.FileResult(path, ok=False, error=str(outcome).replace(pending[key][0], path))
            continue
        transcript, stats = outcome
        cache.put(key, privacy.redact(transcript, ruleset.vocab), stats)  # the digits never reach the disk
        for path in pending[key]:
            yield _guarded(path, partial(pipeline.judge, path, transcript, stats, ruleset, settings))


def _guarded(path: str, work: Callable[[], pipeline.FileResult]) -> pipeline.FileResult:
    try:
        return work()
    except VmcheckError as error:
        return pipeline.FileResult(path, ok=False, error=str(error))


def _in_process(pending: dict[str, list[str]], settings, jobs, on_stage):
    from vmcheck import transcribe

    on_stage("loading the speech model")
    engine = transcribe.load_engine(settings.engine, settings.model)
    for keys in batches_by_length(pending, settings.files_per_batch):
        on_stage(f"transcribing {pending[keys[0]][0]}" + (f" and {len(keys) - 1} more" if len(keys) > 1 else ""))
        yield from zip(keys, transcribe_together([pending[key][0] for key in keys], settings.max_audio_seconds, engine))


def _in_workers(pending: dict[str, list[str]], settings, jobs, on_stage):
    import multiprocessing

    workers = min(jobs, len(pending))
    threads = max(1, (os.cpu_count() or 1) // workers)
    on_stage(f"starting {workers} workers")
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(settings.engine, settings.model, threads),
    )
    try:
        futures = {
            executor.submit(_transcribe_in_worker, [pending[key][0] for key in keys], settings.max_audio_seconds): keys
            for keys in shared_batches(pending, settings.files_per_batch, workers)
        }
        remaining = set(futures)
        while remaining:
            done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    outcomes = future.result()
                except BrokenProcessPool:
                    raise VmcheckError("the speech workers stopped (could not load the model, or ran out of memory); try --jobs 1") from None
                for key, outcome in zip(futures[future], outcomes):
                    if isinstance(outcome, VmcheckError):
                        yield key, outcome
                    else:
                        yield key, (Transcript.from_dict(outcome[0]), AudioStats.from_dict(outcome[1]))
    except BaseException:
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown()
