"""The learning rate over a run that is budgeted in wall-clock time, not steps.

On a shared 2-core CPU the speed of a step varies several-fold; following the clock, a run still
warms up and anneals to zero exactly when its time is up.
"""

from __future__ import annotations

import math

WARMUP = 0.03  # share of the run spent warming the learning rate up


def lr_factor(progress: float) -> float:
    """Linear warm-up then cosine to zero, over the share of the time budget spent."""
    if progress < WARMUP:
        return 0.05 + 0.95 * progress / WARMUP
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - WARMUP) / (1 - WARMUP))))
