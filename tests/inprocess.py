"""A v2 server in a thread of the test process: the real app and uvicorn settings, with test doubles.

For tests that need to see inside the server (count decoded canvases, slow the colorizer down,
shorten a timeout) without a model load per test; the real `python -m backend serve` process of
conftest.py covers everything else.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import uvicorn

from backend.language import ParsedInstruction
from backend.pipeline import Colorizer, StepResult
from backend.service import server as server_module
from backend.service.connections import uvicorn_config
from backend.understanding import Taught
from tests.conftest import free_port


class StubRecognizer:
    """Never called: the stub colorizers below answer without analysing."""

    name = "stub"
    version = "stub-1"


class ParkedColorizer(Colorizer):
    """Holds each request for a while and finds nothing: only the server's own work runs."""

    def __init__(self, seconds: float = 0.3) -> None:
        super().__init__(StubRecognizer())  # type: ignore[arg-type]
        self.seconds = seconds

    def apply(
        self,
        rgba: np.ndarray,
        parsed: ParsedInstruction,
        mask: np.ndarray | None = None,
        taught: list[Taught] | None = None,
    ) -> StepResult:
        time.sleep(self.seconds)
        return StepResult(parsed.text, "no_match", "Nothing here.")


@contextmanager
def serve_app(app: Any, protocol: type | None = None) -> Iterator[str]:
    """`app` served with the real uvicorn settings (optionally another protocol class) on loopback."""
    config = uvicorn_config(app, "127.0.0.1", free_port(), log_level="warning")
    if protocol is not None:
        config.http = protocol
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not uv.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the in-process server did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{config.port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@contextmanager
def inprocess_server(
    colorizer: Colorizer | None = None, protocol: type | None = None, **options: Any
) -> Iterator[str]:
    """create_app(colorizer, **options) on a loopback port; yields its base URL."""
    app = server_module.create_app(colorizer=colorizer or ParkedColorizer(), **options)
    with serve_app(app, protocol) as url:
        yield url


def raw_exchange(url: str, request: bytes, timeout: float = 10.0) -> bytes:
    """Sends raw bytes and reads until the server closes or `timeout`: for requests httpx would not make."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        answer = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                part = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not part:
                break
            answer += part
            head, sep, body = answer.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                None,
            )
            if sep and length is not None and len(body) >= length:
                break
        return answer
