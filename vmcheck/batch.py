"""Many messages at once: the cache first, worker processes for what is left, judging in the parent.

Transcription is the only slow step, so only it goes to workers; each worker
loads the model once and gets its share of the cores as torch threads, so
workers do not fight over them. Facts and rules take milliseconds and run in
the parent, where spaCy is loaded once. Files with the same content are
transcribed once. Results come back as they finish.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from vmcheck import model, pipeline, privacy
from vmcheck.audio import AudioStats, too_long
from vmcheck.cache import TranscriptCache, file_digest
from vmcheck.errors import VmcheckError
from vmcheck.ruleset import RuleSet
from vmcheck.transcript import Transcript

DECODING_VERSION = "greedy-filler-prompt-relisten-3"
PR_SET_PDEATHSIG = 1
_worker_engine = None


def default_jobs() -> int:
    """One process using every core, on small machines.

    Measured on the 2-core machine this was built on (9 samples, cold): one
    process with two torch threads took 34 s; two single-threaded workers
    took 111 s, because two busy processes there slow each other about six
    times over. Larger machines get a worker per four cores, an estimate not
    yet measured.
    """
    return max(1, (os.cpu_count() or 1) // 4)


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
    """Worker set-up: the parent handles Ctrl-C; the model is loaded once, with this worker's share of cores."""
    global _worker_engine
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[variable] = str(threads)
    import torch

    torch.set_num_threads(threads)
    from vmcheck.transcribe import load_engine

    _worker_engine = load_engine(engine_name, model_name)


def _transcribe_in_worker(path: str, max_seconds: float) -> tuple[dict, dict]:
    from vmcheck import audio, transcribe

    decoded = audio.decode(path, max_seconds)
    return transcribe.transcribe(decoded, _worker_engine).to_dict(), decoded.stats.to_dict()


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
            yield _guarded(path, lambda p=path: pipeline.check_text(p, ruleset, settings))
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
            yield _guarded(path, lambda p=path, h=hit: pipeline.judge(p, h[0], h[1], ruleset, settings))
        else:
            pending.setdefault(key, []).append(path)
    if not pending:
        return
    transcribed = _in_process if jobs <= 1 or len(pending) == 1 else _in_workers
    for key, outcome in transcribed(pending, settings, max(1, jobs), on_stage):
        if isinstance(outcome, VmcheckError):
            for path in pending[key]:
                yield pipeline.FileResult(path, ok=False, error=str(outcome).replace(pending[key][0], path))
            continue
        transcript, stats = outcome
        cache.put(key, privacy.redact(transcript, ruleset.vocab), stats)  # the digits never reach the disk
        for path in pending[key]:
            yield _guarded(path, lambda p=path: pipeline.judge(p, transcript, stats, ruleset, settings))


def _guarded(path: str, work: Callable[[], pipeline.FileResult]) -> pipeline.FileResult:
    try:
        return work()
    except VmcheckError as error:
        return pipeline.FileResult(path, ok=False, error=str(error))


def _in_process(pending: dict[str, list[str]], settings, jobs, on_stage):
    from vmcheck import audio, transcribe

    on_stage("loading the speech model")
    engine = transcribe.load_engine(settings.engine, settings.model)
    for key, paths in pending.items():
        on_stage(f"transcribing {paths[0]}")
        try:
            decoded = audio.decode(paths[0], settings.max_audio_seconds)
            yield key, (transcribe.transcribe(decoded, engine), decoded.stats)
        except VmcheckError as error:
            yield key, error


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
            executor.submit(_transcribe_in_worker, paths[0], settings.max_audio_seconds): key
            for key, paths in pending.items()
        }
        remaining = set(futures)
        while remaining:
            done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            for future in done:
                key = futures[future]
                try:
                    transcript, stats = future.result()
                except VmcheckError as error:
                    yield key, error
                    continue
                except BrokenProcessPool:
                    raise VmcheckError("the speech workers stopped (could not load the model, or ran out of memory); try --jobs 1") from None
                yield key, (Transcript.from_dict(transcript), AudioStats.from_dict(stats))
    except BaseException:
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown()
