"""Image decoding refuses bad input with a sentence, and before allocating huge pixel buffers."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from backend.service.images import MAX_SIDE, ImageError, decode_mask, decode_rgba, encode_png


def png_bytes(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def test_real_sketch_decodes_to_rgba(shared_data):
    rgba = decode_rgba((shared_data / "sketchyscene-scenes" / "9996" / "sketch.png").read_bytes())
    assert rgba.shape == (750, 750, 4) and rgba.dtype == np.uint8
    assert (rgba[..., 3] == 255).all()


def test_truncated_file_is_a_clear_error(shared_data):
    data = (shared_data / "sketchyscene-scenes" / "9996" / "sketch.png").read_bytes()
    with pytest.raises(ImageError, match="could not be read"):
        decode_rgba(data[: len(data) // 2])


def test_garbage_and_empty():
    with pytest.raises(ImageError, match="could not be read"):
        decode_rgba(b"this is not an image")
    with pytest.raises(ImageError, match="empty"):
        decode_rgba(b"")


def test_oversized_image_refused_from_header_alone():
    # A 1-bit image keeps the file tiny while the header claims a huge canvas.
    big = Image.new("1", (MAX_SIDE + 1, 16))
    with pytest.raises(ImageError) as err:
        decode_rgba(png_bytes(big))
    assert err.value.too_large and str(MAX_SIDE) in str(err.value)


def test_sixteen_bit_and_cmyk_inputs_convert():
    grey16 = Image.fromarray(np.full((8, 8), 65535, np.uint16))
    assert decode_rgba(png_bytes(grey16))[0, 0, 0] == 255
    cmyk = Image.new("CMYK", (8, 8), (0, 0, 0, 255))
    rgba = decode_rgba(png_bytes(cmyk, "JPEG"))
    assert rgba.shape == (8, 8, 4) and rgba[..., :3].max() < 60


def test_mask_must_match_size_and_reads_alpha_or_brightness():
    with pytest.raises(ImageError, match="mask is 4x4"):
        decode_mask(png_bytes(Image.new("L", (4, 4), 255)), (8, 8))
    grey = np.zeros((8, 8), np.uint8)
    grey[2:4, 2:6] = 255
    assert decode_mask(png_bytes(Image.fromarray(grey)), (8, 8)).sum() == 8
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[0, :3, 3] = 255
    assert decode_mask(encode_png(rgba), (8, 8)).sum() == 3
