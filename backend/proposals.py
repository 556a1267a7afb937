"""Object proposals: which strokes of a scene sketch draw one object, and which closed areas are its inside.

The recogniser classifies whole objects, so it first needs candidate objects. In a scene sketch an
object is mostly one bundle of touching strokes: its details (windows, eyes, buttons) sit inside its
outline, and its loose bits (sun rays, grass blades) lie close to it. So a proposal is a connected
bundle of strokes, plus the details its outline encloses, plus the tiny loose strokes right next to
it, and its mask is those strokes plus the *whole* LineArt regions the outline encloses, so that a
fill of the mask is clean up to the lines. Long thin lines across the canvas (horizon, ground, road
edges) are scenery, not objects; the band between two of them is offered as a road.

Objects that overlap share one bundle. Where the filled shape clearly has two bodies joined by a
narrow neck (two tree crowns, a tree touching a bus) the bundle also carries a split into those
bodies; whether the split is used is left to the classifier (see recognizer_doodle.py). Every length
is a fraction of the canvas diagonal so that the rules do not depend on the canvas resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy import ndimage

from .lineart import LineArt

# Strokes closer than this many pixels (either side) belong to one bundle: redrawn or broken lines.
JOIN_RADIUS = 1
# Bundles with fewer line pixels than this share of the canvas are specks (dust, stray dots).
SPECK_SHARE = 2e-5
# A bundle that is at least this share inside another bundle's closed outline is a detail of it.
INSIDE_SHARE = 0.9
# Loose strokes smaller than this (bbox diagonal / canvas diagonal) join a bundle close to them...
LOOSE_DIAG = 0.035
# ... when they are at most this far away (/ canvas diagonal); loose strokes this close to each
# other first form a group (a grass tuft drawn blade by blade, a ring of sun rays).
LOOSE_GAP = 0.012
# A line at least this wide (/ canvas width), this flat (height / width) and enclosing almost
# nothing is a horizon, ground or road edge.
SCENERY_WIDTH = 0.5
SCENERY_FLATNESS = 0.25
# A band between scenery lines is a road when it crosses this share of the width, is at most this
# thick on average (/ canvas height) and lies below this height (its centre row / canvas height).
ROAD_SPAN = 0.8
ROAD_THICKNESS = 0.3
ROAD_BELOW = 0.45
# Split a filled shape only where it has bodies whose thickness (distance to the edge) reaches this
# share of the thickest point, joined where it is thinner than that, each body being at least
# SPLIT_MIN_DEPTH of the canvas diagonal thick and SPLIT_MIN_SHARE of the shape's area.
SPLIT_CORE = 0.55
SPLIT_MIN_DEPTH = 0.018
SPLIT_MIN_SHARE = 0.08
# Only shapes at least this large (/ canvas area) are worth trying to split.
SPLIT_MIN_AREA = 0.01


@dataclass
class Proposal:
    """A candidate object, stored as a crop so that many proposals of a large canvas stay cheap."""

    box: tuple[slice, slice]  # (rows, cols) of the crop in the canvas
    mask: np.ndarray  # bool crop: strokes plus the whole enclosed regions
    strokes: np.ndarray  # bool crop: the line pixels that draw the object
    kind: str = "object"  # "object", or "road" for a band found by the road rule
    splits: list[Proposal] = field(default_factory=list)  # the bodies of a clear split, if any

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the crop."""
        rows, cols = self.box
        return (cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start)

    def full_mask(self, shape: tuple[int, int]) -> np.ndarray:
        """The mask at canvas size, as an Instance needs it."""
        out = np.zeros(shape, bool)
        out[self.box] = self.mask
        return out


def _disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _bundles(lines: np.ndarray) -> tuple[np.ndarray, int]:
    """Label line pixels by bundle of (nearly) touching strokes; 0 off the lines."""
    joined = cv2.dilate(lines.astype(np.uint8), _disk(JOIN_RADIUS)) > 0
    labels, n = ndimage.label(joined, structure=np.ones((3, 3), bool))
    labels[~lines] = 0
    return labels.astype(np.int32), n


def _relabel(labels: np.ndarray, parent: np.ndarray) -> tuple[np.ndarray, int]:
    """Apply a merge table (label -> label it joined) and renumber 1..n."""
    while True:
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    merged = parent[labels]
    used = np.unique(merged)
    used = used[used > 0]
    lut = np.zeros(parent.size, np.int32)
    lut[used] = np.arange(1, used.size + 1, dtype=np.int32)
    return lut[merged], int(used.size)


