"""Geometric building blocks for drawers: every shape is a float (N, 2) polyline, y down."""

from __future__ import annotations

import numpy as np

Points = np.ndarray


def ellipse(
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    n: int = 48,
    a0: float = 0.0,
    a1: float = 2 * np.pi,
    rot: float = 0.0,
) -> Points:
    """Points on an ellipse (an arc when a0..a1 is less than a full turn), rotated by `rot` radians."""
    t = np.linspace(a0, a1, n, endpoint=(a1 - a0) < 2 * np.pi - 1e-9)
    x, y = rx * np.cos(t), ry * np.sin(t)
    c, s = np.cos(rot), np.sin(rot)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], 1)


def rect(x0: float, y0: float, x1: float, y1: float) -> Points:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)


def rounded_rect(x0: float, y0: float, x1: float, y1: float, r: float, n: int = 6) -> Points:
    """A rectangle with circular corners of radius r (clamped to half the shorter side)."""
    r = min(r, (x1 - x0) / 2, (y1 - y0) / 2)
    corners = [
        (x1 - r, y0 + r, -np.pi / 2, 0),
        (x1 - r, y1 - r, 0, np.pi / 2),
        (x0 + r, y1 - r, np.pi / 2, np.pi),
        (x0 + r, y0 + r, np.pi, 1.5 * np.pi),
    ]
    return np.concatenate([ellipse(cx, cy, r, r, n, a, b) for cx, cy, a, b in corners])


def polygon(*xy: float) -> Points:
    """polygon(x0, y0, x1, y1, ...) -> (N, 2)."""
    return np.asarray(xy, np.float64).reshape(-1, 2)


def bezier(*ctrl: tuple[float, float], n: int = 24) -> Points:
    """A Bezier curve of any degree through its control points (de Casteljau)."""
    p = np.asarray(ctrl, np.float64)
    t = np.linspace(0, 1, n)[:, None, None]
    pts = np.broadcast_to(p, (n, *p.shape)).copy()
    while pts.shape[1] > 1:
        pts = (1 - t) * pts[:, :-1] + t * pts[:, 1:]
    return pts[:, 0]


def bumpy(
    outline: Points, rng: np.random.Generator, bumps: int, depth: float, n_per_bump: int = 10
) -> Points:
    """Replace a closed outline by a chain of outward arcs ("scalloped"): clouds, tree crowns, sheep wool.

    bumps: number of arcs; depth: arc height as a share of each arc's chord. Arc sizes vary a little.
    """
    closed = np.vstack([outline, outline[:1]])
    seg = np.linalg.norm(np.diff(closed, axis=0), axis=1)
    s = np.concatenate([[0], np.cumsum(seg)])
    w = rng.uniform(0.7, 1.3, bumps)
    cuts = np.concatenate([[0], np.cumsum(w) / w.sum()]) * s[-1]
    anchors = np.stack([np.interp(cuts, s, closed[:, 0]), np.interp(cuts, s, closed[:, 1])], 1)
    centre = outline.mean(0)
    out = []
    for a, b in zip(anchors[:-1], anchors[1:], strict=True):
        mid = (a + b) / 2
        normal = mid - centre
        normal /= np.linalg.norm(normal) + 1e-9
        h = np.linalg.norm(b - a) * depth * rng.uniform(0.7, 1.3)
        out.append(bezier(tuple(a), tuple(mid + normal * h * 1.6), tuple(b), n=n_per_bump)[:-1])
    return np.concatenate(out)


def wobble(points: Points, rng: np.random.Generator, amount: float) -> Points:
    """Shift each point by a smooth random offset: shape variety (not pen jitter, which pen.py adds)."""
    n = len(points)
    noise = rng.normal(0, 1, (n, 2))
    k = max(1, n // 6)
    kernel = np.ones(k) / k
    smooth = np.stack(
        [
            np.convolve(np.concatenate([noise[-k:, i], noise[:, i], noise[:k, i]]), kernel, "same")[k:-k]
            for i in range(2)
        ],
        1,
    )
    scale = np.ptp(points, axis=0).max() * amount
    return points + smooth / (smooth.std() + 1e-9) * scale


def line(x0: float, y0: float, x1: float, y1: float, n: int = 2) -> Points:
    return np.stack([np.linspace(x0, x1, n), np.linspace(y0, y1, n)], 1)
