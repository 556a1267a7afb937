"""The HTTP API through a real `python -m backend serve` process on loopback."""

from __future__ import annotations

import base64
import io
import socket

import httpx
import numpy as np
import pytest
from PIL import Image

SCENE = "9946"  # sun = 1, house = 13, ducks = 20, 21 in instances.png


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def layer_mask(layer: dict, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A response layer placed on the canvas: (painted mask, RGBA)."""
    x, y, w, h = layer["bbox"]
    rgba = np.asarray(Image.open(io.BytesIO(base64.b64decode(layer["png"]))).convert("RGBA"))
    assert rgba.shape == (h, w, 4)
    full = np.zeros((*shape, 4), np.uint8)
    full[y : y + h, x : x + w] = rgba
    return full[..., 3] > 0, full


@pytest.fixture(scope="module")
def scene(shared_data):
    folder = shared_data / "sketchyscene-scenes" / SCENE
    return (folder / "sketch.png").read_bytes(), np.asarray(Image.open(folder / "instances.png"))


def post(url: str, path: str, **body) -> httpx.Response:
    return httpx.post(f"{url}{path}", json=body, timeout=120)


def test_health_and_vocabulary(backend_url):
    health = httpx.get(f"{backend_url}/v1/health").json()
    assert health["status"] == "ok" and health["device"] in ("cpu", "cuda")
    assert health["recognizer"]["name"] and health["recognizer"]["version"]
    vocab = httpx.get(f"{backend_url}/v1/vocabulary").json()
    assert len(vocab["categories"]) == 25 and "windows" in vocab["parts"]["car"]
    assert "red" in vocab["colours"] and len(vocab["colours"]) > 100
    assert httpx.get(f"{backend_url}/openapi.json").status_code == 200


def test_colorize_sun_returns_cropped_layer_over_the_real_sun(backend_url, scene):
    sketch, truth = scene
    res = post(backend_url, "/v1/colorize", image=b64(sketch), instruction="the sun is orange")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["width"] == 750 and body["height"] == 750 and body["session_id"]
    (layer,) = body["layers"]
    assert layer["kind"] == "foreground" and layer["category"] == "sun" and layer["key"].startswith("fg:sun:")
    painted, rgba = layer_mask(layer, truth.shape)
    sun = truth == 1
    assert (painted & sun).sum() / (painted | sun).sum() >= 0.5
    colours, counts = np.unique(rgba[painted][:, :3], axis=0, return_counts=True)
    r, g, b = colours[counts.argmax()]
    assert r > 200 and 80 < g < 200 and b < 80  # orange


def test_progressive_session_recolours_only_the_sky_and_undo_restores(backend_url, scene):
    sketch, truth = scene
    first = post(
        backend_url, "/v1/colorize", image=b64(sketch), instruction="the sky is blue and the ground is green"
    ).json()
    sid = first["session_id"]
    keys = {layer["key"]: layer for layer in first["layers"]}
    assert set(keys) == {"bg:sky", "bg:ground"}
    sky, _ = layer_mask(keys["bg:sky"], truth.shape)
    ground, _ = layer_mask(keys["bg:ground"], truth.shape)
    assert not (sky & ground).any()
    assert np.flatnonzero(sky.any(axis=1)).mean() < np.flatnonzero(ground.any(axis=1)).mean()
    # The labelled sun mask also spans the open sky between its rays; its disk must stay unpainted.
    ys, xs = np.nonzero(truth == 1)
    radius = 0.3 * np.sqrt(ys.size / np.pi)
    yy, xx = np.mgrid[: truth.shape[0], : truth.shape[1]]
    disk = (yy - ys.mean()) ** 2 + (xx - xs.mean()) ** 2 < radius**2
    assert (sky & disk).sum() < 0.05 * disk.sum(), "the sky must not paint the sun"
    second = post(
        backend_url, "/v1/colorize", image=b64(sketch), instruction="the sky is black", session_id=sid
    ).json()
    assert [la["key"] for la in second["layers"]] == ["bg:sky"] and second["replaced"] == ["bg:sky"]
    undone = post(backend_url, "/v1/undo", session_id=sid).json()
    assert undone["removed"] == ["bg:sky"] and [la["key"] for la in undone["restored"]] == ["bg:sky"]
    assert post(backend_url, "/v1/undo", session_id=sid).status_code == 200  # the first step
    assert post(backend_url, "/v1/undo", session_id=sid).status_code == 404  # nothing left


def test_selection_mask_without_category_fills_what_it_covers(backend_url, scene):
    sketch, truth = scene
    mask = np.zeros(truth.shape, np.uint8)
    ys, xs = np.nonzero(truth == 1)
    mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] = 255
    buf = io.BytesIO()
    Image.fromarray(mask).save(buf, format="PNG")
    res = post(
        backend_url, "/v1/colorize", image=b64(sketch), instruction="make it red", mask=b64(buf.getvalue())
    )
    assert res.status_code == 200, res.text
    (layer,) = res.json()["layers"]
    painted, _ = layer_mask(layer, truth.shape)
    assert painted[mask > 0].mean() > 0.3 and not painted[mask == 0].any()


@pytest.mark.parametrize(
    ("instruction", "code", "status", "words"),
    [
        ("the sky is blurple", 422, "not_understood", "blurple"),
        ("", 422, None, None),
        ("asdf qwerty", 422, "not_understood", None),
        ("the horse is red", 404, "no_match", "horse"),
    ],
)
def test_instruction_errors_are_4xx_with_plain_messages(backend_url, scene, instruction, code, status, words):
    sketch, _ = scene
    res = post(backend_url, "/v1/colorize", image=b64(sketch), instruction=instruction)
    assert res.status_code == code, res.text
    detail = res.json()["detail"]
    if status:
        assert detail["status"] == status and "Traceback" not in detail["message"]
    if words:
        assert words in detail["message"]


def test_image_errors_are_4xx(backend_url, scene):
    sketch, _ = scene
    assert post(backend_url, "/v1/colorize", image="%%%", instruction="the sun is red").status_code == 400
    truncated = post(backend_url, "/v1/colorize", image=b64(sketch[:500]), instruction="the sun is red")
    assert truncated.status_code == 400 and "could not be read" in truncated.json()["detail"]["message"]
    big = io.BytesIO()
    Image.new("1", (20000, 20000)).save(big, format="PNG")
    huge = post(backend_url, "/v1/colorize", image=b64(big.getvalue()), instruction="the sun is red")
    assert huge.status_code == 413 and "limit" in huge.json()["detail"]["message"]
    assert post(backend_url, "/v1/undo", session_id="never-seen").status_code == 404
    # The server is still healthy after all of that.
    assert httpx.get(f"{backend_url}/v1/health").status_code == 200


def test_parse_endpoint(backend_url):
    ok = post(backend_url, "/v1/parse", instruction="the car is red with black windows").json()
    clause = ok["parse"]["clauses"][0]
    assert clause["target"]["category"] == "car" and clause["colours"]["windows"]["rgb"] == [0, 0, 0]
    assert post(backend_url, "/v1/parse", instruction="the car is blurple").status_code == 422


def test_body_limit_is_checked_before_reading(backend_url):
    host, port = backend_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/colorize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 999999999\r\n\r\n{"
        )
        head = b""
        while b"MB" not in head:
            part = sock.recv(4096)  # headers and body may come in separate packets
            if not part:
                break
            head += part
        head = head.decode(errors="replace")
    assert head.startswith("HTTP/1.1 413") and "MB" in head
    chunked = httpx.post(
        f"{backend_url}/v1/parse",
        content=iter([b'{"instruction": "the sun is red"}']),
        headers={"content-type": "application/json"},
    )
    assert chunked.status_code == 411
