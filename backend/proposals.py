"""Object proposals: which strokes of a scene sketch draw one object, and which closed areas are its inside.

The recogniser classifies whole objects, so it first needs candidate objects. In a scene sketch an
object is mostly one bundle of touching strokes: its details (windows, eyes, buttons) sit inside its
outline, and its loose bits (sun rays, grass blades) lie close to it. So a proposal is a connected
bundle of strokes, plus the details its outline encloses, plus the tiny loose strokes right next to
it, and its mask is those strokes plus the *whole* LineArt regions the outline encloses, so that a
fill of the mask is clean up to the lines. Long thin lines across the canvas (horizon, ground, road
edges) are scenery, not objects; the band between two of them is offered as a road.

Objects often stand on those lines, so the lines are traced across the whole canvas first (through
the gaps where objects hide them) and taken out before strokes are bundled. Objects that overlap
each other still share one bundle. Where the filled shape clearly has several bodies joined by
narrow necks (two tree crowns, a tree touching a bus) the bundle also carries a split into those
bodies; whether the split is used is left to the classifier (see recognizer_doodle.py). Every length
is a fraction of the canvas size so that the rules do not depend on the canvas resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy import ndimage

from .lineart import LineArt, region_areas

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
# A bundle at least this wide (/ canvas width), this flat (height / width) and enclosing nothing is
# a horizon, ground or road edge; so is a traced line that runs on ink over SCENERY_WIDTH of the
# columns and from end to end over SCENERY_SPAN of the width.
SCENERY_WIDTH = 0.5
SCENERY_FLATNESS = 0.25
SCENERY_SPAN = 0.7
# Lines are traced through straight pieces at least SCENERY_PIECE long (/ width) within SCENERY_SLANT
# degrees of horizontal; slant costs SCENERY_BEND per row; they lie below SCENERY_BELOW of the height
# (clouds' flat bottoms are higher) and own the ink within THIN_LINE (/ height) of their path.
SCENERY_PIECE = 0.05
SCENERY_SLANT = 30
SCENERY_BEND = 2.0
SCENERY_BELOW = 0.25
THIN_LINE = 0.006
MAX_SCENERY_LINES = 4
# A bundle with this share of its pixels in the corridor around a traced line is a leftover bit of it.
CORRIDOR_SHARE = 0.9
# A traced line needs open space (regions touching the border, or this large / canvas area) on both
# sides over SCENERY_OPEN of the width.
OPEN_REGION_SHARE = 0.05
SCENERY_OPEN = 0.25
# Two scenery lines bound a road when the band between them is ROAD_MIN_THICKNESS to ROAD_THICKNESS
# thick (/ canvas height) and its upper edge is not the horizon: not the topmost line, or (with only
# two lines) below ROAD_TOP_BELOW of the height. A region at least ROAD_COVER inside the band is road.
ROAD_THICKNESS = 0.3
ROAD_MIN_THICKNESS = 0.03
ROAD_TOP_BELOW = 0.5
ROAD_COVER = 0.6
# Split a filled shape into bodies: discs at least SPLIT_MIN_DEPTH (/ canvas diagonal) in radius
# (at most SPLIT_MAX_DISCS of them) are one body when the path between them stays SPLIT_CORE as
# thick as the smaller disc; every body must hold SPLIT_MIN_SHARE of the shape's area.
SPLIT_CORE = 0.7
SPLIT_MAX_DISCS = 24
SPLIT_MIN_DEPTH = 0.018
SPLIT_MIN_SHARE = 0.2
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


def _line_kernel(length: int, degrees: float) -> np.ndarray:
    k = np.zeros((length, length), np.uint8)
    c = (length - 1) / 2
    dx, dy = c * math.cos(math.radians(degrees)), c * math.sin(math.radians(degrees))
    cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1, 1)
    return k


def _straight_pieces(small: np.ndarray, length: int) -> np.ndarray:
    """Pixels of a (half-resolution, thickened) line mask on straight runs of at least `length` pixels
    within SCENERY_SLANT degrees of horizontal: a handful of slanted line openings covers the range."""
    pieces = np.zeros_like(small)
    for degrees in range(-SCENERY_SLANT, SCENERY_SLANT + 1, 6):
        pieces |= cv2.morphologyEx(small, cv2.MORPH_OPEN, _line_kernel(length, degrees))
    return pieces > 0


def _trace_line(cost: np.ndarray, first_row: int) -> np.ndarray:
    """Cheapest left-to-right path (one row per column, steps of at most one row) -> row per column.

    A seam-carving style dynamic programme: crossing ink costs nothing, crossing paper costs 1 per
    column and every row of slant costs SCENERY_BEND, so the path follows a line through the gaps
    where objects hide it instead of climbing around the objects' outlines. The loop runs over
    columns; each step is vectorised over all rows.
    """
    h, w = cost.shape
    acc = cost[:, 0].copy()
    acc[:first_row] = np.inf
    back = np.zeros((h, w), np.int8)
    inf = np.array([np.inf], np.float32)
    rows = np.arange(h)
    for x in range(1, w):
        up = np.concatenate([inf, acc[:-1]]) + SCENERY_BEND
        down = np.concatenate([acc[1:], inf]) + SCENERY_BEND
        moves = np.stack([up, acc, down])
        step = moves.argmin(axis=0)
        back[:, x] = step - 1
        acc = moves[step, rows] + cost[:, x]
        acc[:first_row] = np.inf
    path = np.zeros(w, np.int64)
    path[-1] = int(acc.argmin())
    for x in range(w - 1, 0, -1):
        path[x - 1] = path[x] + back[path[x], x]
    return path


def _scenery_lines(lineart: LineArt) -> tuple[np.ndarray, int, np.ndarray]:
    """Long, near-horizontal lines (horizon, ground, road edges) -> (labels on their ink, count, corridor).

    Objects often stand on these lines, so they must be taken out before strokes are bundled into
    objects, and the lines are often hidden behind those objects for long stretches. So a line is
    traced as a whole across the canvas through straight near-horizontal ink, and it counts when it
    runs on ink over most of the width; its pixels are the ink right on the traced path. Where it
    runs on ink it must often have open space on both sides: the bases of a row of objects standing
    side by side also line up, but they have the objects' insides above them. The corridor is a
    band around each accepted path over the whole width: bits of the line the tracing did not claim
    (its ends, short wiggles) lie in it and are not objects. The search runs at half resolution.
    """
    lines = lineart.lines
    h, w = lines.shape
    h2, w2 = max(1, h // 2), max(1, w // 2)
    small = cv2.resize(lines.astype(np.uint8) * 255, (w2, h2), interpolation=cv2.INTER_AREA) > 0
    small = cv2.dilate(small.astype(np.uint8), _disk(1))
    straight = _straight_pieces(small, max(5, round(SCENERY_PIECE * w2)) | 1)
    area = region_areas(lineart)
    is_open = lineart.outer[: lineart.n_regions + 1] | (area >= OPEN_REGION_SHARE * h * w)
    near = max(2, round(THIN_LINE * h))
    near2 = max(1, near // 2)
    cols_full = np.minimum(np.arange(w) // 2, w2 - 1)
    found = np.zeros((h, w), np.int32)
    corridor = np.zeros((h, w), bool)
    n = 0
    for _ in range(MAX_SCENERY_LINES):
        reach = cv2.dilate(straight.astype(np.uint8), _disk(near2)) > 0
        path = _trace_line(np.where(reach, 0.0, 1.0).astype(np.float32), int(SCENERY_BELOW * h2))
        on = reach[path, np.arange(w2)]
        cols = np.flatnonzero(on)
        if cols.size < SCENERY_WIDTH * w2 or cols[-1] - cols[0] < SCENERY_SPAN * w2:
            break  # no further line crosses the canvas
        # Clear the whole stroke around the path, so a thick or doubled line is not traced twice.
        straight &= ~((np.abs(np.arange(h2)[:, None] - path[None, :]) <= 2 * near2 + 1) & on[None, :])
        rows, on_full = 2 * path[cols_full] + 1, on[cols_full]
        side = near + 3
        above = lineart.regions[np.clip(rows - side, 0, h - 1), np.arange(w)]
        below = lineart.regions[np.clip(rows + side, 0, h - 1), np.arange(w)]
        if np.count_nonzero(on_full & is_open[above] & is_open[below]) < SCENERY_OPEN * w:
            continue  # the bases of objects standing in a row, not a line
        offset = np.abs(np.arange(h)[:, None] - rows[None, :])
        # The path is traced at half resolution: allow for a pixel or two of rounding.
        ink = (offset <= near + 2) & on_full[None, :] & lines & (found == 0)
        if np.count_nonzero(ink.any(axis=0)) < SCENERY_WIDTH * w:
            continue  # mostly ink an earlier line already claimed: the same line again
        n += 1
        found[ink] = n
        corridor |= offset <= 2 * near + 2
    return found, n, corridor


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
    """Small loose strokes group with their near neighbours, and groups touch-close to a bundle join it.

    Works on the small strokes' pixels only (sorted per group), so a large canvas costs one distance
    transform and no per-label passes over the whole image.
    """
    boxes = _boxes(labels, n)
    box_diag = np.hypot(boxes[:, 1] - boxes[:, 0], boxes[:, 3] - boxes[:, 2])
    small = box_diag < LOOSE_DIAG * diag
    small[0] = False
    if not small.any():
        return labels, n
    gap = max(2, round(LOOSE_GAP * diag))
    small_px = small[labels]
    groups, n_groups = ndimage.label(cv2.dilate(small_px.astype(np.uint8), _disk(max(1, gap // 2))) > 0)
    ys, xs = np.nonzero(small_px)
    member, group = labels[ys, xs], groups[ys, xs]
    # Loose strokes of one group become one bundle, named after one of its members.
    parent = np.arange(n + 1)
    first = np.zeros(n_groups + 1, np.int64)
    first[group] = member
    parent[member] = first[group]
    big_px = (labels > 0) & ~small_px
    if not big_px.any():
        return _relabel(labels, parent)
    # Distance from every small-stroke pixel to the nearest big bundle, and which bundle that is:
    # OpenCV numbers the zero (big-stroke) pixels in raster order, the order of boolean indexing.
    dist, nearest_px = cv2.distanceTransformWithLabels(
        (~big_px).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    big_labels = np.concatenate([[0], labels[big_px]])
    d = dist[ys, xs]
    target = big_labels[nearest_px[ys, xs]]
    # Per group, its closest approach to a big bundle.
    order = np.lexsort((d, group))
    g_sorted = group[order]
    head = np.ones(order.size, bool)
    head[1:] = g_sorted[1:] != g_sorted[:-1]
    gids, gd, gt = g_sorted[head], d[order][head], target[order][head]
    # Each group's box, from its strokes (not from the dilation that grouped them).
    gy0 = np.full(n_groups + 1, labels.shape[0])
    gx0 = np.full(n_groups + 1, labels.shape[1])
    gy1 = np.zeros(n_groups + 1, np.int64)
    gx1 = np.zeros(n_groups + 1, np.int64)
    np.minimum.at(gy0, group, ys)
    np.minimum.at(gx0, group, xs)
    np.maximum.at(gy1, group, ys + 1)
    np.maximum.at(gx1, group, xs + 1)
    for g, dmin, tgt in zip(gids.tolist(), gd.tolist(), gt.tolist(), strict=True):
        if dmin > gap:
            continue
        g_diag = math.hypot(gy1[g] - gy0[g], gx1[g] - gx0[g])
        ty0, ty1, tx0, tx1 = boxes[tgt]
        centre_inside = gy0[g] <= (ty0 + ty1) / 2 < gy1[g] and gx0[g] <= (tx0 + tx1) / 2 < gx1[g]
        # A tiny group is a detail of its neighbour; a larger one only when it surrounds it (rays).
        if g_diag < LOOSE_DIAG * diag or centre_inside:
            parent[first[g]] = tgt
    return _relabel(labels, parent)


def _owned_regions(lineart: LineArt, labels: np.ndarray, n: int, scenery: np.ndarray) -> np.ndarray:
    """(n_regions + 1,) bundle owning each enclosed region, 0 for none.

    The owner is the bundle whose own closed outline covers most of the region: a gap enclosed only by
    several objects together (between a house, a bench and a person) belongs to none of them. A
    scenery line may close an outline (a house standing on the ground line).
    """
    owner_px = np.zeros(labels.shape, np.int32)
    boxes = _boxes(labels, n)
    area = (boxes[:, 1] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 2])
    # Large outlines first, so a smaller object drawn over a larger one keeps its own inside.
    for b in np.argsort(-area):
        if b == 0 or area[b] == 0:
            continue
        y0, y1, x0, x1 = boxes[b]
        filled = fill_outline((labels[y0:y1, x0:x1] == b) | scenery[y0:y1, x0:x1]) & ~scenery[y0:y1, x0:x1]
        owner_px[y0:y1, x0:x1][filled] = b
    regions = lineart.regions
    pairs = regions.astype(np.int64) * (n + 1) + owner_px
    uniq, counts = np.unique(pairs, return_counts=True)
    reg, own = uniq // (n + 1), uniq % (n + 1)
    size = region_areas(lineart)
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


def _line_rows(line: np.ndarray) -> tuple[np.ndarray, float]:
    """Row of a line in every column (interpolated where it is hidden) and its median row."""
    ys, xs = np.nonzero(line)
    w = line.shape[1]
    count = np.bincount(xs, minlength=w)
    total = np.bincount(xs, weights=ys, minlength=w)
    seen = np.flatnonzero(count)
    rows = np.interp(np.arange(w), seen, total[seen] / count[seen])
    return rows, float(np.median(ys))


def _road(lineart: LineArt, scenery: np.ndarray, n_lines: int, owner: np.ndarray) -> Proposal | None:
    """The band between two scenery lines low in the canvas, made of the free regions inside it."""
    h, w = lineart.shape
    if n_lines < 2:
        return None
    lines = sorted((_line_rows(scenery == i) for i in range(1, n_lines + 1)), key=lambda t: t[1])
    band = None
    for i in range(len(lines) - 1, 0, -1):
        (top, top_med), (bottom, _) = lines[i - 1], lines[i]
        thick = float(np.median(bottom - top))
        if thick < ROAD_MIN_THICKNESS * h or thick > ROAD_THICKNESS * h:
            continue
        if i - 1 == 0 and (len(lines) > 2 or top_med < ROAD_TOP_BELOW * h):
            continue  # the upper edge is the horizon: the band below it is ground, not road
        rows = np.arange(h)[:, None]
        band = (rows > top[None, :]) & (rows < bottom[None, :])
        break
    if band is None:
        return None
    regions = lineart.regions
    size = region_areas(lineart)
    inside = np.bincount(regions[band], minlength=lineart.n_regions + 1)
    road = (inside >= ROAD_COVER * np.maximum(size, 1)) & (owner == 0)
    road[0] = False
    mask = road[regions]
    # The edges of the road belong to it, as a fill under the lines needs.
    mask |= (cv2.dilate(mask.astype(np.uint8), _disk(2)) > 0) & (scenery > 0)
    if not mask.any():
        return None
    ys = np.flatnonzero(mask.any(axis=1))
    xs = np.flatnonzero(mask.any(axis=0))
    sl = (slice(int(ys[0]), int(ys[-1]) + 1), slice(int(xs[0]), int(xs[-1]) + 1))
    return Proposal(sl, mask[sl], lineart.lines[sl] & mask[sl], kind="road")


def _root(parent: np.ndarray, i: int) -> int:
    """Union-find root with path halving."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return int(i)


