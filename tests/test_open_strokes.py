"""Open-stroke objects (grass tufts) are their strokes and the paper between them, not a halo."""

from __future__ import annotations

import cv2
import numpy as np

from backend.understanding.open_strokes import close_radius, enclosed_by_strokes


def _strokes(polylines: list[list[tuple[int, int]]], side: int = 200) -> np.ndarray:
    canvas = np.zeros((side, side), np.uint8)
    for line in polylines:
        cv2.polylines(canvas, [np.array(line, np.int32)], False, 1, 2)
    return canvas > 0


def test_a_tuft_of_blades_is_filled_between_its_blades_and_ends_at_their_tips() -> None:
    # Five blades rising from one base line, 8 px apart at the foot: closed shapes once gaps close.
    blades = [[(60 + 8 * k, 150), (50 + 20 * k, 80), (68 + 8 * k, 150)] for k in range(5)]
    strokes = _strokes([*blades, [(55, 150), (110, 150)]])
    shape = enclosed_by_strokes(strokes, radius=4)
    assert shape is not None
    assert shape[120, 85], "paper between the blades is taken"
    assert not shape[60:75].any(), "nothing above the blade tips (y = 80)"
    assert not shape[:, :40].any() and not shape[160:].any(), "no halo beside or below the tuft"
    assert np.all(shape[strokes]), "every stroke pixel belongs to it"


def test_strokes_holding_no_paper_give_none_so_the_caller_keeps_a_band() -> None:
    assert enclosed_by_strokes(_strokes([[(40, 60), (100, 120), (160, 60)]]), radius=4) is None
    assert enclosed_by_strokes(np.zeros((50, 50), bool), radius=4) is None


def test_the_closing_follows_the_canvas_size() -> None:
    assert close_radius((750, 750)) == 4 and close_radius((4096, 3000)) == 25 and close_radius((64, 64)) == 2


# ------------------------------------------------- decoding: a tuft drawn over another object's region


def _band_with(extra: list[list[tuple[int, int]]]):
    """A 256 px canvas with a road band (two full-width lines, y = 100 and 200) and `extra` strokes."""
    from backend.lineart import flatten, ink_from_rgba

    paper = np.full((256, 256), 255, np.uint8)
    for line in [[(0, 100), (255, 100)], [(0, 200), (255, 200)], *extra]:
        cv2.polylines(paper, [np.array(line, np.int32)], False, 0, 2)
    return flatten(ink_from_rgba(paper))


def _band(like: np.ndarray) -> np.ndarray:
    """The road band's inside (between its two lines), as a mask of `like`'s shape."""
    band = np.zeros_like(like, bool)
    band[102:199] = True
    return band


def _decoded(lineart, blob: tuple[slice, slice]):
    """The recogniser's decoding of made-up network outputs: the band is road, pointing at a centre
    at (40, 150); inside `blob` the network says grass and points at another centre, (136, 168)."""
    from backend.understanding.recogniser import LearnedRecognizer

    rec = LearnedRecognizer(device="cpu")
    n, side = len(rec.classes), 256
    sem = np.zeros((n, side, side), np.float32)
    sem[0] = 1.0
    sem[:, 101:200] = 0.0
    sem[rec.classes.index("road"), 101:200] = 0.9
    sem[0, 101:200] = 0.1
    sem[:, blob[0], blob[1]] = 0.0
    sem[rec.classes.index("grass"), blob[0], blob[1]] = 0.8
    sem[0, blob[0], blob[1]] = 0.2
    heat = np.zeros((side // 4, side // 4), np.float32)
    heat[37, 9] = heat[41, 33] = 1.0  # peaks at (9 * 4 + 1.5, 37 * 4 + 1.5) and (33 * 4 + 1.5, ...)
    centre_of = np.empty((2, side, side), np.float32)
    centre_of[0], centre_of[1] = 37.5, 149.5
    centre_of[0][blob], centre_of[1][blob] = 133.5, 165.5
    parts = np.zeros((len(rec.parts), side, side), np.float32)
    parts[0] = 1.0
    rec.predict = lambda ink: {"semantic": sem, "parts": parts, "centre_map": heat, "centre_of": centre_of}
    return {i.category: i.mask for i in rec.recognize(lineart)}


def test_a_tuft_over_the_road_is_cut_out_of_it_as_its_blades_and_nothing_is_lost() -> None:
    blades = [[(112 + 8 * k, 199), (104 + 10 * k, 160), (120 + 8 * k, 199)] for k in range(4)]
    lineart = _band_with(blades)
    found = _decoded(lineart, (slice(150, 200), slice(96, 160)))
    assert set(found) == {"road", "grass"}
    grass, road = found["grass"], found["road"]
    assert grass[185, 125] and not road[185, 125], "the paper between the blades is the tuft's"
    assert not grass[:150].any(), "nothing of the tuft above its blade tips"
    assert not (grass & road).any()
    band = _band(road)
    assert np.count_nonzero(band & ~(grass | road)) == 0, "every pixel of the band still has an owner"
    assert road[120, 10] and road[190, 240]


def test_where_strokes_hold_no_paper_the_road_keeps_its_region() -> None:
    # One lone stroke inside the band: the network's grass there cannot be cut out as a tuft.
    lineart = _band_with([[(128, 199), (128, 165)]])
    found = _decoded(lineart, (slice(150, 200), slice(96, 160)))
    road = found["road"]
    band = _band(road)
    assert np.count_nonzero(band & ~road) == 0
    assert "grass" not in found or not (found["grass"] & band).any()
