"""Object parts from the geometry of the regions inside an instance (no learned model yet).

"The car is red with black windows" needs the car's windows as pixels. A sketch already splits an
object into closed regions (a window is drawn as its own closed shape), so a part is a set of whole
regions, chosen by where a region sits in the object and what shape it has. Every rule is a guess
that can be wrong; when a rule is unsure it finds nothing, and the object keeps only its main part,
which paints the whole object: one colour everywhere is a smaller mistake than a wrong split.

This module picks the category's rule set and turns the regions it found into disjoint part masks.
The learned part model of a later version replaces this package behind the same `label_parts`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backend.categories import PARTS, main_part
from backend.lineart import LineArt

from ..instance import Instance
from .house import house_parts
from .person import person_parts
from .regions import Found, Regions
from .sun import sun_parts
from .tree import tree_parts
from .vehicle import vehicle_parts
from .winged import bird_parts, butterfly_parts, chicken_parts

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
