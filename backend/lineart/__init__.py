"""Stage 2, line art: ink from the pixels and the closed regions the lines make (flatting).

Bottom of the import order with `language`: it imports no other stage.
"""

from .flatting import LineArt, flatten, ink_from_rgba, region_areas, regions_to_mask, regions_under
from .masks import mask_bbox

__all__ = [
    "LineArt",
    "flatten",
    "ink_from_rgba",
    "mask_bbox",
    "region_areas",
    "regions_to_mask",
    "regions_under",
]
