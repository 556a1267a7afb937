"""Four-legged animals in side view: cat, dog, cow, horse, pig, sheep, rabbit (no named parts: all "").

Facing right, standing on y=0. Far legs are drawn before the body (it hides their tops); near legs
either hang behind the belly too or grow out of it (open-topped, so the fill erases the belly line
and the silhouette runs on), the two ways people draw them. Heads are drawn last with their details.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..drawing import Drawing, Piece
from ..shapes import bezier, ellipse, line, polygon, wobble
from .sky import ring, scallops

Pts = np.ndarray
PI = np.pi


@lru_cache(maxsize=512)
def _chaikin(n: int, iters: int, closed: bool) -> Pts:
    """Corner cutting is linear in the control points: one cached matrix per (count, iterations)."""
    p = np.eye(n)
    for _ in range(iters):
        a, b = (p, np.concatenate([p[1:], p[:1]])) if closed else (p[:-1], p[1:])
        q = np.empty((2 * len(a), n))
        q[0::2], q[1::2] = 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b
        p = q if closed else np.vstack([p[:1], q, p[-1:]])
    return p


def smooth(ctrl: list | Pts, iters: int = 3, closed: bool = True) -> Pts:
    """Chaikin corner cutting: a few control points become an organic outline (bodies, heads, ears)."""
    p = np.asarray(ctrl, np.float64)
    return _chaikin(len(p), iters, closed) @ p


def tube(c: Pts, w0: float, w1: float, cap: bool = True) -> Pts:
    """A limb along centreline c, open at its start so it can grow out of a body; round or flat end."""
    d = np.empty_like(c)
    d[1:-1], d[0], d[-1] = c[2:] - c[:-2], c[1] - c[0], c[-1] - c[-2]
    d /= np.sqrt((d * d).sum(1, keepdims=True)) + 1e-9
    w = w0 + (w1 - w0) * np.arange(len(c))[:, None] / (len(c) - 1)
    nrm = d[:, ::-1] * (-1, 1) * w / 2
    a = np.arctan2(d[-1, 1], d[-1, 0])
    end = [ellipse(*c[-1], w1 / 2, w1 / 2, 9, a + PI / 2, a - PI / 2)[1:-1]] if cap else []
    return np.concatenate([c + nrm, *end, (c - nrm)[::-1]])


def rel(x: float, y: float, s: float | tuple[float, float], *uv: float) -> Pts:
    """Points around (x, y) in units of s: rel(x, y, r, -1, 0, 0.5, -1) is [(x - r, y), (x + r/2, y - r)]."""
    return np.asarray(uv, np.float64).reshape(-1, 2) * np.asarray(s, np.float64) + (x, y)


def place(pts: Pts, x: float, y: float, ang: float = 0.0, sx: float = 1.0) -> Pts:
    """Local shape coordinates to the drawing: scale, rotate (y down, positive = clockwise), move."""
    c, s = np.cos(ang), np.sin(ang)
    return pts * sx @ np.array([[c, s], [-s, c]]) + (x, y)


def under(body: Pts, x: float) -> float:
    """The belly's y at x: where a leg leaves the body."""
    d = np.abs(body[:, 0] - x)
    return float(body[d < d.min() + 0.05, 1].max())


def leg(
    x: float,
    top: float,
    w0: float,
    w1: float,
    bend: float = 0.0,
    hoof: float = 0.0,
    dx: float = 0.0,
    toes: bool = False,
) -> list:
    """A leg from inside the body down to y=0: a paw (round end, maybe toe lines) or a hoof (own piece)."""
    end = 0.0 if hoof else -w1 / 2
    c = bezier((x, top), (x + bend, (top + end) / 2), (x + dx, end), n=10)
    xe = x + dx
    toe = [line(xe + w1 * k, -w1 * 0.3, xe + w1 * k, 0) for k in (0.05, 0.25)] if toes else []
    poly = tube(c, w0, w1, cap=not hoof)
    poly[:, 1] = np.minimum(poly[:, 1], 0.0)
    out = [Piece("", poly, closed=False, details=toe)]
    if hoof:
        out.append(Piece("", rel(xe, 0, (w1, hoof), -0.52, -1, 0.52, -1, 0.62, 0, -0.6, 0)))
    return out


def legs(
    rng: np.random.Generator,
    body: Pts,
    xs: tuple[float, float],
    w: tuple[float, float],
    hoof: float = 0.0,
    bends: tuple[float, float] = (0.0, 0.0),
    toes: bool = False,
    thigh: float = 1.0,
    lifted: bool = False,
) -> tuple[list[Piece], list[Piece]]:
    """(far legs behind the body, near legs) for a hind and a front leg; thigh widens the hind leg's top.

    lifted: leave out the near front leg (the caller draws it raised).
    """
    far_dx = (xs[1] - xs[0]) * rng.uniform(0.08, 0.2)
    merge = rng.random() < 0.5
    behind: list[Piece] = []
    front: list[Piece] = []
    for x, b, w0 in zip(xs, bends, (w[0] * thigh, w[0]), strict=True):
        for f in (True, False):
            if lifted and not f and x > 0:
                continue
            xx = x + (far_dx if f else 0)
            top = under(body, xx) - w0 * (1.0 if f or not merge else 0.4)
            ps = leg(xx, top, w0, w[1], b, hoof, dx=rng.uniform(-0.03, 0.03), toes=toes and not f)
            (behind if f or not merge else front).extend(ps)
    return behind, front


