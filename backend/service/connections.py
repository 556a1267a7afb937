"""Connection-level defences the ASGI app cannot make: a request head must arrive in time, a client
that stops sending is dropped, and the open connections are capped without starving new clients.

uvicorn reads a request head for as long as the client takes, and its `limit_concurrency` counts
open connections, so a few hundred sockets that send half a head and stall (slowloris) would make
it answer every newcomer, /v2/health included, with 503. Here such sockets are closed after a
deadline, and when the cap is reached the connection that has kept the server waiting longest is
dropped to make room: a stalled socket, never one whose request is being worked on.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .problems import problem_body

log = logging.getLogger("backend.service.connections")

MAX_CONNECTIONS = 64
HEAD_TIMEOUT = 10.0  # seconds from connecting (or from the previous answer) to a complete request head
READ_TIMEOUT = 10.0  # seconds a body may pause while the server waits for it
KEEP_ALIVE = 5  # seconds an idle keep-alive connection stays open
MAX_HEAD_BYTES = 16 * 1024  # request line and headers; a longer head is answered 400 by h11


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with head and read deadlines and a shedding connection cap."""

    max_connections = MAX_CONNECTIONS
    head_timeout = HEAD_TIMEOUT
    read_timeout = READ_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._idle_since = self._head_since = self.loop.time()
        tick = min(self.head_timeout, self.read_timeout) / 4
        self._tick = tick
        self._watch: asyncio.TimerHandle | None = self.loop.call_later(tick, self._check)
        if len(self.connections) > self.max_connections:
            self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    def data_received(self, data: bytes) -> None:
        self._idle_since = self.loop.time()
        super().data_received(data)

    def on_response_complete(self) -> None:
        self._head_since = self.loop.time()  # the next request's head is due from now
        super().on_response_complete()

    def waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def waiting_for_body(self) -> bool:
        """The app wants body bytes and none are buffered (reading is paused only when some are)."""
        cycle = self.cycle
        return (
            cycle is not None
            and not cycle.response_complete
            and cycle.more_body
            and not self.flow.read_paused
        )

    def stalled_since(self) -> float | None:
        """Since when this connection has kept the server waiting for its client, or None if it has not."""
        if self.waiting_for_head():
            return max(self._head_since, self._idle_since)
        if self.waiting_for_body():
            return self._idle_since
        return None

    def _check(self) -> None:
        self._watch = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        late_head = self.waiting_for_head() and now - self._head_since > self.head_timeout
        stalled_body = self.waiting_for_body() and now - self._idle_since > self.read_timeout
        if not self.waiting_for_head() and not self.waiting_for_body():
            # The server is busy with this request (working, or holding its body unread while it
            # waits for a worker): the client is not idle, whatever the time since its last byte.
            self._idle_since = now
        if late_head or stalled_body:
            log.debug("dropped %s: %s", self.client, "request head too slow" if late_head else "body stalled")
            self.drop()
            return
        self._watch = self.loop.call_later(self._tick, self._check)

    def send_400_response(self, msg: str) -> None:
        """A request h11 cannot parse (a malformed head, a bad Content-Length): the API's error shape."""
        self.transport.write(_raw_answer(400, "Bad Request", "The request is not valid HTTP/1.1."))
        self.transport.close()

    def drop(self) -> None:
        self.transport.close()

    def _make_room(self) -> None:
        """Over the cap: close the connection stalled longest; the newcomer only if none is stalled."""
        stalled = [
            (since, id(conn), conn)
            for conn in self.connections
            if conn is not self
            and isinstance(conn, GuardedH11Protocol)
            and not conn.transport.is_closing()
            and (since := conn.stalled_since()) is not None
        ]
        if stalled:
            oldest = min(stalled)[2]
            log.debug("dropped %s to make room for a new connection", oldest.client)
            oldest.drop()
            return
        self.transport.write(BUSY_ANSWER)
        self.drop()


def _raw_answer(code: int, reason: str, message: str, extra: str = "") -> bytes:
    """A complete answer written straight to the socket, for connections h11 cannot answer through."""
    body = problem_body("error", message)
    head = (
        f"HTTP/1.1 {code} {reason}\r\ncontent-type: application/json\r\n{extra}"
        f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


BUSY_ANSWER = _raw_answer(
    503, "Service Unavailable", "The backend has too many connections; try again.", "retry-after: 2\r\n"
)


def uvicorn_config(app: Any, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    """The server's uvicorn settings, in one place for `serve` and for the tests' in-process servers."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=GuardedH11Protocol,
        ws="none",
        timeout_keep_alive=KEEP_ALIVE,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        log_level=log_level,
    )
