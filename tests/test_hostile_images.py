"""Hostile and odd images through HTTP, against a real `python -m backend serve` process.

Bad data gets a 4xx JSON answer with a sentence; valid oddities (1x1, 16-bit, CMYK, animated, BMP
instead of PNG) get the same colouring as the plain PNG of the same drawing. The server's peak
resident memory (VmHWM, reset before each request through /proc/<pid>/clear_refs) stays bounded.
"""

from __future__ import annotations

import base64
import io
import os
import struct
import subprocess
import zlib
from collections.abc import Callable, Iterator

import cv2
import httpx
import numpy as np
import pytest
from PIL import Image

from backend.service.images import MAX_SIDE, decode_rgba
from tests.conftest import memory_kb, reset_peak_memory

PEAK_BOUND_MB = 500
W, H = 96, 64
# The interior of the closed box drawn by drawing(): what "make it red" over a mask there paints.
BOX = (slice(20, 44), slice(20, 50))


def drawing(x0: int = 16, y0: int = 16) -> np.ndarray:
    """A white canvas with one closed box (2 px black lines) and a stray diagonal line: uint8 HxW."""
    img = np.full((H, W), 255, np.uint8)
    cv2.rectangle(img, (x0, y0), (x0 + 37, y0 + 31), 0, 2)
    cv2.line(img, (70, 5), (90, 60), 0, 2)
    return img


def encode(img: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **options)
    return buf.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height 8-bit grey: a decompression bomb's shape."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 4096)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    )


MASK = np.zeros((H, W), np.uint8)
MASK[BOX] = 255  # most of the box's inside: a selection takes the regions it mostly covers
MASK_B64 = b64(encode(Image.fromarray(MASK)))


@pytest.fixture(scope="module")
def server(
    backend_process: tuple[str, subprocess.Popen],
) -> Iterator[Callable[..., tuple[httpx.Response, int]]]:
    """post(**body) -> (response, growth of the server's peak RSS over its RSS before, in MB)."""
    url, proc = backend_process

    def post(path: str = "/v2/colorize", **body: object) -> tuple[httpx.Response, int]:
        reset_peak_memory(proc.pid)
        before = memory_kb(proc.pid)
        res = httpx.post(f"{url}{path}", json=body, timeout=60)
        return res, (memory_kb(proc.pid, "VmHWM") - before) // 1024

    rss_before = memory_kb(proc.pid)
    yield post
    # Nothing the hostile requests did is kept: resident memory after them is bounded too.
    assert (memory_kb(proc.pid) - rss_before) // 1024 < PEAK_BOUND_MB
    assert httpx.get(f"{url}/v2/health", timeout=10).status_code == 200


def assert_problem(res: httpx.Response, code: int, *words: str) -> None:
    assert res.status_code == code, res.text
    assert res.headers["content-type"] == "application/json"
    detail = res.json()["detail"]
    assert detail["status"] == "error" and detail["message"].endswith(".")
    assert "Traceback" not in detail["message"]
    for word in words:
        assert word in detail["message"], detail["message"]


def painted(res: httpx.Response) -> np.ndarray:
    """The canvas pixels a 200 answer paints, as a bool HxW."""
    assert res.status_code == 200, res.text
    body = res.json()
    out = np.zeros((body["height"], body["width"]), bool)
    for layer in body["layers"]:
        x, y, w, h = layer["bbox"]
        rgba = np.asarray(Image.open(io.BytesIO(base64.b64decode(layer["png"]))).convert("RGBA"))
        assert rgba.shape == (h, w, 4)
        out[y : y + h, x : x + w] |= rgba[..., 3] > 0
    return out


@pytest.fixture(scope="module")
def reference(server) -> np.ndarray:
    """The selection fill of the plain 8-bit PNG: every valid variant must paint the same."""
    res, _ = server(image=b64(encode(Image.fromarray(drawing()))), instruction="make it red", mask=MASK_B64)
    area = painted(res)
    ys, xs = np.nonzero(area)
    # The box's inside, filled under its lines (x 15..54, y 15..48), and nothing beyond them.
    assert area[BOX].all()
    assert 14 <= xs.min() and xs.max() <= 55 and 14 <= ys.min() and ys.max() <= 49
    return area


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


