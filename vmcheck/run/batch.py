"""Many messages at once: the cache first, worker processes (or a Ray cluster) for what is left, judging in the parent.

Transcription is the only slow step, so only it goes to workers; each worker
loads the model once and gets its share of the cores as torch threads, so
workers do not fight over them. Facts and rules take milliseconds and run in
the parent, where spaCy is loaded once. Files with the same content are
transcribed once. Results come back as they finish.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from vmcheck.audio import AudioStats, too_long
from vmcheck.errors import VmcheckError
from vmcheck.facts import privacy
from vmcheck.facts.vocab import Vocabularies
from vmcheck.findings.ruleset import RuleSet
from vmcheck.report.result import FileResult
from vmcheck.run import cluster, pipeline
from vmcheck.run.cache import TranscriptCache, file_digest
from vmcheck.run.config import Settings
from vmcheck.run.transcribing import batches_by_length, cache_identity, shared_batches, transcribe_together, use_threads
from vmcheck.transcript import Transcript, engines
from vmcheck.transcript.engines import Engine

PR_SET_PDEATHSIG = 1
_worker_engine: Engine | VmcheckError | None = None
_worker_vocab: Vocabularies | None = None


def _die_with_parent() -> None:
    """A worker must not outlive a parent killed with SIGKILL (Linux only; elsewhere a no-op)."""
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (AttributeError, OSError):
        pass


def _start_worker(engine_name: str, model_name: str, threads: int, vocab: Vocabularies) -> None:
    """Worker set-up: the parent handles Ctrl-C; the model is loaded once, with this worker's share of cores.
    A model that cannot be loaded is kept as its error, which the worker's first batch raises to the run, as
    loading in the run's own process would, rather than breaking the pool with no word of why."""
    global _worker_engine, _worker_vocab
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    use_threads(threads)
    _worker_vocab = vocab
    try:
        _worker_engine = engines.load_engine(engine_name, model_name, threads=threads)
    except VmcheckError as error:
        _worker_engine = error


def _transcribe_in_worker(paths: list[str], max_seconds: float) -> list:
    if isinstance(_worker_engine, VmcheckError):
        raise _worker_engine
    if _worker_engine is None:
        raise RuntimeError("a speech worker was used before _start_worker set it up")
    return [
        outcome if isinstance(outcome, VmcheckError) else (outcome[0].to_dict(), outcome[1].to_dict())
        for outcome in transcribe_together(paths, max_seconds, _worker_engine, vocab=_worker_vocab)
    ]


def check_all(
    paths: list[str],
    ruleset: RuleSet,
    settings: Settings,
    cache: TranscriptCache,
    jobs: int = 1,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> Iterator[FileResult]:
    """Yield one result per path, in the order they finish."""
    identity = cache_identity(settings, ruleset.vocab)
    pending: dict[str, list[str]] = {}
    for path in paths:
        if pipeline.is_text(path):
            yield _guarded(path, partial(pipeline.check_text, path, ruleset, settings))
            continue
        try:
            key = cache.key(file_digest(path), identity)
        except VmcheckError as error:
            yield FileResult(path, ok=False, error=str(error))
            continue
        hit = cache.get(key) if key not in pending else None
        if hit and hit[1].duration > settings.max_audio_seconds + 1:
            yield FileResult(path, ok=False, error=str(VmcheckError(too_long(hit[1].duration, settings.max_audio_seconds), path)))
            continue
        if hit:
            yield _guarded(path, partial(pipeline.judge, path, hit[0], hit[1], ruleset, settings))
        else:
            pending.setdefault(key, []).append(path)
    if not pending:
        return
    if settings.cluster:
        transcribed = cluster.transcribe_all
    else:
        transcribed = _in_process if jobs <= 1 or len(pending) == 1 else _in_workers
    for key, outcome in transcribed(pending, settings, ruleset.vocab, max(1, jobs), on_stage):
        if isinstance(outcome, VmcheckError):
            for path in pending[key]:
                yield FileResult(path, ok=False, error=str(outcome).replace(pending[key][0], path))
            continue
        transcript, stats = outcome
        cache.put(key, privacy.redact(transcript, ruleset.vocab), stats)  # the digits never reach the disk
        for path in pending[key]:
            yield _guarded(path, partial(pipeline.judge, path, transcript, stats, ruleset, settings))


def _guarded(path: str, work: Callable[[], FileResult]) -> FileResult:
    try:
        return work()
    except VmcheckError as error:
        return FileResult(path, ok=False, error=str(error))


def _in_process(pending: dict[str, list[str]], settings: Settings, vocab: Vocabularies, jobs: int, on_stage: Callable[[str], None]) -> Iterator:
    on_stage("loading the speech model")
    engine = engines.load_engine(settings.engine, settings.model)
    for keys in batches_by_length(pending, settings.files_per_batch):
        on_stage(f"transcribing {pending[keys[0]][0]}" + (f" and {len(keys) - 1} more" if len(keys) > 1 else ""))
        yield from zip(keys, transcribe_together([pending[key][0] for key in keys], settings.max_audio_seconds, engine, vocab=vocab))


def _in_workers(pending: dict[str, list[str]], settings: Settings, vocab: Vocabularies, jobs: int, on_stage: Callable[[str], None]) -> Iterator:
    workers = min(jobs, len(pending))
    threads = max(1, (os.cpu_count() or 1) // workers)
    on_stage(f"starting {workers} workers")
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(settings.engine, settings.model, threads, vocab),
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
