"""Where the ground begins when no horizon is drawn: a fact about the scene that grounding ("the
tree in the back") and background colouring both read."""

from __future__ import annotations

import numpy as np

from backend.categories import SKY_OBJECTS

from .instance import Instance


def estimate_horizon(shape: tuple[int, int], instances: list[Instance]) -> int:
    """Row where the ground starts when no horizon is drawn."""
    h, _ = shape
    feet = [inst.bbox[1] + inst.bbox[3] for inst in instances if inst.category not in SKY_OBJECTS | {"road"}]
    if not feet:
        return int(0.6 * h)
    # The farthest standing object (highest feet) is closest to the horizon; clamp to sane bounds.
    return int(np.clip(min(feet), 0.35 * h, 0.9 * h))
