"""Closing an outline's gaps: an arc whose ends are up to twice the radius apart encloses its inside."""

from __future__ import annotations

import cv2
import numpy as np

from backend.understanding.enclosure import enclosed


def _open_circle(gap_degrees: float) -> np.ndarray:
    ink = np.zeros((200, 200), np.uint8)
    cv2.ellipse(ink, (100, 100), (70, 70), 0, 90 + gap_degrees / 2, 450 - gap_degrees / 2, 1, 2)
    return ink > 0


def test_a_gap_up_to_twice_the_radius_is_bridged_and_the_inside_filled() -> None:
    arc = _open_circle(30)  # ends 2 * 70 * sin(15 deg) = 36 px apart
    assert enclosed(arc, 20)[100, 100], "bridged: 36 <= 40"
    assert not enclosed(arc, 12)[100, 100], "left open: 36 > 24"
    assert not enclosed(arc, 20)[5, 5], "nothing outside the outline"