# ------------------------------------------------------------------------------------------------
# Bad data: a clear 4xx, fast, and cheap.


def test_truncated_png(server) -> None:
    data = encode(Image.fromarray(drawing()))
    for cut in (8, 40, len(data) // 2, len(data) * 3 // 4):  # (without only IEND, it decodes)
        res, peak = server(image=b64(data[:cut]), instruction="make it red", mask=MASK_B64)
        assert_problem(res, 400, "could not be read")
        assert peak < PEAK_BOUND_MB


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"just some text, named sketch.png",
        b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
        b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
        # PostScript: Pillow hands EPS to Ghostscript, and "{} loop" would never come back.
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n0 0 moveto 10 10 lineto stroke\n%%EOF\n",
        encode(Image.fromarray(drawing()), "ICO"),  # a real image, in a format the API does not take
    ],
    ids=["empty", "text", "svg", "pdf", "eps", "ico"],
)
def test_not_an_image(server, data: bytes) -> None:
    res, peak = server(image=b64(data), instruction="the sky is blue")
    assert_problem(res, 400, "image")
    assert peak < PEAK_BOUND_MB


def test_not_base64(server) -> None:
    res, _ = server(image="iVBORw0KGgo%%%", instruction="the sky is blue")
    assert_problem(res, 400, "base64")


@pytest.mark.parametrize(
    "data",
    [
        png_claiming(30000, 30000),
        png_claiming(MAX_SIDE + 1, 1),
        png_claiming(2**31 - 1, 2**31 - 1),
        encode(Image.new("1", (20000, 20000))),  # a real, complete 20000x20000 PNG (60 KB)
    ],
    ids=["bomb-30000", "side-over-limit", "bomb-2^31", "real-20000"],
)
def test_decompression_bombs_are_refused_from_the_header(server, data: bytes) -> None:
    res, peak = server(image=b64(data), instruction="the sky is blue")
    assert_problem(res, 413, "limit")
    assert peak < 50  # nothing of the claimed size was allocated


def test_text_chunk_bomb(server) -> None:
    """A zTXt chunk inflating to 50 MB, inside an otherwise valid 8x8 PNG."""
    png = encode(Image.new("L", (8, 8), 255))
    bomb = png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"\0" * (50 << 20), 9))
    res, peak = server(image=b64(png[:33] + bomb + png[33:]), instruction="the sky is blue")
    assert res.status_code in (200, 400), res.text
    assert peak < 100


def test_mask_of_another_size_is_refused_before_decoding(server) -> None:
    # A 60 KB mask claiming 8192x8192 for a 96x64 image: decoding it first cost 768 MB.
    mask = b64(encode(Image.new("1", (MAX_SIDE, MAX_SIDE))))
    res, peak = server(image=b64(encode(Image.fromarray(drawing()))), instruction="make it red", mask=mask)
    assert_problem(res, 400, "mask is 8192x8192", "96x64")
    assert peak < 50
    res, _ = server(image=b64(encode(Image.fromarray(drawing()))), instruction="make it red", mask=b64(b"xx"))
    assert_problem(res, 400, "mask")


def test_nonsense_instruction_is_refused_before_the_image_is_decoded(server) -> None:
    big = b64(encode(Image.new("L", (MAX_SIDE, MAX_SIDE), 255)))  # 80 KB, 256 MB once decoded
    res, peak = server(image=big, instruction="asdf qwerty")
    assert res.status_code == 422 and res.json()["detail"]["status"] == "not_understood"
    assert peak < 50


# ------------------------------------------------------------------------------------------------
# Valid oddities: the same result as the plain PNG.


