"""A server killed (SIGKILL) in the middle of a request, then started again on the same port.

The client must get a connection error promptly (not hang), the new server must answer at once on
the same port, as before (the API is stateless: nothing was lost but the analysis cache), and the
server must write nothing to disk: its working directory and TMPDIR stay empty. No fixed sleeps:
each wait is for a condition, with a deadline.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import httpx
import numpy as np

from backend.service.images import encode_png
from tests.conftest import free_port, start_server, wait_healthy

SIDE = 3072  # a canvas whose first analysis takes seconds: the request is still running at the kill


def big_sketch() -> str:
    rng = np.random.default_rng(7)
    img = np.full((SIDE, SIDE), 255, np.uint8)
    cv2.line(img, (0, SIDE // 2), (SIDE - 1, SIDE // 2), 0, 6)
    for _ in range(60):
        x, y = (int(v) for v in rng.integers(100, SIDE - 300, 2))
        cv2.rectangle(img, (x, y), (x + int(rng.integers(40, 250)), y + int(rng.integers(40, 250))), 0, 5)
        cv2.circle(img, (x + 100, y - 50), int(rng.integers(20, 90)), 0, 5)
    return base64.b64encode(encode_png(np.dstack([img, img, img, np.full_like(img, 255)]))).decode()


def small_sketch() -> str:
    img = np.full((120, 160), 255, np.uint8)
    cv2.line(img, (0, 70), (159, 70), 0, 2)
    return base64.b64encode(encode_png(np.dstack([img, img, img, np.full_like(img, 255)]))).decode()


def files_under(*folders: Path) -> list[str]:
    return sorted(str(p) for folder in folders for p in folder.rglob("*"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def test_kill_mid_request_then_restart_on_the_same_port(tmp_path: Path) -> None:
    workdir, tmpdir = tmp_path / "cwd", tmp_path / "tmp"
    workdir.mkdir()
    tmpdir.mkdir()
    env = {"TMPDIR": str(tmpdir)}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    payload = json.dumps({"image": big_sketch(), "instruction": "the sky is blue"}).encode()

    proc = start_server(port, cwd=workdir, env=env)
    try:
        wait_healthy(url, proc)
        outcome: dict[str, object] = {}
        uploaded = threading.Event()

        def body() -> Iterator[bytes]:
            for i in range(0, len(payload), 1 << 16):
                yield payload[i : i + (1 << 16)]
            uploaded.set()

        def slow_request() -> None:
            headers = {"content-type": "application/json", "content-length": str(len(payload))}
            try:
                outcome["response"] = httpx.post(
                    f"{url}/v2/colorize", content=body(), headers=headers, timeout=60
                )
            except httpx.HTTPError as exc:
                outcome["error"] = exc
            outcome["at"] = time.monotonic()

        client = threading.Thread(target=slow_request)
        client.start()
        # Killed in the middle of the work: the body is sent, and the server has spent a second of
        # CPU on it since (decoding and analysing a canvas this size takes several).
        assert uploaded.wait(30), "the request body was not sent"
        busy_from = cpu_seconds(proc.pid)
        wait_for(lambda: cpu_seconds(proc.pid) - busy_from > 1.0 or bool(outcome), 60, "the server works")
        assert client.is_alive() and not outcome, f"the request was not slow enough: {outcome}"
        killed_at = time.monotonic()
        proc.kill()
        assert proc.wait(timeout=10) == -9
        client.join(timeout=15)
        assert not client.is_alive(), "the client hangs after the server died"
    finally:
        stop(proc)

    error = outcome.get("error")
    assert isinstance(error, httpx.TransportError) and not isinstance(error, httpx.TimeoutException), outcome
    assert float(outcome["at"]) - killed_at < 5  # type: ignore[arg-type]

    proc = start_server(port, cwd=workdir, env=env)  # the same port, right away
    try:
        wait_healthy(url, proc, timeout=60)
        with httpx.Client(timeout=60) as client:
            # Nothing to restore: requests are answered as if nothing had happened.
            res = client.post(
                f"{url}/v2/colorize", json={"image": small_sketch(), "instruction": "the sky is blue"}
            )
            assert res.status_code == 200, res.text
            assert [layer["key"] for layer in res.json()["layers"]] == ["bg:sky"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stop(proc)

    assert files_under(workdir, tmpdir) == []
