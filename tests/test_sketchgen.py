"""The scene generator: drawers, occlusion, labels and the held-out split."""

from __future__ import annotations

import numpy as np
import pytest

from backend.categories import FOREGROUND, PARTS
from backend.understanding.network import OFFSET_UNIT, STRIDE
from sketchgen.doodles import load as load_doodles
from sketchgen.drawing import Drawing, Piece
from sketchgen.objects import DRAWERS
from sketchgen.pen import PenStyle
from sketchgen.render import render
from sketchgen.scene import HELD_OUT_SEED_BASE, IGNORE, Composer
from sketchgen.shapes import rect
from sketchgen.targets import sample
from sketchgen.vocabulary import CLASS_INDEX, PART_INDEX, QUICKDRAW_TO_CLASS

STEADY = PenStyle(width=2.0, width_jitter=0.0, jitter=0.0, gap_prob=0.0, overshoot_prob=0.0)


@pytest.fixture(scope="module")
def doodles(shared_data):
    return load_doodles(shared_data / "quickdraw")


def test_every_category_but_road_has_a_drawer():
    assert set(FOREGROUND) - {"road"} <= set(DRAWERS)


@pytest.mark.parametrize("category", sorted(DRAWERS))
def test_drawers_use_their_categorys_part_names_and_vary(category):
    rng = np.random.default_rng(1)
    drawings = [DRAWERS[category](rng) for _ in range(8)]
    allowed = set(PARTS.get(category, ())) | {""}
    for d in drawings:
        assert d.category == category
        assert {p.part for p in d.pieces} <= allowed
        assert any(p.fill for p in d.pieces), "an object needs a filled silhouette"
        assert np.isfinite(d.bounds()).all()
    sizes = {tuple(np.round(np.ptp(np.concatenate([p.polygon for p in d.pieces]), 0), 3)) for d in drawings}
    assert len(sizes) > 1, "eight drawings with the same proportions: no variety"
    x0, y0, x1, y1 = drawings[0].bounds()
    k = 90 / max(x1 - x0, y1 - y0)
    placed = drawings[0].transformed(k, 19 - x0 * k, 19 - y0 * k)
    rendered = render([placed], (128, 128), STEADY, rng, PART_INDEX)
    assert (rendered.instances == 1).sum() > 200
    if PARTS.get(category):  # at least the main part is drawn and labelled
        assert (rendered.parts == PART_INDEX[PARTS[category][0]]).any()


def test_front_object_hides_the_strokes_behind_it():
    back = Drawing("house", [Piece("walls", rect(10, 10, 60, 60))])
    front = Drawing("car", [Piece("body", rect(40, 40, 90, 90))])
    r = render([back, front], (100, 100), STEADY, np.random.default_rng(0), PART_INDEX)
    # The back square's edges inside the front square are gone; the front square owns those pixels.
    assert r.ink[50:58, 58:62].max() < 40
    assert (r.instances[45:85, 45:85] == 2).all()
    assert (r.instances[15:35, 15:35] == 1).all()
    assert (r.parts[45:85, 45:85] == PART_INDEX["body"]).all()
    assert r.ink[10, 20:30].min() > 150, "the outline is drawn"


def test_held_out_doodles_never_reach_training(doodles):
    train, held = doodles
    assert len(held) == 5 * len(QUICKDRAW_TO_CLASS)
    assert not {d.key_id for d in train} & {d.key_id for d in held}


def test_generated_scene_labels_agree(doodles):
    train, _ = doodles
    sc = Composer(train).scene(3)
    assert sc.ink.shape == sc.semantic.shape == sc.instances.shape == (512, 512)
    ids = np.unique(sc.instances)
    assert list(ids) == list(range(len(sc.categories) + 1))
    for k, cat in enumerate(sc.categories, start=1):
        sem = np.unique(sc.semantic[sc.instances == k])
        assert list(sem) == [CLASS_INDEX[cat]]
    assert set(np.unique(sc.semantic[sc.instances == 0])) <= {0, IGNORE}


def test_same_seed_same_scene_and_held_out_seeds_differ(doodles):
    train, _ = doodles
    c = Composer(train)
    assert np.array_equal(c.scene(11).ink, c.scene(11).ink)
    assert not np.array_equal(c.scene(11).ink, c.scene(HELD_OUT_SEED_BASE + 11).ink)


def test_training_points_mostly_on_strokes_and_labels_match_the_scene(doodles):
    train, _ = doodles
    sc = Composer(train).scene(5)
    s = sample(sc, np.random.default_rng(0), 384, stride=STRIDE, offset_unit=OFFSET_UNIT)
    assert s.ink.shape == (1, 384, 384)
    xs, ys = s.points[:, 0].astype(int), s.points[:, 1].astype(int)
    on_ink = s.ink[0, ys, xs] > 64 / 255
    assert on_ink.mean() > 0.4
    assert s.centre.max() > 0.9 or s.on_object.sum() == 0
