"""Foreground layers: chosen objects filled part by part, or the line-art regions under a selection."""

from __future__ import annotations

import hashlib

import numpy as np

from backend.categories import main_part
from backend.language import Colour
from backend.lineart import LineArt, regions_under
from backend.understanding import Instance

from .layers import Layer, paint
from .palette import part_colours


def object_layer(
    instances: list[Instance], chosen: list[int], named: dict[str, Colour], key: str | None = None
) -> tuple[Layer, list[str]]:
    """One layer for the chosen instances (one category) -> (layer, notes for the user).

    A note names each part the user asked for that none of the objects shows; raises LookupError
    when nothing at all could be painted. The key defaults to the category and instance indices.
    """
    category = instances[chosen[0]].category
    main = main_part(category)
    colours = part_colours(category, named)
    fills: list[tuple[np.ndarray, tuple[int, int, int]]] = []
    painted: dict[str, str] = {}
    for idx in chosen:
        inst = instances[idx]
        parts = inst.parts  # canvas-size masks, built on access: once per instance
        if main in colours:
            fills.append((inst.mask, colours[main].rgb))
            painted[main] = colours[main].name
        for part, colour in colours.items():
            part_mask = parts.get(part)
            if part != main and part_mask is not None and part_mask.any():
                fills.append((part_mask, colour.rgb))
                painted[part] = colour.name
    if not fills:
        raise LookupError(f"The {category} has no {', '.join(named)} that I can find.")
    notes = []
    if unseen := [p for p in named if p != main and p not in painted]:
        notes.append(f"No {' or '.join(unseen)} found on the {category}, so not coloured.")
    bbox, rgba = paint(fills)
    label = category if len(chosen) == 1 else f"{category} x{len(chosen)}"
    details = [painted.pop(main)] if main in painted else []
    details += [f"{part} {name}" for part, name in painted.items()]
    layer = Layer(
        key=key or f"fg:{category}:{','.join(map(str, chosen))}",
        name=f"{label}: {', '.join(details)}",
        kind="foreground",
        category=category,
        instances=chosen,
        bbox=bbox,
        rgba=rgba,
    )
    return layer, notes


def selection_layer(lineart: LineArt, colour: Colour, mask: np.ndarray | None) -> Layer:
    """The closed regions mostly inside the selection, filled flat: "make it red" with a selection."""
    if mask is None or not mask.any():
        raise LookupError("Select an area first, or name the object to colour (e.g. 'the car is red').")
    chosen = regions_under(lineart, mask)
    area = chosen[lineart.regions]
    if not area.any():
        raise LookupError("The selection does not cover any closed area of the line art.")
    bbox, rgba = paint([(area, colour.rgb)])
    ids = np.flatnonzero(chosen)
    key = "sel:" + hashlib.blake2b(ids.tobytes(), digest_size=6).hexdigest()
    return Layer(key, f"selection: {colour.name}", "foreground", None, [], bbox, rgba)
