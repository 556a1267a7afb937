"""Birds and insects: bird (flying, gull, perched, front), chicken (hen, rooster, chick), duck, butterfly."""

from __future__ import annotations

import numpy as np

from ..drawing import Drawing, Piece
from ..shapes import bezier, ellipse, polygon, wobble

TAU = 2 * np.pi
P = tuple[float, float]


def smooth(pts: np.ndarray, it: int = 2) -> np.ndarray:
    """Chaikin corner cutting of a closed polygon: a few anchor points become a rounded hand-drawn shape."""
    for _ in range(it):
        nxt = np.roll(pts, -1, 0)
        pts = np.stack([0.75 * pts + 0.25 * nxt, 0.25 * pts + 0.75 * nxt], 1).reshape(-1, 2)
    return pts


def along(path: np.ndarray, n: int) -> np.ndarray:
    """n + 1 points evenly spaced by length along an open polyline."""
    s = np.concatenate([[0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))])
    t = np.linspace(0, s[-1], n + 1)
    return np.stack([np.interp(t, s, path[:, 0]), np.interp(t, s, path[:, 1])], 1)


def feathers(path: np.ndarray, n: int, bulge: float, away: np.ndarray | P, k: int = 8) -> np.ndarray:
    """The path redrawn as n circular arcs bulging away from `away`: feather tips, scalloped ends.

    The sharp corners where the arcs meet are what reads as separate feathers. Vectorised over arcs.
    """
    pts = along(path, n)
    a, b = pts[:-1], pts[1:]
    d = b - a
    c = np.linalg.norm(d, axis=1)[:, None] + 1e-9
    nrm = np.stack([d[:, 1], -d[:, 0]], 1) / c
    nrm *= np.where(np.sum(nrm * ((a + b) / 2 - away), 1) >= 0, 1.0, -1.0)[:, None]
    h = max(bulge, 0.05) * c / 2
    r = (c * c / 4 + h * h) / (2 * h)
    ctr = (a + b) / 2 + nrm * (h - r)
    ta, tb = (np.arctan2(q[:, 1] - ctr[:, 1], q[:, 0] - ctr[:, 0]) for q in (a, b))
    tm = np.arctan2(nrm[:, 1], nrm[:, 0])
    sweep = (tb - ta) % TAU
    sweep = np.where((tm - ta) % TAU > sweep, sweep - TAU, sweep)
    t = ta[:, None] + sweep[:, None] * np.arange(k) / k
    out = ctr[:, None] + r[:, :, None] * np.stack([np.cos(t), np.sin(t)], 2)
    return np.concatenate([out.reshape(-1, 2), pts[-1:]])