def eye(rng: np.random.Generator, x: float, y: float, r: float, kind: str = "") -> list[Pts]:
    """An eye as detail strokes: a dot, a ring with a pupil, or a closed (happy) arc."""
    kind = kind or str(rng.choice(["dot", "ring", "arc"], p=[0.5, 0.35, 0.15]))
    if kind == "dot":
        return [ellipse(x, y, r * 0.45, r * 0.55, 10), ellipse(x, y, r * 0.18, r * 0.24, 6)]
    if kind == "ring":
        px = x + r * 0.3
        pupil = [ellipse(px, y, r * 0.35, r * 0.45, 8), ellipse(px, y, 0.1 * r, 0.15 * r, 5)]
        return [ellipse(x, y, r * 0.8, r, 14), *pupil]
    return [ellipse(x, y + r * 0.3, r * 0.8, r * 0.6, 9, PI * 1.1, PI * 1.9)]


def blob(rng: np.random.Generator, x: float, y: float, rx: float, ry: float, amount: float = 0.06) -> Pts:
    """A lumpy closed shape: patches, tufts."""
    t = rng.uniform(0, 2 * PI) + np.arange(8) * PI / 4
    k = rng.uniform(1 - 3 * amount, 1 + 3 * amount, 8)
    return smooth(np.stack([x + rx * k * np.cos(t), y + ry * k * np.sin(t)], 1))


def puff(rng: np.random.Generator, x: float, y: float, r: float, n: int) -> Pts:
    """A scalloped ball of fur or wool (sheep body, bunny tail)."""
    t = ring(rng, n)[:-1]
    return scallops(np.stack([x + r * np.cos(t), y + r * np.sin(t)], 1), rng.uniform(0.5, 0.9, n))


def spiral(x: float, y: float, r: float, turns: float, a0: float = 0.0) -> Pts:
    t = np.linspace(0, turns * 2 * PI, int(16 * turns) + 2)
    rr = r * (1 - 0.75 * t / t[-1])
    return np.stack([x + rr * np.cos(a0 - t), y + rr * np.sin(a0 - t)], 1)


# ---------------------------------------------------------------- cat and dog


def quad_body(
    rng: np.random.Generator, lg: float, bh: float, hx: float, hy: float, r: float, L: float
) -> Pts:
    """Trunk from the rump (at x=-L) to the chest with a neck rising into the head at (hx, hy)."""
    yt, yb = -lg - bh, -lg
    dip = bh * rng.uniform(-0.05, 0.12)
    ctrl = [
        (-1.0 * L, yb - bh * 0.35),
        (-1.02 * L, yt + bh * 0.1),
        (-0.7 * L, yt - bh * 0.05),
        (0.0, yt + dip),
        (0.55, yt),
        (hx - r * 0.6, hy),
        (hx, hy + r * 0.4),
        (hx + r * 0.2, hy + r * 0.7),
        (1.0, yb - bh * 0.45),
        (0.8, yb + bh * 0.12),
        (-0.1 * L, yb - bh * rng.uniform(-0.1, 0.2)),
        (-0.8 * L, yb + bh * 0.02),
    ]
    return smooth(ctrl)


def cat_head(rng: np.random.Generator, x: float, y: float, r: float, front: bool) -> list[Piece]:
    """Round head, two pointed ears behind it; side profile or turned to the viewer with whiskers."""
    out = []
    ears = (-0.7, 0.55) if front else (-0.35, 0.45)
    tall = rng.uniform(1.45, 1.8)
    for a in ears:
        a0 = -PI / 2 + a
        tip = (x + r * tall * np.cos(a0 + 0.08), y + r * tall * np.sin(a0 + 0.08))
        b0 = (x + r * 0.85 * np.cos(a0 - 0.42), y + r * 0.85 * np.sin(a0 - 0.42))
        b1 = (x + r * 0.85 * np.cos(a0 + 0.42), y + r * 0.85 * np.sin(a0 + 0.42))
        inner = np.array([b0, tip, b1]) * 0.7 + np.array([x, y]) * 0.3
        inner = (inner - inner[1]) * 0.8 + inner[1] + (np.array([x, y]) - inner[1]) * 0.1
        out.append(Piece("", polygon(*b0, *tip, *b1), details=[inner] if rng.random() < 0.7 else []))
    rx, ry = r * rng.uniform(1.0, 1.15), r * rng.uniform(0.85, 0.95)
    det: list[Pts] = []
    if front:
        ex, ey, er = r * 0.38, y - r * 0.1, r * rng.uniform(0.16, 0.22)
        kind = str(rng.choice(["dot", "ring", "arc"]))
        det += eye(rng, x - ex, ey, er, kind) + eye(rng, x + ex, ey, er, kind)
        ny = y + r * 0.25
        det.append(rel(x, ny, r, -0.09, 0, 0.09, 0, 0, 0.09, -0.09, 0))
        det += [bezier(*rel(x, ny, (s * r, r), 0, 0.09, -0.05, 0.25, -0.25, 0.2), n=6) for s in (-1, 1)]
        det += [rel(x, ny, (s * r, r), 0.35, k * 0.1, 1.35, k * 0.25) for s in (-1, 1) for k in (-1, 0.5)]
        head = ellipse(x, y, rx, ry, 40)
    else:
        head = smooth(rel(x, y, (rx, ry), -1, 0, -0.5, -1, 0.6, -0.8, 1.1, 0.1, 0.9, 0.6, 0, 1, -0.8, 0.7))
        det += eye(rng, x + rx * 0.45, y - ry * 0.15, r * 0.18)
        nx, ny = x + rx * 1.0, y + ry * 0.12
        det.append(rel(nx, ny, r, -0.1, -0.05, 0, -0.03, -0.03, 0.07))
        det.append(bezier(*rel(nx, ny, r, -0.03, 0.07, -0.05, 0.25, -0.25, 0.27), n=6))
        det += [rel(nx, ny, r, -0.3, 0.1, 0.5, k * 0.15) for k in (-0.5, 0.5, 1.5)]
    out.append(Piece("", head, details=det))
    return out


