"""The server's edges: every body a route does not take, the request head, capacity and slow clients.

Each refusal must be a 4xx with exactly `{"detail": {"status": ..., "message": ...}}`, short and
without the input in it, decided as early as possible (from the head, before the body is read).
These run against in-process servers (tests/inprocess.py) with stub colorizers: no model load.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest

from backend.service import http_limits
from backend.service import server as server_module
from backend.service.connections import GuardedH11Protocol
from backend.service.images import encode_png
from tests.inprocess import ParkedColorizer, inprocess_server, raw_exchange

MARKER = "MARKER-7f3a"  # put in bodies: must never come back in an answer


def small_png() -> str:
    rgba = np.full((24, 32, 4), 255, np.uint8)
    rgba[12, :, :3] = 0
    return base64.b64encode(encode_png(rgba)).decode()


def assert_problem(res: httpx.Response, code: int, status: str = "error") -> str:
    """The one error shape, exactly, short, and free of the request's input; returns the message."""
    assert res.status_code == code, res.text[:300]
    assert res.headers["content-type"] == "application/json"
    assert len(res.content) < 300 and MARKER not in res.text
    body = res.json()
    assert list(body) == ["detail"] and sorted(body["detail"]) == ["message", "status"], body
    assert body["detail"]["status"] == status
    message = body["detail"]["message"]
    assert message.endswith((".", "?")) and "\n" not in message and "Traceback" not in message
    return message


@pytest.fixture(scope="module")
def url() -> str:
    with inprocess_server() as base:
        yield base


def post_raw(url: str, path: str, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.post(f"{url}{path}", content=body, headers={"content-type": content_type}, timeout=30)


BAD_BODIES = {
    "binary": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, 400),
    "utf16": ('{"instruction": "the sun is red"}'.encode("utf-16"), 400),
    "encoded-surrogate": (b'{"image": "x", "instruction": "\xed\xa0\x80"}', 400),
    "nan": (b'{"image": "x", "instruction": NaN}', 400),
    "infinity": (b'{"image": "x", "instruction": -Infinity}', 400),
    "lone-surrogate": (b'{"image": "x", "instruction": "\\ud800 ' + MARKER.encode() + b'"}', 400),
    "low-surrogate": (b'{"image": "x", "instruction": "the sun is red", "\\udc00": 1}', 400),
    "number-image": (b'{"image": 12, "instruction": "the sun is red"}', 400),
    "null-image": (b'{"image": null, "instruction": "the sun is red"}', 400),
    "object-image": (b'{"image": {"' + MARKER.encode() + b'": 1}, "instruction": "x"}', 400),
    "list-instruction": (b'{"image": "x", "instruction": ["' + MARKER.encode() + b'"]}', 400),
    "bool-mask": (b'{"image": "x", "instruction": "the sun is red", "mask": true}', 400),
    "missing-instruction": (b'{"image": "x", "mask": null}', 400),
    "missing-all": (b"{}", 400),
    "array": (b'["' + MARKER.encode() + b'"]', 400),
    "string": (b'"' + MARKER.encode() + b'"', 400),
    "null": (b"null", 400),
    "truncated": (b'{"image": "' + MARKER.encode(), 400),
    "unquoted": (b"{image: 1}", 400),
    "empty": (b"", 400),
    "deep": (b"[" * 1500 + b"]" * 1500, 400),
    "many-values": (b"[" + b"{}," * 5000 + b"{}]", 400),
    "huge-int": (b'{"image": 1' + b"0" * 5000 + b', "instruction": "x"}', 400),
    "long-instruction": (json.dumps({"image": "x", "instruction": "red " * 126}).encode(), 400),
}


# Wrong types of colorize's own fields: /v2/parse ignores fields it does not take.
COLORIZE_ONLY = {"number-image", "null-image", "object-image", "bool-mask"}


@pytest.mark.parametrize(
    ("path", "name"),
    [("/v2/colorize", name) for name in BAD_BODIES]
    + [("/v2/parse", name) for name in BAD_BODIES if name not in COLORIZE_ONLY],
)
def test_bodies_the_route_does_not_take_get_a_short_400(url: str, path: str, name: str) -> None:
    body, code = BAD_BODIES[name]
    if path == "/v2/parse" and len(body) > 16 * 1024:
        code = 413
    assert_problem(post_raw(url, path, body), code)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
        "",
        "application/jsonx",
    ],
)
def test_non_json_content_types_are_refused_from_the_head(url: str, content_type: str) -> None:
    body = b"image=" + MARKER.encode() + b"&instruction=the+sun+is+red"
    assert "JSON" in assert_problem(post_raw(url, "/v2/colorize", body, content_type), 415)


