"""Which instances a Target means, from instance geometry alone.

Referring phrases in scene sketches talk about layout ("the second tree on the left", "the dog in
front of the house"), and the layout is all a sketch reliably has: centroids, boxes and the bottom
edge, which in a drawn scene tells depth (an object standing lower on the page is nearer the viewer).
Every step keeps candidates in best-first order, so "one", "two" and "all" are just how many to take.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from backend.categories import MASS_NOUNS, SKY_OBJECTS
from backend.language import Position, Target
from backend.understanding import Instance, estimate_horizon

# A selection restricts candidates to instances it covers this much (of the instance, or of itself).
SELECTION_COVER = 0.5
# "all the dogs near the tree": within this share of the canvas size of the anchor (or its own size).
NEAR_REACH = 0.2
# "on the left of X": the centre lies left of X's left quarter (this share of X's width).
SIDE_MARGIN = 0.25


@dataclass(frozen=True)
class _Geo:
    """The geometry grounding uses; x1/y1 are exclusive, y1 is the bottom edge (depth)."""

    index: int
    cx: float
    cy: float
    x0: int
    y0: int
    x1: int
    y1: int
    area: int

    @property
    def w(self) -> int:
        return self.x1 - self.x0

    @property
    def h(self) -> int:
        return self.y1 - self.y0


def _geometry(index: int, inst: Instance) -> _Geo | None:
    """Read from the instance's crop: its canvas-size mask would be built for nothing."""
    rows_box, cols_box = inst.box
    oy, ox = rows_box.start, cols_box.start
    crop = inst.crop
    cols = np.count_nonzero(crop, axis=0)
    rows = np.count_nonzero(crop, axis=1)
    area = int(cols.sum())
    if area == 0:
        return None
    xs = np.flatnonzero(cols)
    ys = np.flatnonzero(rows)
    cx = ox + float(cols @ np.arange(cols.size)) / area
    cy = oy + float(rows @ np.arange(rows.size)) / area
    return _Geo(
        index, cx, cy, ox + int(xs[0]), oy + int(ys[0]), ox + int(xs[-1]) + 1, oy + int(ys[-1]) + 1, area
    )


def _covered(inst: Instance, selection: np.ndarray, selected: int) -> bool:
    inside = np.count_nonzero(inst.crop & selection[inst.box])
    return inside >= SELECTION_COVER * np.count_nonzero(inst.crop) or inside >= SELECTION_COVER * selected


def _gaps(c: _Geo, a: _Geo) -> tuple[float, float]:
    """Horizontal and vertical gaps between the boxes (0 when they overlap on that axis)."""
    gx = max(0, a.x0 - c.x1, c.x0 - a.x1)
    gy = max(0, a.y0 - c.y1, c.y0 - a.y1)
    return float(gx), float(gy)


def _distance(c: _Geo, a: _Geo) -> float:
    gx, gy = _gaps(c, a)
    return math.hypot(gx, gy) + 0.01 * math.hypot(c.cx - a.cx, c.cy - a.cy)


def _left_of(c: _Geo, a: _Geo) -> bool:
    """Centre beyond the anchor's left quarter: an object straight in front is not "on the left"."""
    return c.cx < a.x0 + SIDE_MARGIN * a.w


def _right_of(c: _Geo, a: _Geo) -> bool:
    return c.cx > a.x1 - SIDE_MARGIN * a.w


# relation -> does candidate c stand in it to anchor a? (how well is _relation_score)
_Predicate = Callable[[_Geo, _Geo], bool]
_PREDICATES: dict[str, _Predicate] = {
    "left_of": _left_of,
    "right_of": _right_of,
    "in_front_of": lambda c, a: c.y1 > a.y1,
    "behind": lambda c, a: c.y1 < a.y1,
    "under": lambda c, a: c.cy > a.cy,
    "on": lambda c, a: c.cy < a.cy,
    "above": lambda c, a: c.cy < a.cy,
    "near": lambda c, a: True,
    "around": lambda c, a: True,
}