def dog_head(rng: np.random.Generator, x: float, y: float, r: float, ears: str) -> list[Piece]:
    """Skull plus muzzle in profile; ears pointed (behind) or floppy (over the head)."""
    m = rng.uniform(1.4, 1.9)  # muzzle reach
    mh = rng.uniform(0.35, 0.6)  # muzzle depth below the stop
    out = []
    if ears == "pointed":
        tip = (x - r * rng.uniform(0.2, 0.6), y - r * rng.uniform(1.6, 2.0))
        ear = polygon(x - r * 0.75, y - r * 0.3, *tip, x + r * 0.3, y - r * 0.6)
        inner = (ear - (x - r * 0.2, y - r * 0.6)) * 0.55 + (x - r * 0.2, y - r * 0.75)
        out.append(Piece("", ear, details=[inner]))
    head = smooth(
        rel(
            x,
            y,
            r,
            -1,
            -0.1,
            -0.7,
            -1,
            0.3,
            -1.05,
            0.75,
            -0.45,
            m,
            -0.3,
            m + 0.12,
            mh * 0.6,
            m - 0.2,
            mh + 0.2,
            0.5,
            0.75,
            -0.6,
            0.85,
        )
    )
    nx, ny = x + r * (m - 0.02), y - r * 0.15
    det = eye(rng, x + r * 0.4, y - r * 0.4, r * 0.2)
    det.append(bezier(*rel(nx, ny, r, -0.05, 0.2, -0.3, 0.55), (x + r * 0.6, y + r * 0.45)))
    out.append(Piece("", head, details=det))
    out.append(Piece("", ellipse(nx, ny, r * 0.2, r * 0.15, 14)))
    if ears == "floppy":  # hangs from the top of the skull down past the cheek
        el, ang = r * rng.uniform(1.6, 2.2), rng.uniform(-0.35, 0.15)
        ear = smooth(rel(0, 0, (r, el), -0.3, 0, 0.3, -0.03, 0.35, 0.55, 0.1, 1, -0.3, 0.9, -0.45, 0.35))
        out.append(Piece("", place(ear, x - r * rng.uniform(0.2, 0.5), y - r * 0.75, ang)))
    return out


def sitting(rng: np.random.Generator, kind: str) -> Drawing:
    """Sitting on its haunches: upright trunk, straight front legs, big thigh, tail on the ground."""
    r = rng.uniform(0.33, 0.42) if kind == "cat" else rng.uniform(0.3, 0.38)
    hx, hy = rng.uniform(0.05, 0.2), -rng.uniform(1.35, 1.6)
    cx = rng.uniform(0.2, 0.35)  # chest front
    neck = rel(hx, hy, r, -0.7, 0.2, 0.5, 0.5)
    chest = rel(cx, 0, 1, 0.05, -0.85, 0, -0.35, -0.1, 0)
    body = smooth([(-0.7, 0), (-0.9, -0.4), (-0.6, -0.95), *neck, *chest])
    body[:, 1] = np.minimum(body[:, 1], 0.0)
    pieces: list[Piece] = []
    fw = rng.uniform(0.14, 0.18) if kind == "cat" else rng.uniform(0.16, 0.21)
    wrap = kind == "cat" and rng.random() < 0.5
    if not wrap:  # out behind, the tip curling up (cat) or lying flat (dog)
        up = rng.uniform(0.2, 0.6) if kind == "cat" else rng.uniform(-0.05, 0.2)
        tail = bezier((-0.6, -0.15), (-1.1, -0.05), (-1.3, -0.1 - up * 0.5), (-1.25, -0.1 - up), n=14)
        tail[:, 1] = np.minimum(tail[:, 1], -0.07)
        pieces.append(Piece("", tube(tail, 0.15, 0.1), closed=False))
    pieces += leg(cx - 0.02, -0.7, fw * 1.2, fw)
    pieces.append(Piece("", body))
    hr = rng.uniform(0.38, 0.46)
    thigh = ellipse(-0.35, -hr * 0.85, hr, hr * 0.85, 30, PI * 0.6, PI * 2.15)
    pieces.append(Piece("", thigh, fill=False, closed=False))
    fx = -0.35 + hr * 0.55
    pieces.append(Piece("", ellipse(fx, 0.0, 0.25, 0.1, 16, PI, 2 * PI), details=[]))
    pieces += leg(cx - 0.15, -0.75, fw * 1.3, fw, toes=rng.random() < 0.5)
    if wrap:  # curled round in front of the paws
        tail = bezier((-0.4, -0.07), (0.2, -0.07), (cx + 0.3, -0.07), (cx + 0.3, -0.3), n=14)
        pieces.append(Piece("", tube(tail, 0.13, 0.1)))
    if kind == "cat":
        pieces += cat_head(rng, hx, hy, r, rng.random() < 0.6)
    else:
        pieces += dog_head(rng, hx, hy, r, str(rng.choice(["floppy", "pointed"])))
    return Drawing(kind, pieces)


