"""What a request may be, checked as early as each check can be made.

`Guard` wraps the app and decides from the request head alone, before a byte of the body is read:
whether the Host is this machine (a web page that rebinds its DNS name to 127.0.0.1 still sends its
own name), whether the token is right, whether the declared body fits its route, whether the body
is JSON, and whether a worker is free to take it. A request that must wait, waits with its body
unread in the socket, so the server's memory grows with its workers, not with its clients.

`read_json` then reads the admitted body into one buffer of the declared size and parses it off the
event loop, refusing anything the routes do not take (not UTF-8, not JSON, NaN, lone surrogates,
wrong types, missing fields) with a short problem that never repeats the input.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import Problem, send_problem

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
# A body must come at least this fast once the server reads it (after a grace period): a client
# trickling a byte at a time would otherwise hold one of the few workers for as long as it likes.
BODY_GRACE_SECONDS = 10.0
MIN_BODY_RATE = 256 * 1024  # bytes per second
# Containers and list items a JSON body may hold. json.loads turns `[{},{},...]` into a Python
# object per two bytes (1.3 GB of dicts from a 60 MB body); no request of this API holds more than
# a few dozen values, and an instruction's own commas stay far below this.
MAX_JSON_VALUES = 2000
RETRY_AFTER_SECONDS = 2

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class BodyPolicy:
    """What a POST route takes: its largest body, and whether it needs a worker slot to run."""

    max_bytes: int
    pooled: bool = False


class BodyTimeout(Exception):
    """The client did not send its declared body in time."""


def loopback_host(value: str) -> bool:
    """Whether a Host header names this machine's loopback: 127.0.0.1, localhost or [::1], any port."""
    name, port = value, ""
    if ":" in value and not value.endswith("]"):
        name, _, port = value.rpartition(":")
        if not port.isdigit():
            return False
    return name.lower() in LOOPBACK_NAMES


def _header(scope: Scope, name: bytes) -> list[str]:
    return [v.decode("latin-1") for k, v in scope["headers"] if k == name]


def _mebibytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


class Guard:
    """ASGI middleware: every check that needs only the request head, made before the body is read."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        policies: dict[str, BodyPolicy],
        workers: int,
        queue_wait: float,
        token: str | None = None,
        any_host: bool = False,
    ) -> None:
        self.app = app
        self.policies = policies
        self.queue_wait = queue_wait
        self.token = token
        self.any_host = any_host
        self._slots = asyncio.Semaphore(workers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policies.get(scope["path"]) if scope["method"] == "POST" else None
        try:
            self._check_head(scope, policy)
        except Problem as problem:
            await send_problem(send, problem, close=True)
            return
        if policy is None or not policy.pooled:
            await self._admitted(scope, receive, send)
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), self.queue_wait)
        except asyncio.TimeoutError:
            busy = Problem(
                503, "The backend is busy; try again.", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
            # The connection stays open and the server reads the refused body to nothing: a client
            # still sending it would otherwise meet a reset instead of this answer.
            await send_problem(send, busy)
            return
        try:
            await self._admitted(scope, receive, send)
        finally:
            self._slots.release()

    def _check_head(self, scope: Scope, policy: BodyPolicy | None) -> None:
        hosts = _header(scope, b"host")
        if not self.any_host and (len(hosts) != 1 or not loopback_host(hosts[0])):
            raise Problem(400, "This server answers only requests addressed to 127.0.0.1 or localhost.")
        if self.token is not None:
            given = _header(scope, b"authorization")
            scheme, _, value = given[0].partition(" ") if len(given) == 1 else ("", "", "")
            # The header as sent (latin-1 is byte for byte), against the token as UTF-8.
            right = hmac.compare_digest(value.encode("latin-1"), self.token.encode())
            if scheme.lower() != "bearer" or not right:
                raise Problem(
                    401,
                    "Missing or wrong token: send 'Authorization: Bearer <token>'.",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        if policy is None:
            return
        lengths = _header(scope, b"content-length")
        if _header(scope, b"transfer-encoding") or len(lengths) != 1:
            # A chunked body could grow past any limit before it is seen whole: ask for its length.
            raise Problem(411, "Send the request with a Content-Length header.")
        if not lengths[0].isdigit() or int(lengths[0]) > policy.max_bytes:
            raise Problem(413, f"The request is larger than {_mebibytes(policy.max_bytes)}.")
        content_type = (_header(scope, b"content-type") or [""])[0].split(";")[0].strip().lower()
        if content_type != "application/json":
            raise Problem(415, "Send the request body as JSON, with Content-Type: application/json.")

    async def _admitted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Runs the app with a deadline on its body, and closes the connection if it left the body unread."""
        lengths = _header(scope, b"content-length")
        length = int(lengths[0]) if len(lengths) == 1 and lengths[0].isdigit() else 0
        unread = length > 0 or bool(_header(scope, b"transfer-encoding"))
        loop = asyncio.get_running_loop()
        deadline: float | None = None

        async def timed_receive() -> Message:
            nonlocal unread, deadline
            if not unread:
                return await receive()
            if deadline is None:
                deadline = loop.time() + BODY_GRACE_SECONDS + length / MIN_BODY_RATE
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0.0))
            except asyncio.TimeoutError as exc:
                raise BodyTimeout from exc
            if message["type"] != "http.request" or not message.get("more_body", False):
                unread = False
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and unread:
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, timed_receive, closing_send)


