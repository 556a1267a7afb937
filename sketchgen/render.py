"""Drawings to pixels: ink plus exact instance, category and part maps, with occlusion.

Objects are rendered back to front. Each filled piece first clears the paper under it (what is behind
is hidden, as a person would not draw it) and claims its pixels for its object and part; then its
outline is drawn and claims the stroke pixels too. So the masks are exactly what is visible.
Rendering happens at twice the output size and is reduced with area averaging, which gives the
anti-aliased, slightly soft lines of scanned or digital sketches.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .drawing import Drawing
from .pen import SHIFT, PenStyle, draw, hand_drawn

SS = 2  # supersampling factor
STROKE_LEVEL = 96  # supersampled ink above this claims the pixel for the stroke's object


@dataclass
class Rendered:
    ink: np.ndarray  # uint8 HxW, 255 = full ink (the sketch is 255 - ink on white paper)
    instances: np.ndarray  # uint16 HxW, 0 = background, k = drawings[k - 1]
    parts: np.ndarray  # uint8 HxW, index into the part vocabulary (0 = no named part)
    categories: list[str]  # category of instance k at index k - 1
    parts_known: list[bool]  # whether instance k's part map is meaningful


def render(
    drawings: list[Drawing],
    size: tuple[int, int],
    style: PenStyle,
    rng: np.random.Generator,
    part_index: dict[str, int],
) -> Rendered:
    """Render drawings (already placed in output pixel coordinates) back to front."""
    h, w = size
    H, W = h * SS, w * SS
    ink = np.zeros((H, W), np.uint8)
    inst = np.zeros((H, W), np.uint16)
    part = np.zeros((H, W), np.uint8)
    big = PenStyle(
        style.width * SS, style.width_jitter, style.jitter * SS, style.gap_prob, style.overshoot_prob
    )
    one = 1 << SHIFT
    for k, d in enumerate(drawings, start=1):
        for piece in d.pieces:
            p_id = part_index.get(piece.part, 0)
            strokes = []
            if piece.outline:
                strokes += hand_drawn(piece.polygon * SS, piece.closed and piece.fill, big, rng)
            for det in piece.details:
                strokes += hand_drawn(det * SS, False, big, rng)
            pts = np.concatenate([piece.polygon * SS, *strokes]) if strokes else piece.polygon * SS
            pad = int(big.width * 2) + 2
            x0, y0 = np.maximum(np.floor(pts.min(0)).astype(int) - pad, 0)
            x1, y1 = np.minimum(np.ceil(pts.max(0)).astype(int) + pad, (W, H))
            if x1 <= x0 or y1 <= y0:
                continue
            box = (slice(y0, y1), slice(x0, x1))
            shape = (y1 - y0, x1 - x0)
            origin = np.array([x0, y0], np.float64)
            if piece.fill and len(piece.polygon) >= 3:
                m = np.zeros(shape, np.uint8)
                cv2.fillPoly(
                    m, [np.round((piece.polygon * SS - origin) * one).astype(np.int32)], 1, cv2.LINE_8, SHIFT
                )
                sel = m.astype(bool)
                ink[box][sel] = 0
                inst[box][sel] = k
                part[box][sel] = p_id
            if strokes:
                s = np.zeros(shape, np.uint8)
                draw(s, [st - origin for st in strokes], big, rng)
                on = s > STROKE_LEVEL
                np.maximum(ink[box], s, out=ink[box])
                inst[box][on] = k
                part[box][on] = p_id
    out_ink = cv2.resize(ink, (w, h), interpolation=cv2.INTER_AREA)
    return Rendered(
        out_ink,
        inst[SS // 2 :: SS, SS // 2 :: SS].copy(),
        part[SS // 2 :: SS, SS // 2 :: SS].copy(),
        [d.category for d in drawings],
        [d.parts_known for d in drawings],
    )