def test_json_with_a_charset_and_unknown_fields_is_taken(url: str) -> None:
    body = {"instruction": "the sun is red", "taught": [{"name": "my robot", "mask": "..."}]}
    res = post_raw(url, "/v2/parse", json.dumps(body).encode(), "application/json; charset=utf-8")
    assert res.status_code == 200 and res.json()["parse"]["clauses"][0]["target"]["category"] == "sun"


def test_instruction_problems_and_routing_use_the_same_shape(url: str) -> None:
    assert "blurple" in assert_problem(
        httpx.post(f"{url}/v2/parse", json={"instruction": "the sun is blurple"}), 422, "not_understood"
    )
    assert_problem(httpx.get(f"{url}/v1/health"), 404)
    assert_problem(httpx.get(f"{url}/v2/{MARKER}"), 404)
    assert_problem(httpx.delete(f"{url}/v2/health"), 405)
    assert_problem(
        httpx.post(f"{url}/v2/colorize", json={"image": "%%", "instruction": "the sun is red"}), 400
    )


# ------------------------------------------------------------------------------------------------
# The head: Content-Length, Host, token. All decided before a byte of body is read.


def head(path: str, *lines: str, host: str = "127.0.0.1") -> bytes:
    return ("\r\n".join([f"POST {path} HTTP/1.1", f"Host: {host}", *lines]) + "\r\n\r\n").encode()


def raw_status(answer: bytes) -> tuple[int, dict, dict]:
    """(status, headers, JSON body) of a raw answer."""
    top, _, body = answer.partition(b"\r\n\r\n")
    lines = top.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, json.loads(body)


def test_body_over_the_limit_is_refused_before_it_is_sent(url: str) -> None:
    for path, length in (("/v2/colorize", 64 * 1024 * 1024 + 1), ("/v2/parse", 16 * 1024 + 1)):
        start = time.monotonic()
        answer = raw_exchange(url, head(path, "Content-Type: application/json", f"Content-Length: {length}"))
        code, headers, body = raw_status(answer)
        assert code == 413 and body["detail"]["message"].startswith("The request is larger than")
        assert headers["connection"] == "close" and time.monotonic() - start < 5


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /v2/\xff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(64),  # a TLS hello on the plain port
        b"GET /v2/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20000,  # and still going
        b"NOT HTTP AT ALL\r\n\r\n",
    ],
    ids=["non-ascii-path", "tls", "head-over-16kb", "garbage"],
)
def test_malformed_heads_get_the_error_shape_too(url: str, request_bytes: bytes) -> None:
    status, headers, body = raw_status(raw_exchange(url, request_bytes))
    assert status == 400 and headers["connection"] == "close"
    assert body == {"detail": {"status": "error", "message": "The request is not valid HTTP/1.1."}}


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        (["Content-Type: application/json", "Transfer-Encoding: chunked"], 411),
        (["Content-Type: application/json"], 411),
        (["Content-Type: application/json", "Content-Length: 12abc"], 400),
        (["Content-Type: application/json", "Content-Length: 5", "Content-Length: 6"], 400),
        (["Content-Type: application/json", "Content-Length: -1"], 400),
    ],
    ids=["chunked", "no-length", "non-numeric", "two-lengths", "negative"],
)
def test_content_length_is_required_and_well_formed(url: str, lines: list[str], code: int) -> None:
    status, headers, body = raw_status(raw_exchange(url, head("/v2/colorize", *lines)))
    assert status == code and body["detail"]["status"] == "error"
    assert headers["connection"] == "close"


def test_chunked_upload_from_a_client_gets_411(url: str) -> None:
    res = httpx.post(
        f"{url}/v2/parse",
        content=iter([b'{"instruction": "the sun is red"}']),
        headers={"content-type": "application/json"},
    )
    assert_problem(res, 411)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:{port}", "localhost:{port}", "LocalHost", "[::1]:{port}", "[::1]"]
)
def test_loopback_host_names_are_served(url: str, host: str) -> None:
    port = url.rsplit(":", 1)[1]
    res = httpx.get(f"{url}/v2/vocabulary", headers={"host": host.format(port=port)})
    assert res.status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.evil.example",
        "localhost.",
        "127.0.0.2",
        "localhost:x",
        "[::1]x",
        "0.0.0.0:{port}",
    ],
)
def test_other_host_names_are_refused(url: str, host: str) -> None:
    """DNS rebinding: a web page whose name now resolves to 127.0.0.1 still sends its own name."""
    port = url.rsplit(":", 1)[1]
    res = httpx.get(f"{url}/v2/vocabulary", headers={"host": host.format(port=port)})
    assert "127.0.0.1" in assert_problem(res, 400)


