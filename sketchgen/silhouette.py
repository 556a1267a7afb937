"""The filled silhouette of a doodle: its strokes plus every area their outline closes.

A doodle comes as open strokes; its instance mask for training is what a fill of it would cover, so
the network learns objects as insides, not as lines. Gaps of a few pixels in the outline still close,
as they do in the backend's flatting.
"""

from __future__ import annotations

import cv2
import numpy as np


def _disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def fill_holes(shape: np.ndarray) -> np.ndarray:
    """bool mask with every hole filled; a flood fill from the border (scipy's version is 20x slower)."""
    padded = np.pad(shape.astype(np.uint8), 1)
    outside = padded.copy()
    cv2.floodFill(outside, None, (0, 0), 2, flags=4)
    return (outside != 2)[1:-1, 1:-1]


def fill_outline(strokes: np.ndarray) -> np.ndarray:
    """bool mask: the strokes plus every area their (gap-closed) outline encloses."""
    closed = cv2.dilate(strokes.astype(np.uint8), _disk(2)) > 0
    filled = fill_holes(closed)
    # Give back the outside fringe the gap closing added, so the silhouette ends at the strokes.
    fringe = cv2.dilate((~filled).astype(np.uint8), _disk(2)) > 0
    return strokes | (filled & ~fringe)
