"""One object as the object classifier sees it: its own strokes, square, at a fixed size.

Why a normalised view: the scene model sees a sketch at one scale, so it learned the sizes objects
have in scenes; a horse filling the page or a 2% speck look nothing like its training. Cut to the
object's box and scaled to VIEW_SIDE, every object has the same size whatever its size on the canvas.
Stroke width is normalised too: a thin line shrunk twenty times is a faint grey, so the view is
rescaled until its typical line is black again. Training (training/object_crops.py) and the product
both make their views with this function, so the classifier never sees two kinds of view.
"""

from __future__ import annotations

import cv2
import numpy as np

VIEW_SIDE = 80  # px of the square view by default: 64 img/s of training on two cores (a classifier's
# weights name the side it was trained at, backend.understanding.object_classifier)
MARGIN = 0.08  # of the long side, blank paper around the object


def object_view(
    ink: np.ndarray, box: tuple[slice, slice], mask: np.ndarray | None = None, side: int = VIEW_SIDE
) -> np.ndarray:
    """float32 (side, side) in [0, 1] (1 = line): the ink inside `box`, on a centred square.

    `ink` is the canvas-size ink map (float in [0, 1] or uint8 with 255 = line); `mask`, of the box's
    size, keeps only the object's own strokes (ink of neighbours inside the box is cleared).
    """
    ys, xs = box
    crop = ink[ys, xs].astype(np.float32)
    if ink.dtype == np.uint8:
        crop /= 255.0
    if mask is not None:
        crop *= mask
    h, w = crop.shape
    scale = side / max(max(h, w) * (1 + 2 * MARGIN), 1.0)
    # One affine warp crops, pads and resizes at once; INTER_AREA is what cv2.resize uses to shrink,
    # and warpAffine has no area mode, so a big crop is first shrunk with resize.
    if scale < 1:
        sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
        crop = cv2.resize(crop, (sw, sh), interpolation=cv2.INTER_AREA)
        k = sw / w, sh / h
    else:
        sh, sw, k = h, w, (1.0, 1.0)
    s = scale / k[0], scale / k[1]
    m = np.float32([[s[0], 0, side / 2 - sw * s[0] / 2], [0, s[1], side / 2 - sh * s[1] / 2]])
    view = cv2.warpAffine(crop, m, (side, side), flags=cv2.INTER_LINEAR, borderValue=0.0)
    lit = view[view > 1 / 64]
    if lit.size == 0:
        return view
    level = float(np.percentile(lit, 90))
    return np.minimum(view / max(level, 1e-3), 1.0)
