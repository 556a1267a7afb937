"""The product's recogniser (scene model + object classifier, committed weights) on real drawings it
never trained on: single object sketches at a small size and filling the page, and a plain scene
whose open sky must stay sky."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from backend.lineart import flatten, ink_from_rgba
from backend.understanding import default_recognizer


def _page(data: Path, name: str, side: int, canvas: int = 768) -> np.ndarray:
    """The object sketch scaled to `side` px, centred on a white canvas."""
    sketch = np.asarray(Image.open(data / "object-sketches" / f"{name}.png").convert("L"))
    big = cv2.resize(sketch, (side, side), interpolation=cv2.INTER_LINEAR)
    page = np.full((canvas, canvas), 255, np.uint8)
    o = (canvas - side) // 2
    page[o : o + side, o : o + side] = big
    return page


def _drawn_area(page: np.ndarray) -> np.ndarray:
    """What the drawing covers: its strokes with the outlines' insides filled."""
    ink = cv2.morphologyEx((page < 128).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    return ndimage.binary_fill_holes(ink)


@pytest.mark.parametrize("name", ["car", "house"])
@pytest.mark.parametrize("side", [300, 740])
def test_a_single_drawing_is_found_small_and_filling_the_page(
    shared_data: Path, name: str, side: int
) -> None:
    page = _page(shared_data, name, side)
    found = default_recognizer().recognize(flatten(ink_from_rgba(np.dstack([page] * 3))))
    assert found, "nothing found"
    biggest = max(found, key=lambda i: np.count_nonzero(i.crop))
    assert biggest.category == name
    drawn = _drawn_area(page)
    iou = np.count_nonzero(biggest.mask & drawn) / np.count_nonzero(biggest.mask | drawn)
    assert iou > 0.5


def _tufts_found(data: Path, scene: str) -> list[bool]:
    """For each labelled grass tuft of a real scene: whether a recognised grass object matches it at
    IoU >= 0.5."""
    from evaluation.truth import iou, load_truth

    folder = data / "sketchyscene-scenes" / scene
    rgba = np.asarray(Image.open(folder / "sketch.png").convert("RGBA"))
    found = [i for i in default_recognizer().recognize(flatten(ink_from_rgba(rgba))) if i.category == "grass"]
    tufts = [m for category, m in load_truth(folder) if category == "grass"]
    return [max((iou(m, i.mask) for i in found), default=0.0) >= 0.5 for m in tufts]


@pytest.mark.parametrize("scene", ["9946", "999168"])
def test_grass_tufts_are_their_blades_not_a_halo(shared_data: Path, scene: str) -> None:
    """SketchyScene labels a tuft by its blades and the paper inside them: most tufts of these real
    scenes are found at IoU >= 0.5 (a band of paper around the blades reached that for 1 of 9)."""
    hits = _tufts_found(shared_data, scene)
    assert sum(hits) >= 0.6 * len(hits), hits


def test_tufts_drawn_over_another_objects_region_are_found(shared_data: Path) -> None:
    """Scene 99359's tufts grow out of the ground strip and the road, closed regions the scene model
    calls ground-level objects: the tufts were owned by those regions (0 of 7 found); the grass the
    network sees there is now cut out as the blades and the paper between them."""
    hits = _tufts_found(shared_data, "99359")
    assert sum(hits) >= 2, hits
