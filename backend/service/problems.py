"""The API's one error shape, `{"detail": {"status": S, "message": M}}`, and the ways to send it.

Every refusal goes through here, from the connection guard that answers before the app runs to the
routes, so a client needs one parser for all of them, and no error ever carries the request back
(FastAPI's own validation answer echoes the input: megabytes of it, or a NaN it cannot encode).
"""

from __future__ import annotations

import json
from typing import Literal

from starlette.types import Send

Status = Literal["error", "not_understood", "no_match"]


class Problem(Exception):
    """A request the API refuses: HTTP code, problem status and one plain sentence for the user."""

    def __init__(
        self, code: int, message: str, status: Status = "error", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.headers = headers or {}

    def body(self) -> bytes:
        return problem_body(self.status, self.message)


def problem_body(status: Status, message: str) -> bytes:
    return json.dumps({"detail": {"status": status, "message": message}}).encode()


async def send_problem(send: Send, problem: Problem, close: bool = False) -> None:
    """Answers with `problem` straight through ASGI, for refusals made before the app is called.

    close: the request's body was not read, so the connection cannot carry another request; the
    client is told and the server drops whatever body is still coming instead of reading it.
    """
    body = problem.body()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in problem.headers.items()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": problem.code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
