"""Objects the artist points at: the line-art regions under a selection, taken as one object.

A selection is rough (a box or lasso a little larger than the object), so a region counts when most
of it lies inside (lineart.regions_under, the same rule as a plain selection fill); the big paper
region around the object has only a sliver inside and stays out.
Such an object gets its parts the way a recognised one without learned parts does: by geometry.
"""

from __future__ import annotations

import numpy as np

from backend.categories import PARTS
from backend.lineart import LineArt, regions_under

from .instance import Instance
from .parts import label_parts


def object_from_selection(lineart: LineArt, mask: np.ndarray, category: str, source: str) -> Instance | None:
    """The selected regions as an object of `category` (any name), with parts where it has them."""
    area = regions_under(lineart, mask)[lineart.regions]
    if not area.any():
        return None
    inst = Instance(category, area, 1.0)
    inst.source = source
    if category in PARTS:
        inst.parts = label_parts(inst, lineart)
        inst.parts_source = "geometry" if inst.part_names else "none"
    return inst
