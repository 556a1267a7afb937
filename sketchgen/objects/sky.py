"""Example drawer module (cloud): the pattern every group module follows."""

from __future__ import annotations

import numpy as np

from ..drawing import Drawing, Piece
from ..shapes import bumpy, ellipse, wobble


def cloud(rng: np.random.Generator) -> Drawing:
    """A scalloped blob, wider than tall, flat-ish bottom sometimes."""
    base = ellipse(0, 0, rng.uniform(1.2, 2.0), rng.uniform(0.5, 0.8), 64)
    if rng.random() < 0.5:
        base[:, 1] = np.minimum(base[:, 1], rng.uniform(0.2, 0.5))
    outline = bumpy(wobble(base, rng, 0.03), rng, int(rng.integers(5, 11)), rng.uniform(0.2, 0.45))
    return Drawing("cloud", [Piece("", outline)])


DRAWERS = {"cloud": cloud}
