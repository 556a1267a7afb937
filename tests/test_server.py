"""The HTTP API (v2, stateless) through a real `python -m backend serve` process on loopback."""

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
    health = httpx.get(f"{backend_url}/v2/health").json()
    assert health["status"] == "ok" and health["device"] in ("cpu", "cuda")
    assert health["recognizer"]["name"] and health["recognizer"]["version"]
    vocab = httpx.get(f"{backend_url}/v2/vocabulary").json()
    assert len(vocab["categories"]) == 25 and "windows" in vocab["parts"]["car"]
    assert "red" in vocab["colours"] and len(vocab["colours"]) > 100
    assert httpx.get(f"{backend_url}/openapi.json").status_code == 200


def test_colorize_sun_returns_cropped_layer_over_the_real_sun(backend_url, scene):
    sketch, truth = scene
    res = post(backend_url, "/v2/colorize", image=b64(sketch), instruction="the sun is orange")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["width"] == 750 and body["height"] == 750
    assert set(body) == {
        "status",
        "message",
        "parse",
        "width",
        "height",
        "layers",
        "taught",
        "forget",
        "timings",
    }
    assert body["taught"] == [] and body["forget"] == []
    (layer,) = body["layers"]
    assert layer["kind"] == "foreground" and layer["category"] == "sun" and layer["key"].startswith("fg:sun:")
    painted, rgba = layer_mask(layer, truth.shape)
    sun = truth == 1
    assert (painted & sun).sum() / (painted | sun).sum() >= 0.5
    colours, counts = np.unique(rgba[painted][:, :3], axis=0, return_counts=True)
    r, g, b = colours[counts.argmax()]
    assert r > 200 and 80 < g < 200 and b < 80  # orange


def test_recolouring_returns_the_same_key_for_the_client_to_replace(backend_url, scene):
    """No session: the second request knows nothing of the first, and answers the sky with the same
    key, so the client replaces its own earlier sky layer (and undoes by putting it back)."""
    sketch, truth = scene
    first = post(
        backend_url, "/v2/colorize", image=b64(sketch), instruction="the sky is blue and the ground is green"
    ).json()
    keys = {layer["key"]: layer for layer in first["layers"]}
    assert set(keys) == {"bg:sky", "bg:ground"}
    sky, sky_rgba = layer_mask(keys["bg:sky"], truth.shape)
    ground, _ = layer_mask(keys["bg:ground"], truth.shape)
    assert not (sky & ground).any()
    assert np.flatnonzero(sky.any(axis=1)).mean() < np.flatnonzero(ground.any(axis=1)).mean()
    # The labelled sun mask also spans the open sky between its rays; its disk must stay unpainted.
    ys, xs = np.nonzero(truth == 1)
    radius = 0.3 * np.sqrt(ys.size / np.pi)
    yy, xx = np.mgrid[: truth.shape[0], : truth.shape[1]]
    disk = (yy - ys.mean()) ** 2 + (xx - xs.mean()) ** 2 < radius**2
    assert (sky & disk).sum() < 0.05 * disk.sum(), "the sky must not paint the sun"
    second = post(backend_url, "/v2/colorize", image=b64(sketch), instruction="the sky is black").json()
    (layer,) = second["layers"]
    assert layer["key"] == "bg:sky" and "replaced" not in second and "session_id" not in second
    black_sky, black_rgba = layer_mask(layer, truth.shape)
    assert (black_sky == sky).all()  # the same area, another colour
    # A gradient, lighter towards the horizon: grey, and far darker than the blue sky.
    black, blue = black_rgba[black_sky][:, :3].astype(int), sky_rgba[sky][:, :3].astype(int)
    assert (black.max(axis=1) - black.min(axis=1)).max() < 10 and black.mean() + 60 < blue.mean()


