"""Car, bus and truck parts: wheels, windows and (trucks) the carriage; the rest is the body.

One rule set for the three, because they are drawn alike: a body panel with wheels along its bottom
and windows in its upper half. The thresholds sit next to the rules that use them.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .regions import Found, Geom, Ids, Regions, union

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


# A region the scene model calls a window but that holds other regions (filling its holes makes it
# this much bigger) is the body panel around the windows, not a pane: on a school bus the band that
# frames the row of windows came out as "windows", and "the bus is yellow" painted it light blue.
FRAME_FILL = 1.3


def frames_to_body(crops: dict[str, np.ndarray], regions: np.ndarray) -> dict[str, np.ndarray]:
    """Part masks (of one box) with every window region that frames other regions moved to the body.

    `regions` is the line-art region ids inside the same box.
    """
    windows, body = crops.get("windows"), crops.get("body")
    if windows is None or body is None or not windows.any():
        return crops
    frames = np.zeros_like(windows)
    for rid in np.unique(regions[windows]):
        own = windows & (regions == rid)
        if np.count_nonzero(ndimage.binary_fill_holes(own)) > FRAME_FILL * np.count_nonzero(own):
            frames |= own
    if not frames.any():
        return crops
    return {**crops, "windows": windows & ~frames, "body": body | frames}
