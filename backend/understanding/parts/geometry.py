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

from backend.categories import PARTS, main_part
from backend.lineart import LineArt

from ..instance import Instance

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


Found = dict[str, set[int]]


# -- car, bus, truck ------------------------------------------------------------------------------------

# Wheels: a filled roundish shape whose bottom reaches the bottom band of the vehicle. Size bounds keep
# a headlight or the whole body out. A bumper end is as round as a wheel, so a single region must be
# really round to count; a tyre ring with its rim, or a detached cluster of strokes, is more typical
# of wheels and passes at a lower circularity (perspective makes wheels ellipses).
WHEEL_SHARE = (0.004, 0.2)
WHEEL_WIDTH = (0.1, 0.45)
WHEEL_BOTTOM = 0.75
WHEEL_CIRCULARITY = 0.7
WHEEL_SINGLE_CIRCULARITY = 0.78
WHEEL_SOLIDITY = 0.85
WHEEL_ROUNDNESS = 0.4
# A disk fills pi/4 of its bounding rectangle; a square box (a bus's front, a cab) as round by the
# measures above fills all of it.
WHEEL_RECTANGULARITY = 0.9
# Windows: an enclosed, convex region (quadrilaterals, rounded panes) in the upper half of the body.
# Enclosed: a headlight or a bumper piece usually reaches the outline, a window does not. A window
# that does reach the outline (a bus's rear window, a car's windscreen drawn close to the roof line) is
# taken only when it lines up with the row of enclosed windows (same top and bottom, within
# WINDOW_ROW_TOLERANCE of the height) or shares a pillar line with one of them.
WINDOW_SHARE = (0.006, 0.25)
WINDOW_SOLIDITY = 0.85
WINDOW_ROUNDNESS = 0.15
WINDOW_EDGE_CONTACT = 0.45
WINDOW_ROW_TOLERANCE = 0.05
# Truck carriage: the bigger of two large outline units side by side (cab and cargo box), when it is
# box-shaped and holds no windows (the cab has them).
CARRIAGE_SHARE = 0.3
CAB_SHARE = 0.05
CARRIAGE_RECTANGULARITY = 0.8
CARRIAGE_OVERLAP = 0.2


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
            and g.circularity >= (WHEEL_CIRCULARITY if len(ids) > 1 else WHEEL_SINGLE_CIRCULARITY)
            and g.solidity >= WHEEL_SOLIDITY
            and g.roundness >= WHEEL_ROUNDNESS
            and g.rectangularity <= WHEEL_RECTANGULARITY
        )

    wheels = rs.absorb(rs.pick(candidates, is_wheel, limit=8), others)
    windows = vehicle_windows(rs, body, others - wheels)
    found: Found = {"wheels": wheels, "windows": windows}
    if category == "truck":
        found["carriage"] = carriage(rs, wheels, windows)
    return found


def vehicle_windows(rs: Regions, body: int, free: set[int]) -> set[int]:
    """Enclosed convex regions in the upper half, then outline-touching ones in the same row."""
    # "Upper half of the body": measured without the wheels that hang below it, and over the window's
    # own columns, because a truck's cab is lower than its cargo box.
    hull = rs.mask_of(free | {body})
    col_top = np.argmax(hull, axis=0)
    col_bottom = rs.height - 1 - np.argmax(hull[::-1], axis=0)

    def upper(g: Geom) -> bool:
        cols = slice(int(g.left * rs.width), max(int(g.right * rs.width), int(g.left * rs.width) + 1))
        return g.cy * rs.height <= (col_top[cols].min() + col_bottom[cols].max()) / 2

    def shaped(ids: Ids) -> bool:
        if body in ids or not ids <= free:
            return False
        g = rs.geom(ids)
        return (
            WINDOW_SHARE[0] <= g.share <= WINDOW_SHARE[1]
            and upper(g)
            and g.solidity >= WINDOW_SOLIDITY
            and g.roundness >= WINDOW_ROUNDNESS
        )

    units = [rs.filled(i) for i in free]
    inner = rs.pick(units, lambda ids: all(rs.enclosed(i) for i in ids) and shaped(ids))
    if not inner:
        return set()
    row = [rs.geom(u) for u in inner]

    def in_row(ids: Ids) -> bool:
        if rs.outline_share(ids) > WINDOW_EDGE_CONTACT or not shaped(ids):
            return False
        g = rs.geom(ids)
        beside = bool(rs.neighbours(ids) & union(inner))  # the other pane across a pillar line
        return beside or any(
            abs(g.top - w.top) <= WINDOW_ROW_TOLERANCE and abs(g.bottom - w.bottom) <= WINDOW_ROW_TOLERANCE
            for w in row
        )

    edge = rs.pick([u for u in units if not u & union(inner)], in_row)
    return rs.absorb(inner + edge, free)


