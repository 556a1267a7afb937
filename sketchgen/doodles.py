"""Real Quick, Draw! doodles as Drawings, with the fixed held-out split training never sees.

The split is fixed (same seed, same order, five per category), the one the first, doodle-based
recogniser was measured with. A doodle's mask is its strokes plus every area they
close (silhouette.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .drawing import Drawing, Piece
from .silhouette import fill_outline
from .vocabulary import QUICKDRAW_TO_CLASS

HELD_OUT_PER_CATEGORY = 5
SPLIT_SEED = 2019
RASTER = 128  # resolution at which the closed area of a doodle is found


@dataclass
class Doodle:
    key_id: str
    category: str  # one of backend.categories.FOREGROUND, or "unknown"
    strokes: list[np.ndarray]  # each (k, 2) float (x, y) in the 0-255 box


def load(data: Path) -> tuple[list[Doodle], list[Doodle]]:
    """(train, held_out) over every Quick, Draw! category the backend maps."""
    rng = np.random.default_rng(SPLIT_SEED)
    train, held = [], []
    for name in sorted(QUICKDRAW_TO_CLASS):
        cls = QUICKDRAW_TO_CLASS[name]
        cls = "unknown" if cls == "other" else cls
        rows = [json.loads(line) for line in (data / f"{name}.ndjson").read_text().splitlines() if line]
        order = rng.permutation(len(rows))
        for rank, i in enumerate(order):
            d = Doodle(rows[i]["key_id"], cls, [np.asarray(s, np.float64).T for s in rows[i]["drawing"]])
            (held if rank < HELD_OUT_PER_CATEGORY else train).append(d)
    return train, held


def silhouette_outlines(doodle: Doodle) -> list[np.ndarray]:
    """The outlines (k, 2) of what the doodle's strokes close, in its 0-255 box (found at RASTER)."""
    canvas = np.zeros((RASTER, RASTER), np.uint8)
    k = RASTER / 256
    for s in doodle.strokes:
        cv2.polylines(canvas, [np.round(s * k).astype(np.int32)], False, 1, 2)
    filled = fill_outline(canvas.astype(bool)).astype(np.uint8)
    contours, _ = cv2.findContours(filled, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [c[:, 0].astype(np.float64) / k for c in contours if len(c) >= 3]


def to_drawing(doodle: Doodle) -> Drawing:
    """One filled silhouette (no outline) under the doodle's own strokes as open lines."""
    pieces = [Piece("", outline, outline=False) for outline in silhouette_outlines(doodle)]
    pieces += [Piece("", s, fill=False, closed=False) for s in doodle.strokes if len(s) >= 2]
    return Drawing(doodle.category, pieces, parts_known=False)
