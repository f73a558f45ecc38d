"""--cluster on a real Ray cluster on the loopback address: same results as a local run, killed workers, Ctrl-C, errors."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES, cache_with_model, interrupt, start_interruptible
from tests.test_batch import make_clips, vmcheck

RAY = str(Path(sys.executable).with_name("ray"))
LOOPBACK = {"0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}
LOCAL_ONLY = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}  # what vmcheck sets for a loopback address, for `ray start` here
COMPARED = ("ok", "error", "score", "grade", "passed", "categories", "facts")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A two-CPU Ray head node on 127.0.0.1, stopped at the end: its GCS address and its Ray Client address."""
    folder = tmp_path_factory.mktemp("ray")
    port, client_port = _free_port(), _free_port()
    # Ray's token authentication, with a token of this test's own: every Ray process and every vmcheck run here
    # reads it from the environment, so nothing reads or writes ~/.ray/auth_token (which a local ray.init creates).
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    monkeypatch.setenv("RAY_AUTH_TOKEN", secrets.token_hex(32))
    command = [RAY, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", f"--ray-client-server-port={client_port}"]
    command += [f"--temp-dir={folder}", "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats"]
    started = subprocess.run(command, env={**os.environ, **LOCAL_ONLY}, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    try:
        yield {"address": f"127.0.0.1:{port}", "client": f"ray://127.0.0.1:{client_port}", "folder": folder}
    finally:
        subprocess.run([RAY, "stop", "--force"], capture_output=True, timeout=120)
        monkeypatch.undo()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Two recordings (one over a phone line) and a file that is not audio."""
    audio = tmp_path_factory.mktemp("voicemails")
    for name in ("excellent.wav", "telephone.wav"):
        shutil.copy(SAMPLES / name, audio / name)
    (audio / "broken.wav").write_bytes(b"RIFF and nothing else")
    return audio


@pytest.fixture(scope="module")
def local_run(folder, tmp_path_factory):
    """The folder checked without a cluster: what every cluster run must match."""
    work = tmp_path_factory.mktemp("local")
    run = vmcheck("check", folder, "--no-cache", "-q", "--format", "json", "-o", work / "local.json", cache_dir=work)
    assert run.returncode == 2, run.stderr  # broken.wav cannot be checked
    return _files(work / "local.json")


def _files(report: Path) -> dict[str, dict]:
    return {Path(f["path"]).name: f for f in json.loads(report.read_text())["files"]}


def _compared(result: dict) -> dict:
    findings = sorted((f["rule"], f["level"], f["start"]) for f in result["findings"])
    return {**{key: result[key] for key in COMPARED}, "findings": findings}


def _processes() -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
    return found


def _kill_transcribing(times: int, stop: threading.Event, killed: list[int]) -> None:
    """SIGKILL the speech worker while it is inside a batch (Ray titles it by the method it runs), ``times`` times.
    Processes already there are left alone: an earlier run's actor can take a moment to go."""
    earlier = set(_processes())
    while len(killed) < times and not stop.is_set():
        for pid, command in _processes().items():
            if command.startswith("ray::Transcriber.transcribe") and pid not in killed and pid not in earlier:
                time.sleep(1.0)  # into the batch: each test's first batch takes several seconds
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                break
        time.sleep(0.1)


def _check_killing(times: int, *args, tmp_path: Path):
    """Run ``vmcheck check *args`` while the speech worker is killed mid-batch ``times`` times; the run and the pids killed."""
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_transcribing, args=(times, stop, killed))
    killer.start()
    try:
        return vmcheck("check", *args, "-q", cache_dir=tmp_path / "c", timeout=600), killed
    finally:
        stop.set()
        killer.join()


def _listening_addresses(folder: Path) -> set[str]:
    """The local addresses that the cluster's processes (those started for ``folder``, and their children) listen on."""
    processes = _processes()
    ours = {pid for pid, command in processes.items() if str(folder) in command}
    for _ in range(3):
        ours |= {pid for pid in processes if _parent(pid) in ours}
    sockets = set()
    for pid in ours:
        try:
            sockets |= {os.readlink(fd).removeprefix("socket:[").rstrip("]") for fd in Path(f"/proc/{pid}/fd").iterdir()}
        except OSError:
            continue
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in sockets:  # LISTEN
                addresses.add(fields[1].split(":")[0])
    return addresses


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def test_the_test_cluster_listens_on_loopback_only(cluster):
    addresses = _listening_addresses(cluster["folder"])
    assert addresses and addresses <= LOOPBACK, addresses


def test_a_cluster_run_gives_the_local_run_results(cluster, folder, local_run, tmp_path):
    report = tmp_path / "cluster.json"
    run = vmcheck("check", folder, "--cluster", cluster["address"], "-q", "--format", "json", "-o", report, cache_dir=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    there = _files(report)
    assert sorted(there) == sorted(local_run) == ["broken.wav", "excellent.wav", "telephone.wav"]
    for name, here in local_run.items():
        assert _compared(there[name]) == _compared(here), name
    assert there["broken.wav"]["error"].startswith(str(folder / "broken.wav"))  # the driver's path, not the worker's copy
    assert len(list((tmp_path / "transcripts").glob("*/*.json"))) == 2  # the driver caches what the cluster heard


def test_ray_client_address_and_shared_storage(cluster, folder, local_run, tmp_path):
    report = tmp_path / "client.json"
    run = vmcheck(
        "check", folder / "excellent.wav", "--cluster", cluster["client"], "--cluster-shared-storage", "-q", "--format", "json", "-o", report,
        cache_dir=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert _compared(_files(report)["excellent.wav"]) == _compared(local_run["excellent.wav"])


def test_a_worker_killed_mid_batch_loses_no_file_and_counts_none_twice(cluster, tmp_path):
    folder = tmp_path / "audio"
    make_clips(folder, 4)
    stream = tmp_path / "stream.jsonl"
    run, killed = _check_killing(
        1, folder, "--cluster", cluster["address"], "--batch-size", "2", "--format", "jsonl", "-o", stream, tmp_path=tmp_path
    )
    assert len(killed) == 1
    assert run.returncode in (0, 1), run.stderr
    names = [Path(json.loads(line)["path"]).name for line in stream.read_text().splitlines()]
    assert sorted(names) == [f"clip{i:02d}.wav" for i in range(4)]
    assert all(json.loads(line)["ok"] for line in stream.read_text().splitlines())


def test_a_file_that_kills_its_worker_twice_is_an_error_and_the_run_goes_on(cluster, tmp_path):
    folder = tmp_path / "audio"
    make_clips(folder, 1)
    shutil.copy(SAMPLES / "excellent.wav", folder / "long.wav")  # 36 s, the larger file: sent first, and again first after the death
    report = tmp_path / "report.json"
    args = (folder, "--cluster", cluster["address"], "--jobs", "1", "--batch-size", "1", "--format", "json", "-o", report)
    run, killed = _check_killing(2, *args, tmp_path=tmp_path)
    assert len(killed) == 2
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stdout + run.stderr + report.read_text()
    files = _files(report)
    assert sorted(files) == ["clip00.wav", "long.wav"]
    assert not files["long.wav"]["ok"] and "stopped its speech worker twice" in files["long.wav"]["error"]
    assert files["clip00.wav"]["ok"]


def test_ctrl_c_stops_the_cluster_work_and_leaves_the_cache_whole(cluster, tmp_path):
    folder = tmp_path / "audio"
    make_clips(folder, 6)
    cache_dir = tmp_path / "cache"
    env = {**os.environ, "VMCHECK_CACHE_DIR": cache_with_model(cache_dir)}
    # One file a batch, so that files are cached one by one and the signal can come between two of them.
    command = [sys.executable, "-m", "vmcheck", "check", str(folder), "--cluster", cluster["address"], "--batch-size", "1", "-q", "--format", "json"]
    process = start_interruptible(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    entries = cache_dir / "transcripts"
    deadline = time.time() + 300
    while time.time() < deadline and not list(entries.glob("*/*.json")):
        time.sleep(0.2)
    interrupt(process)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    done = list(entries.glob("*/*.json"))
    assert 1 <= len(done) < 6
    for entry in done:
        json.loads(entry.read_text())
    assert not list(entries.glob("*/.*.tmp"))
    deadline = time.time() + 30
    while time.time() < deadline and any(c.startswith("ray::Transcriber") for c in _processes().values()):
        time.sleep(0.5)
    assert not any(c.startswith("ray::Transcriber") for c in _processes().values())


def test_a_cluster_for_the_run_alone(cluster, tmp_path):
    """``local`` starts a cluster beside the test's one (whose token it uses) and leaves nothing running."""
    [clip] = make_clips(tmp_path / "audio", 1)
    run = vmcheck("check", clip, "--cluster", "local", "-q", "--format", "json", "-o", tmp_path / "local.json", cache_dir=tmp_path)
    assert run.returncode in (0, 1), run.stderr
    assert _files(tmp_path / "local.json")["clip00.wav"]["ok"]
    left = [c for c in _processes().values() if c.startswith("ray::Transcriber") or ("gcs_server" in c and str(cluster["folder"]) not in c)]
    assert not left


@pytest.mark.parametrize("address", ["127.0.0.1:{port}", "ray://127.0.0.1:{port}", "nonsense"])
def test_a_cluster_that_cannot_be_reached_is_one_line_and_exit_2(tmp_path, address):
    run = vmcheck("check", SAMPLES / "excellent.wav", "--cluster", address.format(port=_free_port()), "-q", cache_dir=tmp_path, timeout=60)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("vmcheck: error:"), run.stderr


def test_without_ray_the_option_says_how_to_install_it(tmp_path):
    code = "import sys; sys.modules['ray'] = None; from vmcheck.cli.main import main; main()"
    env = {**os.environ, "VMCHECK_CACHE_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", code, "check", str(SAMPLES / "excellent.wav"), "--cluster", "local", "-q"], capture_output=True, text=True, env=env
    )
    assert run.returncode == 2
    assert run.stderr.strip() == "vmcheck: error: --cluster needs the optional extra: pip install 'vmcheck[cluster]'"
