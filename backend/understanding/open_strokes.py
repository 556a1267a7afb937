"""The mask of an object drawn with open strokes (a grass tuft, a fan of blades): its strokes and the
paper they hold between them.

Why: such an object encloses no region of the flatting (its blades are too thin, or open), so it used
to be given a band of paper around its strokes: a green halo reaching past the blade tips, and a mask
two to three times the tuft that SketchyScene labels (blades and the paper inside them; a tuft was
found at IoU >= 0.5 in 4 of 26 labelled tufts). Closing the strokes' small gaps and filling what they
then enclose gives the tuft's own shape, which is where an artist's green goes.
When the strokes hold (almost) no paper, as a bird drawn as a "v", a fill there would hide under the
lines, and the caller keeps its band so the colour shows.
"""

from __future__ import annotations

import cv2
import numpy as np

from .enclosure import enclosed

CLOSE_SHARE = 0.006  # gaps between strokes up to twice this share of the canvas's long side close
MIN_PAPER = 0.25  # the strokes must enclose at least this much paper per stroke pixel


def close_radius(canvas_shape: tuple[int, int]) -> int:
    return max(2, round(CLOSE_SHARE * max(canvas_shape)))


def enclosed_by_strokes(strokes: np.ndarray, radius: int) -> np.ndarray | None:
    """bool, like `strokes` (an object's stroke pixels in its box): the strokes, grown by a pixel
    for their soft edges, with the paper they enclose once gaps up to 2 * radius are closed; or None
    when that paper is less than MIN_PAPER of the strokes (colour there would not show)."""
    lines = strokes.astype(np.uint8)
    n = int(lines.sum())
    if n == 0:
        return None
    shape = enclosed(strokes, radius)
    if np.count_nonzero(shape & ~strokes) < MIN_PAPER * n:
        return None
    return shape | (cv2.dilate(lines, np.ones((3, 3), np.uint8)) > 0)
