"""Object parts from the geometry of the regions inside an instance (no learned model yet).

"The car is red with black windows" needs the car's windows as pixels. A sketch already splits an
object into closed regions (a window is drawn as its own closed shape), so a part is a set of whole
regions, chosen by where a region sits in the object and what shape it has. Every rule below is a
guess that can be wrong; when a rule is unsure it finds nothing, and the object keeps only its main
part, which paints the whole object: one colour everywhere is a smaller mistake than a wrong split.

The learned part model of a later version replaces this module behind the same `label_parts`.
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

from .categories import PARTS, main_part
from .lineart import LineArt
from .scene import Instance

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
        self.window = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        crop_mask = mask[self.window]
        crop_regions = regions[self.window]
        ids, inverse = np.unique(crop_regions[crop_mask], return_inverse=True)
        inside = np.bincount(inverse, minlength=ids.size)
        total = np.bincount(regions.ravel(), minlength=ids[-1] + 1)
        usable = inside >= MIN_INSIDE_SHARE * total[ids]
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

    def absorb(self, ids: set[int], free: set[int]) -> set[int]:
        """`ids` plus the free regions that touch it and lie inside its bbox.

        Strokes drawn inside a part (a seat behind a window, a hub cap's pieces) cut it into
        regions that touch the part's frame rather than being enclosed by one region.
        """
        if not ids:
            return set()
        sl = ndimage.find_objects(self.mask_of(ids).astype(np.int8))[0]
        out = set(ids)
        for i in self.neighbours(frozenset(ids)) & free:
            own = self.slices[i - 1]
            if all(o.start >= s.start and o.stop <= s.stop for o, s in zip(own, sl, strict=True)):
                out.add(i)
        return out

    def largest(self, among: np.ndarray | None = None) -> int:
        ids = self.ids() if among is None else np.asarray(among)
        return int(ids[np.argmax(self.area[ids])])

    def mask_of(self, ids: Ids | set[int]) -> np.ndarray:
        lut = np.zeros(self.k + 1, bool)
        lut[list(ids)] = True
        return lut[self.lab]

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
        mask = self.mask_of(ids)
        rows = np.flatnonzero(mask.any(axis=1))
        cols = np.flatnonzero(mask.any(axis=0))
        y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        sub = ndimage.binary_fill_holes(mask[y0:y1, x0:x1]).astype(np.uint8)
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


    def pick(self, candidates: list[Ids], keep: Callable[[Ids], bool], limit: int = 99) -> set[int]:
        """Greedy, biggest candidate first, skipping any that overlaps one already taken.

        Biggest first because a filled outline (the whole wheel) must win over what it encloses (the rim).
        """
        unique = sorted(set(candidates), key=lambda c: -int(self.area[list(c)].sum()))
        taken: set[int] = set()
        count = 0
        for cand in unique:
            if count < limit and not cand & taken and keep(cand):
                taken |= cand
                count += 1
        return taken


Found = dict[str, set[int]]


# -- car, bus, truck ------------------------------------------------------------------------------------

# Wheels: a filled roundish shape (a tyre ring with its rim, or a detached blob of strokes) whose bottom
# reaches the bottom band of the vehicle. Size bounds keep a headlight or the whole body out.
WHEEL_SHARE = (0.004, 0.2)
WHEEL_WIDTH = (0.05, 0.45)
WHEEL_BOTTOM = 0.88
WHEEL_CIRCULARITY = 0.7
WHEEL_SOLIDITY = 0.85
WHEEL_ROUNDNESS = 0.4
# Windows: an enclosed, convex region (quadrilaterals, rounded panes) in the upper half of the body.
# Enclosed: a headlight or a bumper piece usually reaches the outline, a window does not. A window
# that does reach the outline (a bus's rear window) is taken only when it lines up with the row of
# enclosed windows (same top and bottom, within WINDOW_ROW_TOLERANCE of the height).
WINDOW_SHARE = (0.006, 0.25)
WINDOW_SOLIDITY = 0.85
WINDOW_ROUNDNESS = 0.15
WINDOW_EDGE_CONTACT = 0.45
WINDOW_ROW_TOLERANCE = 0.05
# Truck carriage: a box (near-rectangular, big) with no windows beside the cab that has them.
CARRIAGE_SHARE = 0.25
CARRIAGE_RECTANGULARITY = 0.8


def vehicle_parts(rs: Regions, category: str) -> Found:
    """Body = the largest region (the panel everything else is drawn onto), then wheels, windows."""
    body = rs.largest()
    others = set(rs.ids().tolist()) - {body}
    candidates = [rs.filled(i) for i in others] + rs.components(others)

    def is_wheel(ids: Ids) -> bool:
        if body in ids:
            return False
        g = rs.geom(ids)
        return (
            WHEEL_SHARE[0] <= g.share <= WHEEL_SHARE[1]
            and WHEEL_WIDTH[0] <= g.width <= WHEEL_WIDTH[1]
            and g.bottom >= WHEEL_BOTTOM
            and g.circularity >= WHEEL_CIRCULARITY
            and g.solidity >= WHEEL_SOLIDITY
            and g.roundness >= WHEEL_ROUNDNESS
        )

    wheels = rs.absorb(rs.pick(candidates, is_wheel, limit=8), others)
    windows = vehicle_windows(rs, body, others - wheels)
    found: Found = {"wheels": wheels, "windows": windows}
    if category == "truck":
        found["carriage"] = carriage(rs, wheels, windows)
    return found


def vehicle_windows(rs: Regions, body: int, free: set[int]) -> set[int]:
    """Enclosed convex regions in the upper half, then outline-touching ones in the same row."""
    # "Upper half of the body": measured on the body without the wheels that hang below it.
    rows = np.flatnonzero(rs.mask_of(free | {body}).any(axis=1))
    mid = (rows[0] + rows[-1]) / 2 / rs.height

    def shaped(ids: Ids) -> bool:
        if body in ids or not ids <= free:
            return False
        g = rs.geom(ids)
        return (
            WINDOW_SHARE[0] <= g.share <= WINDOW_SHARE[1]
            and g.cy <= mid
            and g.solidity >= WINDOW_SOLIDITY
            and g.roundness >= WINDOW_ROUNDNESS
        )

    units = [rs.filled(i) for i in free]
    inner = rs.pick(units, lambda ids: all(rs.enclosed(i) for i in ids) and shaped(ids))
    if not inner:
        return set()
    row = [rs.geom(rs.filled(i)) for i in inner if rs.filled(i) <= inner]

    def in_row(ids: Ids) -> bool:
        if rs.outline_share(ids) > WINDOW_EDGE_CONTACT or not shaped(ids):
            return False
        g = rs.geom(ids)
        return any(
            abs(g.top - w.top) <= WINDOW_ROW_TOLERANCE and abs(g.bottom - w.bottom) <= WINDOW_ROW_TOLERANCE
            for w in row
        )

    edge = rs.pick([u for u in units if not u & inner], in_row)
    return rs.absorb(inner | edge, free)


def carriage(rs: Regions, wheels: set[int], windows: set[int]) -> set[int]:
    """The cargo box: the biggest box-shaped unit that has no windows and lies beside the windows.

    Only when the cab is recognisable (windows found) can the box be told apart from the cab; a
    truck drawn as one outline has no carriage to find, and then none is returned.
    """
    if not windows:
        return set()
    wg = rs.geom(windows)
    units = [rs.filled(i) for i in rs.ids() if not rs.enclosed(int(i)) and int(i) not in wheels]

    def is_box(ids: Ids) -> bool:
        if ids & windows or ids & wheels:
            return False
        g = rs.geom(ids)
        beside = g.right <= wg.left + 0.05 or g.left >= wg.right - 0.05
        return g.share >= CARRIAGE_SHARE and g.rectangularity >= CARRIAGE_RECTANGULARITY and beside

    return rs.pick(units, is_box, limit=1)


# -- sun --------------------------------------------------------------------------------------------

# The disk: a round filled shape around the sun's centre; what remains (rays, a ray ring) is flame.
SUN_CIRCULARITY = 0.7
SUN_ROUNDNESS = 0.7
SUN_SHARE = (0.15, 0.9)
SUN_CENTRE_OFFSET = 0.2


def sun_parts(rs: Regions) -> Found:
    """The biggest round, centred unit is the disk. Candidates are filled regions and islands of
    enclosed regions, because a face drawn on the disk splits it into pieces (eyes, mouth) that
    only together make the circle."""
    ids = set(rs.ids().tolist())
    inner = {i for i in ids if rs.enclosed(i)}
    candidates = [rs.filled(i) for i in ids] + rs.components(inner)

    def is_disk(cand: Ids) -> bool:
        g = rs.geom(cand)
        return (
            SUN_SHARE[0] <= g.share <= SUN_SHARE[1]
            and abs(g.cx - 0.5) <= SUN_CENTRE_OFFSET
            and abs(g.cy - 0.5) <= SUN_CENTRE_OFFSET
            and g.circularity >= SUN_CIRCULARITY
            and g.roundness >= SUN_ROUNDNESS
        )

    return {"disk": rs.pick(candidates, is_disk, limit=1)}


# -- entry point ------------------------------------------------------------------------------------

# The part that takes what no rule claimed: the main part, except for the sun, whose unclaimed
# outskirts (rays, the rough mask edge beyond them) are flame once the disk is known.
REST_PART = {"sun": "flame"}

RULES: dict[str, Callable[[Regions, str], Found]] = {
    "car": vehicle_parts,
    "bus": vehicle_parts,
    "truck": vehicle_parts,
    "sun": lambda rs, _: sun_parts(rs),
}


def label_parts(instance: Instance, lineart: LineArt) -> dict[str, np.ndarray]:
    """Part masks of one instance: disjoint, whole regions, together exactly the instance mask.

    The rest part (the main part, or REST_PART's) takes everything no rule claimed, so the masks
    always cover the instance; other parts appear only when found. A category without parts gets {}.
    """
    category = instance.category
    mask = instance.mask.astype(bool)
    if category not in PARTS or not mask.any():
        return {}
    rs = Regions(mask, lineart.regions)
    rule = RULES.get(category)
    found = {part: ids for part, ids in (rule(rs, category) if rule and rs.k else {}).items() if ids}
    rest = REST_PART.get(category, main_part(category)) if found else main_part(category)
    out: dict[str, np.ndarray] = {}
    claimed = np.zeros(mask.shape, bool)
    for part in PARTS[category]:
        if part == rest or part not in found:
            continue
        part_mask = np.zeros(mask.shape, bool)
        part_mask[rs.window] = rs.mask_of(found[part])
        part_mask &= ~claimed
        if part_mask.any():
            out[part] = part_mask
            claimed |= part_mask
    out[rest] = mask & ~claimed
    return {part: out[part] for part in PARTS[category] if part in out}
