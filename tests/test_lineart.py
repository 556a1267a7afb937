"""Flatting: real SketchyScene sketches and object sketches, plus synthetic strokes with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from backend.lineart import LineArt, flatten, ink_from_rgba, region_areas, regions_to_mask

SIZE = 120
INSIDE = (60, 60)
OUTSIDE = (5, 5)


# ------------------------------------------------------------------------------------------ helpers


def square_ink(gap: int, thickness: int = 1, scale: int = 1, aa: bool = False) -> np.ndarray:
    """A 60 px square outline whose top side has a `gap` px opening, as float ink at SIZE x SIZE.

    With scale > 1 it is drawn that much larger and area-downsampled, which gives real anti-aliasing.
    """
    s = scale
    canvas = np.zeros((SIZE * s, SIZE * s), np.uint8)
    a, b, t = 30 * s, 90 * s, thickness * s
    cv2.rectangle(canvas, (a, a), (b, b), 255, t, cv2.LINE_AA if aa else cv2.LINE_8)
    if gap > 0:  # cut the top side: exactly `gap` px of paper between the stroke ends, whatever `t`
        start = (60 - gap // 2) * s
        canvas[a - 2 * t : a + 2 * t + 1, start : start + gap * s] = 0
    if s > 1:
        canvas = cv2.resize(canvas, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    return canvas.astype(np.float32) / 255.0


def on_white(ink: np.ndarray, colour: tuple[int, int, int] = (0, 0, 0)) -> np.ndarray:
    """Render ink as `colour` strokes on white paper, HxWx3 uint8 (what a scan looks like)."""
    a = ink[..., None]
    rgb = np.array(colour, np.float32) * a + 255.0 * (1.0 - a)
    return np.round(rgb).astype(np.uint8)


def on_transparent(ink: np.ndarray, colour: tuple[int, int, int] = (0, 0, 0)) -> np.ndarray:
    """Render ink as a transparent Krita layer: colour everywhere, the strokes only in alpha."""
    h, w = ink.shape
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = np.round(ink * 255.0).astype(np.uint8)
    return rgba


def region_at(art: LineArt, yx: tuple[int, int]) -> int:
    return int(art.regions[yx])


def assert_valid(art: LineArt) -> None:
    """Invariants every consumer relies on: full labelling, contiguous ids, consistent outer flags."""
    assert art.regions.dtype == np.int32
    assert art.regions.shape == art.ink.shape == art.lines.shape
    assert art.regions.min() >= 1, "some pixel has no region"
    assert np.array_equal(np.unique(art.regions), np.arange(1, art.n_regions + 1))
    assert art.outer.shape == (art.n_regions + 1,) and not art.outer[0]
    border = np.concatenate([art.regions[0], art.regions[-1], art.regions[:, 0], art.regions[:, -1]])
    assert np.array_equal(np.flatnonzero(art.outer), np.unique(border))


def load_scene(shared: Path, scene: str) -> tuple[LineArt, np.ndarray, dict[str, str]]:
    folder = shared / "sketchyscene-scenes" / scene
    art = flatten(ink_from_rgba(np.asarray(Image.open(folder / "sketch.png"))))
    instances = np.asarray(Image.open(folder / "instances.png"))
    names = json.loads((folder / "instances.json").read_text())["instances"]
    return art, instances, names


def scenes(shared: Path) -> list[str]:
    return sorted(p.parent.name for p in (shared / "sketchyscene-scenes").glob("*/sketch.png"))


# ------------------------------------------------------------------------------------- real sketches


def test_sun_inside_is_its_own_region_in_scene_9996(shared_data: Path) -> None:
    art, instances, names = load_scene(shared_data, "9996")
    assert_valid(art)
    sun = [int(k) for k, v in names.items() if v == "sun"][0]
    ys, xs = np.nonzero(instances == sun)
    sun_region = region_at(art, (int(np.median(ys)), int(np.median(xs))))
    sky_region = region_at(art, (10, 375))
    assert sun_region != sky_region
    assert art.outer[sky_region] and not art.outer[sun_region]
    # the disc, not a sliver: most of the sun's disc area is this one region
    assert region_areas(art)[sun_region] > 3000


def test_every_cloud_is_one_closed_region(shared_data: Path) -> None:
    checked = 0
    for scene in scenes(shared_data):
        art, instances, names = load_scene(shared_data, scene)
        areas = region_areas(art)
        for k, name in names.items():
            if name != "cloud":
                continue
            mask = instances == int(k)
            overlap = np.bincount(art.regions[mask], minlength=art.n_regions + 1)
            best = int(np.argmax(overlap))
            assert overlap[best] >= 0.8 * mask.sum(), f"scene {scene} cloud {k} split or leaked"
            assert overlap[best] >= 0.8 * areas[best], f"scene {scene} cloud {k} leaked into the sky"
            assert not art.outer[best]
            checked += 1
    assert checked >= 15


def test_instance_masks_are_covered_by_few_regions(shared_data: Path) -> None:
    """Colouring an object = colouring the regions that lie mostly inside it; they must cover it."""
    covers, counts = [], []
    for scene in scenes(shared_data):
        art, instances, names = load_scene(shared_data, scene)
        assert_valid(art)
        areas = region_areas(art)
        for k, name in names.items():
            if name in ("grass", "road"):  # open strokes / open to the border: no closed region expected
                continue
            mask = instances == int(k)
            overlap = np.bincount(art.regions[mask], minlength=art.n_regions + 1)
            inside = overlap > 0.5 * areas
            cover = np.sort(overlap[inside])[::-1].cumsum() / mask.sum()
            covers.append(cover[-1] if cover.size else 0.0)
            counts.append(int(np.searchsorted(cover, 0.7)) + 1 if cover.size and cover[-1] >= 0.7 else 999)
    covers_a, counts_a = np.array(covers), np.array(counts)
    assert covers_a.size >= 60
    assert (covers_a >= 0.7).mean() >= 0.9
    assert (counts_a <= 3).mean() >= 0.7
    assert np.median(counts_a) <= 2


def test_car_parts_are_separate_regions(shared_data: Path) -> None:
    art = flatten(ink_from_rgba(np.asarray(Image.open(shared_data / "object-sketches" / "car.png"))))
    assert_valid(art)
    parts = {
        "outside": (5, 5),
        "body": (160, 90),
        "rear window": (120, 95),
        "front window": (130, 126),
        "rear wheel": (172, 53),
        "front wheel": (196, 120),
    }
    ids = {name: region_at(art, yx) for name, yx in parts.items()}
    assert len(set(ids.values())) == len(ids), ids
    assert art.outer[ids["outside"]]
    assert not any(art.outer[ids[p]] for p in parts if p != "outside")


# ----------------------------------------------------------------------------------- gap closing


@pytest.mark.parametrize("thickness", [1, 2, 3])
@pytest.mark.parametrize("gap", [1, 2, 3])
def test_small_gap_does_not_leak(gap: int, thickness: int) -> None:
    ink = square_ink(gap, thickness)
    assert (ink[25:36, 40:80] == 0).all(axis=0).sum() == gap, "the drawing must have exactly that hole"
    art = flatten(ink, gap=3)
    assert_valid(art)
    inside, outside = region_at(art, INSIDE), region_at(art, OUTSIDE)
    assert inside != outside
    assert not art.outer[inside] and art.outer[outside]
    assert art.n_regions == 2


@pytest.mark.parametrize("thickness", [1, 3])
def test_wide_gap_leaks(thickness: int) -> None:
    art = flatten(square_ink(15, thickness), gap=3)
    assert_valid(art)
    assert region_at(art, INSIDE) == region_at(art, OUTSIDE)
    assert art.n_regions == 1


def test_gap_parameter_scales_the_closing() -> None:
    ink = square_ink(9)
    assert region_at(flatten(ink, gap=3), INSIDE) == region_at(flatten(ink, gap=3), OUTSIDE)
    closed = flatten(ink, gap=9)
    assert region_at(closed, INSIDE) != region_at(closed, OUTSIDE)


def test_anti_aliased_lines() -> None:
    ink = square_ink(3, thickness=1, scale=4, aa=True)
    partial = (ink > 0.02) & (ink < 0.98)
    assert partial.sum() > 100, "downsampled drawing should have soft edges"
    art = flatten(ink, gap=3)
    assert_valid(art)
    assert region_at(art, INSIDE) != region_at(art, OUTSIDE)
    assert np.array_equal(art.ink, ink), "partial ink is kept for rendering under the fills"
    leaky = flatten(square_ink(15, thickness=1, scale=4, aa=True), gap=3)
    assert region_at(leaky, INSIDE) == region_at(leaky, OUTSIDE)


def test_tiny_enclosures_merge_into_their_neighbour() -> None:
    ink = square_ink(0, thickness=1)
    cv2.rectangle(ink, (40, 40), (46, 46), 1.0, 1)  # a 5x5 hole: a speck, not a region to colour
    cv2.line(ink, (40, 70), (80, 70), 1.0, 1)  # two strokes 2 px apart: a sliver between them
    cv2.line(ink, (40, 73), (80, 73), 1.0, 1)
    art = flatten(ink, gap=3)
    assert_valid(art)
    assert art.n_regions == 2
    assert region_at(art, (43, 43)) == region_at(art, INSIDE)
    assert region_at(art, (71, 60)) == region_at(art, INSIDE)
    # the speck survives the gap-closing band; it is the minimum area that merges it
    kept = flatten(ink, gap=3, min_area=1)
    assert kept.n_regions == 3 and region_at(kept, (43, 43)) != region_at(kept, INSIDE)


def test_line_pixels_join_an_adjacent_region(shared_data: Path) -> None:
    """Fills reach under the strokes: each line pixel carries the id of a region right next to it."""
    ink = square_ink(2, thickness=3)
    cv2.circle(ink, (60, 60), 12, 1.0, 2)
    for art in (
        flatten(ink, gap=3),
        flatten(ink_from_rgba(np.asarray(Image.open(shared_data / "object-sketches" / "car.png")))),
    ):
        assert_valid(art)
        assert art.lines.any()
        for r in range(1, art.n_regions + 1):
            near = cv2.dilate((~art.lines & (art.regions == r)).view(np.uint8), np.ones((9, 9), np.uint8))
            stray = art.lines & (art.regions == r) & (near == 0)
            assert not stray.any(), f"line pixels of region {r} far from any free pixel of it"
    art = flatten(ink, gap=3)
    ring, inside_ring = region_at(art, (60, 60 + 12)), region_at(art, (60, 60))
    assert ring in (inside_ring, region_at(art, (60, 60 + 20)))


# ---------------------------------------------------------------------------------------- ink sources


def test_transparent_layer_gives_the_same_regions_as_lines_on_white() -> None:
    drawing = square_ink(3, thickness=1, scale=4, aa=True)
    cv2.circle(drawing, (60, 60), 10, 1.0, 1, cv2.LINE_AA)
    reference = flatten(ink_from_rgba(on_white(drawing)))
    assert reference.n_regions == 3
    for colour in [(0, 0, 0), (220, 30, 30), (255, 255, 255)]:  # black, red and even white strokes
        ink = ink_from_rgba(on_transparent(drawing, colour))
        np.testing.assert_allclose(ink, drawing, atol=1 / 255)
        assert np.array_equal(flatten(ink).regions, reference.regions), colour


@pytest.mark.parametrize("colour", [(0, 0, 255), (30, 160, 40), (255, 230, 0), (200, 0, 0)])
def test_coloured_lines_on_white(colour: tuple[int, int, int]) -> None:
    drawing = square_ink(3, thickness=2)
    ink = ink_from_rgba(on_white(drawing, colour))
    assert ink[drawing == 1].min() > 0.9 and ink[drawing == 0].max() < 0.1
    assert np.array_equal(flatten(ink).regions, flatten(drawing).regions)


def test_grey_paper_and_pencil_lines_normalise() -> None:
    """A dull scan: grey-beige paper with noise and mid-grey pencil still gives full lines, clean paper."""
    drawing = square_ink(3, thickness=2)
    rng = np.random.default_rng(0)
    paper = np.array([205, 200, 185], np.float32)
    pencil = np.array([110, 108, 100], np.float32)
    rgb = paper * (1 - drawing[..., None]) + pencil * drawing[..., None]
    rgb = np.clip(rgb + rng.normal(0, 4, rgb.shape), 0, 255).astype(np.uint8)
    ink = ink_from_rgba(rgb)
    assert np.median(ink[drawing == 1]) > 0.9
    assert np.percentile(ink[drawing == 0], 99) < 0.2
    assert np.array_equal(flatten(ink).regions, flatten(drawing).regions)


def test_layouts_agree_and_blank_paper_has_no_ink() -> None:
    drawing = square_ink(3)
    grey = on_white(drawing)[..., 0]
    opaque = np.dstack([on_white(drawing), np.full(grey.shape, 255, np.uint8)])
    for img in (grey, grey[..., None], on_white(drawing), opaque):
        np.testing.assert_allclose(ink_from_rgba(img), drawing, atol=1 / 255)
    blank = ink_from_rgba(np.full((64, 64), 250, np.uint8))
    assert blank.dtype == np.float32 and blank.max() == 0.0
    art = flatten(blank)
    assert art.n_regions == 1 and art.outer[1]
    with pytest.raises(TypeError):
        ink_from_rgba(np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError):
        ink_from_rgba(np.zeros((4, 4, 2), np.uint8))


def test_paper_with_transparent_margins_reads_darkness_not_alpha() -> None:
    drawing = square_ink(3, thickness=2)
    rgba = np.dstack([on_white(drawing), np.full(drawing.shape, 255, np.uint8)])
    rgba[:, :20, 3] = 0  # part of the canvas outside the paper
    ink = ink_from_rgba(rgba)
    assert ink[:, :20].max() == 0.0
    assert np.array_equal(flatten(ink).regions, flatten(drawing).regions)


# ------------------------------------------------------------------------------------------- helpers


def test_region_areas_and_masks() -> None:
    ink = square_ink(0, thickness=1)
    cv2.line(ink, (60, 30), (60, 90), 1.0, 1)  # split the square into two halves
    art = flatten(ink)
    assert_valid(art)
    areas = region_areas(art)
    assert areas.shape == (art.n_regions + 1,) and areas[0] == 0
    assert areas.sum() == SIZE * SIZE
    left, right, out = region_at(art, (60, 45)), region_at(art, (60, 75)), region_at(art, OUTSIDE)
    assert len({left, right, out}) == 3 == art.n_regions
    both = regions_to_mask(art, [left, right])
    assert both.dtype == bool and both.sum() == areas[left] + areas[right]
    assert np.array_equal(regions_to_mask(art, np.array([out])), art.regions == out)
    assert not regions_to_mask(art, []).any()
    assert not regions_to_mask(art, [0, art.n_regions + 5]).any()
