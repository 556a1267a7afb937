"""People in front view: boys, girls and adults, with arms down or waving."""

from __future__ import annotations

import numpy as np

from ..drawing import Drawing, Piece
from ..shapes import bezier, line, rounded_rect
from .sky import oval, pick, scallops


def tangents(path: np.ndarray) -> np.ndarray:
    """Unnormalised direction of a polyline at each point (np.gradient is slow on tiny arrays)."""
    return np.vstack([path[1] - path[0], path[2:] - path[:-2], path[-1] - path[-2]])


def limb(path: np.ndarray, w: float, caps: bool = True) -> np.ndarray:
    """A band of width w along a path, round-ended (arms, legs) or cut square (sleeves)."""
    d = tangents(path)
    d /= np.linalg.norm(d, axis=1, keepdims=True) + 1e-9
    nrm = np.stack([-d[:, 1], d[:, 0]], 1) * w / 2
    te, ts = np.arctan2(nrm[-1, 1], nrm[-1, 0]), np.arctan2(nrm[0, 1], nrm[0, 0])
    end = oval(*path[-1], w / 2, w / 2, 8, te, te - np.pi)[1:-1]
    start = oval(*path[0], w / 2, w / 2, 8, ts + np.pi, ts)[1:-1]
    if not caps:
        return np.concatenate([path + nrm, (path - nrm)[::-1]])
    return np.concatenate([path + nrm, end, (path - nrm)[::-1], start])


def sleeve(path: np.ndarray, s: int, w: float, sy: float, sw: float) -> np.ndarray:
    """A sleeve grown out of the shirt: round the shoulder, along the arm, back into the armpit."""
    d = tangents(path)
    d /= np.linalg.norm(d, axis=1, keepdims=True) + 1e-9
    out = s * np.stack([d[:, 1], -d[:, 0]], 1) * w / 2
    upper, lower = path + out, path - out
    shoulder = bezier((s * sw * 0.7, sy), (s * (sw + w * 0.1), sy + 0.05), tuple(upper[1]), n=6)
    return np.concatenate([shoulder, upper[2:], lower[:0:-1], [[s * sw * 0.97, sy + 0.6]]])


def hair_front(rng: np.random.Generator, style: str, ry: float) -> np.ndarray:
    """The hair cap over the forehead: spiky (boy), neat with a side parting, or scalloped bangs."""
    top = np.linspace(np.pi + 0.05, 2 * np.pi - 0.05, 25)
    r = np.full(25, 1.1)
    if style == "spiky":
        r[1:-1:2] = rng.uniform(1.3, 1.6, 12)
    outer = np.stack([r * np.cos(top), r * ry * np.sin(top)], 1)
    fy = -ry * rng.uniform(0.25, 0.45)
    if style == "bangs":
        m = int(rng.integers(3, 6))
        xs = np.linspace(0.95, -0.95, m + 1)
        anchors = np.stack([xs, fy + 0.1 * xs**2], 1)
        fringe = scallops(anchors, rng.uniform(0.4, 0.8, m), False, 1.0)
    elif style == "spiky":
        xs = np.linspace(0.95, -0.95, 9)
        fringe = np.stack([xs, fy + np.where(np.arange(9) % 2, 0.2, 0.0) + 0.2 * xs**2], 1)
    else:
        px = rng.uniform(-0.5, 0.5)
        fringe = bezier((1.0, 0.0), (0.9, fy), (px, fy - 0.25), n=8)
        fringe = np.concatenate([fringe, bezier((px, fy - 0.25), (-0.6, fy), (-1.0, 0.05), n=8)[1:]])
    return np.concatenate([outer, fringe])


def face_lines(rng: np.random.Generator, ry: float) -> list[np.ndarray]:
    """Eyes, nose and mouth drawn as strokes on the face."""
    ex, ey = rng.uniform(0.3, 0.42), ry * rng.uniform(-0.05, 0.15)
    out, dots = [], rng.random() < 0.5
    for x in (-ex, ex):
        if dots:
            out.append(oval(x, ey, 0.06, 0.08, 10))
        else:
            out += [oval(x, ey, 0.13, 0.17, 14), oval(x, ey + 0.05, 0.05, 0.07, 8)]
    if rng.random() < 0.5:
        out.append(oval(0, ey + 0.3, 0.08, 0.06, 8, 0.3, np.pi - 0.3))
    my, mw = ey + rng.uniform(0.45, 0.6), rng.uniform(0.18, 0.4)
    out.append(oval(0, my - 0.1, mw, rng.uniform(0.1, 0.2), 12, 0.3, np.pi - 0.3))
    return out