def _split(prop: Proposal, regions: np.ndarray, diag: float) -> list[Proposal]:
    """Bodies joined by narrow necks, each a proposal made of whole regions; [] when no clear split.

    The bodies are found from the largest discs that fit in the filled shape (local maxima of the
    distance to its edge): two discs belong to one body when the straight path between them stays
    at least SPLIT_CORE as thick as the smaller disc. Pixels go to the disc they are closest to
    relative to its size, so a small crown next to a big one keeps its own edge.
    """
    shape = prop.mask.astype(np.uint8)
    depth = cv2.distanceTransform(np.pad(shape, 1), cv2.DIST_L2, 5)[1:-1, 1:-1]
    min_depth = SPLIT_MIN_DEPTH * diag
    if float(depth.max()) < min_depth:
        return []
    r = max(2, int(min_depth / 2))
    peaks = (depth >= min_depth) & (depth >= ndimage.maximum_filter(depth, size=2 * r + 1))
    plateaus, n_peaks = ndimage.label(peaks)
    if n_peaks < 2:
        return []
    # One candidate per plateau of maxima, deepest first; a disc inside a deeper disc is dropped.
    pos = np.array(ndimage.maximum_position(depth, labels=plateaus, index=np.arange(1, n_peaks + 1)))
    val = depth[pos[:, 0], pos[:, 1]]
    order = np.argsort(-val)[: 8 * SPLIT_MAX_DISCS]
    centres: list[tuple[int, int, float]] = []
    for y, x, d in zip(pos[order, 0].tolist(), pos[order, 1].tolist(), val[order].tolist(), strict=True):
        if all((y - cy) ** 2 + (x - cx) ** 2 >= cd**2 for cy, cx, cd in centres):
            centres.append((y, x, d))
            if len(centres) == SPLIT_MAX_DISCS:
                break
    if len(centres) < 2:
        return []
    k = len(centres)
    parent = np.arange(k)
    t = np.linspace(0.0, 1.0, 24)
    for i in range(k):
        for j in range(i + 1, k):
            (y0, x0, d0), (y1, x1, d1) = centres[i], centres[j]
            ys = np.round(y0 + t * (y1 - y0)).astype(int)
            xs = np.round(x0 + t * (x1 - x0)).astype(int)
            if depth[ys, xs].min() >= SPLIT_CORE * min(d0, d1):
                parent[_root(parent, j)] = _root(parent, i)
    body_of = np.array([_root(parent, i) for i in range(k)])
    if np.unique(body_of).size < 2:
        return []
    # Power-style distance: to the disc's edge, so pixels side with the disc whose body they are in.
    yy, xx = np.indices(shape.shape, dtype=np.float32)
    best = np.full(shape.shape, np.inf, np.float32)
    cell = np.zeros(shape.shape, np.int64)
    for i, (cy, cx, cd) in enumerate(centres):
        dist = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2) - cd
        closer = dist < best
        best[closer] = dist[closer]
        cell[closer] = body_of[i] + 1
    n_cores = k
    good = np.unique(body_of) + 1
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
    scenery_px, n_lines, corridor = _scenery_lines(lineart)
    labels, n = _bundles(lines & (scenery_px == 0))
    # Leftover bits of a scenery line: bundles lying (almost) entirely in its corridor.
    if n_lines:
        outside = np.asarray(ndimage.mean(~corridor, labels=labels, index=np.arange(n + 1)))
        labels[outside[labels] < 1 - CORRIDOR_SHARE] = 0
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    speck = sizes < SPECK_SHARE * h * w
    speck[0] = False
    labels[speck[labels]] = 0
    labels, n = _relabel(labels, np.arange(n + 1))
    labels, n = _merge_details(labels, n)
    labels, n = _merge_loose(labels, n, diag)
    owner = _owned_regions(lineart, labels, n, scenery_px > 0)
    scenery = _scenery(labels, n, owner, (h, w))
    # Long flat bundles the pixel-level search missed (too wavy) are scenery lines too.
    extra = scenery[labels]
    if extra.any():
        more, n_more = ndimage.label(extra, structure=np.ones((3, 3), bool))
        scenery_px = np.where(extra, more + n_lines, scenery_px)
        n_lines += n_more

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
    road = _road(lineart, scenery_px, n_lines, owner)
    if road is not None:
        proposals.append(road)
    proposals.sort(key=lambda p: -int(p.mask.sum()))
    return proposals