def cat(rng: np.random.Generator) -> Drawing:
    """Standing with the tail up or curled, or sitting; head in profile or turned to the viewer."""
    if rng.random() < 0.35:
        return sitting(rng, "cat")
    lg, bh, r = rng.uniform(0.5, 0.75), rng.uniform(0.45, 0.6), rng.uniform(0.3, 0.38)
    hx, hy = rng.uniform(1.0, 1.15), -lg - bh - rng.uniform(0.1, 0.35)
    L = rng.uniform(0.7, 1.05)  # trunk length behind the middle
    body = quad_body(rng, lg, bh, hx, hy, r, L)
    ty = -lg - bh * 0.8
    if rng.random() < 0.6:
        tip = (-rng.uniform(1.1, 1.6), ty - rng.uniform(0.5, 0.9))
        tail = bezier((-0.9, ty), (-1.35, ty + 0.1), (-1.45, ty - 0.3), tip, n=16)
    else:
        tail = bezier((-0.9, ty), (-1.4, ty + 0.2), (-1.3, -0.25), (-1.65, -0.15), n=16)
    tail[:, 0] += 0.9 * (1 - L)
    w = rng.uniform(0.15, 0.2)
    toes, thigh = rng.random() < 0.5, rng.uniform(1.0, 1.6)
    behind, front = legs(rng, body, (-0.72 * L, 0.68), (w * 1.25, w), toes=toes, thigh=thigh)
    pieces = behind + [Piece("", tube(tail, 0.16, 0.11), closed=False), Piece("", body)] + front
    return Drawing("cat", pieces + cat_head(rng, hx, hy, r, rng.random() < 0.5))


def dog(rng: np.random.Generator) -> Drawing:
    """Adult (long legs, wagging tail), puppy (big head, stubby legs, floppy ears) or sitting."""
    v = rng.choice(["adult", "puppy", "sitting"], p=[0.45, 0.3, 0.25])
    if v == "sitting":
        return sitting(rng, "dog")
    puppy = v == "puppy"
    lg = rng.uniform(0.4, 0.55) if puppy else rng.uniform(0.7, 1.0)
    bh = rng.uniform(0.5, 0.65)
    r = rng.uniform(0.4, 0.5) if puppy else rng.uniform(0.3, 0.38)
    hx, hy = rng.uniform(0.95, 1.1), -lg - bh - rng.uniform(0.1, 0.4)
    L = rng.uniform(0.6, 0.85) if puppy else rng.uniform(0.75, 1.1)
    body = quad_body(rng, lg, bh, hx, hy, r, L)
    ty, x0 = -lg - bh * 0.8, -0.9 * L
    ang = rng.uniform(-1.2, 0.3)
    tl = rng.uniform(0.4, 0.7) * (0.6 if puppy else 1)
    tip = (x0 - tl * np.cos(ang), ty - tl * (1 + np.sin(ang)) * 0.7)
    tail = bezier((x0 + 0.05, ty), (x0 - 0.15, ty - 0.05), tip, n=12)
    w = rng.uniform(0.17, 0.23)
    toes, thigh = rng.random() < 0.4, rng.uniform(1.0, 1.5)
    behind, front = legs(rng, body, (-0.7 * L, 0.68), (w * 1.3, w), toes=toes, thigh=thigh)
    tp = Piece("", tube(tail, 0.15, rng.uniform(0.04, 0.1)), closed=False)
    pieces = behind + [tp, Piece("", body)] + front
    ears = "floppy" if puppy or rng.random() < 0.5 else "pointed"
    return Drawing("dog", pieces + dog_head(rng, hx, hy, r, ears))


# ---------------------------------------------------------------- farm animals


