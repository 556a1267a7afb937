"""Plants: trees (round, tall, pine, forked) and grass tufts."""

from __future__ import annotations

import cv2
import numpy as np

from ..drawing import Drawing, Piece
from ..shapes import bezier, line, wobble
from .sky import pick, quad, ring, scallops


def trunk(rng: np.random.Generator, top: float, wb: float, wt: float) -> np.ndarray:
    """A trunk from the ground (y=0) to y=top, flaring into roots at the bottom."""
    fl = wb * rng.uniform(0.1, 0.5)
    left = bezier((-wb / 2 - fl, 0), (-wb / 2, top * 0.2), (-wt / 2, top * 0.6), (-wt / 2, top), n=10)
    right = bezier((wt / 2, top), (wt / 2, top * 0.6), (wb / 2, top * 0.2), (wb / 2 + fl, 0), n=10)
    return np.concatenate([left, right])


def forked(rng: np.random.Generator, fork: float, wb: float, tips: list[tuple[float, float]]) -> np.ndarray:
    """A trunk splitting at y=fork into thinning branches that end at the tips (left to right)."""
    wt, bw = wb * 0.8, wb * rng.uniform(0.25, 0.4)
    fl = wb * rng.uniform(0.1, 0.4)
    pts = [bezier((-wb / 2 - fl, 0), (-wb / 2, fork * 0.3), (-wt / 2, fork), n=8)]
    for i, (x, y) in enumerate(tips):
        if i:
            px = tips[i - 1][0]
            pts.append(np.array([[(px + x) / 2 * 0.25, fork + (y - fork) * 0.3]]))
        pts.append(np.array([[x - bw / 2, y], [x + bw / 2, y]]))
    pts.append(bezier((wt / 2, fork), (wb / 2, fork * 0.3), (wb / 2 + fl, 0), n=8))
    return np.concatenate(pts)


def branches(rng: np.random.Generator, p: np.ndarray, ang: float, length: float, depth: int) -> list:
    """Branch lines growing from p (the lines drawn inside a crown); angles in y-down radians."""
    end = p + length * np.array([np.cos(ang), np.sin(ang)])
    bend = (p + end) / 2 + rng.normal(0, length * 0.08, 2)
    out = [np.array([p, bend, end])]
    if depth > 0:
        for da in (-rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)):
            q = p + (end - p) * rng.uniform(0.5, 1.0)
            out += branches(rng, q, ang + da, length * rng.uniform(0.5, 0.7), depth - 1)
    return out


def crown(
    rng: np.random.Generator, cx: float, cy: float, rx: float, ry: float, n: int, g: tuple
) -> np.ndarray:
    """A scalloped crown: few deep bumps read as a cloud-like crown, many shallow ones as fuzzy foliage."""
    t = ring(rng, n)[:-1]
    taper = 1 - np.clip(-np.sin(t), 0, 1) * max(0.0, ry / rx - 1.2) * 0.4  # tall crowns narrow upwards
    pts = np.stack([cx + rx * np.cos(t) * taper, cy + ry * np.sin(t)], 1)
    return scallops(wobble(pts, rng, 0.03), rng.uniform(*g, n))


def tree(rng: np.random.Generator) -> Drawing:
    """Round bumpy, tall fuzzy (maybe with branch lines), pine tiers, or crown over a forked trunk."""
    kind = pick(rng, ["round", "tall", "pine", "forked"], [0.3, 0.25, 0.25, 0.2])
    if kind == "pine":
        return pine(rng)
    h_t = rng.uniform(0.5, 1.2)  # visible trunk height
    rx = rng.uniform(0.9, 1.3) if kind != "tall" else rng.uniform(0.6, 0.9)
    ry = rx * (rng.uniform(0.85, 1.15) if kind != "tall" else rng.uniform(1.4, 2.0))
    cy = -h_t - ry * 0.9
    wb = rx * rng.uniform(0.25, 0.4)
    if kind == "forked":
        m = int(rng.integers(2, 4))
        xs = (np.linspace(-1, 1, m) * rng.uniform(0.45, 0.65) + rng.normal(0, 0.06, m)) * rx
        tips = [(x, cy - rng.uniform(0.0, 0.4) * ry + abs(x) * 0.3) for x in xs]
        fork = -h_t - ry * rng.uniform(0.05, 0.3)
        pieces = [Piece("leaves", crown(rng, 0, cy, rx, ry, int(rng.integers(6, 11)), (0.7, 1.0)))]
        pieces.append(Piece("trunk", forked(rng, fork, wb, tips)))
        for x, y in tips:
            r = rx * rng.uniform(0.22, 0.35)
            pieces.append(
                Piece("leaves", crown(rng, x, y - r * 0.5, r * 1.3, r, int(rng.integers(4, 7)), (0.6, 1.0)))
            )
        return Drawing("tree", pieces)
    n, g = (
        (int(rng.integers(7, 15)), (0.5, 1.0))
        if rng.random() < 0.6
        else (int(rng.integers(18, 34)), (0.4, 0.9))
    )
    leaves = crown(rng, 0, cy, rx, ry, n, g)
    details = []
    if rng.random() < (0.35 if kind == "round" else 0.6):
        depth = int(rng.integers(1, 4))
        details = branches(
            rng, np.array([0.0, -h_t + 0.05]), -np.pi / 2 + rng.normal(0, 0.1), ry * 0.9, depth
        )
    bark = []
    if rng.random() < 0.4:
        for _ in range(int(rng.integers(1, 4))):
            x, y = rng.uniform(-0.25, 0.25) * wb, -rng.uniform(0.1, 0.8) * h_t
            bark.append(line(x, y, x + rng.normal(0, 0.03), y - h_t * 0.2))
    return Drawing(
        "tree",
        [
            Piece("trunk", trunk(rng, cy, wb, wb * 0.75), details=bark),
            Piece("leaves", leaves, details=details),
        ],
    )


