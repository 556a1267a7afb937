"""Colour clip art turned into line art for training (sketchgen/emoji_lineart.py)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from sketchgen.emoji_lineart import boundaries, lineart_clip


def _rgba(h: int = 120, w: int = 160) -> np.ndarray:
    return np.zeros((h, w, 4), np.uint8)


def test_white_shape_on_white_paper_is_outlined_by_its_opacity() -> None:
    img = _rgba()
    cv2.circle(img, (80, 60), 40, (255, 255, 255, 255), -1)
    edge = boundaries(img)
    ring = cv2.circle(np.zeros(edge.shape, np.uint8), (80, 60), 40, 1, 1).astype(bool)
    assert edge[ring].mean() > 0.9  # the outline is found all round
    ys, xs = np.nonzero(edge)
    assert np.all(np.abs(np.hypot(ys - 60, xs - 80) - 40) < 3)  # and only there
    assert not edge[50:70, 70:90].any()  # and nothing inside the flat white region
    assert not edge[:5].any()  # nor on the paper


def test_regions_meeting_make_a_line_and_a_gradient_does_not() -> None:
    img = _rgba()
    img[..., 3] = 255
    img[:, :, 0] = np.linspace(0, 255, img.shape[1]).astype(np.uint8)[None]  # a smooth ramp
    img[:, :, 1] = 120
    assert not boundaries(img)[2:-2, 2:-2].any()
    img[40:80, 60:100, :3] = (20, 200, 20)  # a green patch on the ramp
    edge = boundaries(img)
    assert edge[40, 70:90].all() and edge[50:70, 60].all()
    assert not edge[50:70, 70:90].any()


def test_clip_is_cropped_to_the_object_with_its_lines_inside_its_mask() -> None:
    img = _rgba(200, 200)
    cv2.rectangle(img, (50, 60), (150, 140), (200, 40, 40, 255), -1)  # a red body
    cv2.circle(img, (100, 100), 15, (30, 30, 200, 255), -1)  # a blue eye inside it
    clip = lineart_clip(img, "test/1", "pig")
    assert clip is not None and clip.category == "pig"
    assert clip.mask.shape == (81, 101) and clip.mask.all()  # the box of the body, holes filled
    thin, thick = clip.inks
    assert thin.shape == clip.mask.shape and (thick >= thin).all() and thick.sum() > thin.sum()
    assert thin[40, 25:35].any()  # the eye's outline is a line
    assert not thin[10:30, 10:30].any()  # the flat body holds none
    assert lineart_clip(_rgba(), "test/2", "pig") is None  # an empty render is no drawing


def test_a_clip_alone_on_a_canvas_is_one_object_of_its_category_with_its_lines() -> None:
    from sketchgen.real_drawings import alone

    img = _rgba(200, 200)
    cv2.ellipse(img, (100, 100), (80, 50), 0, 0, 360, (90, 60, 30, 255), -1)
    clip = lineart_clip(img, "test/3", "dog")
    sc = alone(np.random.default_rng(0), 400, clip=clip, share=0.5, centred=True)
    assert sc.categories == ["dog"]
    ys, xs = np.nonzero(sc.instances)
    assert abs((xs.max() - xs.min()) - 200) <= 3  # the long side is half the canvas
    assert sc.ink[sc.instances > 0].any() and not sc.ink[sc.instances == 0].any()


def test_no_training_code_is_held_out_or_a_variant_of_one() -> None:
    from sketchgen.emoji_lineart import emoji_codes

    data = Path(__file__).parent / "data"  # a copy of ../shared/data/openmoji/index.json
    held = {c.split("-")[0] for cs in emoji_codes(held_out=True, data=data).values() for c in cs}
    train = [c for cs in emoji_codes(data=data).values() for c in cs]
    assert "1F6B6" in held  # the walking person is held out, so a woman walking is not trained on
    assert held and train
    assert not any(c.split("-")[0] in held for c in train)
