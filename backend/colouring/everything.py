"""Colour everything: every object on a layer of its own, in its category's palette, plus sky and ground.

The one-click flatting pass an artist wants before touching anything up; each layer has the key an
instruction for that object would give it, so "the car is blue" afterwards replaces just the car.
"""

from __future__ import annotations

import numpy as np

from backend.language.colours import resolve
from backend.understanding import Instance

from .background import background_layer
from .foreground import object_layer
from .layers import Layer
from .palette import EVERYTHING_GROUND, EVERYTHING_SKY, everything_colours


def everything_layers(
    instances: list[Instance], sky: np.ndarray, ground: np.ndarray, horizon: int
) -> list[Layer]:
    """Background first (it goes to the bottom), then objects; objects of no known category are left."""
    layers = []
    for area, name in (("sky", EVERYTHING_SKY), ("ground", EVERYTHING_GROUND)):
        try:
            layers.append(background_layer(sky, ground, horizon, area, resolve(name, background=True), None))
        except LookupError:
            pass  # a close-up with no sky: nothing to fill
    by_category: dict[str, list[int]] = {}
    for i, inst in enumerate(instances):
        if inst.category != "unknown" and inst.crop.any():
            by_category.setdefault(inst.category, []).append(i)
    for category, ids in by_category.items():
        ids.sort(key=lambda i: instances[i].bbox[0] + instances[i].bbox[2] / 2)
        for turn, i in enumerate(ids):
            layer, _ = object_layer(instances, [i], everything_colours(category, turn))
            layers.append(layer)
    return layers
