"""Sky and ground: which pixels are background and where the sky ends.

A drawn horizon (a line crossing the canvas) splits the background into regions, and then the split
follows the line exactly. Without one, the horizon is estimated from where ground objects stand: the
farthest object's feet mark the line where the ground begins.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from backend.language import Colour
from backend.lineart import LineArt, region_areas
from backend.understanding import Instance, estimate_horizon

from .layers import Layer, paint

# An object owns a region it covers at least this share of; the background does not go there.
OBJECT_COVER = 0.5
# A region must cross this share of the canvas width to count as a band of sky or ground.
SPANNING_SHARE = 0.9


def free_space(lineart: LineArt, instances: list[Instance]) -> np.ndarray:
    """Pixels that may take a background colour: every region no object owns, never an object's inside.

    Enclosed paper counts too (the strip below a road, the gap between touching trees): a region
    no object owns is background, and the sky/ground split decides which. An object the recogniser
    missed is painted over until the artist teaches it; a taught object is an instance and owns its
    regions like any other.
    """
    areas = region_areas(lineart)
    is_bg = np.ones(lineart.n_regions + 1, bool)
    is_bg[0] = False
    # An object blocks the background where it fills its regions (a house cut by the canvas edge).
    # Where it is only a small part of a big open region, it is drawn on the sky or ground and is
    # made of open strokes (a grass tuft): the background goes on under it, or it would sit in a
    # paper-white hole once coloured. Its strokes stay the object's wherever they are.
    blocked = np.zeros(lineart.n_regions + 1, bool)
    strokes = np.zeros(lineart.shape, bool)
    for inst in instances:
        cover = np.bincount(lineart.regions[inst.box][inst.crop], minlength=lineart.n_regions + 1)
        blocked |= cover >= OBJECT_COVER * areas
        strokes[inst.box] |= inst.crop & lineart.lines[inst.box]
    return is_bg[lineart.regions] & ~blocked[lineart.regions] & ~strokes


def split_sky_ground(
    lineart: LineArt, free: np.ndarray, instances: list[Instance]
) -> tuple[np.ndarray, np.ndarray, int]:
    """-> (sky mask, ground mask, horizon row used for the sky gradient)."""
    h, w = lineart.shape
    regions = np.where(free, lineart.regions, 0)
    count = np.bincount(regions.ravel(), minlength=lineart.n_regions + 1)
    ids = np.flatnonzero(count[1:]) + 1
    if ids.size == 0:
        empty = np.zeros((h, w), bool)
        return empty, empty.copy(), int(0.6 * h)
    # Per region: bounding box from scipy's C loop (no per-pixel Python work, no big index arrays).
    boxes = ndimage.find_objects(regions, max_label=lineart.n_regions)
    span = np.zeros(lineart.n_regions + 1)
    mean_row = np.zeros(lineart.n_regions + 1)
    for r in ids:
        ys, xs = boxes[r - 1]
        span[r] = (xs.stop - xs.start) / w
        mean_row[r] = (ys.start + ys.stop) / 2
    spanning = [int(r) for r in ids if span[r] >= SPANNING_SHARE and count[r] >= 0.02 * h * w]
    if len(spanning) >= 2:
        # A drawn horizon: the top band is sky, every band below is ground; other free regions go
        # with whichever side their centre lies on.
        spanning.sort(key=lambda r: mean_row[r])
        sky_id = spanning[0]
        sky_rows = np.flatnonzero((regions == sky_id).any(axis=1))
        horizon = int(sky_rows[-1]) if sky_rows.size else int(0.6 * h)
        is_sky = np.zeros(lineart.n_regions + 1, bool)
        is_sky[sky_id] = True
        others = np.array([r for r in ids if r not in spanning], dtype=np.int64)
        if others.size:
            is_sky[others] = mean_row[others] < horizon
        sky = free & is_sky[regions]
        return sky, free & ~sky, horizon
    horizon = estimate_horizon((h, w), instances)
    above = np.zeros((h, w), bool)
    above[:horizon] = True
    return free & above, free & ~above, horizon


def sky_gradient(colour: tuple[int, int, int], shape: tuple[int, int], horizon: int) -> np.ndarray:
    """HxWx3 uint8: the colour at the top fading toward a lighter tint at the horizon, as skies do."""
    h, w = shape
    t = np.clip(np.arange(h, dtype=np.float32) / max(horizon, 1), 0.0, 1.0)[:, None]
    top = np.asarray(colour, np.float32) * 0.92
    bottom = np.asarray(colour, np.float32) * 0.6 + 255.0 * 0.4
    rows = top[None, :] * (1 - t) + bottom[None, :] * t  # h x 3
    return np.broadcast_to(np.clip(rows + 0.5, 0, 255).astype(np.uint8)[:, None, :], (h, w, 3))


def background_layer(
    sky: np.ndarray, ground: np.ndarray, horizon: int, area: str, colour: Colour, mask: np.ndarray | None
) -> Layer:
    """The sky (with its gradient) or the ground, flat, optionally only inside a selection."""
    region = sky if area == "sky" else ground
    if mask is not None:
        region = region & mask
    if not region.any():
        raise LookupError(f"There is no {area} to colour in this sketch.")
    fill = sky_gradient(colour.rgb, region.shape, horizon) if area == "sky" else colour.rgb
    bbox, rgba = paint([(region, fill)])
    return Layer(f"bg:{area}", f"{area}: {colour.name}", "background", area, [], bbox, rgba)
