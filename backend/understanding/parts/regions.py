"""The regions inside one instance and the measures every part rule asks of them.

A sketch splits an object into closed regions (a window is drawn as its own closed shape), so a part
is a set of whole regions. All the per-category rules ask the same questions (where is a region, what
shape has it, what does it enclose, which regions touch it); `Regions` answers them once per instance,
vectorised over the instance's crop, so that the rule modules hold only rules and their thresholds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

# A region belongs to the instance when most of it lies inside the instance mask; a region mostly
# outside (the background leaking across a rough mask edge) counts as "outside" for the geometry.
MIN_INSIDE_SHARE = 0.5
# Regions touching the outside along fewer boundary pixels than this still count as enclosed: a
# mask edge one pixel off must not turn a window into an outline piece.
OUTSIDE_CONTACT_TOLERANCE = 2

Ids = frozenset[int]


@dataclass(frozen=True)
class Geom:
    """Shape of a candidate part, positions relative to the instance bbox (0 = top/left, 1 = bottom/right)."""

    share: float  # area / instance area
    top: float
    bottom: float
    left: float
    right: float
    cy: float
    cx: float
    circularity: float  # 4 pi area / perimeter^2: 1 for a disk, low for spiky or thin shapes
    solidity: float  # area / convex hull area: 1 for convex shapes
    rectangularity: float  # area / minimum-area rectangle: 1 for (rotated) rectangles
    roundness: float  # short / long side of the minimum-area rectangle: 1 for square-ish shapes
    width: float  # bbox width relative to the instance width
    height: float  # bbox height relative to the instance height


class Regions:
    """The instance's regions inside its bbox, renumbered 1..k; 0 is outside the instance.

    All rules ask the same questions (where is a region, what shape has it, what does it enclose,
    which regions touch it), so the answers are computed once here, vectorised over the crop.
    """

    def __init__(self, mask: np.ndarray, regions: np.ndarray) -> None:
        rows = np.flatnonzero(mask.any(axis=1))
        cols = np.flatnonzero(mask.any(axis=0))
        y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
        self.window = (slice(y0, y1), slice(x0, x1))
        crop_mask = mask[self.window]
        ids, inverse = np.unique(regions[self.window][crop_mask], return_inverse=True)
        inside = np.bincount(inverse, minlength=ids.size)
        total = self._totals(regions, (y0, y1, x0, x1), ids)
        usable = inside >= MIN_INSIDE_SHARE * total
        # Renumber usable regions 1..k in canvas-id order; unusable pixels become outside (0).
        new_id = np.where(usable, np.cumsum(usable), 0)
        lab = np.zeros(crop_mask.shape, np.int32)
        lab[crop_mask] = new_id[inverse]
        self.lab = lab
        self.k = int(usable.sum())
        self.height, self.width = crop_mask.shape
        self.area = np.bincount(lab.ravel(), minlength=self.k + 1)
        self.total_area = int(self.area[1:].sum())
        self.slices = ndimage.find_objects(lab, max_label=self.k)
        self.adj = self._adjacency()
        self._geoms: dict[frozenset[int], Geom] = {}

    @staticmethod
    def _totals(regions: np.ndarray, box: tuple[int, int, int, int], ids: np.ndarray) -> np.ndarray:
        """Canvas pixel count of each region in `ids`, counted in the bbox grown by its own size.

        Regions are connected, so one that does not reach the grown window's border lies inside it
        and is counted exactly; one that does is far bigger than the instance and gets an infinite
        count (never "mostly inside"). This keeps a 4K canvas from being scanned once per instance.
        """
        y0, y1, x0, x1 = box
        h, w = regions.shape
        pad = max(y1 - y0, x1 - x0)
        big = regions[max(y0 - pad, 0) : min(y1 + pad, h), max(x0 - pad, 0) : min(x1 + pad, w)]
        counts = np.bincount(big.ravel(), minlength=int(ids[-1]) + 1)[ids].astype(float)
        edge = np.zeros(counts.size, bool)
        for line, reaches in (
            (big[0], y0 - pad > 0),
            (big[-1], y1 + pad < h),
            (big[:, 0], x0 - pad > 0),
            (big[:, -1], x1 + pad < w),
        ):
            if reaches:
                edge |= np.isin(ids, line)
        counts[edge] = np.inf
        return counts

    def _adjacency(self) -> np.ndarray:
        """(k+1)x(k+1) shared boundary lengths; the crop border counts as outside."""
        lab = np.pad(self.lab, 1)
        n = self.k + 1
        pairs = []
        for a, b in ((lab[:, :-1], lab[:, 1:]), (lab[:-1, :], lab[1:, :])):
            diff = a != b
            pairs.append(a[diff] * n + b[diff])
        codes = np.concatenate(pairs)
        adj = np.bincount(codes, minlength=n * n).reshape(n, n)
        return adj + adj.T

    # -- basic questions ------------------------------------------------------------------------------

    def ids(self) -> np.ndarray:
        return np.arange(1, self.k + 1)

    def enclosed(self, i: int) -> bool:
        """True when the region does not reach the outside of the object (windows, eyes, panes)."""
        return bool(self.adj[i, 0] <= OUTSIDE_CONTACT_TOLERANCE)

    def outline_share(self, ids: Ids | set[int]) -> float:
        """Share of the group's boundary that is the object's outline (0 for an enclosed group)."""
        idx = sorted(ids)
        border = self.adj[idx].sum(axis=0)
        border[idx] = 0
        return float(border[0]) / max(float(border.sum()), 1.0)

    def neighbours(self, ids: Ids) -> set[int]:
        touching = self.adj[sorted(ids)].sum(axis=0) > 0
        return set(np.flatnonzero(touching).tolist()) - set(ids) - {0}

    def absorb(self, units: list[Ids], free: set[int]) -> set[int]:
        """The units plus the free regions that touch one and lie inside its bbox.

        Strokes drawn inside a part (a seat behind a window, a hub cap's pieces) cut it into
        regions that touch the part's frame rather than being enclosed by one region. Per unit,
        not per union: a row of windows spans the wall, and the wall's planks must stay wall.
        """
        out: set[int] = set().union(*units)
        for unit in units:
            sl = self.box(unit)
            for i in self.neighbours(unit) & free:
                own = self.slices[i - 1]
                if all(o.start >= s.start and o.stop <= s.stop for o, s in zip(own, sl, strict=True)):
                    out.add(i)
        return out

    def outline_rows(self, ids: Ids | set[int]) -> np.ndarray:
        """Relative heights of the group's pixels that touch the object's outline."""
        rows, cols = self.box(ids)
        # The padded crop shifted by one: its rows r..r+2 surround crop row r (beyond the crop is outside).
        ctx = self.padded[rows.start : rows.stop + 2, cols.start : cols.stop + 2]
        outside = ctx == 0
        near = outside[:-2, 1:-1] | outside[2:, 1:-1] | outside[1:-1, :-2] | outside[1:-1, 2:]
        lut = np.zeros(self.k + 1, bool)
        lut[list(ids)] = True
        touching = (lut[ctx[1:-1, 1:-1]] & near).any(axis=1)
        return (np.flatnonzero(touching) + rows.start) / self.height

    @cached_property
    def padded(self) -> np.ndarray:
        return np.pad(self.lab, 1)

    def largest(self, among: np.ndarray | None = None) -> int:
        ids = self.ids() if among is None else np.asarray(among)
        return int(ids[np.argmax(self.area[ids])])

    def mask_of(self, ids: Ids | set[int], box: tuple[slice, slice] | None = None) -> np.ndarray:
        """The group's pixels, over the whole crop or only inside `box`."""
        lut = np.zeros(self.k + 1, bool)
        lut[list(ids)] = True
        return lut[self.lab if box is None else self.lab[box]]

    def box(self, ids: Ids | set[int]) -> tuple[slice, slice]:
        """Bbox of the group in crop coordinates: per-group work stays small on big canvases."""
        own = [self.slices[i - 1] for i in ids]
        rows = slice(min(s[0].start for s in own), max(s[0].stop for s in own))
        cols = slice(min(s[1].start for s in own), max(s[1].stop for s in own))
        return rows, cols

    def components(self, ids: set[int]) -> list[Ids]:
        """Groups of touching regions among `ids` (islands left when other regions are removed)."""
        order = np.array(sorted(ids), int)
        if order.size == 0:
            return []
        sub = self.adj[np.ix_(order, order)] > 0
        n, labels = connected_components(coo_matrix(sub), directed=False)
        return [frozenset(order[labels == c].tolist()) for c in range(n)]

    @cached_property
    def fills(self) -> list[Ids]:
        """Per region (index i-1): the region plus every region it encloses.

        A window frame, a wheel's tyre or a sun's outline is one region around others (panes, rim,
        face); the part is the whole filled shape, not the ring alone.
        """
        out: list[Ids] = []
        for i in self.ids():
            sl = self.slices[i - 1]
            sub = self.lab[sl]
            own = sub == i
            holes = ndimage.binary_fill_holes(own) & ~own
            inner = np.bincount(sub[holes], minlength=self.k + 1)
            nested = np.flatnonzero(inner * 2 > self.area)
            out.append(frozenset([int(i), *nested[nested > 0].tolist()]))
        return out

    def filled(self, i: int) -> Ids:
        return self.fills[i - 1]

    def share(self, ids: Ids | set[int]) -> float:
        return float(self.area[list(ids)].sum()) / max(self.total_area, 1)

    def geom(self, ids: Ids | set[int]) -> Geom:
        """Shape measures of the union of `ids`, holes filled (a ring wheel is judged as a disk)."""
        key = frozenset(ids)
        if key not in self._geoms:
            self._geoms[key] = self._measure(key)
        return self._geoms[key]

    def _measure(self, ids: Ids) -> Geom:
        rows, cols = self.box(ids)
        y0, y1, x0, x1 = rows.start, rows.stop, cols.start, cols.stop
        sub = ndimage.binary_fill_holes(self.mask_of(ids, (rows, cols))).astype(np.uint8)
        area = float(sub.sum())
        contours, _ = cv2.findContours(sub, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        biggest = max(contours, key=cv2.contourArea)
        points = np.concatenate(contours)
        hull_area = cv2.contourArea(cv2.convexHull(points))
        perimeter = cv2.arcLength(biggest, True)
        (_, _), (rw, rh), _ = cv2.minAreaRect(points)
        # Contour measures run through pixel centres, half a pixel inside the pixel area; compare
        # like with like (contour area to hull and rectangle) so small shapes are not penalised.
        inner_area = sum(cv2.contourArea(c) for c in contours)
        ys, xs = np.nonzero(sub)
        return Geom(
            share=area / max(self.total_area, 1),
            top=y0 / self.height,
            bottom=y1 / self.height,
            left=x0 / self.width,
            right=x1 / self.width,
            cy=(ys.mean() + y0 + 0.5) / self.height,
            cx=(xs.mean() + x0 + 0.5) / self.width,
            circularity=float(4 * np.pi * cv2.contourArea(biggest) / max(perimeter**2, 1.0)),
            solidity=float(inner_area / max(hull_area, 1.0)),
            rectangularity=float(inner_area / max(rw * rh, 1.0)),
            roundness=float(min(rw, rh) / max(rw, rh, 1.0)),
            width=(x1 - x0) / self.width,
            height=(y1 - y0) / self.height,
        )

    def row_extent(self, ids: Ids | set[int] | None = None) -> np.ndarray:
        """Per crop row, leftmost-to-rightmost span of the object (or of `ids`), relative to width."""
        mask = self.lab > 0 if ids is None else self.mask_of(ids)
        any_ = mask.any(axis=1)
        left = np.argmax(mask, axis=1)
        right = mask.shape[1] - np.argmax(mask[:, ::-1], axis=1)
        return np.where(any_, right - left, 0) / self.width

    def row_share(self, y: float) -> np.ndarray:
        """Per region, the share of its pixels above relative height `y`."""
        cut = int(round(y * self.height))
        above = np.bincount(self.lab[:cut].ravel(), minlength=self.k + 1)
        return above / np.maximum(self.area, 1)

    def pick(self, candidates: list[Ids], keep: Callable[[Ids], bool], limit: int = 99) -> list[Ids]:
        """Greedy, biggest candidate first, skipping any that overlaps one already taken.

        Biggest first because a filled outline (the whole wheel) must win over what it encloses (the rim).
        """
        unique = sorted(set(candidates), key=lambda c: -int(self.area[list(c)].sum()))
        taken: list[Ids] = []
        used: set[int] = set()
        for cand in unique:
            if len(taken) < limit and not cand & used and keep(cand):
                taken.append(cand)
                used |= cand
        return taken


def union(units: list[Ids]) -> set[int]:
    return set().union(*units)


# What a rule set returns: part name -> the regions it found for that part.
Found = dict[str, set[int]]
