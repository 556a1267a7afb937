"""Scene understanding: the one interface every recogniser implements.

The pipeline asks a recogniser for the instances of a sketch and never looks inside it, so a
heuristic first version and the learned model can replace each other without other changes.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from backend.lineart import LineArt, mask_bbox


class Instance:
    """One object in the sketch, at full canvas resolution, stored cropped to its bounding box.

    A 4096x4096 scene holds dozens of instances and their parts; full-canvas masks would cost 16 MB
    each and make the cached analysis of one print-size sketch weigh gigabytes. Callers still see
    full-canvas masks (`mask`, `parts`), built on access.
    """

    __slots__ = ("category", "score", "beliefs", "shape", "parts_source", "source", "_box", "_crop", "_parts")

    def __init__(
        self, category: str, mask: np.ndarray, score: float, parts: dict[str, np.ndarray] | None = None
    ) -> None:
        x, y, w, h = mask_bbox(mask)
        box = (slice(y, y + h), slice(x, x + w))
        self._set(category, score, mask.shape, box, mask[box])
        self.parts = parts or {}
        self.parts_source = "network" if parts else "none"

    @classmethod
    def from_crop(
        cls,
        category: str,
        shape: tuple[int, int],
        box: tuple[slice, slice],
        crop: np.ndarray,
        score: float,
        parts: dict[str, np.ndarray] | None = None,
    ) -> Instance:
        """An instance from its mask inside `box` (and part masks of the same crop): no canvas-size
        array is ever made, which matters at 4096x4096."""
        inst = cls.__new__(cls)
        inst._set(category, score, shape, box, crop)
        inst._parts = inst._clip(parts or {})
        inst.parts_source = "network" if parts else "none"
        return inst

    def _set(
        self, category: str, score: float, shape: tuple[int, int], box: tuple[slice, slice], crop: np.ndarray
    ) -> None:
        self.category = category  # one of categories.FOREGROUND, or "unknown"
        self.score = score
        # The recogniser's belief in each category (summing to 1) where it has one: a later judge
        # (second_look.py) weighs it against its own instead of overruling a bare name.
        self.beliefs: dict[str, float] = {}
        self.shape = shape
        self._box = box
        self._crop = np.ascontiguousarray(crop, bool)
        # Where the parts came from: "network" (the recogniser's part head), "geometry" (region
        # rules, backend.understanding.parts) or "none"; reported so a wrong part can be traced.
        self.parts_source = "none"
        # Who said what this is: "recognised" (the model), "taught" (the artist, with a selection, for
        # the whole document) or "selected" (the artist's selection for this one instruction).
        self.source = "recognised"

    def _clip(self, crops: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Part masks of the box's size, kept inside the object."""
        return {name: np.ascontiguousarray(m, bool) & self._crop for name, m in crops.items()}

    @property
    def mask(self) -> np.ndarray:
        """bool HxW: the object's inside plus the strokes that draw it."""
        return self._full(self._crop)

    @property
    def box(self) -> tuple[slice, slice]:
        """The (rows, columns) slices of the bounding box: `crop` lives there."""
        return self._box

    @property
    def crop(self) -> np.ndarray:
        """The mask inside `box` (read-only view): cheap where the full mask is not needed."""
        view = self._crop.view()
        view.flags.writeable = False
        return view

    @property
    def parts(self) -> dict[str, np.ndarray]:
        """part name -> bool HxW mask, each a subset of `mask`; empty when no parts are known."""
        return {name: self._full(crop) for name, crop in self._parts.items()}

    @parts.setter
    def parts(self, parts: dict[str, np.ndarray]) -> None:
        self._parts = self._clip({name: m[self._box] for name, m in parts.items()})

    @property
    def part_crops(self) -> dict[str, np.ndarray]:
        """part name -> mask inside `box` (read-only views): cheap where canvas-size masks are not needed."""
        views = {}
        for name, crop in self._parts.items():
            views[name] = crop.view()
            views[name].flags.writeable = False
        return views

    @part_crops.setter
    def part_crops(self, crops: dict[str, np.ndarray]) -> None:
        self._parts = self._clip(crops)

    @property
    def part_names(self) -> list[str]:
        """The known parts, without building their canvas-size masks."""
        return list(self._parts)

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the mask; (0, 0, 0, 0) when empty."""
        ys, xs = self._box
        return (xs.start, ys.start, xs.stop - xs.start, ys.stop - ys.start)

    @property
    def nbytes(self) -> int:
        return self._crop.nbytes + sum(m.nbytes for m in self._parts.values())

    def _full(self, crop: np.ndarray) -> np.ndarray:
        out = np.zeros(self.shape, bool)
        out[self._box] = crop
        return out

    def __repr__(self) -> str:
        score = f"{self.score:.2f}"
        parts = f"{self.part_names} from {self.parts_source}"
        return f"Instance({self.category!r}, bbox={self.bbox}, score={score}, parts={parts})"


class SceneRecognizer(Protocol):
    """Finds the instances of a sketch. `version` goes into /v1/health and the analysis cache key."""

    name: str
    version: str

    def recognize(self, lineart: LineArt) -> list[Instance]: ...
