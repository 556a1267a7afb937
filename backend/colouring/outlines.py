"""What the backend sees, drawn: each object's outline and name, on a layer of its own.

The artist toggles it in the docker to see what the words can reach ("the dog" only finds what is
outlined as a dog), and selects and teaches whatever is missing or wrong.
"""

from __future__ import annotations

import colorsys

import cv2
import numpy as np

from backend.categories import FOREGROUND
from backend.understanding import Instance

from .layers import Layer

# Outline width and label size grow with the canvas so they read the same at 768 and at 4096 px.
LINE_SHARE = 1 / 300
TEXT_SHARE = 1 / 1600


def _hue(category: str) -> tuple[int, int, int]:
    """A fixed, saturated colour per category (taught names hash into the same wheel)."""
    index = FOREGROUND.index(category) if category in FOREGROUND else sum(map(ord, category))
    r, g, b = colorsys.hsv_to_rgb((index * 0.618034) % 1.0, 0.9, 0.85)
    return int(r * 255), int(g * 255), int(b * 255)


def outlines_layer(instances: list[Instance], shape: tuple[int, int]) -> Layer | None:
    """One RGBA layer (cropped to what it draws) with every object's outline and label; None if empty."""
    if not instances:
        return None
    side = max(shape)
    thickness = max(2, round(side * LINE_SHARE))
    scale = max(0.5, side * TEXT_SHARE)
    canvas = np.zeros((*shape, 4), np.uint8)
    for inst in instances:
        rows, cols = inst.box
        contours, _ = cv2.findContours(inst.crop.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        colour = (*_hue(inst.category), 255)
        shifted = [c + np.array([cols.start, rows.start]) for c in contours]
        cv2.drawContours(canvas, shifted, -1, colour, thickness, cv2.LINE_AA)
        label = inst.category + (" (taught)" if inst.source == "taught" else "")
        x, y = cols.start + thickness, max(rows.start - thickness, int(20 * scale))
        cv2.putText(
            canvas, label, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255, 255), thickness + 2
        )
        cv2.putText(canvas, label, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, max(1, thickness - 1))
    drawn = canvas[..., 3] > 0
    if not drawn.any():
        return None
    ys, xs = np.nonzero(drawn.any(axis=1))[0], np.nonzero(drawn.any(axis=0))[0]
    y0, y1, x0, x1 = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
    bbox = (int(x0), int(y0), int(x1 - x0), int(y1 - y0))
    return Layer("overlay:objects", "What I see", "overlay", None, [], bbox, canvas[y0:y1, x0:x1].copy())
