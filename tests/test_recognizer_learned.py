"""The learned recogniser with the committed weights: it must find objects, not just run."""

from __future__ import annotations

import numpy as np
import pytest

from backend.categories import FOREGROUND, PARTS
from backend.lineart import flatten, ink_from_rgba
from backend.understanding.recogniser import LearnedRecognizer
from sketchgen.drawing import Drawing
from sketchgen.objects import DRAWERS
from sketchgen.pen import PenStyle
from sketchgen.render import render
from sketchgen.vocabulary import PART_INDEX

STEADY = PenStyle(width=2.0, width_jitter=0.1, jitter=0.4, gap_prob=0.0, overshoot_prob=0.0)


@pytest.fixture(scope="module")
def recognizer() -> LearnedRecognizer:
    return LearnedRecognizer(device="cpu")


def _place(d: Drawing, box: tuple[float, float, float, float]) -> Drawing:
    x0, y0, x1, y1 = d.bounds()
    k = min((box[2] - box[0]) / (x1 - x0), (box[3] - box[1]) / (y1 - y0))
    return d.transformed(k, box[0] - x0 * k, box[3] - y1 * k)


def _scene(drawings: list[Drawing], size: tuple[int, int] = (600, 800)):
    rng = np.random.default_rng(0)
    r = render(drawings, size, STEADY, rng, PART_INDEX)
    return r, flatten(ink_from_rgba(255 - r.ink))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return np.count_nonzero(a & b) / max(np.count_nonzero(a | b), 1)


def test_blank_paper_has_no_objects(recognizer):
    la = flatten(ink_from_rgba(np.full((300, 500), 255, np.uint8)))
    assert recognizer.recognize(la) == []


def test_finds_and_names_separate_objects_in_a_new_drawing(recognizer):
    """Drawers with a seed training never used (training seeds are below 10**6)."""
    rng = np.random.default_rng(2_000_000)
    wanted = [("sun", (40, 30, 160, 150)), ("car", (420, 420, 760, 560)), ("tree", (80, 200, 330, 560))]
    drawings = [_place(DRAWERS[c](rng), box) for c, box in wanted]
    r, la = _scene(drawings)
    found = recognizer.recognize(la)
    assert all(i.category in (*FOREGROUND, "unknown") for i in found)
    for k, (category, _) in enumerate(wanted, start=1):
        truth = r.instances == k
        best = max((_iou(truth, i.mask) for i in found if i.category == category), default=0.0)
        assert best > 0.5, f"{category}: best IoU {best:.2f}"


def test_parts_are_inside_their_object_and_disjoint(recognizer):
    rng = np.random.default_rng(2_000_001)
    r, la = _scene([_place(DRAWERS["house"](rng), (200, 100, 600, 560))])
    found = recognizer.recognize(la)
    houses = [i for i in found if i.category == "house"]
    assert houses
    h = max(houses, key=lambda i: i.mask.sum())
    assert set(h.parts) <= set(PARTS["house"]) and h.parts
    total = np.zeros(la.shape, np.int32)
    for m in h.parts.values():
        assert not (m & ~h.mask).any()
        total += m
    assert total.max() == 1


def test_a_larger_canvas_costs_the_network_nothing_and_gives_the_same_objects(recognizer):
    """The network sees a fixed size; a 4x larger canvas gives the same objects, scaled."""
    rng = np.random.default_rng(2_000_002)
    d = _place(DRAWERS["cloud"](rng), (100, 100, 500, 300))
    _, la_small = _scene([d])
    _, la_big = _scene([d.transformed(2.0, 0, 0)], (1200, 1600))
    shapes = {recognizer.predict(la.ink)["semantic"].shape for la in (la_small, la_big)}
    assert len(shapes) == 1  # same network input, whatever the canvas
    a, b = recognizer.recognize(la_small), recognizer.recognize(la_big)
    assert len(a) == len(b) == 1 and a[0].category == b[0].category
    shrunk = b[0].mask.reshape(600, 2, 800, 2).any(axis=(1, 3))
    assert _iou(shrunk, a[0].mask) > 0.9
