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
# An image file larger than this is refused unread: 48 MB is what the server's 64 MB body limit
# leaves for base64, and a sketch at the pixel limit compresses to far less.
MAX_FILE_BYTES = 48 * 1024 * 1024
# Raster formats a painting program exports. Pillow would also open PostScript (EPS: it runs
# Ghostscript on the data, and "{} loop" never returns), PDF-like and exotic formats: none of them
# is a drawing a client sends, and each is attack surface.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")


class ImageError(ValueError):
    """The image cannot be used; `too_large` separates limit breaches (HTTP 413) from bad data (400)."""

    def __init__(self, message: str, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


def limits_text() -> str:
    return f"at most {MAX_SIDE} pixels on a side and {MAX_PIXELS // 1_000_000} megapixels"


def decode_rgba(data: bytes, what: str = "image", size: tuple[int, int] | None = None) -> np.ndarray:
    """Bytes of a raster format (FORMATS) -> uint8 HxWx4 RGBA (16-bit, CMYK, palette converted).

    size: the (width, height) the image must have, checked from the header like the limits, so
    that a mask of the wrong size is refused before its pixels are decoded.
    """
    if not data:
        raise ImageError(f"The {what} is empty.")
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as img:
            w, h = img.size
            if w < 1 or h < 1:
                raise ImageError(f"The {what} has no pixels ({w}x{h}).")
            if w > MAX_SIDE or h > MAX_SIDE or w * h > MAX_PIXELS:
                raise ImageError(f"The {what} is {w}x{h}; the limit is {limits_text()}.", too_large=True)
            if size is not None and (w, h) != size:
                raise ImageError(f"The {what} is {w}x{h} but the image is {size[0]}x{size[1]}.")
            if getattr(img, "n_frames", 1) > 1:
                img.seek(0)  # an animated file: its first frame is the drawing
            if img.mode in ("I;16", "I;16B", "I;16L", "I"):
                return _grey16_rgba(np.asarray(img))
            rgba = img.convert("RGBA")
            rgba.load()
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(f"The {what} is too large; the limit is {limits_text()}.", too_large=True) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        formats = ", ".join(FORMATS)
        raise ImageError(
            f"The {what} could not be read as an image (a truncated file, or not one of {formats})."
        ) from exc
    return np.asarray(rgba, dtype=np.uint8).copy()


def _grey16_rgba(values: np.ndarray) -> np.ndarray:
    """16-bit (or 32-bit integer) greyscale -> opaque RGBA, scaled down to 8 bits, not clipped to white.

    A lookup table keeps the cost at a few bytes per pixel: float arithmetic on the whole image
    needed 8 bytes per pixel per temporary, over 1 GB for a 16-bit image at the size limit.
    """
    top = 65535 if values.max() > 255 else 255
    if values.min() < 0 or values.max() > top:  # 32-bit "I" images only; 16-bit values fit
        values = np.clip(values, 0, top)
    lut = ((np.arange(top + 1, dtype=np.uint32) * 255 + top // 2) // top).astype(np.uint8)
    grey = lut[values]
    rgba = np.empty((*grey.shape, 4), np.uint8)
    rgba[..., :3] = grey[..., None]
    rgba[..., 3] = 255
    return rgba


def decode_base64(text: str, what: str = "image") -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(f"The {what} is not valid base64.") from exc


def decode_mask(data: bytes, shape: tuple[int, int]) -> np.ndarray:
    """A selection mask -> bool HxW; it must match the image's size. Any non-zero grey/alpha counts."""
    rgba = decode_rgba(data, "mask", size=(shape[1], shape[0]))
    grey = rgba[..., :3].max(axis=2)
    transparent = rgba[..., 3] < 255
    # A mask with transparency selects by alpha; an opaque one by brightness.
    return (rgba[..., 3] > 127) if transparent.any() else (grey > 127)


def encode_png(rgba: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", compress_level=1)
    return buf.getvalue()