def _boxes(labels: np.ndarray, n: int) -> np.ndarray:
    """(n + 1, 4) int array of y0, y1, x0, x1 per label (row 0 unused, empty labels all zero)."""
    out = np.zeros((n + 1, 4), np.int64)
    for i, sl in enumerate(ndimage.find_objects(labels, max_label=n), start=1):
        if sl is not None:
            out[i] = (sl[0].start, sl[0].stop, sl[1].start, sl[1].stop)
    return out


def fill_holes(shape: np.ndarray) -> np.ndarray:
    """bool mask with every hole filled; a flood fill from the border (scipy's version is 20x slower)."""
    padded = np.pad(shape.astype(np.uint8), 1)
    outside = padded.copy()
    cv2.floodFill(outside, None, (0, 0), 2, flags=4)
    return (outside != 2)[1:-1, 1:-1]


def fill_outline(strokes: np.ndarray) -> np.ndarray:
    """Strokes plus every area their outline closes; gaps of a few pixels in the outline still close.

    The training renderer fills doodles with this same function, so the classifier sees silhouettes
    made the way proposals make them.
    """
    closed = cv2.dilate(strokes.astype(np.uint8), _disk(2)) > 0
    filled = fill_holes(closed)
    # Give back the outside fringe the gap closing added, so the silhouette ends at the strokes.
    fringe = cv2.dilate((~filled).astype(np.uint8), _disk(2)) > 0
    return strokes | (filled & ~fringe)


def _merge_details(labels: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """Bundles drawn inside another bundle's closed outline (windows, eyes) join it."""
    boxes = _boxes(labels, n)
    area = (boxes[:, 1] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 2])
    parent = np.arange(n + 1)
    for a in np.argsort(-area):
        if a == 0 or parent[a] != a or area[a] == 0:
            continue
        y0, y1, x0, x1 = boxes[a]
        inside = (boxes[:, 0] >= y0) & (boxes[:, 1] <= y1) & (boxes[:, 2] >= x0) & (boxes[:, 3] <= x1)
        inside[[0, a]] = False
        inside &= parent == np.arange(n + 1)
        cands = np.flatnonzero(inside)
        if cands.size == 0:
            continue
        crop = labels[y0:y1, x0:x1]
        filled = fill_outline(crop == a)
        share = np.asarray(ndimage.mean(filled, labels=crop, index=cands))
        parent[cands[share >= INSIDE_SHARE]] = a
    return _relabel(labels, parent)