def pine(rng: np.random.Generator) -> Drawing:
    """Triangular tiers with drooping bottom edges: stacked pieces (lines between tiers) or one silhouette."""
    k, h_t = int(rng.integers(3, 6)), rng.uniform(0.35, 0.7)
    step, w0 = rng.uniform(0.55, 0.8), rng.uniform(1.0, 1.5)
    bottoms = -h_t - np.arange(k) * step
    apexes = bottoms - step * rng.uniform(1.3, 1.8)
    ws = w0 * np.linspace(1.0, rng.uniform(0.4, 0.6), k)
    droop = rng.uniform(0.2, 0.5)
    pieces = [Piece("trunk", trunk(rng, bottoms[0] - step * 0.3, w0 * 0.35, w0 * 0.3))]

    def edge(x0: float, x1: float, y: float) -> np.ndarray:
        m = int(rng.integers(3, 7))
        return scallops(np.stack([np.linspace(x0, x1, m + 1), np.full(m + 1, y)], 1), droop, False, -1.0)

    if rng.random() < 0.6:
        for yb, ya, w in zip(bottoms, apexes, ws, strict=True):
            pieces.append(Piece("leaves", np.concatenate([[[0, ya]], edge(-w, w, yb)])))
        return Drawing("tree", pieces)
    left = [[0, apexes[-1]]]
    for i in range(k - 1, -1, -1):
        left.append([-ws[i], bottoms[i]])
        if i:
            left.append([-ws[i] * rng.uniform(0.45, 0.7), bottoms[i] - step * 0.1])
    left = np.array(left)
    right = left[1:-1][::-1] * (-1, 1) + rng.normal(0, 0.03, (len(left) - 2, 2))
    pieces.append(Piece("leaves", np.concatenate([left[:-1], edge(-ws[0], ws[0], bottoms[0]), right])))
    return Drawing("tree", pieces)


def grass(rng: np.random.Generator) -> Drawing:
    """A tuft of spiky blades fanning out; the mask covers the tuft, the blades are the ink."""
    n, w, spread = int(rng.integers(5, 14)), rng.uniform(0.3, 0.8), rng.uniform(0.6, 1.3)
    x = np.sort(rng.uniform(-w / 2, w / 2, n))
    a = x / w * 2 * spread + rng.normal(0, 0.15, n)
    length = rng.uniform(0.4, 1.0, n) * (1 - 0.3 * np.abs(a))
    tip = np.stack([x + length * np.sin(a), -length * np.cos(a)], 1)
    c = np.stack([x + length * 0.5 * np.sin(a * 0.3), -length * 0.6 * np.cos(a * 0.3)], 1)
    bw = np.stack([rng.uniform(0.03, 0.06, n), np.zeros(n)], 1)
    foot = np.stack([x, np.zeros(n)], 1)
    up, down = quad(foot - bw, c - bw * 0.5, tip), quad(tip, c + bw * 0.5, foot + bw, 8, True)
    shapes = np.concatenate([up, down], 1)
    blades = list(shapes)
    pts = shapes.reshape(-1, 2)
    hull = cv2.convexHull(pts.astype(np.float32))[:, 0].astype(np.float64)
    if rng.random() < 0.4:
        blades.append(line(pts[:, 0].min() - 0.1, 0, pts[:, 0].max() + 0.1, 0))
    return Drawing("grass", [Piece("", hull, outline=False, details=blades)])


DRAWERS = {"tree": tree, "grass": grass}
