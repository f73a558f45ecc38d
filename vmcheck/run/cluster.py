"""Transcription spread over a Ray cluster: the driver keeps the cache, rules and reports; actors keep a model.

``check_all`` hands this module the files its cache could not answer. Each
actor loads the speech model once and transcribes batches of files sent as
bytes and decoded in memory (or as paths, when the workers share the driver's storage); results
come back as batches finish. A batch whose actor dies is sent again one file
at a time, so a file that kills its worker is found: the second time a file
is in a batch whose worker dies, it is reported as an error and the run goes
on. Each file is answered exactly once.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
from collections import Counter, deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from vmcheck import __version__
from vmcheck.audio import AudioStats
from vmcheck.errors import VmcheckError
from vmcheck.facts.vocab import Vocabularies
from vmcheck.run.config import Settings
from vmcheck.run.transcribing import shared_batches, transcribe_together, use_threads
from vmcheck.transcript import Transcript
from vmcheck.transcript.engines import load_engine

CPUS_PER_WORKER = 2
"""Cores each actor takes as torch threads: one process with two threads was the fastest way to use this
2-core machine (``config.default_jobs``); bigger nodes get one actor per two cores."""
BATCHES_IN_FLIGHT = 2
"""Batches queued at each actor, so it starts the next while the driver reads the last one's result."""
DEATHS_ALLOWED = 1
"""Times a file may be in a batch whose worker dies and still be tried again (alone)."""
REACH_TIMEOUT_SECONDS = 5.0
CLIENT_ATTEMPTS = 2
"""Ray Client starts a server process per connection, which now and then fails to start ("Starting Ray client
server failed", seen in 2 of 6 test runs here); a second connection has worked each time."""
Outcome = tuple[Transcript, AudioStats] | VmcheckError
INSTALL_HINT = "--cluster needs the optional extra: pip install 'vmcheck[cluster]'"


class Transcriber:
    """A Ray actor: one loaded speech model, many batches. Errors come back as text, one per file."""

    def __init__(self, engine: str, model: str, threads: int, version: str, vocab: Vocabularies):
        if version != __version__:
            raise VmcheckError(f"this worker has vmcheck {__version__}, the driver {version}; install the same version on every node")
        use_threads(threads)
        self.engine = load_engine(engine, model, threads=threads)
        self.vocab = vocab

    def ready(self) -> int:
        return os.getpid()

    def transcribe(self, files: list[tuple[str, bytes | None]], max_seconds: float) -> list:
        """(transcript, stats) as dicts, or an error message, for each (path, its bytes or None to read the path here)."""
        outcomes = transcribe_together([path for path, _ in files], max_seconds, self.engine, [data for _, data in files], self.vocab)
        return [str(outcome) if isinstance(outcome, VmcheckError) else (outcome[0].to_dict(), outcome[1].to_dict()) for outcome in outcomes]


