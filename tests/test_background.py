"""Sky and ground: a drawn horizon is followed exactly; without one, objects' feet set the horizon."""

from __future__ import annotations

import numpy as np
from PIL import Image

from backend.colouring.background import free_space, sky_gradient, split_sky_ground
from backend.lineart import flatten, ink_from_rgba
from backend.service.images import decode_rgba
from backend.understanding import Instance, estimate_horizon


def blank_with_lines(draw) -> np.ndarray:
    img = np.full((300, 400), 255, np.uint8)
    draw(img)
    return img


def test_drawn_horizon_splits_exactly_at_the_line():
    def draw(img):
        img[120:123, :] = 0  # a horizon across the canvas
        img[200:260, 50:54] = 0  # a fence post in the ground, not closed

    lineart = flatten(ink_from_rgba(blank_with_lines(draw)))
    free = free_space(lineart, [])
    sky, ground, horizon = split_sky_ground(lineart, free, [])
    assert 118 <= horizon <= 123
    assert sky[:118].mean() > 0.99 and not sky[125:].any()
    assert ground[125:].mean() > 0.99 and not ground[:118].any()


def test_without_horizon_the_farthest_feet_set_it():
    h, w = 300, 400
    tree = np.zeros((h, w), bool)
    tree[100:180, 50:90] = True  # feet at 180
    near = np.zeros((h, w), bool)
    near[150:260, 200:260] = True  # feet at 260
    cloud = np.zeros((h, w), bool)
    cloud[20:40, 300:360] = True  # sky objects do not stand anywhere
    insts = [Instance("tree", tree, 1.0), Instance("dog", near, 1.0), Instance("cloud", cloud, 1.0)]
    assert estimate_horizon((h, w), insts) == 180
    assert estimate_horizon((h, w), []) == int(0.6 * h)


def test_real_scene_background_avoids_objects_it_knows_and_only_those(shared_data):
    """Closed objects are kept free of background once known (recognised or taught); paper no object
    owns, enclosed or not, is background: a missed object is the artist's to teach."""
    folder = shared_data / "sketchyscene-scenes" / "9996"
    lineart = flatten(ink_from_rgba(decode_rgba((folder / "sketch.png").read_bytes())))
    truth = np.asarray(Image.open(folder / "instances.png"))
    known = [Instance("sun" if k == 1 else "cloud", truth == k, 1.0) for k in (1, 6, 7, 8, 9)]
    free = free_space(lineart, known)
    for k in (1, 6, 7, 8, 9):
        assert free[truth == k].mean() < 0.3, k
    assert free.mean() > 0.4
    assert free_space(lineart, [])[truth == 1].mean() > 0.9, "an unknown sun is open paper"


def test_sky_gradient_lightens_toward_the_horizon():
    grad = sky_gradient((100, 150, 250), (200, 10), horizon=100)
    top, bottom = grad[0, 0].astype(int), grad[100, 0].astype(int)
    assert (bottom > top).all() and grad.shape == (200, 10, 3)


def test_ground_goes_on_under_open_strokes_but_not_under_closed_objects():
    def draw(img):
        img[120:123, :] = 0  # horizon
        for x in range(60, 100, 8):  # a grass tuft: open blades standing on the ground
            img[200:240, x : x + 2] = 0
        img[180:182, 250:330] = img[260:262, 250:330] = 0  # a closed box in the ground
        img[180:262, 250:252] = img[180:262, 328:330] = 0

    lineart = flatten(ink_from_rgba(blank_with_lines(draw)))
    tuft = np.zeros(lineart.shape, bool)
    tuft[198:242, 56:104] = True  # its mask is the tuft's hull, blades and paper between them
    box = np.zeros(lineart.shape, bool)
    box[180:262, 250:330] = True
    free = free_space(lineart, [Instance("grass", tuft, 1.0), Instance("bench", box, 1.0)])
    between_blades = tuft & ~lineart.lines
    assert free[between_blades].mean() > 0.95  # no paper-white hole around the grass
    assert not free[tuft & lineart.lines].any()  # the blades themselves stay the grass's
    assert not free[box].any()
