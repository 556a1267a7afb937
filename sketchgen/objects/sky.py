"""Sky objects: cloud, sun, moon, star. Also the scallop helper that tree crowns reuse."""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from ..drawing import Drawing, Piece
from ..shapes import ellipse, line, wobble

TAU = 2 * np.pi
T = TypeVar("T")


def pick(rng: np.random.Generator, options: list[T], p: list[float] | None = None) -> T:
    """rng.choice for a short list, without its overhead (drawers must stay fast)."""
    r, acc = rng.random(), 0.0
    for o, w in zip(options, p or [1 / len(options)] * len(options), strict=True):
        acc += w
        if r < acc:
            return o
    return options[-1]


def arc(a: np.ndarray, b: np.ndarray, bulge: float, side: float = 1.0, n: int = 10) -> np.ndarray:
    """A circular arc from a to b (b excluded) bulging by bulge * half-chord to the right of a->b.

    bulge 1 is a half circle; the sharp corners where such arcs meet are what makes a cloud read as
    a cloud (a smooth bumpy curve reads as a blob). side=-1 bulges to the left.
    """
    d = b - a
    c = np.linalg.norm(d) + 1e-9
    nrm = side * np.array([d[1], -d[0]]) / c
    h = max(bulge, 0.05) * c / 2
    r = (c * c / 4 + h * h) / (2 * h)
    ctr = (a + b) / 2 + nrm * (h - r)
    ta, tb = np.arctan2(*(a - ctr)[::-1]), np.arctan2(*(b - ctr)[::-1])
    tm = np.arctan2(*nrm[::-1])
    sweep = (tb - ta) % TAU
    if (tm - ta) % TAU > sweep:
        sweep -= TAU
    t = ta + sweep * np.linspace(0, 1, n, endpoint=False)
    return ctr + r * np.stack([np.cos(t), np.sin(t)], 1)


def scallops(
    anchors: np.ndarray, bulges: np.ndarray | float, closed: bool = True, side: float = 0.0, n: int = 10
) -> np.ndarray:
    """Outward arcs (see arc) between consecutive anchors, a closed ring unless closed=False; all at once."""
    pts = np.vstack([anchors, anchors[:1]]) if closed else anchors
    if side == 0.0:
        x, y = anchors[:, 0], anchors[:, 1]
        side = 1.0 if np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) > 0 else -1.0
    a, b = pts[:-1], pts[1:]
    d = b - a
    c = np.linalg.norm(d, axis=1) + 1e-9
    nrm = side * np.stack([d[:, 1], -d[:, 0]], 1) / c[:, None]
    h = np.maximum(np.broadcast_to(bulges, c.shape), 0.05) * c / 2
    r = (c * c / 4 + h * h) / (2 * h)
    ctr = (a + b) / 2 + nrm * (h - r)[:, None]
    ta, tb = (
        np.arctan2(a[:, 1] - ctr[:, 1], a[:, 0] - ctr[:, 0]),
        np.arctan2(b[:, 1] - ctr[:, 1], b[:, 0] - ctr[:, 0]),
    )
    sweep = (tb - ta) % TAU
    sweep = np.where((np.arctan2(nrm[:, 1], nrm[:, 0]) - ta) % TAU > sweep, sweep - TAU, sweep)
    t = ta[:, None] + sweep[:, None] * np.linspace(0, 1, n, endpoint=False)
    out = (ctr[:, None, :] + r[:, None, None] * np.stack([np.cos(t), np.sin(t)], 2)).reshape(-1, 2)
    return out if closed else np.vstack([out, pts[-1:]])


def ring(rng: np.random.Generator, n: int, a0: float = 0.0, a1: float = TAU) -> np.ndarray:
    """n + 1 angles from a0 to a1 with uneven spacing."""
    w = rng.uniform(0.6, 1.4, n)
    return a0 + (a1 - a0) * np.concatenate([[0], np.cumsum(w) / w.sum()])