def superellipse(cx: float, cy: float, rx: float, ry: float, p: float, n: int = 48) -> Pts:
    t = np.linspace(0, 2 * PI, n, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    u, v = np.sign(c) * np.abs(c) ** (2 / p), np.sign(s) * np.abs(s) ** (2 / p)
    return np.stack([cx + rx * u, cy + ry * v], 1)


def long_head(
    rng: np.random.Generator, x: float, y: float, L: float, H: float, ang: float, horse: bool
) -> list[Piece]:
    """A horse or cow head in profile (back of the skull at x, y, muzzle towards +x rotated by ang)."""
    out = []
    for k, ex in enumerate((0.18 * L, 0.06 * L)):
        ear = (
            rel(ex, 0, H, -0.08, -0.45, -0.25, -0.9, 0.12, -0.45)
            if horse
            else ellipse(ex - 0.3 * H, -0.14 * H + 0.08 * H * k, 0.35 * H, 0.14 * H, 14, rot=0.3)
        )
        out.append(Piece("", place(ear, x, y, ang)))
    head = smooth(
        rel(
            0,
            0,
            (L, H),
            -0.05,
            -0.1,
            0.1,
            -0.55,
            0.5,
            -0.45,
            0.95,
            -0.3,
            1.02,
            0.2,
            0.85,
            0.5,
            0.45,
            0.45,
            0.05,
            0.5,
        )
    )
    det = eye(rng, 0.28 * L, -0.2 * H, 0.13 * H) + [ellipse(0.86 * L, -0.02 * H, 0.06 * H, 0.09 * H, 8)]
    det.append(bezier(*rel(0, 0, (L, H), 0.97, 0.3, 0.85, 0.33, 0.75, 0.3), n=5))
    out.append(Piece("", place(head, x, y, ang), details=[place(d, x, y, ang) for d in det]))
    return out


def cow_face(rng: np.random.Generator, x: float, y: float, s: float) -> list[Piece]:
    """The classic cartoon cow head turned to the viewer: ears out, horns, wide muzzle with nostrils."""
    out = []
    for k in (-1, 1):
        out.append(Piece("", ellipse(x + k * 0.55 * s, y - 0.32 * s, 0.3 * s, 0.11 * s, 14, rot=k * 0.35)))
        if rng.random() < 0.8:
            h = bezier(*rel(x, y, (k * s, s), 0.22, -0.45, 0.38, -0.55, 0.4, -0.8), n=8)
            out.append(Piece("", tube(h, 0.13 * s, 0.05 * s), closed=False))
    head = smooth(rel(x, y, s, -0.38, -0.6, 0.38, -0.6, 0.3, 0.4, -0.3, 0.4))
    kind = str(rng.choice(["dot", "ring"]))
    det = [d for k in (-1, 1) for d in eye(rng, x + k * 0.16 * s, y - 0.22 * s, 0.09 * s, kind)]
    out.append(Piece("", head, details=det))
    if rng.random() < 0.4:
        out.append(Piece("", blob(rng, x + rng.choice([-1, 1]) * 0.15 * s, y - 0.3 * s, 0.13 * s, 0.1 * s)))
    my = y + 0.32 * s
    nos = [ellipse(x + k * 0.14 * s, my - 0.02 * s, 0.05 * s, 0.07 * s, 8) for k in (-1, 1)]
    out.append(Piece("", ellipse(x, my, 0.36 * s, 0.22 * s, 30), details=nos))
    return out


def cow(rng: np.random.Generator) -> Drawing:
    """Boxy body with black patches, udder, rope tail with a tuft; head to the viewer or in profile."""
    lg, rx, ry = rng.uniform(0.5, 0.7), 1.0, rng.uniform(0.4, 0.5)
    cy, p = -lg - ry, rng.uniform(2.8, 4.0)
    body = superellipse(0, cy, rx, ry, p)
    pieces: list[Piece] = []
    tx, ty = -rx * 0.97, cy - ry * 0.6
    tend = (tx - rng.uniform(0.1, 0.25), -lg * rng.uniform(0.4, 0.8))
    rope = bezier((tx, ty), (tx - 0.15, ty + 0.3), tend, n=10)
    pieces.append(Piece("", rope, fill=False, closed=False))
    tuft = smooth(rel(*tend, 1.0, -0.05, -0.03, 0.05, -0.03, 0.08, 0.18, 0, 0.13, -0.08, 0.18), 2)
    pieces.append(Piece("", tuft))
    w = rng.uniform(0.18, 0.25)
    behind, front = legs(rng, body, (-0.72, 0.7), (w * 1.15, w), hoof=rng.uniform(0.08, 0.12))
    pieces = behind + pieces + [Piece("", body)]
    for _ in range(int(rng.integers(2, 6))):  # patches may run over the outline: pulled back onto it
        pr = rng.uniform(0.12, 0.3)
        px, py = rng.uniform(-0.8, 0.7) * rx, cy + rng.uniform(-1.0, 0.6) * ry
        pts = blob(rng, px, py, pr * rng.uniform(1.0, 1.6), pr, 0.08) - (0, cy)
        t = np.arctan2(pts[:, 1] / ry, pts[:, 0] / rx)
        lim = 0.995 / ((np.abs(np.cos(t)) ** p + np.abs(np.sin(t)) ** p) ** (1 / p))
        k = np.minimum(1.0, lim / (np.hypot(pts[:, 0] / rx, pts[:, 1] / ry) + 1e-9))
        pieces.append(Piece("", pts * k[:, None] + (0, cy)))
    if rng.random() < 0.8:
        ux = -rx * rng.uniform(0.3, 0.45)
        teats = [line(ux + k * 0.08, -lg + 0.12, ux + k * 0.08, -lg + 0.2) for k in (-1, 0, 1)]
        pieces.append(Piece("", ellipse(ux, -lg + 0.02, 0.2, 0.12, 20, -0.2, PI + 0.2), details=teats))
    pieces += front
    if rng.random() < 0.6:
        fx, fy = rx * rng.uniform(0.85, 1.0), cy - ry * rng.uniform(0.4, 0.9)
        pieces += cow_face(rng, fx, fy, rng.uniform(0.6, 0.75))
    else:
        graze = rng.random() < 0.3
        ang = rng.uniform(1.0, 1.3) if graze else rng.uniform(0.2, 0.6)
        hy = cy - ry * (0.2 if graze else 0.5)
        pieces += long_head(rng, rx * 0.85, hy, 0.8, rng.uniform(0.4, 0.48), ang, False)
    return Drawing("cow", pieces)


def horse(rng: np.random.Generator) -> Drawing:
    """Long hoofed legs, neck rising into a long head, mane, flowing tail; standing, trotting, grazing."""
    lg, bh = rng.uniform(0.85, 1.15), rng.uniform(0.5, 0.62)
    yt, yb = -lg - bh, -lg
    v = rng.choice(["stand", "trot", "graze"], p=[0.5, 0.3, 0.2])
    hl, hh = rng.uniform(0.6, 0.75), rng.uniform(0.3, 0.36)  # head length and depth
    if v == "graze":  # muzzle just off the ground
        ang = rng.uniform(1.3, 1.55)
        hx, hy = rng.uniform(1.4, 1.55), -hl * np.sin(ang) - rng.uniform(0.12, 0.3)
    else:
        ang, hx, hy = rng.uniform(0.6, 1.0), rng.uniform(1.15, 1.35), yt - rng.uniform(0.5, 0.75)
    nw = rng.uniform(0.3, 0.4)  # neck thickness where the head sits
    d = np.array([hx - 0.8, hy - yt - bh * 0.3])
    n = np.array([d[1], -d[0]]) / np.linalg.norm(d) * nw / 2  # towards the crest of the neck
    m = np.array([0.8, yt + bh * 0.3]) + d * 0.5
    back = rel(0, yt, (1, bh), -1.0, 0.05, -0.6, -0.05, 0.0, rng.uniform(0.0, 0.12), 0.6, -0.05)
    neck = [m + n * 1.3, (hx + n[0], hy + n[1]), (hx - n[0], hy - n[1]), m - n * 1.5]
    belly = rel(0, yb, (1, bh), 0.85, 0.05, 0.0, 0.08, -0.8, 0.05, -1.0, -0.4)
    body = smooth([*back, *neck, (1.05, yt + bh * 0.6), *belly])
    i0 = np.argmin(np.abs(body[:, 0] - 0.55) + (body[:, 1] > yt + bh * 0.3) * 9)
    i1 = np.argmin(np.hypot(*(body - (hx + n[0] * 0.8, hy + n[1] * 0.8)).T))
    crest = body[i0 : i1 + 1]
    pieces: list[Piece] = []
    ty = yt + bh * 0.12
    tl = rng.uniform(0.6, 1.0) * lg
    flow = rel(0, ty, (1, tl), -1.45, 0.6, -1.3, 1, -1.15, 0.7)
    tail = smooth([(-0.95, ty - 0.05), (-1.3, ty + 0.1), *flow, (-0.95, ty + 0.3)])
    tail[:, 1] = np.minimum(tail[:, 1], -0.05)
    strands = [
        bezier((-1.05, ty + 0.15), *rel(0, ty, (1, tl), -1.3 + k * 0.08, 0.4, -1.25 + k * 0.06, 0.85))
        for k in range(2)
    ]
    pieces.append(Piece("", tail, details=strands))
    w = rng.uniform(0.14, 0.19)
    trot = v == "trot"
    hoof = rng.uniform(0.09, 0.13)
    behind, front = legs(rng, body, (-0.72, 0.72), (w * 1.6, w), hoof, (-0.15, 0.0), lifted=trot)
    if trot:  # the near front leg raised and bent at the knee
        top = under(body, 0.7) - w
        knee = (0.7 + lg * 0.3, top + lg * 0.4)
        c = smooth([(0.7, top), knee, (knee[0] - lg * 0.2, knee[1] + lg * 0.3)], 2, closed=False)
        front.append(Piece("", tube(c, w * 1.6, w), closed=False))
    pieces = behind + pieces + [Piece("", body)] + front
    n = len(crest)
    nrm = np.gradient(crest, axis=0)[:, ::-1] * (1, -1)
    nrm /= np.linalg.norm(nrm, axis=1, keepdims=True) + 1e-9
    spikes = np.where(np.arange(n) % 4 == 2, rng.uniform(0.12, 0.2), 0.05)
    mane = np.concatenate([crest, (crest + nrm * spikes[:, None] * (-1))[::-1]])
    pieces.append(Piece("", mane))
    pieces += long_head(rng, hx - 0.1, hy, hl, hh, ang, True)
    return Drawing("horse", pieces)


def front_at(body: Pts, y: float) -> float:
    """The body's front x at height y: where a snout sits on a head-less pig."""
    d = np.abs(body[:, 1] - y) + (body[:, 0] < 0) * 9
    return float(body[d < d.min() + 0.05, 0].max())


def pig(rng: np.random.Generator) -> Drawing:
    """Round body on stubby legs, flat snout disk with nostrils, floppy triangle ears, curly tail."""
    lg, rx, ry = rng.uniform(0.2, 0.35), 1.0, rng.uniform(0.55, 0.75)
    cy = -lg - ry * 0.85
    body = wobble(superellipse(0, cy, rx, ry, rng.uniform(2.0, 2.5)), rng, 0.01)
    tx, tyy = -rx * 0.97, cy - ry * 0.25
    tr = rng.uniform(0.09, 0.14)
    curl = spiral(tx - tr * 2, tyy, tr, rng.uniform(1.2, 2.0), 0.0)
    tail = np.concatenate([line(tx + 0.05, tyy, tx - tr, tyy, 3), curl])
    pieces = [Piece("", tail, fill=False, closed=False)]
    w = rng.uniform(0.2, 0.28)
    behind, front = legs(rng, body, (-0.6, 0.55), (w * 1.1, w), hoof=rng.uniform(0.07, 0.1))
    for p in behind + front:
        if len(p.polygon) == 4:  # cloven trotters
            p.details.append(line(p.polygon[:, 0].mean(), p.polygon[0, 1], p.polygon[:, 0].mean(), 0))
    pieces = behind + pieces + [Piece("", body)] + front
    if rng.random() < 0.5:  # the head is the front of the body
        hr = ry * 0.6
        hy = cy - ry * rng.uniform(0.0, 0.3)
        sx = front_at(body, hy)
        hx = sx - hr
        hi = len(behind) + 1
    else:
        hr = rng.uniform(0.4, 0.5)
        hx, hy = rx * 0.95, cy - ry * rng.uniform(0.1, 0.4)
        hi = len(pieces)
        pieces.append(Piece("", ellipse(hx, hy, hr * 1.05, hr, 36)))
        sx = hx + hr * 1.02
    ears = []
    for k, ex in enumerate((hx - hr * 0.55, hx - hr * 0.15)):
        ey = hy - hr * 0.8 - 0.04 * k
        tip = (ex + hr * rng.uniform(0.3, 0.6), ey - hr * rng.uniform(0.5, 0.8))
        b0, b1 = (ex - hr * 0.3, ey + 0.08), (ex + hr * 0.3, ey + 0.08)
        ears.append(
            np.concatenate(
                [
                    bezier(b0, (ex - hr * 0.2, ey - hr * 0.4), tip, n=8),
                    bezier(tip, (ex + hr * 0.35, ey - hr * 0.2), b1, n=6)[1:],
                ]
            )
        )
    head = pieces[hi]
    pieces.insert(hi, Piece("", ears[0]))
    sy = hy + hr * rng.uniform(0.0, 0.25)
    srx, sry = hr * rng.uniform(0.15, 0.25), hr * rng.uniform(0.28, 0.36)
    nos = [ellipse(sx + srx * 0.05, sy + k * sry * 0.4, srx * 0.3, sry * 0.18, 8) for k in (-1, 1)]
    head.details += eye(rng, sx - hr * 0.6, hy - hr * 0.25, hr * 0.14)
    if rng.random() < 0.5:
        head.details.append(
            bezier(
                (sx - srx * 1.5, sy + sry * 1.2),
                (sx - srx * 2.5, sy + sry * 1.6),
                (sx - srx * 3.5, sy + sry),
                n=6,
            )
        )
    pieces.append(Piece("", ellipse(sx, sy, srx, sry, 24), details=nos))
    pieces.append(Piece("", ears[1]))
    return Drawing("pig", pieces)


def sheep(rng: np.random.Generator) -> Drawing:
    """Scalloped wool body on thin dark legs; the bare head in profile or turned to the viewer."""
    lg, rx, ry = rng.uniform(0.35, 0.55), 1.0, rng.uniform(0.5, 0.65)
    cy = -lg - ry * 0.8
    n = int(rng.integers(10, 16))
    t = ring(rng, n)[:-1]
    rim = wobble(np.stack([rx * np.cos(t), cy + ry * np.sin(t)], 1), rng, 0.02)
    wool = scallops(rim, rng.uniform(0.5, 0.9, n))
    wool[:, 1] -= max(0.0, wool[:, 1].max() + lg * 0.6)  # deep bottom scallops must not reach the ground
    pieces: list[Piece] = [Piece("", puff(rng, -rx * 0.98, cy - ry * 0.3, 0.14, 5))]
    w = rng.uniform(0.1, 0.14)
    for x in (-0.6, -0.45, 0.45, 0.6):
        top = under(wool, x) - 0.1
        pieces += leg(x + rng.uniform(-0.05, 0.05), top, w, w * 0.9, hoof=w * 0.8)
    pieces.append(Piece("", wool))
    hx, hy = rx * 0.9, cy - ry * rng.uniform(0.3, 0.7)
    hs = rng.uniform(0.38, 0.48)
    if rng.random() < 0.5:  # face to the viewer
        for k in (-1, 1):
            ear = ellipse(hx + k * hs * 0.6, hy - hs * 0.2, hs * 0.35, hs * 0.13, 14, rot=-k * 0.3)
            pieces.append(Piece("", ear))
        kind = str(rng.choice(["dot", "ring"]))
        det = [d for k in (-1, 1) for d in eye(rng, hx + k * hs * 0.17, hy, hs * 0.1, kind)]
        det += [ellipse(hx + k * hs * 0.1, hy + hs * 0.45, hs * 0.04, hs * 0.03, 6) for k in (-1, 1)]
        head = smooth(rel(hx, hy, hs, -0.4, -0.35, 0.4, -0.35, 0.2, 0.7, -0.2, 0.7))
        pieces.append(Piece("", head, details=det))
        pieces.append(Piece("", puff(rng, hx, hy - hs * 0.4, hs * 0.3, 5)))
    else:
        ang = rng.uniform(0.3, 0.8)
        pieces.append(Piece("", place(ellipse(-0.05, -0.1, 0.3, 0.1, 14, rot=0.5), hx, hy, ang, hs * 1.6)))
        head = smooth([(-0.2, -0.25), (0.1, -0.3), (0.6, -0.1), (0.65, 0.15), (0.35, 0.25), (-0.2, 0.25)])
        det = eye(rng, 0.15, -0.08, 0.07) + [ellipse(0.56, 0.0, 0.03, 0.04, 6), line(0.6, 0.16, 0.48, 0.15)]
        det = [place(d, hx, hy, ang, hs * 1.6) for d in det]
        pieces.append(Piece("", place(head, hx, hy, ang, hs * 1.6), details=det))
        pieces.append(Piece("", puff(rng, hx - hs * 0.05, hy - hs * 0.25, hs * 0.3, 5)))
    return Drawing("sheep", pieces)


def rabbit_head(
    rng: np.random.Generator, x: float, y: float, r: float, lop: bool
) -> tuple[list[Piece], list[Piece]]:
    """(ears behind the head, head with its face): long upright ears, or one flopped over."""
    back = []
    el = r * rng.uniform(1.6, 2.3)
    for k, a in enumerate((-0.45, -0.15)):
        a += rng.uniform(-0.1, 0.1)
        flop = lop and k == 1
        ang = PI * rng.uniform(0.6, 0.8) if flop else -PI / 2 + a
        ex, ey = x - r * 0.25 + k * r * 0.3, y - r * 0.5
        ear = ellipse(0.5 * el, 0, el * 0.55, r * 0.28, 24)
        inner = ellipse(0.58 * el, 0, el * 0.36, r * 0.12, 16, -PI * 0.8, PI * 0.8)
        back.append(Piece("", place(ear, ex, ey, ang), details=[place(inner, ex, ey, ang)]))
    rx, ry = r * rng.uniform(1.05, 1.2), r * rng.uniform(0.85, 0.95)
    head = smooth(rel(x, y, (rx, ry), -1, 0, -0.5, -1, 0.5, -0.9, 1.1, 0.2, 0.7, 0.9, -0.5, 0.9))
    nx, ny = x + rx * 0.98, y + ry * 0.15
    det = eye(rng, x + rx * 0.35, y - ry * 0.15, r * 0.2)
    det.append(ellipse(nx, ny, r * 0.06, r * 0.05, 6))
    det.append(bezier(*rel(nx, ny, r, 0, 0.05, -0.02, 0.25, -0.2, 0.28), n=6))
    det += [rel(nx, ny, r, -0.2, 0.08, 0.45, k * 0.15) for k in (-0.5, 0.6)]
    front = [Piece("", head, details=det)]
    if lop:
        front.append(back.pop())
    return back, front


def rabbit(rng: np.random.Generator) -> Drawing:
    """Crouching (egg body, big hind foot, cotton tail) or sitting upright with its front paws up."""
    upright = rng.random() < 0.35
    lop = rng.random() < 0.2
    r = rng.uniform(0.3, 0.38)
    pieces: list[Piece] = []
    if upright:
        body = smooth(polygon(-0.5, 0, -0.6, -0.55, -0.35, -1.1, 0.15, -1.2, 0.35, -0.8, 0.35, -0.3, 0.1, 0))
        hx, hy = rng.uniform(0.05, 0.2), -rng.uniform(1.3, 1.45)
        tail = (-0.55, -0.25)
        paws = [((0.3, -0.8), (0.45, -0.72), (0.5, -0.6))]
        haunch = (-0.2, -0.3, 0.35, 0.3)
        foot = (-0.05, 0.3)
    else:
        ly = -rng.uniform(0.85, 1.0)
        body = smooth(
            [
                (-0.95, 0.0),
                (-1.1, -0.45),
                (-0.8, ly),
                (-0.1, ly - 0.05),
                (0.45, -0.75),
                (0.6, -0.3),
                (0.45, 0.0),
            ]
        )
        hx, hy = rng.uniform(0.45, 0.6), ly - rng.uniform(0.0, 0.15)
        tail = (-1.0, -0.5)
        paws = [((0.45, -0.4), (0.5, -0.2), (0.55, -0.05))]
        haunch = (-0.55, -0.38, 0.42, 0.35)
        foot = (-0.5, 0.2)
    body[:, 1] = np.minimum(body[:, 1], 0.0)
    pieces.append(Piece("", puff(rng, *tail, rng.uniform(0.14, 0.2), int(rng.integers(5, 8)))))
    back, front = rabbit_head(rng, hx, hy, r, lop)
    pieces += back
    w = rng.uniform(0.1, 0.14)
    if not upright:
        pieces += leg(paws[0][0][0] + 0.06, paws[0][0][1], w, w)
    pieces.append(Piece("", body))
    hx0, hy0, hrx, hry = haunch
    pieces.append(Piece("", ellipse(hx0, hy0, hrx, hry, 26, PI * 0.6, PI * 2.15), fill=False, closed=False))
    a, b = foot
    pieces.append(Piece("", smooth([(a, -0.14), (b, -0.1), (b + 0.05, 0.0), (a - 0.05, 0.0)], 2)))
    for p in paws:
        paw = tube(bezier(*p, n=8), w * 1.2, w)
        paw[:, 1] = np.minimum(paw[:, 1], 0.0)
        pieces.append(Piece("", paw, closed=False))
    return Drawing("rabbit", pieces + front)


DRAWERS = {"cat": cat, "dog": dog, "cow": cow, "horse": horse, "pig": pig, "sheep": sheep, "rabbit": rabbit}
