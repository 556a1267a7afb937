"""Line art to regions ("flatting"). PLACEHOLDER signatures; implementation in progress."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LineArt:
    """A sketch reduced to what colouring needs, at full canvas resolution."""

    ink: np.ndarray  # float32 HxW in [0, 1]: how much each pixel is line (1 = solid line)
    lines: np.ndarray  # bool HxW: ink above threshold, after gap closing is NOT applied
    regions: np.ndarray  # int32 HxW: region id >= 1 for every pixel, line pixels included
    n_regions: int
    outer: np.ndarray  # bool (n_regions + 1,): region touches the canvas border

    @property
    def shape(self) -> tuple[int, int]:
        return self.ink.shape  # type: ignore[return-value]


def ink_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """uint8 HxWx4 (or HxWx3 / HxW) image -> float32 ink in [0, 1]."""
    raise NotImplementedError


def flatten(ink: np.ndarray, gap: int = 3) -> LineArt:
    """Ink -> closed regions; gaps up to `gap` pixels do not leak; line pixels join their nearest region."""
    raise NotImplementedError
