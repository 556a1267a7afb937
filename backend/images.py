"""Decoding and encoding of the images that cross the API, with limits checked before pixels exist.

The size is read from the header first, so a decompression bomb or a 20000x20000 request is refused
without allocating it; every decode failure becomes an ImageError with a sentence for the user.
"""

from __future__ import annotations

import base64
import binascii
import io

import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_SIDE = 8192
MAX_PIXELS = 8192 * 8192


class ImageError(ValueError):
    """The image cannot be used; `too_large` separates limit breaches (HTTP 413) from bad data (400)."""

    def __init__(self, message: str, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


def limits_text() -> str:
    return f"at most {MAX_SIDE} pixels on a side and {MAX_PIXELS // 1_000_000} megapixels"


def decode_rgba(data: bytes, what: str = "image") -> np.ndarray:
    """Bytes of any Pillow-readable format -> uint8 HxWx4 RGBA (16-bit, CMYK, palette converted)."""
    if not data:
        raise ImageError(f"The {what} is empty.")
    try:
        with Image.open(io.BytesIO(data)) as img:
            w, h = img.size
            if w < 1 or h < 1:
                raise ImageError(f"The {what} has no pixels ({w}x{h}).")
            if w > MAX_SIDE or h > MAX_SIDE or w * h > MAX_PIXELS:
                raise ImageError(f"The {what} is {w}x{h}; the limit is {limits_text()}.", too_large=True)
            if getattr(img, "n_frames", 1) > 1:
                img.seek(0)  # an animated file: its first frame is the drawing
            if img.mode in ("I;16", "I;16B", "I;16L", "I"):
                # 16-bit greyscale: scale down to 8 bits instead of clipping to white.
                arr16 = np.asarray(img, dtype=np.float64)
                top = 65535.0 if arr16.max() > 255 else 255.0
                grey = np.clip(arr16 / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
                return np.dstack([grey, grey, grey, np.full_like(grey, 255)])
            rgba = img.convert("RGBA")
            rgba.load()
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(f"The {what} is too large; the limit is {limits_text()}.", too_large=True) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(
            f"The {what} could not be read as an image (unknown format or truncated file)."
        ) from exc
    return np.asarray(rgba, dtype=np.uint8).copy()


def decode_base64(text: str, what: str = "image") -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(f"The {what} is not valid base64.") from exc


def decode_mask(data: bytes, shape: tuple[int, int]) -> np.ndarray:
    """A selection mask -> bool HxW; it must match the image's size. Any non-zero grey/alpha counts."""
    rgba = decode_rgba(data, "mask")
    if rgba.shape[:2] != shape:
        raise ImageError(
            f"The mask is {rgba.shape[1]}x{rgba.shape[0]} but the image is {shape[1]}x{shape[0]}."
        )
    grey = rgba[..., :3].max(axis=2)
    transparent = rgba[..., 3] < 255
    # A mask with transparency selects by alpha; an opaque one by brightness.
    return (rgba[..., 3] > 127) if transparent.any() else (grey > 127)


def encode_png(rgba: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", compress_level=1)
    return buf.getvalue()
