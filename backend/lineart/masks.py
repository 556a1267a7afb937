"""Small mask helpers every stage needs."""

from __future__ import annotations

import numpy as np


def mask_bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the True pixels; (0, 0, 0, 0) when there are none."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return (0, 0, 0, 0)
    return (int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1))