def _relation_score(relation: str, c: _Geo, a: _Geo) -> float:
    """How good an example of the relation c is (lower is better), given that it holds."""
    gx, gy = _gaps(c, a)
    if relation in ("under", "on", "above"):
        return 2.0 * gx + gy  # straight below / on top matters more than how far
    if relation in ("in_front_of", "behind"):
        return 2.0 * gx + gy + 0.05 * abs(c.y1 - a.y1)  # beside it horizontally, then close in depth
    return _distance(c, a)


def _within_reach(relation: str, c: _Geo, a: _Geo, size: tuple[int, int]) -> bool:
    """For plurals ("all the cows in front of the tree"): close enough to count, not just the best."""
    gx, gy = _gaps(c, a)
    if relation in ("in_front_of", "behind"):
        return gx <= max(a.w, c.w)  # overlaps or is near horizontally
    return gx + gy <= max(NEAR_REACH * max(size), a.w, a.h)


def _relate(target: Target, cands: list[_Geo], anchors: list[_Geo], size: tuple[int, int]) -> list[_Geo]:
    relation = target.relation or "near"
    anchor_ids = {a.index for a in anchors}
    cands = [c for c in cands if c.index not in anchor_ids]
    if relation == "among":
        return _among(cands, anchors)
    sides: dict[str | None, _Predicate] = {None: lambda c, a: True, "left": _left_of, "right": _right_of}
    side_ok = sides[target.relation_side]
    test = _PREDICATES[relation]
    scored: list[tuple[float, _Geo]] = []
    for c in cands:
        scores = [_relation_score(relation, c, a) for a in anchors if test(c, a) and side_ok(c, a)]
        if scores:
            scored.append((min(scores), c))
    scored.sort(key=lambda sc: sc[0])
    ordered = [c for _, c in scored]
    if target.quantity == "all" and target.position is None and relation not in ("left_of", "right_of"):
        close = [c for c in ordered if any(_within_reach(relation, c, a, size) for a in anchors)]
        return close or ordered
    return ordered


def _among(cands: list[_Geo], anchors: list[_Geo]) -> list[_Geo]:
    """Inside the box the anchors span (grown by a quarter), nearest its centre first."""
    x0 = min(a.x0 for a in anchors)
    x1 = max(a.x1 for a in anchors)
    y0 = min(a.y0 for a in anchors)
    y1 = max(a.y1 for a in anchors)
    mx, my = 0.25 * (x1 - x0), 0.25 * (y1 - y0)
    ccx, ccy = (x0 + x1) / 2, (y0 + y1) / 2
    inside = [c for c in cands if x0 - mx <= c.cx <= x1 + mx and y0 - my <= c.cy <= y1 + my]
    return sorted(inside, key=lambda c: math.hypot(c.cx - ccx, c.cy - ccy))


def _side_key(side: str, cands: list[_Geo], size: tuple[int, int]) -> Callable[[_Geo], float]:
    """Sort key: lower = more on that side."""
    h, w = size
    if side == "left":
        return lambda g: g.cx
    if side == "right":
        return lambda g: -g.cx
    if side == "top":
        return lambda g: g.cy
    if side == "bottom":
        return lambda g: -g.cy
    if side == "front":
        return lambda g: -g.y1
    if side == "back":
        return lambda g: g.y1
    median = float(np.median([g.cx for g in cands]))
    return lambda g: abs(g.cx - median) + 1e-3 * abs(g.cx - w / 2)


def _order(position: Position, cands: list[_Geo], size: tuple[int, int]) -> list[_Geo]:
    key = _side_key(position.side, cands, size)
    first = sorted(cands, key=key)
    if position.secondary is None or position.secondary == position.side:
        return first
    # "the left back tree": best summed rank on both axes, the main side breaking ties.
    rank1 = {g.index: r for r, g in enumerate(first)}
    second = sorted(cands, key=_side_key(position.secondary, cands, size))
    rank2 = {g.index: r for r, g in enumerate(second)}
    return sorted(cands, key=lambda g: (rank1[g.index] + rank2[g.index], rank1[g.index]))