def transcribe_all(
    pending: dict[str, list[str]], settings: Settings, vocab: Vocabularies, jobs: int, on_stage: Callable[[str], None]
) -> Iterator[tuple[str, Outcome]]:
    """(key, (transcript, stats) or VmcheckError) for every pending key, in the order they finish."""
    if settings.cluster is None:
        raise ValueError("transcribe_all needs settings.cluster, the cluster to transcribe on")
    ray = connect(settings.cluster)
    actors: list = []
    try:
        cores = int(ray.cluster_resources().get("CPU", 0))
        workers = min(settings.cluster_workers or max(1, cores // CPUS_PER_WORKER), len(pending))
        threads = max(1, min(CPUS_PER_WORKER, cores // workers))
        on_stage(f"starting {workers} speech workers on the cluster")
        actors = [_started(ray, settings, vocab, threads) for _ in range(workers)]
        queue = deque(shared_batches(pending, settings.files_per_batch, workers))
        yield from _dispatch(ray, actors, queue, pending, settings, lambda: _started(ray, settings, vocab, threads), on_stage)
    finally:
        for actor in actors:
            ray.kill(actor)
        ray.shutdown()


def _dispatch(ray, actors: list, queue: deque, pending: dict[str, list[str]], settings: Settings, start, on_stage) -> Iterator[tuple[str, Outcome]]:
    """Keep every actor busy; when one dies, start another and send its batch again, a file at a time."""
    deaths: Counter[str] = Counter()
    running: dict = {}
    sent = itertools.count()
    slots = dict.fromkeys(range(len(actors)), BATCHES_IN_FLIGHT)

    def send(i: int, keys: list[str]) -> None:
        files = [(pending[key][0], None if settings.cluster_shared_storage else _read(pending[key][0])) for key in keys]
        running[actors[i].transcribe.remote(files, settings.max_audio_seconds)] = (i, keys, next(sent))
        slots[i] -= 1

    while queue or running:
        for i in slots:
            while slots[i] and queue:
                send(i, queue.popleft())
        on_stage(f"transcribing on the cluster ({len(running)} batches in flight)")
        (ref,), _ = ray.wait(list(running), num_returns=1)
        i, keys, order = running.pop(ref)
        try:
            outcomes = ray.get(ref)
        except ray.exceptions.RayTaskError as error:
            slots[i] += 1
            for key in keys:
                yield key, VmcheckError(f"the speech worker failed: {_cause(error)}", pending[key][0])
            continue
        except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError, ray.exceptions.ObjectLostError):
            on_stage("a speech worker stopped; starting another")
            ray.kill(actors[i])
            actors[i] = start()
            slots[i] = BATCHES_IN_FLIGHT
            lost = [(order, keys)]
            for other, (j, other_keys, other_order) in list(running.items()):
                if j == i:
                    del running[other]
                    lost.append((other_order, other_keys))
            # an actor runs its calls in the order sent, so the earliest lost batch is the one it was running
            # (ray.wait may report any of the lost batches first)
            (_, keys), *behind = sorted(lost)
            for _, other_keys in reversed(behind):  # queued behind the batch that was running: lost with the actor, not suspects
                queue.appendleft(other_keys)
            for key in reversed(keys):
                deaths[key] += 1
                if deaths[key] > DEATHS_ALLOWED:
                    yield (
                        key,
                        VmcheckError("stopped its speech worker twice (it may need more memory than a worker has); not checked", pending[key][0]),
                    )
                else:
                    queue.appendleft([key])
            continue
        slots[i] += 1
        for key, outcome in zip(keys, outcomes):
            if isinstance(outcome, str):
                yield key, VmcheckError(outcome.removeprefix(f"{pending[key][0]}: "), pending[key][0])
            else:
                yield key, (Transcript.from_dict(outcome[0]), AudioStats.from_dict(outcome[1]))


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise VmcheckError(f"cannot read: {error.strerror}", path) from None


def _started(ray, settings: Settings, vocab: Vocabularies, threads: int):
    """A new actor with the model loaded; an actor that cannot start (vmcheck missing on a node, the model
    not installed there) is the run's error, since every other would fail the same way."""
    actor = ray.remote(Transcriber).options(num_cpus=threads, max_restarts=0).remote(settings.engine, settings.model, threads, __version__, vocab)
    try:
        ray.get(actor.ready.remote())
    except ray.exceptions.RayActorError as error:
        raise VmcheckError(f"a speech worker could not start on the cluster: {_cause(error)}") from None
    return actor


def _cause(error: Exception) -> str:
    text = str(getattr(error, "cause", None) or error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def connect(address: str):
    """Join the cluster at ``address`` (``ray://HOST:PORT``, ``HOST:PORT``, ``auto``) or start one here (``local``).

    A local cluster, or one on this machine's loopback address, listens on 127.0.0.1 only: Ray would
    otherwise advertise and bind the machine's network address."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if address == "local" or host in ("127.0.0.1", "localhost"):
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray
    except ImportError:
        raise VmcheckError(INSTALL_HINT) from None
    if address not in ("local", "auto"):
        _reachable(address, host, port)
    options: dict[str, Any] = {"num_cpus": os.cpu_count(), "include_dashboard": False} if address == "local" else {}
    attempts = CLIENT_ATTEMPTS if address.startswith("ray://") else 1
    for attempt in range(1, attempts + 1):
        try:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR, **options)
            break
        except (ConnectionError, RuntimeError, ValueError) as error:
            if attempt == attempts:
                raise VmcheckError(f"cannot reach the Ray cluster at {address}: {_cause(error)}") from None
    return ray


def _reachable(address: str, host: str, port: str) -> None:
    """Ray waits a minute or more for an address nobody answers at; a plain connect tells at once."""
    if not host or not port.isdigit():
        raise VmcheckError(f"--cluster takes ray://HOST:PORT, HOST:PORT, auto or local (got {address!r})")
    try:
        socket.create_connection((host, int(port)), timeout=REACH_TIMEOUT_SECONDS).close()
    except OSError as error:
        raise VmcheckError(f"cannot reach the Ray cluster at {address}: {error.strerror or error}") from None
