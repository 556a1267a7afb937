"""Tree parts: the trunk (narrow regions under the crown, reaching the bottom); the rest is leaves.

The smallest rule set, kept on its own like the others so that its thresholds are tuned in one place.
"""

from __future__ import annotations

import numpy as np

from .regions import Found, Ids, Regions, union

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
