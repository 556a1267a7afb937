"""What a set of strokes encloses once its small gaps are bridged: the one way recognition closes
an outline that the flatting left open (stroke groups in second_look.py, grass tufts in
open_strokes.py).

Grown by the radius, strokes whose ends are up to twice the radius apart touch; the holes of the
grown shape are filled, and it is shrunk back by the same radius. A morphological closing with the
filling after it would not do: shrinking first reopens a gap between two line ends, since a closing
only bridges what a disc of its size cannot pass, about sqrt(8 * radius * line width).
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage


def enclosed(strokes: np.ndarray, radius: int) -> np.ndarray:
    """bool, like `strokes`: the strokes and every area they enclose, gaps up to 2 * radius closed."""
    pad = radius + 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
    grown = cv2.dilate(np.pad(strokes.astype(np.uint8), pad), disc)
    filled = ndimage.binary_fill_holes(grown).astype(np.uint8)
    return (cv2.erode(filled, disc) > 0)[pad:-pad, pad:-pad] | strokes.astype(bool)