def test_selection_mask_without_category_fills_what_it_covers(backend_url, scene):
    sketch, truth = scene
    mask = np.zeros(truth.shape, np.uint8)
    ys, xs = np.nonzero(truth == 1)
    mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] = 255
    buf = io.BytesIO()
    Image.fromarray(mask).save(buf, format="PNG")
    res = post(
        backend_url, "/v2/colorize", image=b64(sketch), instruction="make it red", mask=b64(buf.getvalue())
    )
    assert res.status_code == 200, res.text
    (layer,) = res.json()["layers"]
    painted, _ = layer_mask(layer, truth.shape)
    assert painted[mask > 0].mean() > 0.3 and not painted[mask == 0].any()


@pytest.mark.parametrize(
    ("instruction", "code", "status", "words"),
    [
        ("the sky is blurple", 422, "not_understood", "blurple"),
        ("", 422, "not_understood", None),
        ("asdf qwerty", 422, "not_understood", None),
        ("the horse is red", 404, "no_match", "horse"),
    ],
)
def test_instruction_errors_are_4xx_with_plain_messages(backend_url, scene, instruction, code, status, words):
    sketch, _ = scene
    res = post(backend_url, "/v2/colorize", image=b64(sketch), instruction=instruction)
    assert res.status_code == code, res.text
    detail = res.json()["detail"]
    assert detail["status"] == (status or "not_understood") and "Traceback" not in detail["message"]
    if words:
        assert words in detail["message"]


def test_image_errors_are_4xx(backend_url, scene):
    sketch, _ = scene
    assert post(backend_url, "/v2/colorize", image="%%%", instruction="the sun is red").status_code == 400
    truncated = post(backend_url, "/v2/colorize", image=b64(sketch[:500]), instruction="the sun is red")
    assert truncated.status_code == 400 and "could not be read" in truncated.json()["detail"]["message"]
    big = io.BytesIO()
    Image.new("1", (20000, 20000)).save(big, format="PNG")
    huge = post(backend_url, "/v2/colorize", image=b64(big.getvalue()), instruction="the sun is red")
    assert huge.status_code == 413 and "limit" in huge.json()["detail"]["message"]
    assert post(backend_url, "/v2/undo").status_code == 404  # no undo on the server: the client owns it
    # The server is still healthy after all of that.
    assert httpx.get(f"{backend_url}/v2/health").status_code == 200


def test_parse_endpoint(backend_url):
    ok = post(backend_url, "/v2/parse", instruction="the car is red with black windows").json()
    clause = ok["parse"]["clauses"][0]
    assert clause["target"]["category"] == "car" and clause["colours"]["windows"]["rgb"] == [0, 0, 0]
    assert post(backend_url, "/v2/parse", instruction="the car is blurple").status_code == 422


def test_body_limit_is_checked_before_reading(backend_url):
    host, port = backend_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /v2/colorize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
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
        f"{backend_url}/v2/parse",
        content=iter([b'{"instruction": "the sun is red"}']),
        headers={"content-type": "application/json"},
    )
    assert chunked.status_code == 411


def _chicken_box(shared_data) -> tuple[bytes, np.ndarray, bytes]:
    """Scene 9996, whose chicken the recogniser misses: the sketch, the chicken's mask, a box around it."""
    folder = shared_data / "sketchyscene-scenes" / "9996"
    ids = np.asarray(Image.open(folder / "instances.png"))
    chicken = ids == 17
    ys, xs = np.nonzero(chicken)
    box = np.zeros(ids.shape, np.uint8)
    box[ys.min() - 15 : ys.max() + 15, xs.min() - 15 : xs.max() + 15] = 255
    buf = io.BytesIO()
    Image.fromarray(box).save(buf, format="PNG")
    return (folder / "sketch.png").read_bytes(), chicken, buf.getvalue()


