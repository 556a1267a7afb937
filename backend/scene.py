"""Scene understanding: the one interface every recogniser implements.

The pipeline asks a recogniser for the instances of a sketch and never looks inside it, so a
heuristic first version and the learned model can replace each other without other changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .layers import mask_bbox
from .lineart import LineArt


@dataclass
class Instance:
    """One object in the sketch, at full canvas resolution."""

    category: str  # one of categories.FOREGROUND, or "unknown"
    mask: np.ndarray  # bool HxW: the object's inside plus the strokes that draw it
    score: float
    # part name -> bool HxW mask, each a subset of `mask`; empty when the recogniser knows no parts.
    parts: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the mask; (0, 0, 0, 0) when empty."""
        return mask_bbox(self.mask)


class SceneRecognizer(Protocol):
    """Finds the instances of a sketch. `version` goes into /v1/health and the analysis cache key."""

    name: str
    version: str

    def recognize(self, lineart: LineArt) -> list[Instance]: ...