def cloud_outline(rng: np.random.Generator, rx: float, ry: float) -> np.ndarray:
    """Big half-round puffs on top, small shallow ones along a flattish bottom, as people draw them."""
    top = ring(rng, int(rng.integers(3, 7)), np.pi, TAU)
    bot = ring(rng, int(rng.integers(2, 7)), 0, np.pi)[1:-1]
    t = np.concatenate([top, bot])
    pts = np.stack([rx * np.cos(t), ry * np.sin(t)], 1)
    pts[:, 1] = np.minimum(pts[:, 1], ry * rng.uniform(0.35, 0.8))
    pts = wobble(pts, rng, 0.02) if len(pts) > 6 else pts
    g = np.concatenate([rng.uniform(0.7, 1.05, len(top) - 1), rng.uniform(0.25, 0.7, len(bot) + 1)])
    return scallops(pts, g)


def cloud(rng: np.random.Generator) -> Drawing:
    """One puffy cloud, sometimes with a second one tucked behind (drawn overlapping in real scenes)."""
    rx, ry = rng.uniform(1.3, 2.2), rng.uniform(0.55, 0.85)
    pieces = []
    if rng.random() < 0.2:
        back = cloud_outline(rng, rx * 0.7, ry * 0.8) + (pick(rng, [-1, 1]) * rx * 0.6, -ry * 0.7)
        pieces.append(Piece("", back))
    pieces.append(Piece("", cloud_outline(rng, rx, ry)))
    return Drawing("cloud", pieces)


def oval(
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    n: int = 48,
    a0: float = 0.0,
    a1: float = TAU,
    rot: float = 0.0,
) -> np.ndarray:
    """shapes.ellipse, about three times faster: drawers with many small ellipses (faces) stay in budget."""
    t = a0 + (a1 - a0) / (n if a1 - a0 >= TAU - 1e-9 else n - 1) * np.arange(n)
    x, y = rx * np.cos(t), ry * np.sin(t)
    out = np.empty((n, 2))
    c, s = np.cos(rot), np.sin(rot)
    out[:, 0], out[:, 1] = cx + c * x - s * y, cy + s * x + c * y
    return out


def quad(a: np.ndarray, c: np.ndarray, b: np.ndarray, n: int = 8, end: bool = False) -> np.ndarray:
    """Quadratic Bezier curves from a via c to b for many curves at once: (k, 2) inputs -> (k, n, 2)."""
    t = np.linspace(0, 1, n, endpoint=end)[None, :, None]
    return (1 - t) ** 2 * a[:, None] + 2 * (1 - t) * t * c[:, None] + t**2 * b[:, None]


def unit(t: np.ndarray | float) -> np.ndarray:
    """Unit vectors at angles t (any shape), stacked on a last axis."""
    return np.stack([np.cos(t), np.sin(t)], -1)


def face(rng: np.random.Generator, r: float) -> list[np.ndarray]:
    """Eyes and a smile on a round disk (suns and moons are often drawn smiling)."""
    ex, ey, s = r * rng.uniform(0.28, 0.4), -r * rng.uniform(0.1, 0.3), r * rng.uniform(0.07, 0.13)
    out, open_eyes = [], rng.random() < 0.6
    for x in (-ex, ex):
        if open_eyes:
            out += [ellipse(x, ey, s, s * 1.3, 16), ellipse(x, ey + s * 0.3, s * 0.4, s * 0.5, 10)]
        else:
            out.append(ellipse(x, ey + s, s * 1.3, s, 10, np.pi, TAU))
    w = r * rng.uniform(0.3, 0.55)
    out.append(ellipse(0, r * 0.15, w, r * rng.uniform(0.15, 0.35), 16, 0.15, np.pi - 0.15))
    return out


