"""Stage 5, colouring: flat fills per part, sky and ground, as cropped result layers.

Imports every stage below it; only `pipeline` and `service` import it.
"""

from .background import background_layer, free_space, split_sky_ground
from .everything import everything_layers
from .foreground import object_layer, selection_layer
from .layers import Layer, paint
from .palette import DEFAULT_PART_COLOURS, part_colours

__all__ = [
    "DEFAULT_PART_COLOURS",
    "Layer",
    "background_layer",
    "everything_layers",
    "free_space",
    "object_layer",
    "paint",
    "part_colours",
    "selection_layer",
    "split_sky_ground",
]
