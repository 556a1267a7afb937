"""Many clients at once on loopback: every request answered, correctly, with bounded server memory.

Each client thread has its own sketch (its horizon at its own height, its own box), so an answer
computed from another client's image would be seen; the server keeps no state between requests,
so each client's layers by key are its own to replace. A 503 must carry Retry-After; the client
waits that long and sends the request again, as the plugin does.
"""

from __future__ import annotations

import base64
import io
import subprocess
import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import httpx
import numpy as np
import pytest
from PIL import Image

from backend.language import ParsedInstruction
from backend.pipeline import Colorizer, StepResult
from backend.service import server as server_module
from backend.service.images import decode_rgba, encode_png
from backend.understanding import Taught, default_recognizer
from tests.conftest import memory_kb, reset_peak_memory
from tests.inprocess import ParkedColorizer, inprocess_server

CLIENTS = 10
REQUESTS_PER_CLIENT = 5
W, H = 320, 240
RSS_BOUND_MB = 500


@dataclass
class Sketch:
    png_b64: str
    horizon: int  # y of the horizon line's centre
    box: tuple[slice, slice]  # inside of the closed box, for "make it red" over a mask
    outline: tuple[slice, slice]  # the box with its lines: a fill reaches under them, not beyond
    mask_b64: str


def make_sketch(k: int) -> Sketch:
    """Line art that differs per client: horizon height, box position, sun size."""
    img = np.full((H, W), 255, np.uint8)
    horizon = 90 + 8 * k
    cv2.line(img, (0, horizon), (W - 1, horizon), 0, 2)
    x0, y0 = 12 + 25 * k, horizon + 15
    cv2.rectangle(img, (x0, y0), (x0 + 60, y0 + 40), 0, 2)
    cv2.circle(img, (W - 50, 40), 12 + 2 * k, 0, 2)
    cv2.ellipse(img, (60 + 7 * k, 45), (30, 12), 0, 0, 360, 0, 2)  # a cloud-ish loop
    box = (slice(y0 + 4, y0 + 37), slice(x0 + 4, x0 + 57))
    outline = (slice(y0 - 2, y0 + 43), slice(x0 - 2, x0 + 63))
    mask = np.zeros((H, W), np.uint8)
    mask[box] = 255
    rgba = np.dstack([img, img, img, np.full_like(img, 255)])
    mask_rgba = np.dstack([mask, mask, mask, np.full_like(mask, 255)])
    return Sketch(
        base64.b64encode(encode_png(rgba)).decode(),
        horizon,
        box,
        outline,
        base64.b64encode(encode_png(mask_rgba)).decode(),
    )


def post_retrying(client: httpx.Client, url: str, body: dict, tries: int = 20) -> httpx.Response:
    """POST; on 503 wait for Retry-After and send again. Any other answer is returned."""
    for _ in range(tries):
        res = client.post(url, json=body)
        if res.status_code != 503:
            return res
        assert res.json()["detail"]["status"] == "error"
        time.sleep(float(res.headers["retry-after"]))
    raise AssertionError(f"still 503 after {tries} tries")


def layers_by_key(res: httpx.Response) -> dict[str, tuple[tuple[int, int, int, int], np.ndarray]]:
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["width"], body["height"]) == (W, H)
    out = {}
    for layer in body["layers"]:
        rgba = np.asarray(Image.open(io.BytesIO(base64.b64decode(layer["png"]))).convert("RGBA"))
        out[layer["key"]] = (tuple(layer["bbox"]), rgba)
    return out


def check_sky(res: httpx.Response, sketch: Sketch, rgb: tuple[int, int, int] | None = None) -> None:
    """The sky layer covers the canvas above this sketch's horizon, and no further down."""
    (x, y, w, h), rgba = layers_by_key(res)["bg:sky"]
    assert (x, y, w) == (0, 0, W) and abs(y + h - 1 - sketch.horizon) <= 2, (h, sketch.horizon)
    if rgb is not None:
        mean = rgba[rgba[..., 3] > 0][:, :3].mean(axis=0)
        assert np.abs(mean - rgb).max() < 40, (mean, rgb)


def client_run(url: str, k: int, sketch: Sketch) -> list[str]:
    """One client: 5 requests on its own sketch, keeping its layers by key; returns what it checked."""
    done = []
    layers: dict[str, tuple[tuple[int, int, int, int], np.ndarray]] = {}  # the client's document
    with httpx.Client(timeout=120) as client:
        colorize = f"{url}/v2/colorize"
        res = post_retrying(client, colorize, {"image": sketch.png_b64, "instruction": "the sky is blue"})
        check_sky(res, sketch, (167, 216, 228))
        layers.update(layers_by_key(res))
        done.append("sky blue")

        res = post_retrying(client, colorize, {"image": sketch.png_b64, "instruction": "the sky is red"})
        check_sky(res, sketch)
        assert set(layers_by_key(res)) == {"bg:sky"} <= set(layers)  # replaces this client's own sky
        layers.update(layers_by_key(res))
        done.append("sky red")

        body = {"image": sketch.png_b64, "instruction": "make it red", "mask": sketch.mask_b64}
        ((key, ((x, y, w, h), rgba)),) = layers_by_key(post_retrying(client, colorize, body)).items()
        painted = np.zeros((H, W), bool)
        painted[y : y + h, x : x + w] = rgba[..., 3] > 0
        assert key.startswith("sel:") and painted[sketch.box].all()
        assert painted.sum() == painted[sketch.outline].sum()  # the box (under its lines), no more
        done.append("selection")

        body = {"image": sketch.png_b64, "instruction": "the sky is blue and the ground is green"}
        both = layers_by_key(post_retrying(client, colorize, body))
        assert set(both) == {"bg:sky", "bg:ground"}
        (_, gy, _, _), _ = both["bg:ground"]
        assert abs(gy - sketch.horizon) <= 2
        done.append("sky and ground")

        res = post_retrying(client, f"{url}/v2/parse", {"instruction": "the sky is blue"})
        assert res.status_code == 200 and res.json()["parse"]["clauses"][0]["area"] == "sky"
        done.append("parse")
    return done