async def read_json(request: Request, model: type[M]) -> M:
    """The body of a request the Guard admitted, validated as `model`; Problem (4xx) otherwise."""
    length = int(request.headers["content-length"])
    buffer = bytearray(length)  # one copy of the body: pages are only touched as bytes arrive
    got = 0
    try:
        async for chunk in request.stream():
            end = got + len(chunk)
            if end > length:
                raise Problem(400, "The request body is longer than its Content-Length.")
            buffer[got:end] = chunk
            got = end
    except BodyTimeout as exc:
        raise Problem(408, "The request body came too slowly; send it again.") from exc
    except ClientDisconnect as exc:
        raise Problem(400, "The request body ended before its Content-Length.") from exc
    return await run_in_threadpool(parse_json, buffer, model)


def parse_json(buffer: bytearray, model: type[M]) -> M:
    """Bytes -> `model`, refusing what json.loads or pydantic would take but the API must not."""
    result = _parse(buffer, model)
    if isinstance(result, str):
        # Raised here, outside any `except`, with no locals of size: the problem carries no chained
        # exception (a JSONDecodeError keeps the whole text as .doc, a UnicodeDecodeError the bytes).
        raise Problem(400, result)
    return result


def _parse(buffer: bytearray, model: type[M]) -> M | str:
    """The model, or why the body is refused. The buffer is emptied as soon as it is decoded: it is
    the largest object of a request."""
    try:
        text = buffer.decode("utf-8")  # strict: refuses encoded surrogates as well as binary data
    except UnicodeDecodeError:
        return "The request body is not UTF-8 text."
    finally:
        del buffer[:]
    if text.count("[") + text.count("{") + text.count(",") > MAX_JSON_VALUES:
        return "The request body holds more JSON values than any request of this API."
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except _Constant as exc:
        return f"The request body holds {exc}, which is not a JSON number."
    except (ValueError, RecursionError):
        return "The request body is not valid JSON."
    del text
    if not isinstance(data, dict):
        return "The request body must be a JSON object."
    if any(_SURROGATE.search(s) for s in _strings(data) if not s.isascii()):
        # json.loads turns the escape "\ud800" into a lone surrogate: not text, and answering with
        # it (the parse echoes the instruction) would fail to encode.
        return "The request holds a lone surrogate escape, which is not text."
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        return describe(exc.errors(include_input=False, include_url=False)[0])


class _Constant(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _strings(value: Any) -> Iterator[str]:
    """Every string in parsed JSON, keys included (the value count is bounded before parsing)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def describe(error: Any) -> str:
    """A pydantic error as one sentence naming the field, without the value it was given."""
    field = ".".join(str(part) for part in error["loc"])[:60] or "body"
    kind = error["type"]
    if kind == "missing":
        return f"The request has no '{field}'."
    if kind == "string_type":
        return f"'{field}' must be a string."
    if kind == "string_too_long":
        return f"'{field}' is longer than {error.get('ctx', {}).get('max_length')} characters."
    return f"'{field}' is not valid: {str(error['msg']).rstrip('.')[:120]}."