def sun(rng: np.random.Generator) -> Drawing:
    """A disk inside triangles, a zigzag ring, wavy flames or short line rays."""
    kind = pick(rng, ["spikes", "zigzag", "wavy", "rays"], [0.3, 0.25, 0.25, 0.2])
    n = int(rng.integers(8, 15)) if kind != "zigzag" else int(rng.integers(12, 22))
    t0 = rng.uniform(0, TAU)
    ang = t0 + np.arange(n) * TAU / n
    hw = np.pi / n * rng.uniform(0.5, 0.9)
    r_in, r_out = rng.uniform(0.85, 1.2), rng.uniform(1.4, 1.9)
    pieces: list[Piece] = []
    if kind == "spikes":
        base = unit(ang[:, None] + np.array([-hw, 0, hw])) * r_in
        tris = np.concatenate([base, unit(ang)[:, None] * r_out], 1)
        pieces += [Piece("flame", tri) for tri in tris]
    elif kind == "zigzag":
        t = t0 + np.arange(2 * n) * np.pi / n
        r = np.where(np.arange(2 * n) % 2 == 0, r_out * rng.uniform(0.9, 1.1, 2 * n), max(r_in, 1.05))
        pieces.append(Piece("flame", r[:, None] * unit(t)))
    elif kind == "wavy":  # each flame: two quadratic curves bent the same way, like a licking flame
        bend = rng.uniform(0.1, 0.35) * pick(rng, [-1, 1])
        p0, p1 = unit(ang - np.pi / n) * 0.95, unit(ang + np.pi / n) * 0.95
        tip, mid = unit(ang + bend) * r_out, unit(ang) * (0.95 + r_out) / 2
        flames = np.concatenate(
            [quad(p0, mid + (p0 - mid) * 0.2, tip), quad(tip, mid + (p1 - mid) * 0.6, p1)], 1
        )
        pieces.append(Piece("flame", flames.reshape(-1, 2)))
    else:
        r0, long = rng.uniform(1.15, 1.3), rng.uniform(0.3, 0.7)
        for i, a in enumerate(ang):
            r1 = r0 + (long if i % 2 == 0 or rng.random() < 0.5 else long * 0.6)
            c, s = np.cos(a), np.sin(a)
            pieces.append(Piece("flame", line(c * r0, s * r0, c * r1, s * r1), fill=False, closed=False))
    details = face(rng, 1.0) if rng.random() < 0.35 else []
    pieces.append(Piece("disk", ellipse(0, 0, 1.0, 1.0, 48), details=details))
    return Drawing("sun", pieces)


def moon(rng: np.random.Generator) -> Drawing:
    """A crescent (two circle arcs) or a full moon with craters."""
    if rng.random() < 0.7:
        d = rng.uniform(0.45, 0.9)
        f = np.arccos(d / 2)
        outer = ellipse(0, 0, 1, 1, 40, f, TAU - f)
        inner = ellipse(d, 0, 1, 1, 30, np.pi + f, np.pi - f)[1:-1]
        rot = rng.uniform(-0.6, 0.6) + (np.pi if rng.random() < 0.3 else 0)
        c, s = np.cos(rot), np.sin(rot)
        pts = np.concatenate([outer, inner]) @ np.array([[c, s], [-s, c]])
        return Drawing("moon", [Piece("", pts)])
    craters = [
        ellipse(*rng.uniform(-0.5, 0.5, 2), r, r * rng.uniform(0.7, 1.0), 16)
        for r in rng.uniform(0.08, 0.22, int(rng.integers(0, 5)))
    ]
    details = face(rng, 1.0) if rng.random() < 0.3 else craters
    return Drawing("moon", [Piece("", ellipse(0, 0, 1, 1, 48), details=details)])


def star(rng: np.random.Generator) -> Drawing:
    """A five-pointed star, fat or thin, slightly tilted."""
    t = -np.pi / 2 + rng.uniform(-0.25, 0.25) + np.arange(10) * np.pi / 5
    r = np.where(np.arange(10) % 2 == 0, 1.0, rng.uniform(0.36, 0.55)) * rng.uniform(0.92, 1.08, 10)
    pts = np.stack([r * np.cos(t), r * np.sin(t)], 1)
    return Drawing("star", [Piece("", pts)])


DRAWERS = {"cloud": cloud, "sun": sun, "moon": moon, "star": star}
