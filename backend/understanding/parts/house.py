"""House parts: the roof above the eaves, then the door and windows among the shapes below.

The silhouette finds the eaves (where it stops widening downwards); everything else is judged
region by region below them. The thresholds sit next to the rules that use them.
"""

from __future__ import annotations

import numpy as np

from .regions import Found, Ids, Regions, union

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
