"""The pipeline's colouring, isolated from recognition: a stand-in recogniser returns the scene's
labelled instances (tests only; the product never reads the shared masks)."""

from __future__ import annotations

import numpy as np
import pytest

from backend.language import parse_instruction
from backend.lineart import LineArt
from backend.pipeline import Colorizer
from backend.service.images import decode_rgba
from backend.understanding import Instance
from evaluation.truth import TruthRecognizer


@pytest.fixture(scope="module")
def bus_scene(shared_data):
    folder = shared_data / "sketchyscene-scenes" / "9996"
    rgba = decode_rgba((folder / "sketch.png").read_bytes())
    rec = TruthRecognizer(folder)
    return rgba, rec.truth, Colorizer(rec)


def colour_counts(layer, shape, where):
    full = layer.full(shape)
    pixels = full[where & (full[..., 3] > 0)][:, :3]
    values, counts = np.unique(pixels, axis=0, return_counts=True)
    return {tuple(int(c) for c in v): int(n) for v, n in zip(values, counts, strict=True)}


def test_parts_get_their_own_colours(bus_scene):
    rgba, truth, colorizer = bus_scene
    step = colorizer.apply(rgba, parse_instruction("the bus is yellow with black windows"))
    assert step.status == "ok", step.message
    (layer,) = step.layers
    assert layer.key == "fg:bus:9" and layer.name.startswith("bus: yellow") and "windows black" in layer.name
    counts = colour_counts(layer, truth.shape, truth == 10)
    assert (0, 0, 0) in counts, "windows must be black"
    body = max(counts, key=counts.get)
    assert body[0] > 200 and body[1] > 200 and body[2] < 80  # yellow dominates


def test_clauses_make_layers_and_recolouring_keeps_the_key(bus_scene):
    rgba, truth, colorizer = bus_scene
    step = colorizer.apply(rgba, parse_instruction("the sun is orange and the clouds are light blue"))
    assert [la.category for la in step.layers] == ["sun", "cloud"]
    cloud_layer = step.layers[1]
    assert cloud_layer.instances == [5, 6, 7, 8]
    again = colorizer.apply(rgba, parse_instruction("the sun is red"))
    assert [la.key for la in again.layers] == [step.layers[0].key], "the client replaces its layer by key"
    assert again.layers[0].name == "sun: red"


def test_background_never_covers_objects(bus_scene):
    rgba, truth, colorizer = bus_scene
    step = colorizer.apply(rgba, parse_instruction("the sky is blue and the ground is green"))
    sky, ground = (la.full(truth.shape)[..., 3] > 0 for la in step.layers)
    lineart = colorizer.analyse(rgba).lineart
    open_space = np.isin(lineart.regions, np.flatnonzero(lineart.areas > 0.05 * truth.size))
    for k in (1, 10, 18):  # sun, bus, rabbit: their strokes and closed areas stay free of background
        body = (truth == k) & (lineart.lines | ~open_space)
        assert (sky | ground)[body].mean() < 0.02
        # ...but the sky comes right up to them: the labelled mask's margin of paper is coloured.
        margin = (truth == k) & ~lineart.lines & open_space
        assert (sky | ground)[margin].mean() > 0.9
    assert sky.sum() > 100_000 and ground.sum() > 20_000


def test_no_match_and_partial_match(bus_scene):
    rgba, _, colorizer = bus_scene
    miss = colorizer.apply(rgba, parse_instruction("the horse is brown"))
    seen = "I see: 4 trees, 4 clouds, 4 grass tufts, 2 birds, a sun, a bus, a chicken, a rabbit."
    assert (
        miss.status == "no_match"
        and miss.message == f"No horse found. {seen} Select the horse and say it again."
    )
    partial = colorizer.apply(rgba, parse_instruction("the sun is red and the horse is brown"))
    assert partial.status == "ok" and "No horse" in partial.message


def test_selection_restricts_targets(bus_scene):
    rgba, truth, colorizer = bus_scene
    mask = np.zeros(truth.shape, bool)
    mask[:, 375:] = True  # the right half: only the right bird
    step = colorizer.apply(rgba, parse_instruction("the birds are red"), mask)
    assert step.status == "ok" and step.layers[0].instances == [15]


class CountingRecognizer:
    """One instance covering the left half; counts how often it is asked."""

    name = "counting"
    version = "test"

    def __init__(self) -> None:
        self.calls = 0

    def recognize(self, lineart: LineArt) -> list[Instance]:
        self.calls += 1
        mask = np.zeros(lineart.shape, bool)
        mask[:, : lineart.shape[1] // 2] = True
        return [Instance("car", mask, 1.0)]


def _sketch(seed: int, side: int) -> np.ndarray:
    rgba = np.full((side, side, 4), 255, np.uint8)
    rgba[seed % side, :, :3] = 0  # one line, placed by the seed: a different image per seed
    return rgba


def test_analysis_is_reused_and_the_cache_is_bounded_in_bytes():
    rec = CountingRecognizer()
    one = Colorizer(rec).analyse(_sketch(0, 256)).nbytes
    colorizer = Colorizer(rec, cache_size=100, cache_bytes=3 * one)
    rec.calls = 0
    for seed in range(6):
        colorizer.analyse(_sketch(seed, 256))
    assert rec.calls == 6
    colorizer.analyse(_sketch(5, 256))  # the newest is cached
    assert rec.calls == 6
    assert len(colorizer._cache) == 3  # the byte budget, not the count, decided
    colorizer.analyse(_sketch(0, 256))  # the oldest was evicted
    assert rec.calls == 7


def test_instances_are_stored_cropped():
    mask = np.zeros((2000, 3000), bool)
    mask[100:200, 2500:2600] = True
    part = np.zeros_like(mask)
    part[150:200, 2500:2600] = True
    inst = Instance("car", mask, 1.0, {"body": part})
    assert inst.nbytes == 2 * 100 * 100
    assert inst.bbox == (2500, 100, 100, 100)
    assert (inst.mask == mask).all() and (inst.parts["body"] == part).all()


class BodyOnlyCar:
    """A car whose only known part is its body: a named part it lacks must be reported, not dropped."""

    name = "body-only"
    version = "test"

    def recognize(self, lineart: LineArt) -> list[Instance]:
        mask = np.zeros(lineart.shape, bool)
        mask[20:60, 20:100] = True
        return [Instance("car", mask, 1.0, {"body": mask})]


def test_a_named_part_that_is_not_found_is_reported():
    step = Colorizer(BodyOnlyCar()).apply(
        _sketch(3, 128), parse_instruction("the car is red with black windows")
    )
    assert step.status == "ok"
    assert "No windows found on the car" in step.message
    plain = Colorizer(BodyOnlyCar()).apply(_sketch(3, 128), parse_instruction("the car is red"))
    assert "found" not in plain.message  # default part colours are not the user's words


def test_parts_record_where_they_came_from(bus_scene):
    """The labelled instances carry no parts, so the bus's parts come from region geometry."""
    rgba, _, colorizer = bus_scene
    bus = next(inst for inst in colorizer.analyse(rgba).instances if inst.category == "bus")
    assert bus.parts_source == "geometry" and "windows" in bus.part_names
    assert BodyOnlyCar().recognize(colorizer.analyse(rgba).lineart)[0].parts_source == "network"