def test_one_pixel_image(server) -> None:
    one = b64(encode(Image.new("RGB", (1, 1), "white")))
    res, _ = server(image=one, instruction="make it red", mask=b64(encode(Image.new("L", (1, 1), 255))))
    assert painted(res).tolist() == [[True]]
    (layer,) = res.json()["layers"]
    assert layer["bbox"] == [0, 0, 1, 1]
    rgba = np.asarray(Image.open(io.BytesIO(base64.b64decode(layer["png"]))).convert("RGBA"))
    assert tuple(rgba[0, 0]) == (237, 28, 36, 255)
    # No sky can be told from ground in one pixel: a clear answer either way.
    res, _ = server(image=one, instruction="the sky is blue")
    assert res.status_code in (200, 404), res.text


def test_thin_images(server) -> None:
    for size in ((MAX_SIDE, 1), (1, MAX_SIDE), (3, 2000)):
        res, _ = server(image=b64(encode(Image.new("L", size, 255))), instruction="the sky is blue")
        assert res.status_code in (200, 404), res.text
        if res.status_code == 200:
            assert (res.json()["width"], res.json()["height"]) == size


def test_sixteen_bit_greyscale(server, reference) -> None:
    grey16 = Image.fromarray(drawing().astype(np.uint16) * 257)
    assert grey16.mode.startswith("I;16")
    res, _ = server(image=b64(encode(grey16)), instruction="make it red", mask=MASK_B64)
    assert (painted(res) == reference).all()


def test_cmyk_jpeg(server, reference) -> None:
    cmyk = Image.fromarray(drawing()).convert("CMYK")
    data = encode(cmyk, "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    res, _ = server(image=b64(data), instruction="make it red", mask=MASK_B64)
    assert iou(painted(res), reference) > 0.9


@pytest.mark.parametrize("fmt", ["GIF", "PNG"], ids=["gif", "apng"])
def test_animated_image_uses_its_first_frame(server, reference, fmt: str) -> None:
    first = Image.fromarray(drawing()).convert("RGB")
    elsewhere = Image.fromarray(drawing(x0=50, y0=28)).convert("RGB")  # the mask is outside its box
    data = encode(first, fmt, save_all=True, append_images=[elsewhere], duration=100, loop=0)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 2
    res, _ = server(image=b64(data), instruction="make it red", mask=MASK_B64)
    assert (painted(res) == reference).all()


@pytest.mark.parametrize("fmt", ["BMP", "WEBP", "TIFF"])
def test_other_raster_formats_sent_as_png(server, reference, fmt: str) -> None:
    options = {"lossless": True} if fmt == "WEBP" else {}
    res, _ = server(
        image=b64(encode(Image.fromarray(drawing()), fmt, **options)),
        instruction="make it red",
        mask=MASK_B64,
    )
    assert (painted(res) == reference).all()


def test_lines_in_alpha_and_palette_images(server, reference) -> None:
    lines = 255 - drawing()
    alpha = np.zeros((H, W, 4), np.uint8)
    alpha[..., 3] = lines  # a transparent Krita layer: lines in alpha only
    for img in (Image.fromarray(alpha, "RGBA"), Image.fromarray(drawing()).convert("P")):
        res, _ = server(image=b64(encode(img)), instruction="make it red", mask=MASK_B64)
        assert (painted(res) == reference).all()


def test_decoding_sixteen_bit_at_the_size_limit_stays_near_its_result_size() -> None:
    """The decoder itself (in this process): a 16-bit image at the limit took 1.5 GB of temporaries."""
    data = encode(Image.fromarray(np.full((MAX_SIDE, MAX_SIDE), 65535, np.uint16)))
    reset_peak_memory(os.getpid())
    before = memory_kb(os.getpid())
    rgba = decode_rgba(data)
    peak_mb = (memory_kb(os.getpid(), "VmHWM") - before) // 1024
    assert rgba.shape == (MAX_SIDE, MAX_SIDE, 4) and rgba[0, 0, 0] == 255
    assert peak_mb < 3 * rgba.nbytes // 2**20, peak_mb  # the result (256 MB) and Pillow's own copies