def test_missing_host_is_refused(url: str) -> None:
    status, _, body = raw_status(raw_exchange(url, b"GET /v2/vocabulary HTTP/1.0\r\n\r\n"))
    assert status == 400 and body["detail"]["status"] == "error"


def test_any_host_when_opened_wider() -> None:
    with inprocess_server(any_host=True, token="t0k") as base:
        res = httpx.get(
            f"{base}/v2/vocabulary", headers={"host": "my-laptop.lan:8765", "authorization": "Bearer t0k"}
        )
        assert res.status_code == 200


@pytest.fixture(scope="module")
def token_url() -> str:
    with inprocess_server(token="s3cret-token") as base:
        yield base


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "s3cret-token",
        "Bearer wrong",
        "Bearer s3cret-token-and-more",
        "Basic s3cret-token",
        "Bearer  s3cret-token",
        "Bearer",
    ],
)
def test_token_mode_refuses_anything_but_the_bearer_token(token_url: str, authorization: str | None) -> None:
    headers = {"authorization": authorization} if authorization is not None else {}
    res = httpx.get(f"{token_url}/v2/vocabulary", headers=headers)
    assert_problem(res, 401)
    assert res.headers["www-authenticate"] == "Bearer"


def test_token_mode_takes_the_bearer_token(token_url: str) -> None:
    ok = httpx.post(
        f"{token_url}/v2/parse",
        json={"instruction": "the sun is red"},
        headers={"authorization": "Bearer s3cret-token"},
    )
    assert ok.status_code == 200


def test_token_is_checked_before_the_body_is_read(token_url: str) -> None:
    answer = raw_exchange(
        token_url, head("/v2/colorize", "Content-Type: application/json", "Content-Length: 60000000")
    )
    status, headers, _ = raw_status(answer)
    assert status == 401 and headers["connection"] == "close"


# ------------------------------------------------------------------------------------------------
# Capacity: requests beyond the workers wait, or get 503, with their bodies unread.


class GatedColorizer(ParkedColorizer):
    """Parks each request until released, and counts how many are inside at once."""

    def __init__(self) -> None:
        super().__init__(0)
        self.inside = 0
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()

    def apply(self, rgba, parsed, mask=None, taught=None):  # type: ignore[no-untyped-def]
        self.inside += 1
        self.entered.release()
        self.release.wait(30)
        self.inside -= 1
        return super().apply(rgba, parsed, mask)


def test_beyond_capacity_a_request_gets_503_before_its_body_is_sent() -> None:
    gated = GatedColorizer()
    body = {"image": small_png(), "instruction": "the sky is blue"}
    with inprocess_server(gated, queue_wait=0.3) as base, ThreadPoolExecutor(2) as pool:
        busy = [pool.submit(httpx.post, f"{base}/v2/colorize", json=body, timeout=30) for _ in range(2)]
        for _ in range(2):
            assert gated.entered.acquire(timeout=10), "the two workers did not start"
        # Only the head of a 50 MB request: its answer must come without the body ever being sent.
        start = time.monotonic()
        answer = raw_exchange(
            base, head("/v2/colorize", "Content-Type: application/json", "Content-Length: 50000000")
        )
        status, headers, detail = raw_status(answer)
        assert status == 503 and headers["retry-after"] == "2" and "busy" in detail["detail"]["message"]
        assert time.monotonic() - start < 5
        # A client that sends its whole (2 MB) body still reads the 503: the server drains the body
        # it refused instead of resetting the connection under the client's feet.
        big = {"image": "A" * (2 << 20), "instruction": "the sky is blue"}
        refused = httpx.post(f"{base}/v2/colorize", json=big, timeout=30)
        assert_problem(refused, 503)
        assert refused.headers["retry-after"] == "2"
        gated.release.set()
        assert [f.result().status_code for f in busy] == [404, 404]