def seg(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """A straight stroke (shapes.line without its linspace cost, which adds up over many short strokes)."""
    return np.array([[x0, y0], [x1, y1]], np.float64)


def on_circle(c: P, r: float, deg: float) -> np.ndarray:
    return np.array([c[0] + r * np.cos(np.radians(deg)), c[1] + r * np.sin(np.radians(deg))])


def eye(c: np.ndarray | P, r: float) -> list[np.ndarray]:
    """A dot eye: a tiny circle and a smaller one, which the pen fills in."""
    return [ellipse(c[0], c[1], r, r, 10), ellipse(c[0], c[1], r * 0.4, r * 0.4, 6)]


def beak(h: P, r: float, length: float, a0: float = -25, a1: float = 20, droop: float = 0.0) -> np.ndarray:
    """A triangle whose base lies inside the head circle (so the head, drawn later, hides it)."""
    tip = on_circle(h, r + length, (a0 + a1) / 2) + (0, droop)
    return np.stack([on_circle(h, r * 0.7, a0), tip, on_circle(h, r * 0.7, a1)])


def legs(rng: np.random.Generator, xs: list[float], top: float, ground: float, toe: float) -> list[Piece]:
    """Stick legs with three toes each (two forward, one back), as birds' feet are drawn."""
    out = []
    for x in xs:
        fx = x + rng.normal(0, 0.03)
        toes = [seg(fx, ground, fx + toe * c, ground + toe * s) for c, s in ((1, 0.1), (0.7, 0.4), (-0.6, 0))]
        out.append(Piece("", seg(x, top, fx, ground), fill=False, closed=False, details=toes))
    return out


def wing(rng: np.random.Generator, b0: np.ndarray, b1: np.ndarray, tip: np.ndarray, lines: bool) -> tuple:
    """A broad raised wing from base b0 (leading side) and b1: swept back, with primary feathers at the end.

    Built in a frame along the wing (u to the tip, v to the trailing side), so any pose keeps its shape.
    """
    base = (b0 + b1) / 2
    length = np.linalg.norm(tip - base)
    u = (tip - base) / length
    v = np.array([-u[1], u[0]]) * np.sign(np.dot((-u[1], u[0]), b1 - b0))
    hw, w = np.linalg.norm(b1 - b0) / 2, length * rng.uniform(0.28, 0.42)
    lead = bezier((0, -hw), (length * 0.4, -hw - length * rng.uniform(0.05, 0.15)), (length, 0), n=14)
    trail = bezier((length, 0), (length * 0.75, w), (length * 0.3, w * 1.1), (0, hw), n=20)
    f = rng.uniform(0.5, 0.8)
    k = int(len(trail) * f)
    n = int(rng.integers(3, 7))
    tips = feathers(trail[:k], n, rng.uniform(0.35, 0.7), np.array([length * 0.5, -length]))
    local = np.concatenate([lead, tips[1:], trail[k:]])
    sweep = rng.uniform(0.0, 0.3) * length

    def world(q: np.ndarray) -> np.ndarray:
        q = q + np.stack([np.zeros(len(q)), sweep * (q[:, 0] / length) ** 2], 1)
        return base + q[:, :1] * u + q[:, 1:] * v

    det = []
    if lines:
        for q in along(trail[:k], n)[1:-1]:
            det.append(world(np.stack([q, q + (-length * 0.05, -w * rng.uniform(0.3, 0.5))])))
    return world(local), det


def bird(rng: np.random.Generator) -> Drawing:
    """Flying side view with raised wings, an 'm' gull, a perched bird, or a front view with spread wings."""
    kind = rng.choice(["flying", "gull", "perched", "front"], p=[0.4, 0.2, 0.28, 0.12])
    if kind == "gull":
        w, h, t = rng.uniform(1.0, 1.5), rng.uniform(0.3, 0.7), rng.uniform(0.08, 0.2)
        pieces = []
        for s in (-1, 1):
            x = s * w
            up = bezier((0, 0), (x * 0.25, -h * 1.4), (x * 0.6, -h * 1.3), (x, h * rng.uniform(0, 0.5)))
            lo = bezier(up[-1], (x * 0.55, -h * 1.3 + t * 1.5), (x * 0.2, -h * 1.1 + t * 2), (0, t))
            pieces.append(Piece("wings", np.concatenate([up, lo[1:-1]])))
        pieces.append(Piece("body", ellipse(0, t * 0.4, w * rng.uniform(0.06, 0.12), t * 0.9, 16)))
        return Drawing("bird", pieces)
    if kind == "front":
        hr, by = rng.uniform(0.25, 0.35), rng.uniform(0.45, 0.7)
        fan = feathers(seg(-0.35, by * 1.5, 0.35, by * 1.5), 3, 0.6, (0, 0))
        tail = np.concatenate([[[0, by * 0.5]], fan])
        pieces = [Piece("body", tail)]
        tip_y, tip_x = rng.uniform(-1.3, 0.2), rng.uniform(1.3, 2.0)
        for s in (-1, 1):
            b0, b1, tip = np.array([[s * 0.1, -by * 0.55], [s * 0.1, by * 0.3], [s * tip_x, tip_y]])
            pts, det = wing(rng, b0, b1, tip, rng.random() < 0.6)
            pieces.append(Piece("wings", pts, details=det))
        pieces.append(Piece("body", ellipse(0, 0, rng.uniform(0.28, 0.4), by, 32)))
        pieces.append(Piece("", beak((0, -by - hr * 0.6), hr, hr * 0.5, 60, 120)))
        eyes = [e for x in (-0.4, 0.4) for e in eye((x * hr, -by - hr * 0.75), hr * 0.1)]
        pieces.append(Piece("body", ellipse(0, -by - hr * 0.6, hr, hr, 28), details=eyes))
        return Drawing("bird", pieces)
    if kind == "perched":
        rx, ry, rot = rng.uniform(0.85, 1.1), rng.uniform(0.6, 0.75), rng.uniform(-0.6, -0.2)
        hr = rng.uniform(0.32, 0.42)
        hc = (np.cos(rot) * rx * 0.75, np.sin(rot) * rx * 0.75 - ry * 0.55)
        ta = rng.uniform(2.4, 3.0) if rng.random() < 0.7 else rng.uniform(3.6, 4.0)  # down-back or cocked up
        tl, tw = rng.uniform(0.8, 1.3), rng.uniform(0.15, 0.3)
        d, nrm = np.array([np.cos(ta), np.sin(ta)]), np.array([-np.sin(ta), np.cos(ta)])
        root = -np.array([np.cos(rot), np.sin(rot)]) * rx * 0.6
        tail = root + np.stack([nrm * tw * 0.6, d * tl + nrm * tw, d * tl - nrm * tw, -nrm * tw * 0.6])
        ground = ry * 1.0 + rng.uniform(0.25, 0.45)
        pieces = [Piece("body", tail), *legs(rng, [0.15, -0.15], ry * 0.8, ground, 0.22)]
        pieces.append(Piece("body", wobble(ellipse(0, 0, rx, ry, 40, rot=rot), rng, 0.015)))
        w0 = np.array([hc[0] - hr * 0.4, hc[1] + hr * 1.2])
        w1 = root + d * rng.uniform(0.2, 0.6)
        wl = np.concatenate(
            [
                bezier(w0, w0 + (-0.1, ry * 0.8), w1, n=12),
                bezier(w1, ((w0[0] + w1[0]) / 2, w0[1] - 0.05), w0, n=12)[1:-1],
            ]
        )
        dw = w0 - w1
        det = [bezier(w1 + dw * f, w1 + dw * (f + 0.15) + (0, 0.12), w1, n=6) for f in (0.35, 0.6)]
        det = det if rng.random() < 0.6 else []
        pieces.append(Piece("wings", wl, details=det))
        pieces.append(Piece("", beak(hc, hr, hr * rng.uniform(0.4, 0.8), -20, 15)))
        eyes = eye(on_circle(hc, hr * 0.5, -30), hr * 0.1)
        pieces.append(Piece("body", ellipse(hc[0], hc[1], hr, hr, 30), details=eyes))
        return Drawing("bird", pieces)
    # flying, side view, head to the right
    hc, hr = (rng.uniform(0.8, 1.0), rng.uniform(-0.45, -0.25)), rng.uniform(0.25, 0.35)
    belly = rng.uniform(0.25, 0.5)
    tb = np.array([-0.85, 0.05])
    tail_dir = np.array([-1.0, rng.uniform(-0.2, 0.5)])
    tl, tw = rng.uniform(0.5, 0.9), rng.uniform(0.25, 0.45)
    ends = [tb + tail_dir * tl + (0, -tw), tb + tail_dir * tl + (0, tw)]
    fan = feathers(np.stack(ends), int(rng.integers(2, 5)), 0.6, tb)
    tail = np.concatenate([[tb + (0.25, -0.12)], fan, [tb + (0.25, 0.15)]])
    body = np.concatenate(
        [
            bezier(tuple(on_circle(hc, hr, 100)), (0.6, belly + 0.1), (-0.3, belly), (-0.9, 0.15), n=16),
            bezier((-0.9, -0.05), (-0.3, -0.3), (0.4, -0.35), tuple(on_circle(hc, hr, 190)), n=16),
            ellipse(*hc, hr, hr, 24, np.radians(190), np.radians(460))[1:],
        ]
    )
    up = rng.random() < 0.75
    tips = [
        np.array([rng.uniform(-0.6, 0.5), -rng.uniform(1.4, 2.2)])
        if up
        else np.array([rng.uniform(-0.9, -0.2), rng.uniform(0.9, 1.5)])
    ]
    tips.insert(0, tips[0] + (rng.uniform(0.2, 0.6), rng.uniform(0.1, 0.4) * (1 if up else -1)))
    lines = rng.random() < 0.6
    far, fd = wing(rng, np.array([0.45, -0.35]), np.array([-0.15, -0.3]), tips[0], lines)
    near, nd = wing(rng, np.array([0.3, -0.2]), np.array([-0.4, -0.15]), tips[1], lines)
    return Drawing(
        "bird",
        [
            Piece("wings", far, details=fd),
            Piece("body", tail),
            Piece("", beak(hc, hr, hr * rng.uniform(0.5, 0.9))),
            Piece("body", body, details=eye(on_circle(hc, hr * 0.45, -40), hr * 0.1)),
            Piece("wings", near, details=nd),
        ],
    )


def chicken(rng: np.random.Generator) -> Drawing:
    """A hen, a rooster with long sickle tail feathers, or a round chick with a small head."""
    kind = rng.choice(["hen", "rooster", "chick"], p=[0.35, 0.2, 0.45])
    if kind == "chick":
        rx, ry, hr = rng.uniform(0.65, 0.85), rng.uniform(0.55, 0.7), rng.uniform(0.4, 0.5)
        hc = (rng.uniform(0.05, 0.45), -ry - hr * rng.uniform(0.25, 0.6))
        ground = ry + rng.uniform(0.2, 0.45)
        tp = np.array([-rx * 0.8, -ry * 0.2])
        tuft = feathers(np.stack([tp + (-0.35, -0.1), tp + (-0.05, -0.4)]), int(rng.integers(1, 4)), 0.7, tp)
        tail = np.concatenate([[tp + (0.3, 0.2)], tuft, [tp + (0.3, -0.1)]])
        pieces = [Piece("tail", tail), *legs(rng, [0.2, -0.2], ry * 0.8, ground, 0.2)]
        pieces.append(Piece("body", wobble(ellipse(0, 0, rx, ry, 40), rng, 0.015)))
        w0 = np.array([hc[0] - hr * 0.6, -ry * 0.35])
        if rng.random() < 0.5:  # folded wing on the side
            w1 = w0 + (-rx * 0.9, ry * 0.5)
            wl = np.concatenate(
                [
                    bezier(w0, w0 + (0.05, 0.5), w1, n=10),
                    feathers(np.stack([w1, w0]), 2, 0.5, w0 + (0, 1))[1:-1],
                ]
            )
        else:  # a wing stub held out
            w1 = w0 + (-rx * rng.uniform(0.8, 1.1), rng.uniform(-0.3, 0.3))
            wl = np.concatenate(
                [
                    bezier(w0, (w1[0] * 0.6, w0[1] - 0.25), w1, n=10),
                    feathers(np.stack([w1, w0 + (0, 0.35)]), 3, 0.6, w0 + (0, -1))[1:],
                ]
            )
        pieces.append(Piece("body", wl))
        pieces.append(Piece("", beak(hc, hr, hr * rng.uniform(0.3, 0.5), -15, 25)))
        curl = ((0.95, 0), (1.25, 8), (1.35, -10))
        fluff = [bezier(*(on_circle(hc, hr * f, a + da) for f, da in curl), n=6) for a in (-110, -90, -70)]
        det = eye(on_circle(hc, hr * 0.5, -25), hr * 0.1) + (fluff if rng.random() < 0.5 else [])
        pieces.append(Piece("head", ellipse(hc[0], hc[1], hr, hr * rng.uniform(0.9, 1.0), 30), details=det))
        return Drawing("chicken", pieces)
    roo = kind == "rooster"
    hr = rng.uniform(0.25, 0.32)
    hc = (rng.uniform(0.65, 0.85), -rng.uniform(1.0, 1.3) - 0.2 * roo)
    belly = rng.uniform(0.5, 0.7)
    ground = belly + rng.uniform(0.4, 0.65)
    pv = np.array([-0.75, -0.3])
    if roo:  # sickle feathers arching up over the back and drooping behind
        r_t = rng.uniform(1.0, 1.4)
        q = [pv + np.array(c) * r_t for c in ((-0.1, -1.3), (-1.0, -1.35), (-1.25, 0.1), (-0.8, 0.4))]
        arch = bezier(tuple(pv + (0.1, -0.2)), tuple(q[0]), tuple(q[1]), tuple(q[2]), n=20)
        ends = feathers(np.stack([q[2], q[3]]), int(rng.integers(2, 4)), 0.6, pv)
        back = bezier(tuple(q[3]), tuple(pv + np.array((-0.6, -0.5)) * r_t), tuple(pv + (0.3, 0.2)), n=12)
        tail = np.concatenate([arch, ends[1:], back[1:]])
        det = [bezier(pv, *(pv + (c - pv) * f for c in q[:3]), n=14) + (0.1 * f, 0.1 * f) for f in (0.6, 0.8)]
    else:  # a short tuft of rounded feathers pointing up and back
        r_t = rng.uniform(0.55, 0.85)
        a0, a1 = np.radians(rng.uniform(195, 215)), np.radians(rng.uniform(255, 280))
        outer = ellipse(*pv, r_t, r_t * rng.uniform(0.9, 1.2), 16, a0, a1)
        tuft = feathers(outer[::-1], int(rng.integers(3, 6)), 0.4, pv)
        tail = np.concatenate([[pv + (0.4, 0.2)], tuft, [pv + (0.4, 0.3)]])
        det = [seg(*pv, *(pv + (q - pv) * 0.7)) for q in along(tuft, 4)[1:-1]] if rng.random() < 0.4 else []
    pieces = [Piece("tail", tail, details=det)]
    pieces += legs(rng, [0.15, -0.2], belly * 0.8, ground, 0.3)
    body = np.concatenate(
        [
            bezier(
                tuple(on_circle(hc, hr * 0.7, 100)), (hc[0] + 0.1, -0.45), (1.05, -0.3), (0.95, 0.1), n=12
            ),
            bezier((0.95, 0.1), (0.9, belly + 0.35), (-0.2, belly + 0.4), (-0.85, 0.3), n=14),
            bezier((-0.85, 0.3), (-1.1, 0.05), (-1.05, -0.35), (-0.8, -0.5), n=10),
            bezier((-0.8, -0.5), (-0.1, -0.3), (0.3, -0.45), tuple(on_circle(hc, hr * 0.7, 170)), n=12),
        ]
    )
    pieces.append(Piece("body", wobble(body, rng, 0.008)))
    w0, w1 = np.array([0.45, -0.15]), np.array([-0.75, rng.uniform(-0.1, 0.2)])
    wl = np.concatenate(
        [
            bezier(tuple(w0), (0.45, 0.45), (-0.2, 0.5), tuple(w1), n=14),
            feathers(np.stack([w1, w1 + (0.4, -0.1)]), 2, 0.5, w0 + (0, 1))[1:],
            bezier(tuple(w1 + (0.4, -0.1)), (-0.1, -0.25), tuple(w0), n=10)[1:-1],
        ]
    )
    lines = [seg(x, 0.05, x - 0.35, 0.2) for x in (-0.1, 0.075, 0.25)] if rng.random() < 0.6 else []
    pieces.append(Piece("body", wl, details=lines))
    cb = int(rng.integers(3, 6))
    ang = np.radians(np.linspace(-150, -40, cb + 1))
    cr = hr * (1.2 + 0.6 * roo) * rng.uniform(0.9, 1.1)
    comb = np.stack([hc[0] + cr * np.cos(ang), hc[1] + cr * np.sin(ang) * 0.85], 1)
    pieces.append(Piece("", np.concatenate([feathers(comb, cb, 0.8, np.array(hc)), [hc]])))
    wt = on_circle(hc, hr * 0.9, 45)
    wattle = wt + polygon(-0.08, 0, 0.08, -0.02, 0.02, hr * (0.8 + roo), -0.06, hr * 0.7)
    pieces.append(Piece("", smooth(wattle)))
    pieces.append(Piece("", beak(hc, hr, hr * rng.uniform(0.4, 0.7), -20, 15, hr * 0.1)))
    eyes = eye(on_circle(hc, hr * 0.45, -30), hr * 0.12)
    pieces.append(Piece("head", ellipse(hc[0], hc[1], hr, hr * 1.05, 30), details=eyes))
    return Drawing("chicken", pieces)


def duck(rng: np.random.Generator) -> Drawing:
    """Side view, S neck, upturned tail: a grown duck or a duckling, on webbed feet or swimming."""
    young = rng.random() < 0.35
    hr = rng.uniform(0.42, 0.5) if young else rng.uniform(0.3, 0.4)
    hc = (rng.uniform(0.45, 0.7), -rng.uniform(0.85, 1.0) if young else -rng.uniform(1.2, 1.6))
    swim = rng.random() < 0.35
    bot = rng.uniform(0.25, 0.35) if swim else rng.uniform(0.5, 0.65)
    tail = np.array([-1.0 - rng.uniform(0, 0.2), -rng.uniform(0.2, 0.4) if young else -rng.uniform(0.3, 0.7)])
    chin, nape = on_circle(hc, hr, 80), on_circle(hc, hr, rng.uniform(115, 135))
    nb = (hc[0] - rng.uniform(0.0, 0.25), -0.35)  # back of the neck where it meets the back
    path = np.concatenate(
        [
            bezier(tuple(chin), (chin[0] - 0.2, chin[1] + 0.45), (1.15, -0.5), (1.0, 0.0), n=14),
            bezier((1.0, 0.0), (0.95, bot + (0.05 if swim else 0.2)), (0.0, bot + 0.05), (-0.6, bot), n=14),
            bezier((-0.6, bot), (-0.95, bot - 0.05), (tail[0] + 0.2, tail[1] + 0.5), tuple(tail), n=10),
            bezier(tuple(tail), (tail[0] + 0.25, tail[1] + 0.4), (-0.5, -0.35), tuple(nb), n=12),
            bezier(nb, (nb[0] + 0.25, -0.6), (nape[0] + 0.1, nape[1] + 0.35), tuple(nape), n=10),
            ellipse(*hc, hr, hr, 28, np.arctan2(nape[1] - hc[1], nape[0] - hc[0]), np.radians(440))[1:],
        ]
    )
    pieces = []
    if not swim:
        ground = bot + rng.uniform(0.2, 0.4)
        for x in (0.15, -0.2):
            foot = polygon(x - 0.05, ground - 0.1, x + 0.05, ground - 0.12, x + 0.4, ground, x - 0.1, ground)
            leg = seg(x, bot - 0.1, x, ground - 0.1)
            pieces += [Piece("", leg, fill=False, closed=False), Piece("", foot)]
    pieces.append(Piece("", wobble(path, rng, 0.003)))
    w0, w1 = np.array([0.6, -0.05]), np.array([-0.85 * (0.8 if young else 1), -0.15])
    wl = np.concatenate(
        [
            bezier(tuple(w0), (0.5, bot * 0.7), (-0.5, bot * 0.6), tuple(w1), n=14),
            bezier(tuple(w1), (-0.4, -0.35), (0.3, -0.3), tuple(w0), n=12)[1:-1],
        ]
    )
    if rng.random() < 0.3:
        tips = feathers(np.stack([w1, w0]), 3, 0.5, w0 + (0, 1))
        wl = np.concatenate([bezier(w0, (0.3, bot * 0.9), w1, n=14), tips[1:-1]])
    if rng.random() < 0.85:
        pieces.append(Piece("", wl))
    bl, bh = hr * rng.uniform(0.8, 1.3), hr * rng.uniform(0.25, 0.4)
    b0 = on_circle(hc, hr * 0.85, rng.uniform(-5, 20))
    bill = b0 + np.concatenate(
        [
            bezier((0, -bh), (bl * 0.6, -bh * 1.2), (bl, -bh * 0.2), n=10),
            bezier((bl, 0), (bl * 0.5, bh), (0, bh * 0.8), n=10),
        ]
    )
    mouth = [b0 + seg(0, 0, bl * 0.8, -bh * 0.1)] if rng.random() < 0.5 else []
    pieces.append(Piece("", bill, details=mouth))
    pieces[-2 if rng.random() < 0.85 else -1].details += eye(on_circle(hc, hr * 0.45, -45), hr * 0.1)
    return Drawing("duck", pieces)


def butterfly(rng: np.random.Generator) -> Drawing:
    """Top view: four wings (or two), maybe a swallowtail, veins, spots and a rim band (edge)."""
    four = rng.random() < 0.75
    s = rng.uniform(0.8, 1.2, 6)
    if four:
        fore = [
            (0.05, -0.25),
            (0.5 * s[0], -0.95 * s[1]),
            (1.2 * s[0], -1.15 * s[1]),
            (1.3 * s[2], -0.65 * s[1]),
            (1.0 * s[2], -0.05),
            (0.1, 0.05),
        ]
        hx, hy = s[3], s[4]
        hind = [
            (0.05, 0.0),
            (0.9 * hx, 0.05),
            (1.05 * hx, 0.5 * hy),
            (0.75 * hx, hy),
            (0.3 * hx, 1.05 * hy),
            (0.05, 0.5),
        ]
        if rng.random() < 0.3:  # swallowtail streamer
            hind[4:4] = [(x * hx, y * hy) for x, y in ((0.5, 1.1), (0.5, 1.6), (0.38, 1.6), (0.38, 1.1))]
        wings = [hind, fore]
    else:
        waist = (rng.uniform(0.7, 1.05) * s[2], rng.uniform(-0.3, 0.1))  # a dent: two lobes
        wings = [
            [
                (0.05, -0.3),
                (0.6 * s[0], -1.1 * s[1]),
                (1.3 * s[0], -1.0 * s[1]),
                waist,
                (1.2 * s[2], 0.7 * s[4]),
                (0.5 * s[3], 0.95 * s[4]),
                (0.05, 0.3),
            ]
        ]
    band = rng.random() < 0.55
    k, wavy = rng.uniform(0.65, 0.82), rng.random() < 0.4
    veins, spots = rng.random() < 0.5, rng.random() < 0.45
    pieces = []
    for anchors in wings:
        a = np.array(anchors) + rng.normal(0, 0.03, (len(anchors), 2))
        w = smooth(a, 2)
        base = a[0] + (a[-1] - a[0]) * 0.5
        det = [seg(*base, *(base + (q - base) * 0.85)) for q in a[2:-1]] if veins else []
        if spots:
            c = base + (w.mean(0) - base) * rng.uniform(0.9, 1.2)
            r = np.linalg.norm(w.mean(0) - base) * rng.uniform(0.2, 0.35)
            det += [ellipse(*c, r, r, 16)] + ([ellipse(*c, r / 2, r / 2, 10)] if rng.random() < 0.5 else [])
        rim = []
        if band:
            far = np.linalg.norm(w - base, axis=1)
            idx = np.nonzero(far > far.max() * 0.55)[0]
            outer = w[idx[0] : idx[-1] + 1]
            inner = base + (outer - base) * k
            if wavy:
                inner = feathers(inner, max(3, len(idx) // 6), 0.5, base)
            dots = [ellipse(*q, 0.04, 0.04, 8) for q in along(base + (outer - base) * (1 + k) / 2, 6)[1:-1]]
            rim = [np.concatenate([outer, inner[::-1]]), dots if rng.random() < 0.4 else []]
        for sx in (1, -1):
            m = np.array([sx, 1.0])
            pieces.append(Piece("wings", w * m, details=[d * m for d in det]))
            if rim:
                pieces.append(Piece("edge", rim[0] * m, details=[d * m for d in rim[1]]))
    bl = rng.uniform(0.7, 1.0)
    body = smooth(polygon(0, -0.45, 0.1, -0.35, 0.11, 0.1, 0.05, bl, -0.05, bl, -0.11, 0.1, -0.1, -0.35), 2)
    rings = [seg(-0.08, y, 0.08, y) for y in np.linspace(0.15, bl - 0.15, 4)] if rng.random() < 0.4 else []
    hy, hr = -0.5, rng.uniform(0.08, 0.12)
    ant = []
    for sx in (1, -1):
        tip = (sx * rng.uniform(0.25, 0.5), hy - rng.uniform(0.45, 0.7))
        ant += [bezier((sx * 0.03, hy - hr), (sx * 0.05, hy - 0.35), tip, n=8), ellipse(*tip, 0.035, 0.035)]
    pieces += [Piece("body", body, details=rings), Piece("body", ellipse(0, hy, hr, hr, 16), details=ant)]
    rot = rng.uniform(-0.4, 0.4)
    c, sn = np.cos(rot), np.sin(rot)
    rm = np.array([[c, sn], [-sn, c]])
    for p in pieces:
        p.polygon = p.polygon @ rm
        p.details = [d @ rm for d in p.details]
    return Drawing("butterfly", pieces)


DRAWERS = {"bird": bird, "chicken": chicken, "duck": duck, "butterfly": butterfly}