POSES = {  # (upper arm, forearm) directions for the right arm, y down; mirrored for the left
    "down": ((0.15, 1.0), (0.05, 1.0)),
    "wave": ((0.9, -0.4), (0.25, -1.0)),
    "up": ((0.7, -0.7), (0.6, -0.8)),
    "out": ((0.5, 0.85), (0.65, 0.75)),
}


def back_hair(rng: np.random.Generator, kid: bool, ry: float, sy: float) -> tuple[str, list[Piece]]:
    """Hair behind the head (drawn first so face and shirt cover it): pigtails, ponytail, long, bob."""
    back = pick(rng, ["pigtails", "ponytail", "long", "bob"] if kid else ["long", "bob", "none"])
    if back == "pigtails":
        out = []
        for s in (-1, 1):
            out.append(Piece("hair", oval(s * 1.2, 0.45, 0.3, 0.65, 24, rot=-s * 0.4)))
            out.append(Piece("", oval(s * 1.0, -0.1, 0.13, 0.13, 12)))
        return back, out
    if back == "ponytail":
        s = pick(rng, [-1, 1])
        tail = Piece("hair", oval(s * 0.85, -ry * 1.05, 0.55, 0.35, 24, rot=s * 0.7))
        return back, [tail, Piece("", oval(s * 0.55, -ry * 0.85, 0.14, 0.14, 12))]
    if back == "long":
        return back, [Piece("hair", rounded_rect(-1.25, -ry * 1.05, 1.25, sy + rng.uniform(0.3, 1.2), 0.9))]
    if back == "bob":
        return back, [Piece("hair", oval(0, 0.15 * ry, 1.25, ry * 1.15, 40))]
    return back, []


def lower_body(
    rng: np.random.Generator, low: str, hip: float, ank: float, hw: float, lw: float
) -> list[Piece]:
    """Legs (skin where shorts or a skirt leave them bare), the garment, then shoes over the hems."""
    lx, out = hw * rng.uniform(0.45, 0.55), []
    knee = hip + (ank - hip) * rng.uniform(0.35, 0.55)
    if low != "pants":
        for s in (-1, 1):
            out.append(Piece("body", limb(np.array([[s * lx, hip - 0.2], [s * lx * 1.05, ank]]), lw)))
    if low == "skirt":
        hem = knee + rng.uniform(0.0, 0.25)
        w0, w1 = hw * rng.uniform(1.3, 1.6), hw * rng.uniform(1.3, 1.6)
        edge = bezier((w0, hem), (0, hem + rng.uniform(0.1, 0.3)), (-w1, hem), n=10)
        pleats = (
            [line(x * 0.9, hip, x * 1.3, hem + 0.05) for x in (-hw / 3, hw / 3)] if rng.random() < 0.4 else []
        )
        top = [[-hw * 0.95, hip - 0.25], [hw * 0.95, hip - 0.25]]
        out.append(Piece("skirt", np.concatenate([top, edge]), details=pleats))
    else:
        by, o = (ank - 0.05, lw * 0.6) if low == "pants" else (knee, lw * 0.75)
        crotch, x = hip + (by - hip) * (0.15 if low == "pants" else 0.4), lx * 1.05
        pants = [[-hw, hip - 0.2], [hw, hip - 0.2], [x + o, by], [x - o * 0.8, by], [0, crotch]]
        out.append(Piece("pants", np.array(pants + [[-x + o * 0.8, by], [-x - o, by]])))
    sh, sw = rng.uniform(0.25, 0.4), lw * rng.uniform(0.75, 1.1)
    for s in (-1, 1):
        cx = s * (lx * 1.05 + rng.uniform(0.0, 0.12))
        dome = oval(cx, ank + sh * 0.6, sw, sh, 14, np.pi, 2 * np.pi)
        sole = [line(cx - sw, ank + sh * 0.4, cx + sw, ank + sh * 0.4)] if rng.random() < 0.4 else []
        out.append(
            Piece("", np.vstack([dome, [[cx + sw, ank + sh * 0.8], [cx - sw, ank + sh * 0.8]]]), details=sole)
        )
    return out


