"""A server killed (SIGKILL) in the middle of a request, then started again on the same port.

The client must get a connection error promptly (not hang), the new server must answer at once on
the same port, with the old session ids working as fresh sessions, and the server must write
nothing to disk: its working directory and TMPDIR stay empty through all of it.
"""

from __future__ import annotations

import base64
import subprocess
import threading
import time
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
    body = {"image": big_sketch(), "instruction": "the sky is blue", "session_id": "doc-1"}

    proc = start_server(port, cwd=workdir, env=env)
    try:
        wait_healthy(url, proc)
        outcome: dict[str, object] = {}

        def slow_request() -> None:
            try:
                outcome["response"] = httpx.post(f"{url}/v1/colorize", json=body, timeout=60)
            except httpx.HTTPError as exc:
                outcome["error"] = exc
            outcome["at"] = time.monotonic()

        client = threading.Thread(target=slow_request)
        client.start()
        time.sleep(2.0)  # uploaded, decoded, in the middle of the analysis
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
            # The old document's session is gone: undo says so, and colouring starts it afresh.
            undo = client.post(f"{url}/v1/undo", json={"session_id": "doc-1"})
            assert undo.status_code == 404 and undo.json()["detail"]["status"] == "error"
            res = client.post(
                f"{url}/v1/colorize",
                json={"image": small_sketch(), "instruction": "the sky is blue", "session_id": "doc-1"},
            )
            assert res.status_code == 200, res.text
            answer = res.json()
            assert answer["session_id"] == "doc-1" and answer["replaced"] == []
            assert [layer["key"] for layer in answer["layers"]] == ["bg:sky"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stop(proc)

    assert files_under(workdir, tmpdir) == []
