"""Shared test fixtures: the real sketches in tests/data and a real backend server on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
# The real sketches the tests need, copied into the repository (tests/data/README.md): a clone stands
# alone, nothing is read from ../shared.
DATA = ROOT / "tests" / "data"
SCENES = DATA / "sketchyscene-scenes"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    port: int, *extra: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """`python -m backend serve` on loopback; the repository stays importable from any cwd."""
    env = {**os.environ, **(env or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    # The log goes to a file: a pipe nobody reads fills up after some hundred requests, and then
    # the server's next log line blocks its event loop.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend", "serve", "--port", str(port), *extra],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    proc.log = log  # type: ignore[attr-defined]
    return proc


def server_log(proc: subprocess.Popen) -> str:
    """The end of a server's log (stderr), for the message of a failed start."""
    log = getattr(proc, "log", None)
    if log is None:
        return ""
    log.seek(0)
    return log.read().decode(errors="replace")[-4000:]


def memory_kb(pid: int, field: str = "VmRSS") -> int:
    """A process's resident memory from /proc/<pid>/status: VmRSS now, or VmHWM (peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak_memory(pid: int) -> None:
    """Resets VmHWM to the current RSS (Linux clear_refs 5), so a peak can be measured per request."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"backend exited: {server_log(proc)}")
        try:
            if httpx.get(f"{url}/v2/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("backend did not become healthy")


@pytest.fixture(scope="session")
def backend_process() -> Iterator[tuple[str, subprocess.Popen]]:
    """A real `python -m backend serve` process and its URL, shared by the tests of one run."""
    port = free_port()
    proc = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()  # a request stuck in the server must not keep it alive after the run
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def backend_url(backend_process: tuple[str, subprocess.Popen]) -> str:
    return backend_process[0]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """tests/data: the same folder names as the project's shared data set, in the repository."""
    if not SCENES.is_dir():
        pytest.fail(f"test data not found at {DATA} (it is part of the repository)")
    return DATA
