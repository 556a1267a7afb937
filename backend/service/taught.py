"""Taught objects on the wire: what the artist taught travels with every request, as small masks.

The server keeps no state, so the document holds what it was taught and sends it back each time.
An object goes as its bounding box and a PNG of that box (non-zero = the object): a few hundred bytes
for a cat, never a canvas-size mask.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from backend.understanding import Taught

from .images import ImageError, decode_base64, decode_mask, encode_png


def taught_from_wire(items: list[Any], shape: tuple[int, int]) -> list[Taught]:
    """Request items (schemas.TaughtObject) -> taught objects; raises ImageError on a bad one."""
    h, w = shape
    out = []
    for item in items:
        x, y, bw, bh = item.bbox
        if bw < 1 or bh < 1 or x < 0 or y < 0 or x + bw > w or y + bh > h:
            raise ImageError(f"The taught {item.category}'s box {list(item.bbox)} lies outside the image.")
        crop = decode_mask(decode_base64(item.mask, "taught mask"), (bh, bw))
        out.append(Taught(item.category, (slice(y, y + bh), slice(x, x + bw)), crop))
    return out


def taught_to_wire(taught: list[Taught]) -> list[dict[str, Any]]:
    """Taught objects -> answer items, the exact shape a later request sends back."""
    out = []
    for t in taught:
        rows, cols = t.box
        x, y, w, h = cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start
        rgba = np.zeros((h, w, 4), np.uint8)
        rgba[t.crop] = 255
        png = base64.b64encode(encode_png(rgba)).decode("ascii")
        out.append({"category": t.category, "bbox": [x, y, w, h], "mask": png})
    return out