def _merge_loose(labels: np.ndarray, n: int, diag: float) -> tuple[np.ndarray, int]:
    """Small loose strokes group with their near neighbours, and groups touch-close to a bundle join it."""
    boxes = _boxes(labels, n)
    box_diag = np.hypot(boxes[:, 1] - boxes[:, 0], boxes[:, 3] - boxes[:, 2])
    small = box_diag < LOOSE_DIAG * diag
    small[0] = False
    if not small.any():
        return labels, n
    gap = max(2, round(LOOSE_GAP * diag))
    small_px = small[labels]
    groups, n_groups = ndimage.label(cv2.dilate(small_px.astype(np.uint8), _disk(max(1, gap // 2))) > 0)
    parent = np.arange(n + 1)
    # Loose strokes of one group become one bundle (named after its first member).
    group_of = np.zeros(n + 1, np.int64)
    idx = np.flatnonzero(small)
    group_of[idx] = np.asarray(ndimage.maximum(groups, labels=labels, index=idx)).astype(np.int64)
    first = np.zeros(n_groups + 1, np.int64)
    first[group_of[idx][::-1]] = idx[::-1]
    parent[idx] = first[group_of[idx]]
    big_px = (labels > 0) & ~small_px
    if not big_px.any():
        return _relabel(labels, parent)
    # Nearest big bundle to every pixel, then per group the closest approach.
    dist, (iy, ix) = ndimage.distance_transform_edt(~big_px, return_indices=True)
    nearest = labels[iy, ix]
    gid = np.where(small_px, groups, 0)
    gids = np.unique(gid)
    gids = gids[gids > 0]
    gmin = np.asarray(ndimage.minimum(dist, labels=gid, index=gids))
    gpos = ndimage.minimum_position(dist, labels=gid, index=gids)
    gbox = ndimage.find_objects(gid)
    for g, d, pos in zip(gids, gmin, gpos, strict=True):
        if d > gap:
            continue
        target = int(nearest[pos])
        sl = gbox[g - 1]
        g_diag = math.hypot(sl[0].stop - sl[0].start, sl[1].stop - sl[1].start)
        ty0, ty1, tx0, tx1 = boxes[target]
        centre_inside = (
            sl[0].start <= (ty0 + ty1) / 2 < sl[0].stop and sl[1].start <= (tx0 + tx1) / 2 < sl[1].stop
        )
        # A tiny group is a detail of its neighbour; a larger one only when it surrounds it (rays).
        if g_diag < LOOSE_DIAG * diag or centre_inside:
            parent[first[g]] = target
    return _relabel(labels, parent)


def _owned_regions(lineart: LineArt, labels: np.ndarray, n: int) -> np.ndarray:
    """(n_regions + 1,) bundle owning each enclosed region, 0 for none.

    The owner is the bundle whose own closed outline covers most of the region: a gap enclosed only by
    several objects together (between a house, a bench and a person) belongs to none of them.
    """
    owner_px = np.zeros(labels.shape, np.int32)
    boxes = _boxes(labels, n)
    area = (boxes[:, 1] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 2])
    # Large outlines first, so a smaller object drawn over a larger one keeps its own inside.
    for b in np.argsort(-area):
        if b == 0 or area[b] == 0:
            continue
        y0, y1, x0, x1 = boxes[b]
        filled = fill_outline(labels[y0:y1, x0:x1] == b)
        owner_px[y0:y1, x0:x1][filled] = b
    regions = lineart.regions
    pairs = regions.astype(np.int64) * (n + 1) + owner_px
    uniq, counts = np.unique(pairs, return_counts=True)
    reg, own = uniq // (n + 1), uniq % (n + 1)
    size = np.bincount(regions.ravel(), minlength=lineart.n_regions + 1)
    owner = np.zeros(lineart.n_regions + 1, np.int64)
    keep = (own > 0) & (counts * 2 > size[reg])
    owner[reg[keep]] = own[keep]
    owner[lineart.outer[: lineart.n_regions + 1]] = 0
    return owner


def _scenery(labels: np.ndarray, n: int, owner: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(n + 1,) bool: bundles that are long flat lines (horizon, ground, road edges), not objects."""
    h, w = shape
    boxes = _boxes(labels, n)
    bw = boxes[:, 3] - boxes[:, 2]
    bh = boxes[:, 1] - boxes[:, 0]
    flat = (bw >= SCENERY_WIDTH * w) & (bh <= SCENERY_FLATNESS * np.maximum(bw, 1))
    encloses = np.zeros(n + 1, bool)
    encloses[owner[owner > 0]] = True
    flat &= ~encloses
    flat[0] = False
    return flat


def _road(lineart: LineArt, labels: np.ndarray, scenery: np.ndarray) -> Proposal | None:
    """The band between two scenery lines, low in the canvas: the lowest such band not touching the bottom."""
    h, w = lineart.shape
    if scenery.sum() < 2:
        return None
    regions = lineart.regions
    boxes = ndimage.find_objects(regions, max_label=lineart.n_regions)
    size = np.bincount(regions.ravel(), minlength=lineart.n_regions + 1)
    best, best_row = 0, -1.0
    for r, sl in enumerate(boxes, start=1):
        if sl is None or sl[0].start == 0 or sl[0].stop == h:
            continue
        span = (sl[1].stop - sl[1].start) / w
        thickness = size[r] / max(1, sl[1].stop - sl[1].start) / h
        centre = (sl[0].start + sl[0].stop) / 2 / h
        if span >= ROAD_SPAN and thickness <= ROAD_THICKNESS and centre >= ROAD_BELOW and centre > best_row:
            best, best_row = r, centre
    if best == 0:
        return None
    sl = boxes[best - 1]
    band = regions[sl] == best
    # The band plus the lines that edge it; objects standing on the road keep their own regions.
    mask = band | (cv2.dilate(band.astype(np.uint8), _disk(2)) > 0) & lineart.lines[sl]
    return Proposal(sl, mask, lineart.lines[sl] & mask, kind="road")


def _split(prop: Proposal, regions: np.ndarray, diag: float) -> list[Proposal]:
    """Bodies joined by narrow necks, each a proposal made of whole regions; [] when no clear split."""
    shape = prop.mask.astype(np.uint8)
    depth = cv2.distanceTransform(np.pad(shape, 1), cv2.DIST_L2, 5)[1:-1, 1:-1]
    peak = float(depth.max())
    if peak < SPLIT_MIN_DEPTH * diag:
        return []
    cores, n_cores = ndimage.label(depth >= SPLIT_CORE * peak)
    if n_cores < 2:
        return []
    core_depth = np.asarray(ndimage.maximum(depth, labels=cores, index=np.arange(1, n_cores + 1)))
    good = np.flatnonzero(core_depth >= SPLIT_MIN_DEPTH * diag) + 1
    if good.size < 2:
        return []
    keep = np.isin(cores, good)
    _, (iy, ix) = ndimage.distance_transform_edt(~keep, return_indices=True)
    cell = cores[iy, ix]
    # Whole regions go to the body holding most of them; lone stroke pixels go to the nearest body.
    reg = regions[prop.box]
    inside = prop.mask & ~prop.strokes
    pairs = reg[inside].astype(np.int64) * (n_cores + 1) + cell[inside]
    uniq, counts = np.unique(pairs, return_counts=True)
    order = np.lexsort((-counts, uniq // (n_cores + 1)))
    uniq = uniq[order]
    first = np.ones(uniq.size, bool)
    first[1:] = uniq[1:] // (n_cores + 1) != uniq[:-1] // (n_cores + 1)
    reg_cell = dict(
        zip((uniq[first] // (n_cores + 1)).tolist(), (uniq[first] % (n_cores + 1)).tolist(), strict=True)
    )
    lut = np.zeros(int(reg.max()) + 1, np.int64)
    for r, c in reg_cell.items():
        lut[r] = c
    body = np.where(inside, lut[reg], np.where(prop.strokes, cell, 0))
    total = prop.mask.sum()
    parts = []
    rows, cols = prop.box
    for c in good:
        m = body == c
        if m.sum() < SPLIT_MIN_SHARE * total:
            return []
        ys = np.flatnonzero(m.any(axis=1))
        xs = np.flatnonzero(m.any(axis=0))
        sub = (slice(ys[0], ys[-1] + 1), slice(xs[0], xs[-1] + 1))
        box = (
            slice(rows.start + ys[0], rows.start + ys[-1] + 1),
            slice(cols.start + xs[0], cols.start + xs[-1] + 1),
        )
        parts.append(Proposal(box, m[sub], (m & prop.strokes)[sub]))
    return parts


def propose(lineart: LineArt) -> list[Proposal]:
    """Candidate objects of a sketch (plus a road band when the road rule fires), largest first."""
    h, w = lineart.shape
    diag = math.hypot(h, w)
    lines = lineart.lines
    if not lines.any():
        return []
    labels, n = _bundles(lines)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    speck = sizes < SPECK_SHARE * h * w
    speck[0] = False
    labels[speck[labels]] = 0
    labels, n = _relabel(labels, np.arange(n + 1))
    labels, n = _merge_details(labels, n)
    labels, n = _merge_loose(labels, n, diag)
    owner = _owned_regions(lineart, labels, n)
    scenery = _scenery(labels, n, owner, (h, w))

    # Mask of each bundle: its strokes plus the whole regions it owns; its box covers both.
    box = _boxes(labels, n)
    rbox = _boxes(lineart.regions, lineart.n_regions)
    has = np.flatnonzero(owner > 0)
    np.minimum.at(box[:, 0], owner[has], rbox[has, 0])
    np.maximum.at(box[:, 1], owner[has], rbox[has, 1])
    np.minimum.at(box[:, 2], owner[has], rbox[has, 2])
    np.maximum.at(box[:, 3], owner[has], rbox[has, 3])
    region_owner_px = owner[lineart.regions]
    proposals: list[Proposal] = []
    for b in range(1, n + 1):
        if scenery[b]:
            continue
        sl = (slice(int(box[b, 0]), int(box[b, 1])), slice(int(box[b, 2]), int(box[b, 3])))
        strokes = labels[sl] == b
        mask = strokes | (region_owner_px[sl] == b)
        prop = Proposal(sl, mask, strokes)
        if mask.sum() >= SPLIT_MIN_AREA * h * w:
            prop.splits = _split(prop, lineart.regions, diag)
        proposals.append(prop)
    road = _road(lineart, labels, scenery)
    if road is not None:
        proposals.append(road)
    proposals.sort(key=lambda p: -int(p.mask.sum()))
    return proposals