def _on_side(side: str, cands: list[_Geo], size: tuple[int, int]) -> list[_Geo]:
    """For "all the trees on the left": those in that part of the canvas, or, when none is, in that
    part of the span the candidates cover."""
    h, w = size
    axis: dict[str, tuple[Callable[[_Geo], float], float, float, bool]] = {
        "left": (lambda g: g.cx, 0, w, False),
        "right": (lambda g: g.cx, 0, w, True),
        "top": (lambda g: g.cy, 0, h, False),
        "bottom": (lambda g: g.cy, 0, h, True),
        "middle": (lambda g: g.cx, 0, w, False),
        "front": (lambda g: float(g.y1), 0, h, True),
        "back": (lambda g: float(g.y1), 0, h, False),
    }
    if len(cands) <= 1:
        return cands
    value, lo, hi, upper = axis[side]
    spans = [(lo, hi), (min(map(value, cands)), max(map(value, cands)))]
    if side in ("front", "back"):
        spans = spans[1:]  # depth has no canvas half: compare them with each other
    for a, b in spans:
        if side == "middle":
            part = [g for g in cands if a + (b - a) / 3 <= value(g) <= a + 2 * (b - a) / 3]
        elif upper:
            part = [g for g in cands if value(g) >= (a + b) / 2]
        else:
            part = [g for g in cands if value(g) < (a + b) / 2]
        if part:
            return part
    return []


def _take(target: Target, ordered: list[_Geo], size: tuple[int, int]) -> list[_Geo]:
    position = target.position
    count = target.quantity if isinstance(target.quantity, int) else 1
    if position is not None and position.ordinal is not None:
        start = position.ordinal - 1  # "the second tree on the left"
        return ordered[start : start + count] if 0 <= start < len(ordered) else []
    if target.quantity != "all":
        return ordered[:count]
    if position is not None:
        keep = {g.index for g in _on_side(position.side, ordered, size)}
        return [g for g in ordered if g.index in keep]
    return ordered


def ground(
    target: Target, instances: list[Instance], size: tuple[int, int], mask: np.ndarray | None = None
) -> list[int]:
    """Indices into `instances` the target means, best first; [] when nothing matches.

    size is the canvas (height, width), numpy's shape order. mask, a bool HxW selection, keeps only
    instances it covers mostly. A target without category (a selection fill) grounds to nothing: the
    pipeline fills the selected regions itself.
    """
    if target.category is None:
        return []
    bare = target.position is None and target.relation is None
    if target.category in MASS_NOUNS and target.quantity == "one" and bare:
        # A field of tufts is one thing to a painter: "the grass" is all of it, not the largest tuft.
        target = target.model_copy(update={"quantity": "all"})
    cands = [
        g
        for i, inst in enumerate(instances)
        if inst.category == target.category and (g := _geometry(i, inst)) is not None
    ]
    if mask is not None and mask.any():
        selected = int(np.count_nonzero(mask))
        cands = [g for g in cands if _covered(instances[g.index], mask, selected)]
    if target.in_sky and target.category not in SKY_OBJECTS:
        horizon = estimate_horizon(size, instances)
        cands = [g for g in cands if g.cy < horizon]
    # Most salient first when nothing else orders them ("the car" among several).
    cands.sort(key=lambda g: -g.area)
    if target.relation is not None and target.anchor is not None:
        anchor_ids = ground(target.anchor, instances, size)
        anchors = [g for i in anchor_ids if (g := _geometry(i, instances[i])) is not None]
        if not anchors:
            return []
        cands = _relate(target, cands, anchors, size)
    if target.position is not None and cands:
        cands = _order(target.position, cands, size)
    return [g.index for g in _take(target, cands, size)]