def test_waiting_requests_hold_no_bodies_or_canvases(monkeypatch: pytest.MonkeyPatch) -> None:
    """16 clients send 1024x1024 canvases to 2 workers at once: bodies read and canvases decoded at
    any moment stay within the workers, however many clients wait."""
    clients = 16
    lock = threading.Lock()
    reading, most_reading = [0], [0]
    real_read = server_module.read_json

    async def counted_read(request, model):  # type: ignore[no-untyped-def]
        with lock:
            reading[0] += 1
            most_reading[0] = max(most_reading[0], reading[0])
        return await real_read(request, model)

    class Done(ParkedColorizer):
        def apply(self, rgba, parsed, mask=None, taught=None):  # type: ignore[no-untyped-def]
            try:
                return super().apply(rgba, parsed, mask)
            finally:
                with lock:
                    reading[0] -= 1  # this request's body and canvas are released with its answer

    monkeypatch.setattr(server_module, "read_json", counted_read)
    png = base64.b64encode(encode_png(np.full((1024, 1024, 4), 255, np.uint8))).decode()
    with inprocess_server(Done(0.2)) as base:

        def one(k: int) -> int:
            body = {"image": png, "instruction": "the sky is blue"}
            return httpx.post(f"{base}/v2/colorize", json=body, timeout=120).status_code

        with ThreadPoolExecutor(clients) as pool:
            codes = list(pool.map(one, range(clients)))
    assert codes == [404] * clients
    assert most_reading[0] <= server_module.WORKERS, most_reading[0]


# ------------------------------------------------------------------------------------------------
# Slow clients: deadlines, and a connection cap that sheds stalled sockets, not new clients.


class QuickTimeouts(GuardedH11Protocol):
    head_timeout = 0.6
    read_timeout = 0.6
    max_connections = 8


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes `sock` (EOF or reset) within `seconds`, ignoring an answer first."""
    sock.settimeout(seconds)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if not sock.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return False


def test_stalled_head_and_stalled_body_are_dropped() -> None:
    with inprocess_server(protocol=QuickTimeouts) as base:
        port = int(base.rsplit(":", 1)[1])
        with (
            socket.create_connection(("127.0.0.1", port)) as silent,
            socket.create_connection(("127.0.0.1", port)) as half_head,
            socket.create_connection(("127.0.0.1", port)) as half_body,
        ):
            half_head.sendall(b"GET /v2/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            half_body.sendall(
                head("/v2/parse", "Content-Type: application/json", "Content-Length: 100") + b'{"ins'
            )
            start = time.monotonic()
            for sock in (silent, half_head, half_body):
                assert closed_within(sock, 5)
            assert time.monotonic() - start < 4


def test_a_head_trickled_a_byte_at_a_time_is_dropped_at_its_deadline() -> None:
    with inprocess_server(protocol=QuickTimeouts) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            start = time.monotonic()
            request = b"GET /v2/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
            try:
                for byte in request:
                    sock.sendall(bytes([byte]))
                    time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                pass
            assert closed_within(sock, 5) and time.monotonic() - start < 3


def test_slow_body_gets_408(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_limits, "BODY_GRACE_SECONDS", 0.5)
    with inprocess_server() as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(head("/v2/parse", "Content-Type: application/json", "Content-Length: 100") + b'{"in')
            answer = b""
            while chunk := sock.recv(65536):  # the server closes after a 408: read to the end
                answer += chunk
            status, headers, body = raw_status(answer)
            assert status == 408 and headers["connection"] == "close" and body["detail"]["status"] == "error"


def test_stalled_sockets_over_the_cap_do_not_starve_new_clients() -> None:
    """40 sockets stall half-way through their heads on a server capped at 8 connections."""
    with inprocess_server(protocol=QuickTimeouts) as base:
        port = int(base.rsplit(":", 1)[1])
        stalled = []
        try:
            for _ in range(40):
                sock = socket.create_connection(("127.0.0.1", port))
                sock.sendall(b"GET /v2/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                stalled.append(sock)
            start = time.monotonic()
            for _ in range(5):
                assert httpx.get(f"{base}/v2/vocabulary", timeout=5).status_code == 200
            assert time.monotonic() - start < 2
            shed = sum(closed_within(sock, 0.05) for sock in stalled)
            assert shed >= 40 - QuickTimeouts.max_connections
        finally:
            for sock in stalled:
                sock.close()


def test_a_non_ascii_token_is_compared_as_utf8_bytes() -> None:
    with inprocess_server(token="clé-secrète") as base:
        right = httpx.get(
            f"{base}/v2/vocabulary", headers={"authorization": b"Bearer " + "clé-secrète".encode()}
        )
        assert right.status_code == 200
        wrong = httpx.get(
            f"{base}/v2/vocabulary", headers={"authorization": b"Bearer " + "clé-secrète".encode("latin-1")}
        )
        assert_problem(wrong, 401)