@pytest.fixture(scope="module")
def server(backend_process: tuple[str, subprocess.Popen]) -> Iterator[tuple[str, int]]:
    url, proc = backend_process
    yield url, proc.pid


def test_fifty_concurrent_requests_all_answered_correctly(server: tuple[str, int]) -> None:
    url, pid = server
    sketches = [make_sketch(k) for k in range(CLIENTS)]
    rss_before = memory_kb(pid)
    reset_peak_memory(pid)
    start = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda k: client_run(url, k, sketches[k]), range(CLIENTS)))
    elapsed = time.monotonic() - start
    assert sum(len(done) for done in results) == CLIENTS * REQUESTS_PER_CLIENT, results
    peak_mb = (memory_kb(pid, "VmHWM") - rss_before) // 1024
    after_mb = (memory_kb(pid) - rss_before) // 1024
    assert peak_mb < RSS_BOUND_MB and after_mb < RSS_BOUND_MB, (peak_mb, after_mb)
    assert elapsed < 120
    assert httpx.get(f"{url}/v2/health", timeout=10).status_code == 200


class SlowColorizer(Colorizer):
    """The real colorizer, slowed down so that requests queue up for the two workers."""

    def apply(
        self,
        rgba: np.ndarray,
        parsed: ParsedInstruction,
        mask: np.ndarray | None = None,
        taught: list[Taught] | None = None,
    ) -> StepResult:
        time.sleep(0.4)
        return super().apply(rgba, parsed, mask, taught)


def test_busy_server_answers_503_with_retry_after_and_retries_succeed() -> None:
    """6 clients on 2 slow workers with the queue wait shortened to 0.2 s."""
    sketch = make_sketch(0)
    busy: list[httpx.Response] = []
    with inprocess_server(SlowColorizer(default_recognizer()), queue_wait=0.2) as base:
        url = f"{base}/v2/colorize"

        def one(k: int) -> httpx.Response:
            with httpx.Client(timeout=60) as client:
                body = {"image": sketch.png_b64, "instruction": "the sky is blue"}
                first = client.post(url, json=body)
                if first.status_code != 503:
                    return first
                busy.append(first)
                return post_retrying(client, url, body)

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(one, range(6)))
    for res in answers:
        check_sky(res, sketch, (167, 216, 228))
    assert busy, "6 requests on 2 slow workers with a 0.2 s queue: some must have been turned away"
    for res in busy:
        assert res.headers["retry-after"] == "2" and res.headers["content-type"] == "application/json"
        assert "busy" in res.json()["detail"]["message"]


def test_waiting_requests_do_not_hold_decoded_canvases(monkeypatch: pytest.MonkeyPatch) -> None:
    """16 clients send 2048x2048 canvases (16 MB each once decoded) to 2 workers at once.

    Decoding before the queue held up to one canvas per waiting request, so memory grew with the
    number of clients. Counted as live decoded arrays (a finalizer per array), not as RSS: glibc
    keeps freed memory in per-thread arenas, which would blur the count.
    """
    side, clients = 2048, 16
    live, most = [0], [0]
    lock = threading.Lock()

    def counted(*args: object, **kwargs: object) -> np.ndarray:
        rgba = decode_rgba(*args, **kwargs)
        with lock:
            live[0] += 1
            most[0] = max(most[0], live[0])
        weakref.finalize(rgba, lambda: live.__setitem__(0, live[0] - 1))
        return rgba

    monkeypatch.setattr(server_module, "decode_rgba", counted)
    png = base64.b64encode(encode_png(np.full((side, side, 4), 255, np.uint8))).decode()
    with inprocess_server(ParkedColorizer(0.3)) as base:

        def one(k: int) -> int:
            with httpx.Client(timeout=120) as client:
                body = {"image": png, "instruction": "the sky is blue"}
                return post_retrying(client, f"{base}/v2/colorize", body).status_code

        with ThreadPoolExecutor(clients) as pool:
            codes = list(pool.map(one, range(clients)))
    assert codes == [404] * clients
    assert most[0] <= server_module.WORKERS + 1, most[0]  # +1: a canvas on its way to collection
