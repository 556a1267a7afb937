"""The object classifier's view: the same drawing looks the same whatever its size and pen."""

from __future__ import annotations

import cv2
import numpy as np

from backend.understanding.object_view import MARGIN, VIEW_SIDE, object_view


def _ring(size: int, radius: int, width: int) -> tuple[np.ndarray, tuple[slice, slice]]:
    ink = np.zeros((size, size), np.uint8)
    c = size // 2
    cv2.circle(ink, (c, c), radius, 255, width)
    ys, xs = np.nonzero(ink)
    return ink, (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))


def test_view_is_square_and_same_at_every_size() -> None:
    small, box_s = _ring(200, 20, 2)
    big, box_b = _ring(3000, 1300, 3)
    a, b = object_view(small, box_s), object_view(big, box_b)
    assert a.shape == b.shape == (VIEW_SIDE, VIEW_SIDE)
    assert a.dtype == np.float32 and 0 <= a.min() and a.max() <= 1
    # a 3 px line on a 2600 px ring is a faint grey once shrunk: the view makes it a line again
    assert b.max() == 1.0
    sa, sb = a > 0.5, b > 0.5
    near_a = cv2.dilate(sa.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    assert np.count_nonzero(sb & near_a) / np.count_nonzero(sb) > 0.9  # the same ring, in the same place

    def radius(v: np.ndarray) -> float:
        ys, xs = np.nonzero(v)
        return float(np.hypot(ys - (VIEW_SIDE - 1) / 2, xs - (VIEW_SIDE - 1) / 2).mean())

    assert abs(radius(sa) - radius(sb)) < 0.08 * radius(sb)  # the box holds the small ring's thick pen


def test_wide_object_is_centred_on_a_square() -> None:
    ink = np.zeros((100, 400), np.uint8)
    ink[50, 20:380] = 255
    v = object_view(ink, (slice(40, 61), slice(20, 380)))
    rows = np.flatnonzero(v.max(1) > 0.5)
    assert abs(rows.mean() - VIEW_SIDE / 2) < 3  # the line sits in the middle, not at the top
    cols = np.flatnonzero(v.max(0) > 0.5)
    assert cols.min() > 0 and cols.max() < VIEW_SIDE - 1  # a margin of paper on both sides


def test_mask_keeps_only_the_object_and_uint8_equals_float() -> None:
    ink = np.zeros((200, 200), np.uint8)
    cv2.rectangle(ink, (20, 20), (180, 180), 255, 2)
    cv2.line(ink, (30, 100), (170, 100), 255, 2)  # a neighbour's stroke inside the box
    box = (slice(0, 200), slice(0, 200))
    mask = np.zeros((200, 200), bool)
    mask[:, :] = True
    mask[95:106, 25:176] = False
    with_neighbour, alone = object_view(ink, box), object_view(ink, box, mask)
    mid = VIEW_SIDE // 2
    assert with_neighbour[mid - 2 : mid + 3, mid].max() > 0.5 and alone[mid - 2 : mid + 3, mid].max() == 0
    assert np.allclose(object_view(ink.astype(np.float32) / 255, box), with_neighbour)


def test_empty_box_is_blank_paper() -> None:
    v = object_view(np.zeros((50, 50), np.uint8), (slice(10, 20), slice(10, 20)))
    assert v.shape == (VIEW_SIDE, VIEW_SIDE) and not v.any()


def test_a_wider_view_is_the_same_drawing_with_more_pixels() -> None:
    """A classifier trained on 112 px views is shown 112 px views: the same framing, scaled."""
    ink, box = _ring(600, 200, 3)
    narrow, wide = object_view(ink, box), object_view(ink, box, side=112)
    assert wide.shape == (112, 112) and wide.max() == 1.0
    back = cv2.resize(wide, (VIEW_SIDE, VIEW_SIDE), interpolation=cv2.INTER_AREA)
    assert np.abs(back - narrow).mean() < 0.05
    ring = wide > 0.5
    ys, xs = np.nonzero(ring)
    r = np.hypot(ys - 55.5, xs - 55.5).mean()
    assert abs(r - 112 / 2 / (1 + 2 * MARGIN)) < 3  # the ring touches the margin, as at 80 px
