"""Objects the artist taught ("this is a cat" with a selection): they join the recognised ones.

The document keeps what was taught and sends it with every request, so the backend stays stateless
and a taught object survives a backend restart and travels with the file. A taught object replaces
whatever the recogniser thought was there: recognised instances lying mostly inside it are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.lineart import LineArt

from .instance import Instance
from .selection import object_from_selection

# A recognised instance this much inside a taught object is the same thing, seen wrongly.
REPLACED_SHARE = 0.5


@dataclass(frozen=True)
class Taught:
    """A taught object, kept cropped to its box like an Instance: a request may carry 64 of them, and
    canvas-size masks would cost 64 MB each on an 8192x8192 page."""

    category: str  # any name the artist used, known category or not ("giraffe")
    box: tuple[slice, slice]  # (rows, columns) of the object on the canvas
    crop: np.ndarray  # bool, the object inside `box`

    @classmethod
    def of(cls, inst: Instance) -> Taught:
        return cls(inst.category, inst.box, inst.crop)

    def mask(self, shape: tuple[int, int]) -> np.ndarray:
        """bool HxW on a canvas of `shape`: built when needed, for one object at a time."""
        out = np.zeros(shape, bool)
        out[self.box] = self.crop
        return out


def with_taught(lineart: LineArt, instances: list[Instance], taught: list[Taught]) -> list[Instance]:
    """The recognised instances not covered by a taught object, then the taught objects in order."""
    if not taught:
        return instances
    objects = [
        inst
        for t in taught
        if (inst := object_from_selection(lineart, t.mask(lineart.shape), t.category, "taught")) is not None
    ]
    if not objects:
        return instances
    claimed = np.zeros(lineart.shape, bool)
    for obj in objects:
        claimed[obj.box] |= obj.crop
    kept = [
        inst
        for inst in instances
        if np.count_nonzero(claimed[inst.box] & inst.crop) < REPLACED_SHARE * np.count_nonzero(inst.crop)
    ]
    return kept + objects
