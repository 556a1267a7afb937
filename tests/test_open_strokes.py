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
