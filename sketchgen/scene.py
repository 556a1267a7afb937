"""Scene layouts like SketchyScene's: sky things up, ground things standing at their depth, roads,
grass, occlusion by depth; a share of objects are real Quick, Draw! doodles instead of drawers.

Why these rules: SketchyScene scenes were drawn from cartoon reference pictures, so their layout is a
stage: a horizon somewhere in the upper middle, clouds/sun/birds above it, everything else standing
on the ground, nearer things lower, larger and in front. The recogniser has to learn objects in that
arrangement, overlapping and touching, so the generator reproduces it rather than scattering objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .doodles import Doodle, to_drawing
from .drawing import Drawing, Piece
from .objects import DRAWERS
from .pen import PenStyle
from .render import Rendered, render
from .shapes import bezier
from .vocabulary import CLASS_INDEX, PART_INDEX

HELD_OUT_SEED_BASE = 1_000_000  # scene seeds from here on are the held-out split
SCENERY = ""  # category of strokes that belong to no object (horizon, hills)
IGNORE = 255  # label of pixels the loss skips (slivers of objects hidden almost entirely)
MIN_VISIBLE = 24  # an object with fewer visible pixels (at 512) is ignored, not taught

# Height of each category as a share of the canvas height, before depth scaling.
HEIGHT: dict[str, tuple[float, float]] = {
    "tree": (0.22, 0.5), "house": (0.2, 0.42), "person": (0.14, 0.3), "car": (0.07, 0.13),
    "bus": (0.09, 0.16), "truck": (0.09, 0.16), "bench": (0.06, 0.11), "chair": (0.08, 0.14),
    "dog": (0.07, 0.14), "cat": (0.06, 0.12), "cow": (0.1, 0.17), "horse": (0.12, 0.2),
    "pig": (0.06, 0.11), "sheep": (0.07, 0.12), "rabbit": (0.05, 0.11), "chicken": (0.05, 0.11),
    "duck": (0.05, 0.1), "grass": (0.03, 0.08), "butterfly": (0.04, 0.08),
    "cloud": (0.07, 0.16), "sun": (0.1, 0.2), "moon": (0.07, 0.14), "star": (0.025, 0.06),
    "bird": (0.03, 0.07), "unknown": (0.06, 0.2),
}  # fmt: skip
# How often each ground category appears, roughly as in SketchyScene's scenes.
GROUND_WEIGHT: dict[str, float] = {
    "tree": 3.0, "house": 1.2, "person": 1.6, "car": 1.0, "bus": 0.5, "truck": 0.5, "bench": 0.6,
    "chair": 0.4, "dog": 0.8, "cat": 0.6, "cow": 0.5, "horse": 0.5, "pig": 0.5, "sheep": 0.5,
    "rabbit": 0.5, "chicken": 0.8, "duck": 0.6, "butterfly": 0.3,
}  # fmt: skip


@dataclass
class Scene:
    ink: np.ndarray  # uint8 HxW, 255 = ink
    semantic: np.ndarray  # uint8 HxW, index into vocabulary.CLASSES; IGNORE for hidden slivers
    instances: np.ndarray  # uint16 HxW, 0 = none, 1..n
    parts: np.ndarray  # uint8 HxW, index into vocabulary.PART_NAMES; IGNORE where parts are unknown
    categories: list[str]  # category of instance k at k - 1


def _place(d: Drawing, height: float, cx: float, bottom: float, flip: bool) -> Drawing:
    x0, y0, x1, y1 = d.bounds()
    s = height / max(y1 - y0, 1e-6)
    return d.transformed(s, cx - (x0 + x1) / 2 * s, bottom - y1 * s, flip)


def _road(rng: np.random.Generator, w: int, h: int, horizon: float) -> Drawing:
    """A band between two long lines: across the canvas, or a path running back towards the horizon."""
    if rng.random() < 0.6:
        y = rng.uniform(horizon + 0.1 * h, 0.88 * h)
        width = rng.uniform(0.07, 0.18) * h
        bend = rng.normal(0, 0.04 * h, 3)
        top = bezier((-5, y + bend[0]), (w / 2, y + bend[1]), (w + 5, y + bend[2]), n=40)
        tilt = rng.normal(0, 0.02 * h)
        bottom = top + (0, width) + np.linspace(-tilt, tilt, 40)[:, None] * (0, 1)
    else:
        x = rng.uniform(0.25, 0.75) * w
        far, near = rng.uniform(0.02, 0.06) * w, rng.uniform(0.2, 0.45) * w
        y0 = rng.uniform(horizon + 0.05 * h, horizon + 0.25 * h)
        sway = rng.normal(0, 0.08 * w)
        top = bezier((x - far, y0), (x - near / 2 + sway, (y0 + h) / 2), (x - near, h + 5), n=40)
        bottom = bezier((x + far, y0), (x + near / 2 + sway, (y0 + h) / 2), (x + near, h + 5), n=40)
    poly = np.vstack([top, bottom[::-1]])
    details = [top, bottom]
    if rng.random() < 0.3:  # dashed centre line
        mid = (top + bottom) / 2
        details += [mid[i : i + 3] for i in range(2, len(mid) - 3, 6)]
    return Drawing("road", [Piece("", poly, outline=False, details=details)])


def _scenery(rng: np.random.Generator, w: int, h: int, horizon: float) -> list[Drawing]:
    """Lines that belong to no object: a horizon, hills behind everything."""
    out = []
    if rng.random() < 0.35:
        pts = bezier(
            (-5, horizon + rng.normal(0, 8)),
            (w / 2, horizon + rng.normal(0, 15)),
            (w + 5, horizon + rng.normal(0, 8)),
            n=30,
        )
        out.append(Drawing(SCENERY, [Piece("", pts, fill=False, closed=False)]))
    if rng.random() < 0.2:
        n = int(rng.integers(1, 3))
        for _ in range(n):
            cx, rw, rh = rng.uniform(0, w), rng.uniform(0.2, 0.5) * w, rng.uniform(0.05, 0.15) * h
            pts = bezier((cx - rw, horizon), (cx, horizon - 2 * rh), (cx + rw, horizon), n=30)
            out.append(Drawing(SCENERY, [Piece("", pts, fill=False, closed=False)]))
    return out


class Composer:
    """Builds scenes from the drawers and a pool of doodles (train or held-out, never both)."""

    def __init__(self, doodles: list[Doodle], doodle_share: float = 0.25) -> None:
        self.doodle_share = doodle_share
        self.doodles: dict[str, list[Doodle]] = {}
        for d in doodles:
            self.doodles.setdefault(d.category, []).append(d)

    def _drawing(self, category: str, rng: np.random.Generator) -> Drawing:
        pool = self.doodles.get(category)
        if pool and (category not in DRAWERS or rng.random() < self.doodle_share):
            return to_drawing(pool[int(rng.integers(len(pool)))])
        return DRAWERS[category](rng)

    def _available(self, category: str) -> bool:
        return category in DRAWERS or bool(self.doodles.get(category))

    def layout(self, rng: np.random.Generator, w: int, h: int) -> list[Drawing]:
        """Drawings in output pixels, back to front."""
        horizon = rng.uniform(0.3, 0.62) * h
        scale = rng.uniform(0.8, 1.4) * h
        sky: list[Drawing] = []
        if rng.random() < 0.06:  # a single object on its own, like the object sketches
            cats = [c for c in GROUND_WEIGHT if self._available(c)]
            c = cats[int(rng.integers(len(cats)))]
            hh = rng.uniform(0.3, 0.7) * h
            return [
                _place(
                    self._drawing(c, rng),
                    hh,
                    w / 2 + rng.normal(0, 0.1 * w),
                    h / 2 + hh / 2,
                    rng.random() < 0.5,
                )
            ]

        def sky_thing(c: str, lo: float = 0.02) -> None:
            if not self._available(c):
                return
            hh = rng.uniform(*HEIGHT[c]) * scale
            bottom = rng.uniform(lo * h + hh, max(lo * h + hh + 1, horizon + 0.05 * h))
            sky.append(
                _place(self._drawing(c, rng), hh, rng.uniform(0.05, 0.95) * w, bottom, rng.random() < 0.5)
            )

        night = rng.random() < 0.15
        for _ in range(int(rng.integers(0, 5))):
            sky_thing("cloud")
        if night:
            sky_thing("moon")
            for _ in range(int(rng.integers(1, 6))):
                sky_thing("star")
        elif rng.random() < 0.7:
            sky_thing("sun")
        for _ in range(int(rng.integers(0, 4)) if rng.random() < 0.35 else 0):
            sky_thing("bird")
        rng.shuffle(sky)  # clouds in front of the sun as often as behind

        back = _scenery(rng, w, h, horizon)
        if rng.random() < 0.3:
            back.append(_road(rng, w, h, horizon))

        ground: list[tuple[float, Drawing]] = []
        boxes: list[tuple[float, float, float, float]] = []
        cats = [c for c in GROUND_WEIGHT if self._available(c)]
        p = np.array([GROUND_WEIGHT[c] for c in cats])
        n = int(rng.integers(3, 12))
        wanted = list(rng.choice(cats, n, p=p / p.sum())) if cats else []
        wanted += ["grass"] * int(rng.integers(0, 9)) if self._available("grass") else []
        if rng.random() < 0.3 and self._available("unknown"):
            wanted += ["unknown"] * int(rng.integers(1, 3))
        for c in wanted:
            for _ in range(8):
                bottom = rng.uniform(horizon + 0.03 * h, 0.98 * h)
                depth = 0.7 + 0.6 * (bottom - horizon) / (h - horizon)
                hh = rng.uniform(*HEIGHT[c]) * scale * depth
                d = self._drawing(c, rng)
                x0, y0, x1, y1 = d.bounds()
                ww = hh * (x1 - x0) / max(y1 - y0, 1e-6)
                cx = rng.uniform(0.02 * w, 0.98 * w)
                box = (cx - ww / 2, bottom - hh, cx + ww / 2, bottom)
                if box[0] < -0.15 * ww or box[2] > w + 0.15 * ww or box[1] < 0:
                    continue
                if any(_covered(box, b) > 0.55 for b in boxes):
                    continue
                boxes.append(box)
                ground.append((bottom, _place(d, hh, cx, bottom, rng.random() < 0.5)))
                break
        ground.sort(key=lambda t: t[0])
        return back[:1] + sky + back[1:] + [g for _, g in ground]

    def scene(self, seed: int, size: tuple[int, int] = (512, 512)) -> Scene:
        rng = np.random.default_rng(seed)
        h, w = size
        drawings = self.layout(rng, w, h)
        style = PenStyle.random(rng, scale=h / 512)
        r = render(drawings, size, style, rng, PART_INDEX)
        return _labels(r, h / 512)


def _covered(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Share of the smaller box that the two boxes overlap."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return iw * ih / max(small, 1e-6)


def _labels(r: Rendered, k: float) -> Scene:
    """Rendered drawings -> per-pixel training labels, instances renumbered 1..n without scenery."""
    cats = r.categories
    cls = np.array([0] + [CLASS_INDEX.get(c, 0) for c in cats], np.uint8)
    counts = np.bincount(r.instances.ravel(), minlength=len(cats) + 1)
    keep = np.array([False] + [c != SCENERY for c in cats])
    tiny = keep & (counts < MIN_VISIBLE * k * k)
    real = keep & ~tiny
    new_id = np.zeros(len(cats) + 1, np.uint16)
    new_id[real] = np.arange(1, real.sum() + 1)
    cls[tiny] = IGNORE
    semantic = cls[r.instances]
    # Doodles and drawers of part-less categories carry no part labels: ignore parts there unless
    # the category has none to learn (then "none" is the right answer).
    unknown_parts = np.array([True] + [not ok for ok in r.parts_known]) & keep
    parts = r.parts.copy()
    parts[(tiny | unknown_parts)[r.instances]] = IGNORE
    kept = [c for c, ok in zip(cats, real[1:], strict=True) if ok]
    return Scene(r.ink, semantic, new_id[r.instances], parts, kept)