def carriage(rs: Regions, wheels: set[int], windows: set[int]) -> set[int]:
    """The cargo box: the bigger of the two largest outline units, if they sit side by side.

    A truck drawn as one outline has no box to tell apart from the cab, and then none is returned.
    """
    units = {rs.filled(i) for i in rs.ids().tolist() if not rs.enclosed(i) and i not in wheels}
    units = {u for u in units if not u & wheels and rs.share(u) >= CAB_SHARE}
    if len(units) < 2:
        return set()
    box, cab = sorted(units, key=rs.share, reverse=True)[:2]
    if box & cab or box & windows or rs.share(box) < CARRIAGE_SHARE:
        return set()
    gb, gc = rs.geom(box), rs.geom(cab)
    overlap = max(0.0, min(gb.right, gc.right) - max(gb.left, gc.left)) / min(gb.width, gc.width)
    if overlap > CARRIAGE_OVERLAP or gb.rectangularity < CARRIAGE_RECTANGULARITY:
        return set()
    if windows and gb.left <= rs.geom(windows).cx <= gb.right:
        return set()
    return set(box)


# -- house ----------------------------------------------------------------------------------------

# The roof is the part of the silhouette that widens downwards (triangle, trapezoid) down to the eaves,
# where the width stops growing (walls as wide) or drops (overhang). The eaves are searched in the top
# EAVE_SEARCH of the height (a wide base plate at the bottom must not count), and the roof must narrow
# upwards (ROOF_TAPER at half its height) or the shape has no recognisable roof.
EAVE_SEARCH = 0.75
EAVE_NEAR_MAX = 0.95  # the first row this close to the widest, then the widest row shortly below it
EAVE_REFINE = 0.08
EAVE_RANGE = (0.12, 0.7)
ROOF_TAPER = 0.9
ROOF_ABOVE = 0.6  # share of a region above the eaves (plus EAVE_TOLERANCE) that makes it roof
EAVE_TOLERANCE = 0.03
ROOF_MIN_SHARE = 0.08
# Windows: enclosed, near-rectangular, inside the walls; not thin strips (siding planks and the board
# under the eaves are enclosed rectangles too).
HOUSE_WINDOW_SHARE = (0.002, 0.1)
HOUSE_WINDOW_RECTANGULARITY = 0.7
HOUSE_WINDOW_ROUNDNESS = 0.35
# Height is judged per window, i.e. per group of touching panes (a grid of small panes is one window),
# so a row of flat scallops under the eaves does not pass for windows.
HOUSE_WINDOW_HEIGHT = 0.07
# A door stands on the floor (its bottom within DOOR_FLOOR_TOLERANCE of the lowest object pixel below
# it), reaches a good way up the wall (DOOR_WALL_HEIGHT of eaves-to-floor), is not much wider than tall
# (double doors are square) and touches the outline only along its bottom (DOOR_OUTLINE_BAND): a whole
# wall face or a corner strip stands on the floor too, but runs along the house's side.
DOOR_SHARE = (0.005, 0.2)
DOOR_RECTANGULARITY = 0.7
DOOR_TALLNESS = 0.7
DOOR_MAX_TALLNESS = 3.5  # a porch column or a corner strip is narrower than any door
DOOR_WALL_HEIGHT = 0.35
DOOR_FLOOR_TOLERANCE = 0.06
DOOR_OUTLINE_BAND = 0.8