def arm(
    rng: np.random.Generator,
    s: int,
    pose: str,
    sh: np.ndarray,
    ua: float,
    fa: float,
    aw: float,
    long_sleeve: bool,
    sy: float,
    sw: float,
) -> list[Piece]:
    """Skin arm, sleeve over its top (or all of it), and a hand with fingers when waving."""
    d1, d2 = (np.array([s * x, y]) / np.hypot(x, y) for x, y in POSES[pose])
    el = sh + ua * d1
    wr = el + fa * d2
    path = bezier(tuple(sh), tuple(el), tuple(wr), n=10)
    out = [] if long_sleeve else [Piece("body", limb(path, aw))]
    k = len(path) if long_sleeve else int(rng.integers(3, 5))
    out.append(Piece("shirt", sleeve(path[:k], s, aw * (1.15 if long_sleeve else 1.3), sy, sw)))
    dr = (wr - path[-2]) / np.linalg.norm(wr - path[-2])
    across = np.array([-dr[1], dr[0]])
    hr = aw * rng.uniform(0.5, 0.65)
    hc = wr + dr * hr * 0.8
    fingers = []
    if pose == "wave":
        fingers = [
            np.array(
                [hc + dr * hr * 0.4 + k * across * hr * 0.45, hc + dr * hr * 1.1 + k * across * hr * 0.5]
            )
            for k in (-1, 0, 1)
        ]
    out.append(
        Piece("body", oval(*hc, hr * 1.1, hr * 0.9, 16, rot=np.arctan2(dr[1], dr[0])), details=fingers)
    )
    return out


def person(rng: np.random.Generator) -> Drawing:
    """Skin limbs first, clothes over them, head and hair last, in the order a colourist sees regions."""
    kind = pick(rng, ["boy", "girl", "man", "woman"], [0.3, 0.3, 0.2, 0.2])
    kid, female = kind in ("boy", "girl"), kind in ("girl", "woman")
    u = rng.uniform
    ry = u(1.0, 1.1) if kid else u(1.1, 1.25)
    sy = ry + (u(0.05, 0.2) if kid else u(0.25, 0.4))  # shoulder line
    hip = sy + (u(1.4, 1.8) if kid else u(2.6, 3.1))
    ank = hip + (u(1.1, 1.6) if kid else u(2.8, 3.4))
    sw, hw = (u(0.85, 1.05), u(0.75, 0.9)) if kid else (u(1.2, 1.45), u(0.95, 1.1))
    aw, lw = (u(0.4, 0.5), u(0.45, 0.58)) if kid else (u(0.4, 0.5), u(0.5, 0.62))
    back, pieces = back_hair(rng, kid, ry, sy) if female else ("none", [])
    skirt = female and (kid or rng.random() < 0.7)
    low = "skirt" if skirt else pick(rng, ["shorts", "pants"], [0.6, 0.4] if kid else [0.1, 0.9])
    pieces += lower_body(rng, low, hip, ank, hw, lw)
    nw = u(0.25, 0.35)
    pieces.append(Piece("body", np.array([[-nw, ry * 0.6], [nw, ry * 0.6], [nw, sy + 0.2], [-nw, sy + 0.2]])))
    side = bezier((sw * 0.95, sy + 0.6), (hw * 1.05, (sy + hip) / 2), (hw * 1.02, hip + 0.15), n=8)
    cap = bezier((-sw, sy + 0.5), (-sw * 0.98, sy + 0.05), (-sw * 0.6, sy), (-nw - 0.1, sy), n=8)
    neck = oval(0, sy, nw + 0.1, u(0.1, 0.25) if kid else u(0.15, 0.4), 10, np.pi, 0)
    shirt = np.concatenate([cap, neck, cap[::-1] * (-1, 1), side, side[::-1] * (-1, 1)])
    long_sleeve, pose = rng.random() < (0.3 if kid else 0.6), "down"
    for s in (-1, 1):
        raised = pose in ("wave", "up")  # one raised arm mostly goes with a relaxed other one
        pose = pick(rng, list(POSES), [0.65, 0.15, 0.1, 0.1] if raised else [0.4, 0.35, 0.1, 0.15])
        sh = np.array([s * (sw - aw * 0.45), sy + aw * 0.6])
        ua, fa = (hip - sy) * u(0.45, 0.55), (hip - sy) * u(0.4, 0.5)
        pieces += arm(rng, s, pose, sh, ua, fa, aw, long_sleeve, sy, sw)
    # the shirt goes over the arms' roots so its outline runs on unbroken, as people draw it
    pieces.append(Piece("shirt", shirt, details=[neck + (0, 0.08)] if rng.random() < 0.4 else []))
    if back not in ("long", "bob"):
        for s in (-1, 1):
            inner = oval(s * 1.02, 0.2, 0.08, 0.14, 8, -np.pi / 2, np.pi / 2)[::s]
            pieces.append(Piece("face", oval(s * 1.0, 0.2, 0.2, 0.28, 14), details=[inner]))
    pieces.append(Piece("face", oval(0, 0, 1.0, ry, 40), details=face_lines(rng, ry)))
    hair = "bangs" if female else pick(rng, ["spiky", "neat"], [0.6, 0.4] if kid else [0.1, 0.9])
    pieces.append(Piece("hair", hair_front(rng, hair, ry)))
    return Drawing("person", pieces)


DRAWERS = {"person": person}