def test_teaching_travels_with_the_requests(backend_url, shared_data):
    """The server keeps nothing: what 'this is a chicken' taught comes back in the answer, and a later
    request that sends it finds the chicken; one that does not, does not."""
    sketch, chicken, box = _chicken_box(shared_data)
    taught = post(
        backend_url, "/v2/colorize", image=b64(sketch), instruction="this is a chicken", mask=b64(box)
    )
    assert taught.status_code == 200, taught.text
    body = taught.json()
    assert body["layers"] == [] and body["message"].startswith("Learnt: chicken")
    (item,) = body["taught"]
    assert item["category"] == "chicken" and len(item["bbox"]) == 4
    plain = post(backend_url, "/v2/colorize", image=b64(sketch), instruction="the chicken is pink")
    assert plain.status_code == 404 and "I see:" in plain.json()["detail"]["message"]
    later = post(
        backend_url, "/v2/colorize", image=b64(sketch), instruction="the chicken is pink", taught=[item]
    )
    assert later.status_code == 200, later.text
    painted, _ = layer_mask(later.json()["layers"][0], chicken.shape)
    assert (painted & chicken).sum() / (painted | chicken).sum() > 0.5
    forget = post(
        backend_url, "/v2/colorize", image=b64(sketch), instruction="forget the chicken", taught=[item]
    )
    assert forget.status_code == 200 and forget.json()["forget"] == ["chicken"]


def test_a_taught_name_outside_the_vocabulary(backend_url, shared_data):
    sketch, chicken, box = _chicken_box(shared_data)
    res = post(
        backend_url, "/v2/colorize", image=b64(sketch), instruction="the giraffe is yellow", mask=b64(box)
    )
    assert res.status_code == 200, res.text
    assert res.json()["layers"][0]["category"] == "giraffe"
    (item,) = post(
        backend_url, "/v2/colorize", image=b64(sketch), instruction="this is my giraffe", mask=b64(box)
    ).json()["taught"]
    res = post(
        backend_url, "/v2/colorize", image=b64(sketch), instruction="the giraffe is yellow", taught=[item]
    )
    assert res.status_code == 200 and res.json()["layers"][0]["category"] == "giraffe"


def test_a_taught_object_outside_the_image_is_refused(backend_url, shared_data):
    sketch, _, _ = _chicken_box(shared_data)
    bad = {"category": "cat", "bbox": [700, 700, 100, 100], "mask": b64(b"x")}
    res = post(backend_url, "/v2/colorize", image=b64(sketch), instruction="the cat is red", taught=[bad])
    assert res.status_code == 400 and "outside the image" in res.json()["detail"]["message"]


def test_objects_lists_what_the_backend_sees_with_an_outline_layer(backend_url, shared_data):
    sketch, chicken, box = _chicken_box(shared_data)
    res = post(backend_url, "/v2/objects", image=b64(sketch))
    assert res.status_code == 200, res.text
    body = res.json()
    names = [o["category"] for o in body["objects"]]
    assert names.count("cloud") >= 3 and "chicken" not in names and "clouds" in body["inventory"]
    x, y, w, h = body["overlay"]["bbox"]
    overlay = np.asarray(Image.open(io.BytesIO(base64.b64decode(body["overlay"]["png"]))))
    assert overlay.shape == (h, w, 4) and (overlay[..., 3] > 0).mean() < 0.2, "outlines, not fills"
    (item,) = post(
        backend_url, "/v2/colorize", image=b64(sketch), instruction="this is a chicken", mask=b64(box)
    ).json()["taught"]
    taught = post(backend_url, "/v2/objects", image=b64(sketch), taught=[item]).json()
    assert {"category": "chicken", "bbox": item["bbox"], "source": "taught"} in taught["objects"]


def test_a_theme_parse_is_used_as_it_is(backend_url, scene):
    """A theme's stored parse (docs/themes.md) is not parsed again: its RGB is what gets painted."""
    sketch, truth = scene
    parse = post(backend_url, "/v2/parse", instruction="the sun is orange").json()["parse"]
    parse["clauses"][0]["colours"]["disk"]["rgb"] = [1, 2, 3]
    res = post(backend_url, "/v2/colorize", image=b64(sketch), instruction="the sun is orange", parse=parse)
    assert res.status_code == 200, res.text
    painted, rgba = layer_mask(res.json()["layers"][0], truth.shape)
    assert (rgba[painted][:, :3] == (1, 2, 3)).all(axis=1).mean() > 0.5
    parse["clauses"][0]["colours"]["disk"]["rgb"] = [1, 2, 300]
    bad = post(backend_url, "/v2/colorize", image=b64(sketch), instruction="x", parse=parse)
    assert bad.status_code == 400 and bad.json()["detail"]["status"] == "error"