def eave_line(rs: Regions) -> float | None:
    """Relative height of the eaves, or None when the silhouette shows no roof shape."""
    extent = rs.row_extent()
    search = extent[: max(int(EAVE_SEARCH * rs.height), 1)]
    first = int(np.argmax(search >= EAVE_NEAR_MAX * search.max()))
    stop = first + max(int(EAVE_REFINE * rs.height), 1)
    eave = first + int(np.argmax(extent[first:stop]))
    if not EAVE_RANGE[0] <= eave / rs.height <= EAVE_RANGE[1]:
        return None
    if extent[eave // 2] > ROOF_TAPER * extent[eave]:
        return None
    return eave / rs.height


def house_parts(rs: Regions, _: str) -> Found:
    """Roof above the eaves; then doors and windows among the enclosed shapes below them."""
    ids = set(rs.ids().tolist())
    eave = eave_line(rs)
    roof: set[int] = set()
    if eave is not None:
        above = rs.row_share(eave + EAVE_TOLERANCE)
        roof = {i for i in ids if above[i] >= ROOF_ABOVE}
        if rs.share(roof) < ROOF_MIN_SHARE or roof == ids:
            roof = set()
    # The walls are not excluded by region: planked walls make a door frame the largest region.
    free = ids - roof
    units = [rs.filled(i) for i in free]
    floor = rs.height - 1 - np.argmax((rs.lab > 0)[::-1], axis=0)  # per column, lowest object pixel
    wall_top = eave if eave is not None else 0.0

    def is_door(u: Ids) -> bool:
        if not u <= free:
            return False
        g = rs.geom(u)
        x0, x1 = int(g.left * rs.width), max(int(g.right * rs.width), int(g.left * rs.width) + 1)
        ground = floor[x0:x1].max() / rs.height
        touching = rs.outline_rows(u)
        return (
            DOOR_SHARE[0] <= g.share <= DOOR_SHARE[1]
            and g.top >= wall_top
            and DOOR_TALLNESS <= (g.height * rs.height) / (g.width * rs.width) <= DOOR_MAX_TALLNESS
            and g.height >= DOOR_WALL_HEIGHT * (1.0 - wall_top)
            and g.rectangularity >= DOOR_RECTANGULARITY
            and g.bottom >= ground - DOOR_FLOOR_TOLERANCE
            and bool(np.all(touching >= g.top + DOOR_OUTLINE_BAND * g.height))
        )

    # A door inside the wall (not reaching the outline at all) is more typical than a wall section
    # standing on the floor, so enclosed candidates are tried first.
    inner = [u for u in units if rs.outline_share(u) == 0]
    door = rs.absorb(rs.pick(inner, is_door, limit=1) or rs.pick(units, is_door, limit=1), free)

    def is_window(u: Ids) -> bool:
        if not u <= free - door or rs.outline_share(u) > 0:
            return False
        g = rs.geom(u)
        return (
            HOUSE_WINDOW_SHARE[0] <= g.share <= HOUSE_WINDOW_SHARE[1]
            and g.top >= wall_top
            and g.rectangularity >= HOUSE_WINDOW_RECTANGULARITY
            and g.roundness >= HOUSE_WINDOW_ROUNDNESS
        )

    panes = rs.pick(units, is_window)
    groups = [g for g in rs.components(union(panes)) if rs.geom(g).height >= HOUSE_WINDOW_HEIGHT]
    windows = rs.absorb([u for u in panes if any(u <= g for g in groups)], free - door)
    return {"roof": roof, "door": door, "windows": windows}


# -- tree -----------------------------------------------------------------------------------------

# The crown is the largest region. The trunk: narrow regions (median row width at most TRUNK_WIDTH of
# the tree's width) below the crown's centre, grouped with one that reaches the bottom band; branches
# drawn into the crown are narrow too and join through the trunk they grow from.
# A trunk also has some size and height and stands under the crown: specks between the tree and an
# overlapping animal at the bottom are none of these.
TRUNK_WIDTH = 0.45
TRUNK_BOTTOM = 0.85
TRUNK_MIN_SHARE = 0.01
TRUNK_MIN_HEIGHT = 0.08
TRUNK_OFFSET = 0.25


def median_width(rs: Regions, i: int) -> float:
    rows = (rs.lab[rs.slices[i - 1]] == i).sum(axis=1)
    return float(np.median(rows[rows > 0])) / rs.width


def tree_parts(rs: Regions, _: str) -> Found:
    crown = rs.largest()
    gc = rs.geom({crown})
    narrow = {
        i
        for i in rs.ids().tolist()
        if i != crown and median_width(rs, i) <= TRUNK_WIDTH and rs.geom({i}).cy > gc.cy
    }

    def is_trunk(group: Ids) -> bool:
        g = rs.geom(group)
        return (
            g.bottom >= TRUNK_BOTTOM
            and g.share >= TRUNK_MIN_SHARE
            and g.height >= TRUNK_MIN_HEIGHT
            and abs(g.cx - gc.cx) <= TRUNK_OFFSET
        )

    return {"trunk": union([g for g in rs.components(narrow) if is_trunk(g)])}


# -- person ---------------------------------------------------------------------------------------

# Hair: regions reaching the top band (a raised hand rarely reaches as high as the head's top), except
# one capped by another of them (that is the face under thin hair).
# Face: the largest compact region touching the hair below its centre, within the head band.
# Shirt: the largest region centred between the face and the legs; its sleeves are small neighbours
# that start in its upper part. Pants: neighbours of the shirt starting at its bottom (the waist).
HAIR_TOP = 0.1
HAIR_MAX_CY = 0.3
HEAD_BAND = 0.45
FACE_SOLIDITY = 0.7
MIN_PART_SHARE = 0.02
SHIRT_BAND = 0.75
SLEEVE_START = 0.3
WAIST_TOLERANCE = 0.08
# A skirt is one convex-ish piece that widens downwards; trousers and shorts have a notch between
# the legs (lower solidity) or are two legs.
SKIRT_WIDENING = 1.15
SKIRT_SOLIDITY = 0.9


def person_parts(rs: Regions, _: str) -> Found:
    ids = set(rs.ids().tolist())
    geo = {i: rs.geom({i}) for i in ids if rs.share({i}) >= MIN_PART_SHARE}
    crown = {i: g for i, g in geo.items() if g.top <= HAIR_TOP and g.cy <= HAIR_MAX_CY}
    # Thin hair leaves the face reaching the top band too; the face is the one capped by another
    # top-band region (above its centre and spanning it).
    hair = {
        i
        for i, g in crown.items()
        if not any(h.bottom < g.cy and h.left <= g.cx <= h.right for j, h in crown.items() if j != i)
    }
    hair_cy = rs.geom(hair).cy if hair else 0.0
    near = rs.neighbours(frozenset(hair)) if hair else {i for i, g in geo.items() if g.top <= HAIR_TOP}
    faces = [
        i
        for i in near & set(geo) - hair
        if geo[i].cy > hair_cy and geo[i].cy <= HEAD_BAND and geo[i].solidity >= FACE_SOLIDITY
    ]
    if not faces:
        return {"hair": hair}
    face_id = max(faces, key=lambda i: rs.area[i])
    gf = geo[face_id]
    # Eyebrows and hair strands cut pieces off the face (around the eyes): they lie within its bbox.
    face = {face_id} | {i for i in rs.neighbours(frozenset({face_id})) - hair if within(rs.geom({i}), gf)}
    head_bottom = max(gf.bottom, rs.geom(hair).bottom if hair else 0.0)
    head = hair | face
    torsos = [i for i, g in geo.items() if i not in head and head_bottom - 0.05 <= g.cy <= SHIRT_BAND]
    if not torsos:
        return {"hair": hair, "face": face}
    shirt_id = max(torsos, key=lambda i: rs.area[i])
    gs = geo[shirt_id]
    sleeve_top = gs.top + SLEEVE_START * gs.height
    shirt = {shirt_id} | {
        i
        for i in rs.neighbours(frozenset({shirt_id})) & set(geo) - head
        if gs.top < geo[i].cy and geo[i].top <= sleeve_top and geo[i].bottom <= gs.bottom
    }
    legs = {
        i
        for i in rs.neighbours(frozenset(shirt)) & set(geo) - head
        if abs(geo[i].top - gs.bottom) <= WAIST_TOLERANCE and geo[i].cy > gs.bottom
    }
    found: Found = {"hair": hair, "face": face, "shirt": shirt}
    if legs:
        found["skirt" if is_skirt(rs, legs) else "pants"] = legs
    return found


def within(g: Geom, box: Geom) -> bool:
    """The centre of `g` lies inside the bbox of `box`."""
    return box.left <= g.cx <= box.right and box.top <= g.cy <= box.bottom


def is_skirt(rs: Regions, legs: set[int]) -> bool:
    g = rs.geom(legs)
    extent = rs.row_extent(legs)
    rows = np.flatnonzero(extent > 0)
    quarter = max(len(rows) // 4, 1)
    widening = extent[rows[-quarter:]].mean() / max(extent[rows[:quarter]].mean(), 1e-6)
    return g.solidity >= SKIRT_SOLIDITY and widening >= SKIRT_WIDENING


# -- bird, butterfly --------------------------------------------------------------------------------

# Bird: the body is the largest region; wings are big lobes clearly above it (raised wings) or on both
# sides of it (spread wings seen from below). A tail sticks out on one side and stays body.
# A head drawn as its own circle also sits above the body: wings are bigger and ragged or pointed,
# never as round as a head (WING_CIRCULARITY).
BIRD_BODY_SHARE = 0.3
WING_SHARE = 0.08
WING_ABOVE = 0.15
WING_CIRCULARITY = 0.72
# Butterfly: the body is a thin, convex-ish, near-vertical piece at the centre between the wings.
# Side views and bodies drawn as solid ink have no such region; then nothing is split.
BUTTERFLY_BODY_SHARE = (0.005, 0.12)
BUTTERFLY_BODY_ROUNDNESS = 0.35
BUTTERFLY_BODY_SOLIDITY = 0.75
BUTTERFLY_BODY_LENGTH = 0.3
BUTTERFLY_CENTRE = (0.15, 0.25)
BUTTERFLY_TILT = 30.0


def bird_parts(rs: Regions, _: str) -> Found:
    body = rs.largest()
    if rs.share({body}) < BIRD_BODY_SHARE:
        return {}
    gb = rs.geom({body})
    free = set(rs.ids().tolist()) - {body}

    def lobe(u: Ids) -> bool:
        return body not in u and rs.share(u) >= WING_SHARE and rs.geom(u).circularity <= WING_CIRCULARITY

    units = [u for u in (rs.filled(i) for i in free) if lobe(u)]
    raised = rs.pick(units, lambda u: rs.geom(u).cy <= gb.cy - WING_ABOVE)
    rest = [u for u in units if not u & union(raised)]
    left = rs.pick(rest, lambda u: rs.geom(u).cx < gb.left)
    right = rs.pick(rest, lambda u: rs.geom(u).cx > gb.right)
    # Spread wings come in pairs; a single lobe beside the body is a tail or a head.
    spread = left + right if left and right else []
    return {"wings": rs.absorb(raised + spread, free)}


def butterfly_parts(rs: Regions, _: str) -> Found:
    def is_body(i: int) -> bool:
        g = rs.geom({i})
        if not (
            BUTTERFLY_BODY_SHARE[0] <= g.share <= BUTTERFLY_BODY_SHARE[1]
            and g.roundness <= BUTTERFLY_BODY_ROUNDNESS
            and g.solidity >= BUTTERFLY_BODY_SOLIDITY
            and abs(g.cx - 0.5) <= BUTTERFLY_CENTRE[0]
            and abs(g.cy - 0.5) <= BUTTERFLY_CENTRE[1]
            and g.height >= BUTTERFLY_BODY_LENGTH
        ):
            return False
        ys, xs = np.nonzero(rs.lab == i)
        # Principal axis from the pixel covariance: a body stands upright between its wings.
        cov = np.cov(np.stack([xs, ys]).astype(float))
        _, vecs = np.linalg.eigh(cov)
        vx, vy = vecs[:, -1]
        return bool(np.degrees(np.arctan2(abs(vx), abs(vy))) <= BUTTERFLY_TILT)

    bodies = [i for i in rs.ids().tolist() if is_body(i)]
    if not bodies:
        return {}
    body = min(bodies, key=lambda i: abs(rs.geom({i}).cx - 0.5))
    return {"body": {body}}


# -- chicken ----------------------------------------------------------------------------------------

# Head: a compact region (a roundish blob, not a feather) high up at one end; comb and wattle are the
# small regions around it. Tail: the regions high up at the other end. Without both the facing
# direction is unknown, and neither is returned.
# The head may be the largest region (a rooster's head and neck), but not most of the bird.
HEAD_SHARE = (0.04, 0.3)
HEAD_ROUNDNESS = 0.6
HEAD_TOP = 0.3
END_BAND = 0.4
TAIL_MAX_CY = 0.6
HEAD_MARGIN = 0.25
HEAD_PIECE = 0.5


def chicken_parts(rs: Regions, _: str) -> Found:
    ids = set(rs.ids().tolist())

    def is_head(u: Ids) -> bool:
        g = rs.geom(u)
        at_end = g.cx <= END_BAND or g.cx >= 1 - END_BAND
        compact = HEAD_SHARE[0] <= g.share <= HEAD_SHARE[1] and g.roundness >= HEAD_ROUNDNESS
        return compact and g.top <= HEAD_TOP and at_end

    # The highest candidate: a head sits above a wing or a tail root of the same shape.
    heads = sorted(rs.pick([rs.filled(i) for i in ids], is_head), key=lambda u: rs.geom(u).top)
    if not heads:
        return {}
    gh = rs.geom(heads[0])
    head = set(heads[0])
    for i in rs.neighbours(heads[0]):
        g = rs.geom({i})
        # Comb (above the head, hence the margin on top only), beak and wattle: small, on the head.
        inside = gh.left <= g.cx <= gh.right and gh.top - HEAD_MARGIN * gh.height <= g.cy <= gh.bottom
        if inside and g.share <= HEAD_PIECE * gh.share:
            head.add(i)
    rest = ids - head
    body = rs.largest(np.array(sorted(rest))) if rest else 0
    tail = set()
    for i in rest - {body}:
        g = rs.geom({i})
        far = g.cx >= 1 - END_BAND if gh.cx < 0.5 else g.cx <= END_BAND
        if far and g.cy <= TAIL_MAX_CY:
            tail.add(i)
    # A compact blob high at one end is often a wing tip or a tail root instead; a head is trusted
    # only with a tail at the other end to confirm the facing direction.
    return {"head": head, "tail": tail} if tail else {}


# -- sun --------------------------------------------------------------------------------------------

# The disk: a round filled shape around the sun's centre; what remains (rays, a ray ring) is flame.
SUN_CIRCULARITY = 0.7
SUN_ROUNDNESS = 0.7
SUN_SHARE = (0.15, 0.9)
SUN_CENTRE_OFFSET = 0.2
SUN_INNER_OUTLINE = 0.3


def sun_parts(rs: Regions, _: str) -> Found:
    """The biggest round, centred unit is the disk.

    Candidates are filled regions and islands of inner regions, because a face drawn on the disk
    splits it into pieces (eyes, mouth) that only together make the circle.
    """
    ids = set(rs.ids().tolist())
    # Rays are mostly outline; the disk's pieces mostly are not, though between rays the disk's own
    # edge is outline too (SUN_INNER_OUTLINE).
    inner = {i for i in ids if rs.outline_share({i}) <= SUN_INNER_OUTLINE}
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

    return {"disk": union(rs.pick(candidates, is_disk, limit=1))}


# -- entry point ------------------------------------------------------------------------------------

# The part that takes what no rule claimed: the main part, except where the rule finds the main part
# itself and the rest is the other part (the sun's rays around the disk, a butterfly's wings around
# its body).
REST_PART = {"sun": "flame", "butterfly": "wings"}

RULES: dict[str, Callable[[Regions, str], Found]] = {
    "bird": bird_parts,
    "butterfly": butterfly_parts,
    "car": vehicle_parts,
    "bus": vehicle_parts,
    "truck": vehicle_parts,
    "chicken": chicken_parts,
    "house": house_parts,
    "person": person_parts,
    "sun": sun_parts,
    "tree": tree_parts,
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
    if not out[rest].any():
        # One part is the whole object: that is no split, only a guess at a name.
        return {main_part(category): mask}
    return {part: out[part] for part in PARTS[category] if part in out}
