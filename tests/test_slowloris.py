"""Slowloris against a real `python -m backend serve` process: hundreds of sockets that stall half-way
through their request head, or part-way through a body, must not starve /v2/health, and the server
must not keep more of them open than its connection cap."""

from __future__ import annotations

import os
import socket
import subprocess
import time

import httpx

from backend.service.connections import MAX_CONNECTIONS


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_stalled_sockets_do_not_starve_health(backend_process: tuple[str, subprocess.Popen]) -> None:
    url, proc = backend_process
    port = int(url.rsplit(":", 1)[1])
    assert httpx.get(f"{url}/v2/health", timeout=10).status_code == 200
    fds_before = open_fds(proc.pid)
    stalled: list[socket.socket] = []
    try:
        for i in range(300):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 6:  # half a head
                sock.sendall(b"GET /v2/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            else:  # a whole head, then a body that stops after four bytes
                sock.sendall(
                    b"POST /v2/parse HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    b'Content-Length: 1000\r\n\r\n{"in'
                )
            stalled.append(sock)
        start = time.monotonic()
        for _ in range(5):
            assert httpx.get(f"{url}/v2/health", timeout=5).status_code == 200
        assert time.monotonic() - start < 3
        # Stalled sockets beyond the cap were closed by the server, oldest first.
        assert open_fds(proc.pid) - fds_before <= MAX_CONNECTIONS + 2
    finally:
        for sock in stalled:
            sock.close()
    assert (
        httpx.post(f"{url}/v2/parse", json={"instruction": "the sun is red"}, timeout=10).status_code == 200
    )
