"""Result layers: flat fills kept cropped to their bounding box.

A layer is stored as its bbox and the RGBA pixels inside it, so a 4096x4096 canvas with a small
object costs kilobytes, and the HTTP answer can send exactly what the client places.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backend.lineart import mask_bbox


@dataclass
class Layer:
    key: str  # identity of the target: colouring it again replaces this layer
    name: str
    kind: str  # "foreground" | "background"
    category: str | None
    instances: list[int]
    bbox: tuple[int, int, int, int]  # x, y, w, h in canvas pixels
    rgba: np.ndarray = field(repr=False)  # uint8 h x w x 4, the bbox's pixels

    def full(self, shape: tuple[int, int]) -> np.ndarray:
        """The layer at canvas size, transparent outside its bbox."""
        out = np.zeros((*shape, 4), np.uint8)
        x, y, w, h = self.bbox
        out[y : y + h, x : x + w] = self.rgba
        return out

    def describe(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "category": self.category,
            "instances": self.instances,
            "bbox": list(self.bbox),
        }


def paint(
    fills: list[tuple[np.ndarray, np.ndarray | tuple[int, int, int]]],
) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """Flat fills, later ones over earlier ones -> (bbox, cropped RGBA).

    Each fill is (bool mask HxW, colour): a colour is an RGB triple or an HxWx3 image (a gradient).
    """
    union = np.zeros(fills[0][0].shape, bool)
    for mask, _ in fills:
        union |= mask
    x, y, w, h = mask_bbox(union)
    rgba = np.zeros((h, w, 4), np.uint8)
    window = (slice(y, y + h), slice(x, x + w))
    # copyto with `where` streams through memory; boolean fancy indexing gathers and is ~10x slower.
    for mask, colour in fills:
        m = mask[window]
        src = colour[window] if isinstance(colour, np.ndarray) else np.asarray(colour, np.uint8)
        np.copyto(rgba[..., :3], src, where=m[..., None])
        np.copyto(rgba[..., 3], np.uint8(255), where=m)
    return (x, y, w, h), rgba
