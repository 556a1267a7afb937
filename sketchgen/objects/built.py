"""Built things: car, bus, truck (side view, facing right), house, bench and chair (front view).

Every region a person would colour separately is its own piece (windows on the body, wheels on top,
door on the walls), so the part maps are exact. The ground is y = 0; everything stands above it.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..drawing import Drawing, Piece
from ..shapes import bezier, ellipse, line, polygon, rect, rounded_rect

Pts = np.ndarray
EMPTY = np.zeros((0, 2))


# ---------------------------------------------------------------- geometry helpers


@cache
def _unit(n: int, half: bool) -> np.ndarray:
    t = np.linspace(0, np.pi, n) if half else np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([np.cos(t), np.sin(t)], 1)


def circ(cx: float, cy: float, rx: float, ry: float | None = None, n: int = 24) -> Pts:
    """A full ellipse from a cached unit circle (shapes.ellipse is slow for the many small circles here)."""
    return _unit(n, False) * (rx, rx if ry is None else ry) + (cx, cy)


def loop(p: Pts) -> Pts:
    """A closed shape as an open detail stroke: repeat the first point so no side goes missing."""
    return np.concatenate([p, p[:1]])


def pill(x0: float, y0: float, x1: float, y1: float) -> Pts:
    """A rectangle with fully rounded ends: handles, bumpers, lamps."""
    r = min(x1 - x0, y1 - y0) / 2
    h = _unit(8, True) * r
    if x1 - x0 >= y1 - y0:
        return np.concatenate(
            [(x1 - r, y0 + r) + h[:, ::-1] * (1, -1), (x0 + r, y0 + r) + h[:, ::-1] * (-1, 1)]
        )
    return np.concatenate([(x0 + r, y1 - r) + h, (x1 - r, y0 + r) - h])


_T = np.linspace(0, 1, 7)[:, None]
_QUAD = np.hstack([(1 - _T) ** 2, 2 * _T * (1 - _T), _T**2])  # quadratic Bezier weights for corners


def nxt(a: np.ndarray) -> np.ndarray:
    """The next element around a closed ring (np.roll(a, -1, 0), several times faster)."""
    return np.concatenate([a[1:], a[:1]])


def path(*items: tuple | Pts) -> Pts:
    """A closed outline through corners (x, y, radius) rounded by quadratic curves, plus raw point runs.

    Lets a body be written as a short corner list while splicing in wheel arches or curves.
    """
    items = tuple(it for it in items if not (isinstance(it, np.ndarray) and len(it) == 0))

    def end(it: tuple | Pts, first: bool) -> Pts:
        return (it[0] if first else it[-1]) if isinstance(it, np.ndarray) else np.array(it[:2], float)

    out = []
    for i, it in enumerate(items):
        if isinstance(it, np.ndarray):
            out.append(it)
            continue
        c, r = np.array(it[:2], float), it[2] if len(it) > 2 else 0.0
        if r <= 0:
            out.append(c[None])
            continue
        a, b = end(items[i - 1], False) - c, end(items[(i + 1) % len(items)], True) - c
        la, lb = np.hypot(*a) + 1e-9, np.hypot(*b) + 1e-9
        pa, pb = c + a * min(r, la / 2) / la, c + b * min(r, lb / 2) / lb
        out.append(_QUAD @ np.stack([pa, c, pb]))
    return np.concatenate(out)


def offset(pts: Pts, m: float, closed: bool = True) -> Pts:
    """Move a polyline sideways by m (mitred corners); for a closed outline m > 0 shrinks it."""
    keep = np.hypot(*(nxt(pts) - pts).T) > 1e-9
    if not closed:
        keep[-1] = True
    p = pts[keep]
    d = (nxt(p) - p) if closed else np.diff(p, axis=0)
    n = np.stack([d[:, 1], -d[:, 0]], 1) / (np.hypot(*d.T)[:, None] + 1e-12)
    if closed:
        x, y = p.T
        n *= -np.sign(np.sum(x * nxt(y) - nxt(x) * y))  # inward normals
        na, nb = np.concatenate([n[-1:], n[:-1]]), n
    else:
        na, nb = np.vstack([n[:1], n]), np.vstack([n, n[-1:]])
    k = (na + nb) / np.maximum(1 + np.sum(na * nb, 1), 0.4)[:, None]
    return p + m * k


def clip(poly: Pts, axis: int, v: float, below: bool = True) -> Pts:
    """The part of a closed polygon whose coordinate `axis` is below v (or above): windows cut from bodies."""
    d = (v - poly[:, axis]) if below else (poly[:, axis] - v)
    q, dq = nxt(poly), nxt(d)
    t = d / np.where(d == dq, 1.0, d - dq)
    pts = np.stack([poly, poly + (q - poly) * t[:, None]], 1).reshape(-1, 2)
    return pts[np.stack([d >= 0, (d >= 0) != (dq >= 0)], 1).reshape(-1)]


def band(poly: Pts, lo: float, hi: float, axis: int = 0) -> Pts:
    return clip(clip(poly, axis, hi, True), axis, lo, False)


def span(poly: Pts, v: float, axis: int = 1) -> tuple[float, float]:
    """Extent of a polygon along the line where coordinate `axis` equals v (details must stay inside)."""
    q = nxt(poly)
    a, b, o, ob = poly[:, axis], q[:, axis], poly[:, 1 - axis], q[:, 1 - axis]
    hit = (a - v) * (b - v) <= 0
    t = (v - a[hit]) / np.where(a[hit] == b[hit], 1.0, b[hit] - a[hit])
    x = o[hit] + (ob[hit] - o[hit]) * t
    return (float(x.min()), float(x.max())) if len(x) else (0.0, 0.0)


def hline(poly: Pts, y: float, m: float) -> Pts:
    x0, x1 = span(poly, y)
    return line(x0 + m, y, x1 - m, y)


def stroke_band(curve: Pts, w: float) -> Pts:
    """A thick curved bar (chair arm, iron bench leg) as one closed outline."""
    return np.concatenate([offset(curve, w / 2, False), offset(curve, -w / 2, False)[::-1]])


def U(rng: np.random.Generator, a: float, b: float) -> float:
    return float(rng.uniform(a, b))


# ---------------------------------------------------------------- vehicles


def underside(yb: float, wheels: list[float], r: float, arch: float) -> Pts:
    """Bottom edge from front to rear arching over each wheel (no points when arch is 0: straight)."""
    if arch <= 0:
        return EMPTY
    d = np.arcsin(np.clip((yb + r) / arch, -1, 1))
    return np.concatenate([ellipse(cx, -r, arch, arch, 14, d, -np.pi - d) for cx in sorted(wheels)[::-1]])


def wheels(rng: np.random.Generator, xs: list[float], r: float) -> list[Piece]:
    """Tyres with hubs; one style per vehicle (hub size, rim ring, bolts)."""
    hub, rim, bolts = U(rng, 0.3, 0.6), rng.random() < 0.4, int(rng.choice([0, 0, 4, 5]))
    plain = rng.random() < 0.08
    out = []
    for x in xs:
        det = [] if plain else [loop(circ(x, -r, r * hub, n=20))]
        if rim:
            det.append(loop(circ(x, -r, r * 0.75, n=28)))
        t = rng.uniform(0, 6.3) + np.arange(bolts) * 2 * np.pi / max(bolts, 1)
        det += [
            loop(circ(x + np.cos(a) * r * hub * 0.6, -r + np.sin(a) * r * hub * 0.6, r * 0.05, n=6))
            for a in t
        ]
        out.append(Piece("wheels", circ(x, -r, r, n=40), details=det))
    return out


def floor_y(x: float, yb: float, xs: list[float], r: float, arch: float) -> float:
    """Lowest y a line inside the body may reach at x (above the wheel arches)."""
    y = yb
    for cx in xs:
        if arch > 0 and abs(x - cx) < arch:
            y = min(y, -r - np.sqrt(arch**2 - (x - cx) ** 2))
    return y - 0.06


def panes(region: Pts, cuts: list[float], gap: float) -> list[Piece]:
    """Split a window region at pillar positions into separate window pieces."""
    xs = [-1e9, *cuts, 1e9]
    y0, y1 = region[:, 1].min() + 1e-3, region[:, 1].max() - 1e-3
    (a0, b0), (a1, b1) = span(region, y0), span(region, y1)
    out = []
    for a, b in zip(xs[:-1], xs[1:], strict=True):
        a, b = a + gap / 2, b - gap / 2
        if max(a0, a1) < a < b < min(b0, b1):  # a plain rectangle inside the region: no clipping needed
            out.append(Piece("windows", rect(a, y0, b, y1)))
            continue
        p = band(region, a, b)
        if len(p) >= 3 and np.ptp(p[:, 0]) > gap:
            out.append(Piece("windows", p))
    return out


def car(rng: np.random.Generator) -> Drawing:
    """Sedan, hatchback, beetle or van; wheels sometimes sit in arches cut into the body."""
    kind = rng.choice(["sedan", "hatch", "beetle", "van"], p=[0.35, 0.25, 0.2, 0.2])
    L = U(rng, 3.7, 4.6) if kind in ("sedan", "van") else U(rng, 3.0, 3.6)
    r = U(rng, 0.36, 0.5)
    yb = -r * U(rng, 0.6, 1.0)
    wx = [L * U(rng, 0.17, 0.24), L * U(rng, 0.76, 0.83)]
    yl = yb - U(rng, 0.55, 0.8)  # belt line: where the windows start
    R = min(r * U(rng, 1.1, 1.3), -yl - r - 0.12) if rng.random() < 0.55 else 0.0
    R = R if R > r * 1.05 else 0.0
    under = underside(yb, wx, r, R)
    if kind == "beetle":
        yt = yl - U(rng, 0.75, 1.0)
        top = bezier((0, yl + 0.25), (-0.05 * L, yt - 0.1), (0.75 * L, yt - 0.35), (L, yl + 0.2), n=30)
        body = path((0, yb, 0.15), top, (L, yb, 0.12), under)
    elif kind == "van":
        yt = yl - U(rng, 0.9, 1.2)
        xw = L - U(rng, 0.4, 0.7)
        body = path(
            (0, yb, 0.1),
            (0, yt, 0.25),
            (xw - U(rng, 0.3, 0.6), yt, 0.3),
            (xw, yl, 0.05),
            (L, yl + U(rng, 0.05, 0.2), 0.15),
            (L, yb, 0.1),
            under,
        )
    else:
        yt = yl - U(rng, 0.55, 0.8)
        xc0 = U(rng, 0.5, 0.9) if kind == "sedan" else 0.0
        xr0, xc1 = xc0 + U(rng, 0.3, 0.6), L - U(rng, 0.8, 1.2)
        rear = [(0, yl + U(rng, 0.0, 0.15), 0.12)] + ([(xc0, yl)] if kind == "sedan" else [])
        body = path(
            (0, yb, 0.12),
            *rear,
            (xr0, yt, 0.2),
            (xc1 - U(rng, 0.4, 0.7), yt, 0.2),
            (xc1, yl),
            (L, yl + U(rng, 0.05, 0.25), 0.15),
            (L, yb, 0.12),
            under,
        )
    win = offset(clip(body, 1, yl - 0.01), (yl - yt) * U(rng, 0.1, 0.18))
    x0, x1 = win[:, 0].min(), win[:, 0].max()
    n_cut = {"sedan": int(rng.integers(1, 3)), "hatch": 1, "beetle": 1, "van": int(rng.integers(2, 4))}[kind]
    cuts = list(x0 + (x1 - x0) * (np.arange(1, n_cut + 1) / (n_cut + 1) + rng.normal(0, 0.03, n_cut)))
    if kind == "van" and rng.random() < 0.3:  # panel van: only the cab has windows
        win, cuts = band(win, x1 - (x1 - x0) * 0.3, 1e9), []
    det = []
    if rng.random() < 0.8:  # door lines below the pillars and at the windshield base
        for x in [*cuts[-2:], x1 + 0.03]:
            det.append(line(x, yl, x, floor_y(x, yb, wx, r, R)))
    pieces = [Piece("body", body, details=det)]
    pieces += panes(win, cuts, U(rng, 0.06, 0.14))
    if det and rng.random() < 0.7:
        hx = cuts[-1] + 0.1 if cuts else x1 - 0.4
        pieces.append(Piece("", pill(hx, yl + 0.1, hx + 0.22, yl + 0.16)))
    hy = yl + (yb - yl) * U(rng, 0.2, 0.4)
    pieces.append(Piece("", circ(L - 0.1, hy, 0.08, 0.07, 16)))  # headlight
    if rng.random() < 0.5:  # bumpers
        for x in (-0.06, L - 0.2):
            pieces.append(Piece("", pill(x, yb - 0.14, x + 0.26, yb - 0.02)))
    pieces += wheels(rng, wx, r)
    return Drawing("car", pieces)


def bus(rng: np.random.Generator) -> Drawing:
    """City bus, school bus with a hood, double-decker or coach: long body, a row of windows, a door."""
    kind = rng.choice(["city", "school", "double", "coach"], p=[0.3, 0.3, 0.2, 0.2])
    L, r = U(rng, 6.5, 8.5), U(rng, 0.5, 0.68)
    H = U(rng, 2.2, 2.7) * (1.6 if kind == "double" else 1.0)
    yb = -r * U(rng, 0.75, 1.05)
    yt = yb - H
    hood = U(rng, 0.9, 1.3) if kind == "school" else 0.0
    Lb = L - hood
    fw = L - hood * 0.55 if hood else L - U(rng, 1.0, 1.5)
    rw = U(rng, 1.0, 1.6)
    wx = [rw, fw] + ([rw + 2.3 * r] if rng.random() < 0.25 and kind != "double" else [])
    R = r * U(rng, 1.08, 1.2) if rng.random() < 0.6 else 0.0
    under = underside(yb, wx, r, R)
    slant = U(rng, 0.35, 0.7) if kind == "coach" else U(rng, 0.0, 0.15)
    if hood:
        yh = yb - H * U(rng, 0.4, 0.5)
        front = [(Lb - slant, yt, 0.3), (Lb, yh), (L - 0.1, yh + 0.08, 0.3), (L, yb, 0.12)]
    else:
        front = [(L - slant, yt, U(rng, 0.2, 0.6)), (L, yb, 0.15)]
    body = path((0, yb, 0.15), (0, yt, U(rng, 0.15, 0.4)), *front, under)
    m = U(rng, 0.1, 0.18)
    rows = [(yt + H * U(rng, 0.1, 0.14), H * U(rng, 0.28, 0.36))]
    if kind == "double":
        rows = [(yt + H * 0.07, H * 0.22), (yt + H * 0.47, H * 0.2)]
    dw = U(rng, 0.7, 0.95)
    xd1 = min(Lb - 0.12, fw - max(R, r) - 0.1) if hood else fw - max(R, r) - U(rng, 0.1, 0.3)
    xd0 = xd1 - dw
    det = []
    for y in rows[-1][0] + rows[-1][1] + np.array([0.15, 0.3])[: int(rng.integers(0, 3))]:
        det.append(hline(body, y, 0.08))
    pieces = [Piece("body", body, details=det)]
    inner = offset(body, m)
    wfront = span(inner, rows[0][0] + rows[0][1] / 2)[1]
    xs = U(rng, 0.25, 0.45)
    for i, (y0, h) in enumerate(rows):
        reg = band(inner, y0, y0 + h + (H * 0.12 if i == len(rows) - 1 and not hood else 0), 1)
        xe = wfront - (0.0 if hood else U(rng, 0.8, 1.2))  # windscreen in front of xe
        n = max(2, round((xe - xs) / U(rng, 0.75, 1.15)))
        cuts = list(np.linspace(xs, xe, n + 1)[1:])
        reg = band(reg, xs - 1e-3, 1e9)
        for p in panes(reg, cuts, U(rng, 0.1, 0.18) if not i else 0.14):
            if (
                i == len(rows) - 1
                and p.polygon[:, 0].max() > xd0 - 0.05
                and p.polygon[:, 0].min() < xd1 + 0.05
            ):
                continue  # the door takes this slot
            pieces.append(p)
    yd0 = rows[-1][0]
    pieces.append(
        Piece("", rect(xd0, yd0, xd1, yb), details=[line((xd0 + xd1) / 2, yd0, (xd0 + xd1) / 2, yb)])
    )
    gy = yd0 + (yb - yd0) * U(rng, 0.45, 0.7)
    for a, b in ((xd0, (xd0 + xd1) / 2), ((xd0 + xd1) / 2, xd1)):
        pieces.append(Piece("windows", rect(a + 0.08, yd0 + 0.1, b - 0.08, gy)))
    hx = L - 0.12 - (0 if hood else slant * 0.05)
    pieces.append(Piece("", circ(hx, yb - U(rng, 0.3, 0.5), 0.1, 0.09, 16)))
    pieces.append(Piece("", pill(L - 0.3, yb - 0.18, L + 0.06, yb)))
    pieces += wheels(rng, wx, r)
    return Drawing("bus", pieces)


def truck(rng: np.random.Generator) -> Drawing:
    """A cab (body, windows) pulling a cargo part (carriage): box, pickup bed, tank or dump bed."""
    kind = rng.choice(["box", "pickup", "tanker", "dump"], p=[0.35, 0.25, 0.2, 0.2])
    r = U(rng, 0.32, 0.44)
    yb = -r * U(rng, 0.75, 1.0)
    Lc, Hc = U(rng, 1.0, 1.4), U(rng, 1.3, 1.7)
    hood = U(rng, 0.5, 0.9) if rng.random() < (0.7 if kind == "pickup" else 0.35) else 0.0
    Lk = {"box": U(rng, 2.4, 3.4), "pickup": U(rng, 1.4, 2.0), "tanker": U(rng, 2.4, 3.2)}.get(
        kind, U(rng, 2.0, 2.8)
    )
    xc0 = Lk + U(rng, 0.02, 0.2)
    xc1 = xc0 + Lc
    xf = xc1 + hood
    ych = yb - U(rng, 0.18, 0.28)  # top of the chassis the carriage sits on
    yt, yw = yb - Hc, yb - Hc * U(rng, 0.5, 0.62)
    pieces = [Piece("body", rect(0.15, ych, xc0 + 0.1, yb))]
    if kind == "box":
        Hk = Hc * U(rng, 1.0, 1.3)
        det = [
            line(x, ych - Hk + 0.08, x, ych - 0.08) for x in np.linspace(0, Lk, 4)[1:-1] if rng.random() < 0.5
        ]
        pieces.append(Piece("carriage", rounded_rect(0, ych - Hk, Lk, ych, 0.08), details=det))
    elif kind == "pickup":
        bx, yk = Lk * U(rng, 0.45, 0.6), yw + U(rng, -0.05, 0.1)
        Rk = r * U(rng, 1.1, 1.25) if rng.random() < 0.6 else 0.0
        bed = path((0, yb, 0.05), (0, yk, 0.05), (Lk + 0.1, yk), (Lk + 0.1, yb), underside(yb, [bx], r, Rk))
        pieces = [Piece("carriage", bed, details=[line(0.05, yk + 0.1, Lk + 0.1, yk + 0.1)])]
    elif kind == "tanker":
        Hk = Hc * U(rng, 0.75, 1.0)
        det = [line(x, ych - Hk, x, ych) for x in np.linspace(Hk / 2, Lk - Hk / 2, int(rng.integers(2, 4)))]
        pieces.append(Piece("carriage", rounded_rect(0, ych - Hk, Lk, ych, Hk / 2), details=det))
        pieces.append(Piece("", rect(Lk * 0.45, ych - Hk - 0.12, Lk * 0.45 + 0.3, ych - Hk + 0.02)))
    else:
        Hk = Hc * U(rng, 0.6, 0.85)
        body_k = polygon(-0.15, ych - Hk - 0.1, Lk, ych - Hk, Lk - 0.15, ych, 0.2, ych)
        det = [line(x, span(body_k, x, 0)[0] + 0.05, x, ych - 0.05) for x in np.linspace(0.4, Lk - 0.4, 3)]
        pieces.append(Piece("carriage", body_k, details=det))
    fx = xc1 + hood * 0.3 if hood else xc0 + Lc * U(rng, 0.45, 0.6)
    R = r * U(rng, 1.1, 1.25) if rng.random() < 0.5 else 0.0
    sl = U(rng, 0.1, 0.35)
    nose = (
        [(xc1, yw, 0.05), (xf, yw + 0.08, 0.15), (xf, yb, 0.1)]
        if hood
        else [(xc1, yw, 0.1), (xc1 + 0.05, yb, 0.1)]
    )
    cab = path((xc0, yb), (xc0, yt, 0.15), (xc1 - sl, yt, 0.12), *nose, underside(yb, [fx], r, R))
    wr = band(offset(clip(cab, 1, yw - 0.01), (yw - yt) * U(rng, 0.12, 0.2)), xc0 + U(rng, 0.12, 0.35), 1e9)
    x_d = wr[:, 0].min() - 0.05
    pieces.append(Piece("body", cab, details=[line(x_d, yw, x_d, floor_y(x_d, yb, [fx], r, R))]))
    pieces.append(Piece("windows", wr))
    pieces.append(Piece("", pill(x_d + 0.1, yw + 0.1, x_d + 0.3, yw + 0.16)))
    pieces.append(Piece("", pill(xf - 0.15, yb - 0.2, xf + 0.08, yb)))
    pieces.append(Piece("", circ(xf - 0.08, yb - 0.35, 0.07, n=14)))
    rx = [bx] if kind == "pickup" else [Lk * U(rng, 0.55, 0.75)]
    if kind != "pickup" and rng.random() < 0.5:
        rx = [rx[0] - r * 1.1, rx[0] + r * 1.1]
    pieces += wheels(rng, [*rx, fx], r)
    return Drawing("truck", pieces)


# ---------------------------------------------------------------- houses


def window(rng: np.random.Generator, x0: float, y0: float, x1: float, y1: float, style: dict) -> list[Piece]:
    """A window with cross bars; maybe arched, framed, with shutters and a sill (one style per house)."""
    w, h = x1 - x0, y1 - y0
    out = []
    if style["shutters"]:
        for a in (x0 - w * 0.4, x1):
            out.append(
                Piece(
                    "",
                    rect(a, y0, a + w * 0.4, y1),
                    details=[line(a + w * 0.05, y, a + w * 0.35, y) for y in np.linspace(y0, y1, 6)[1:-1]],
                )
            )
    poly = rect(x0, y0, x1, y1)
    if style["arch"]:
        poly = np.concatenate(
            [ellipse((x0 + x1) / 2, y0 + w / 2, w / 2, w / 2, 16, np.pi, 2 * np.pi), [[x1, y1], [x0, y1]]]
        )
    det, cx, cy = [], (x0 + x1) / 2, y0 + h * (0.55 if style["arch"] else 0.5)
    if style["bars"] in ("cross", "grid"):
        det += [line(cx, y0, cx, y1), line(x0, cy, x1, cy)]
    if style["bars"] == "grid":
        det += [line(x0, y0 + h * 0.25, x1, y0 + h * 0.25), line(x0, y0 + h * 0.75, x1, y0 + h * 0.75)]
    if style["bars"] == "vbar":
        det.append(line(cx, y0, cx, y1))
    if style["frame"]:
        det.append(loop(offset(poly, min(w, h) * 0.08)))
    out.append(Piece("windows", poly, details=det))
    if style["sill"]:
        out.append(Piece("", rect(x0 - w * 0.1, y1, x1 + w * 0.1, y1 + h * 0.08)))
    return out


def window_style(rng: np.random.Generator) -> dict:
    return {
        "bars": rng.choice(["cross", "cross", "grid", "vbar", "none"]),
        "arch": rng.random() < 0.15,
        "frame": rng.random() < 0.3,
        "shutters": rng.random() < 0.15,
        "sill": rng.random() < 0.3,
    }


def door(rng: np.random.Generator, x0: float, y0: float, x1: float, double: bool = False) -> list[Piece]:
    """A door standing on the ground (or on a step): panels, knob, maybe a little window or an arch."""
    w = x1 - x0
    step = w * U(rng, 0.08, 0.14) if rng.random() < 0.35 else 0.0
    y1 = -step
    poly = rect(x0, y0, x1, y1)
    if rng.random() < 0.25 and not double:
        poly = np.concatenate(
            [ellipse((x0 + x1) / 2, y0 + w / 2, w / 2, w / 2, 16, np.pi, 2 * np.pi), [[x1, y1], [x0, y1]]]
        )
    det = [line((x0 + x1) / 2, y0 + (w / 2 if len(poly) > 4 else 0), (x0 + x1) / 2, y1)] if double else []
    h = y1 - y0
    if rng.random() < 0.4 and not double:
        det += [
            loop(rect(x0 + w * 0.18, y0 + h * f, x1 - w * 0.18, y0 + h * (f + 0.3))) for f in (0.15, 0.58)
        ]
    out = []
    if step:
        out.append(Piece("", rect(x0 - w * 0.15, -step, x1 + w * 0.15, 0)))
    out.append(Piece("door", poly, details=det))
    if rng.random() < 0.3 and not double and not det:
        out.append(Piece("windows", ellipse((x0 + x1) / 2, y0 + h * 0.28, w * 0.2, w * 0.2, 16)))
    for kx in [(x0 + x1) / 2 - w * 0.1, (x0 + x1) / 2 + w * 0.1] if double else [x1 - w * 0.18]:
        out.append(Piece("", ellipse(kx, y0 + h * 0.55, w * 0.05, w * 0.05, 10)))
    return out


def tiles(rng: np.random.Generator, roof: Pts, y0: float, y1: float) -> list[Pts]:
    """Roof tile rows across the roof between heights y0 (top) and y1: lines, scallops or bricks."""
    kind = rng.choice(["none", "lines", "scallops", "bricks"], p=[0.3, 0.25, 0.25, 0.2])
    if kind == "none":
        return []
    n = int(rng.integers(3, 7))
    ys = np.linspace(y0, y1, n + 2)[1:-1]
    s = (y1 - y0) / (n + 1)
    out = []
    for i, y in enumerate(ys):
        a, b = span(roof, y)
        a, b = a + s * 0.4, b - s * 0.4
        if b - a < s:
            continue
        if kind == "scallops":
            k = max(1, int((b - a) / (s * 1.1)))
            xs = np.linspace(a, b, k + 1)
            q = (b - a) / k / 2
            out.append(np.concatenate([ellipse(x + q, y, q, s * 0.55, 8, np.pi, 0) for x in xs[:-1]]))
            continue
        out.append(line(a, y, b, y))
        if kind == "bricks":
            yb = y - s
            k = max(1, int((b - a) / (s * 1.8)))
            for x in np.linspace(a, b, k + 2)[1:-1] + (s * 0.9 if i % 2 else 0):
                if span(roof, yb)[0] < x < span(roof, yb)[1]:
                    out.append(line(x, y, x, yb + s * 0.05))
    return out


def house(rng: np.random.Generator) -> Drawing:
    """Cottage, two-storey house, barn, school with a bell tower, or a cottage seen at an angle."""
    kind = rng.choice(["cottage", "two_storey", "barn", "school", "angled"], p=[0.3, 0.2, 0.15, 0.15, 0.2])
    if kind == "barn":
        return barn(rng)
    if kind == "angled":
        return angled_house(rng)
    W = U(rng, 1.8, 2.5) if kind == "school" else 1.0
    Hw = U(rng, 1.05, 1.4) if kind == "two_storey" else U(rng, 0.6, 0.95) * (0.8 if kind == "school" else 1)
    o, Hr = U(rng, 0.03, 0.12), U(rng, 0.35, 0.7) * (0.5 if kind == "school" else 1)
    ye = -Hw + U(rng, 0.0, 0.04)
    trap = kind == "school" or rng.random() < 0.35
    a = W * U(rng, 0.15, 0.3) if trap else W / 2
    roof = (
        polygon(-o, ye, a, -Hw - Hr, W - a, -Hw - Hr, W + o, ye)
        if trap
        else polygon(-o, ye, W / 2, -Hw - Hr, W + o, ye)
    )
    banded = not trap and rng.random() < 0.35  # gable wall with the roof as a band along its slopes
    pieces = []
    if rng.random() < 0.45:  # chimney (behind the roof)
        cx = W * U(rng, 0.15, 0.3) if rng.random() < 0.5 else W * U(rng, 0.7, 0.85)
        cw = W * U(rng, 0.09, 0.14)
        top = span(roof, cx, 0)[0] - Hr * U(rng, 0.15, 0.35)
        pieces.append(Piece("", rect(cx - cw / 2, top, cx + cw / 2, span(roof, cx + cw / 2, 0)[0] + 0.05)))
        if rng.random() < 0.5:
            pieces.append(Piece("", rect(cx - cw * 0.65, top - cw * 0.3, cx + cw * 0.65, top)))
    if kind == "school":
        tw, th = W * U(rng, 0.12, 0.18), Hr * U(rng, 0.9, 1.4)
        cx, yr = W / 2, -Hw - Hr
        pieces.append(Piece("walls", rect(cx - tw, yr - th, cx + tw, yr + 0.05)))
        pieces.append(
            Piece(
                "roof",
                polygon(cx - tw * 1.3, yr - th, cx, yr - th - tw * U(rng, 0.8, 1.3), cx + tw * 1.3, yr - th),
                details=tiles(
                    rng,
                    polygon(cx - tw * 1.3, yr - th, cx, yr - th - tw, cx + tw * 1.3, yr - th),
                    yr - th - tw,
                    yr - th,
                ),
            )
        )
        ww = tw * 0.45
        pieces.append(
            Piece(
                "windows",
                np.concatenate(
                    [
                        ellipse(cx, yr - th * 0.6, ww, ww, 14, np.pi, 2 * np.pi),
                        [[cx + ww, yr - th * 0.1], [cx - ww, yr - th * 0.1]],
                    ]
                ),
                details=[line(cx, yr - th * 0.6, cx, yr - th * 0.1)],
            )
        )
    walls = rect(0, -Hw, W, 0)
    wdet = [hline(walls, -Hw * 0.5, 0)] if kind == "two_storey" and rng.random() < 0.4 else []
    if rng.random() < 0.15:  # wooden siding
        wdet += [line(0, y, W, y) for y in np.linspace(-Hw, 0, int(rng.integers(6, 10)))[1:-1]]
    if banded:
        walls = polygon(0, 0, 0, -Hw, W / 2, -Hw - Hr, W, -Hw, W, 0)
        inner = polygon(0, -Hw, W / 2, -Hw - Hr, W, -Hw)
        outer = offset(polygon(-o, -Hw + o * 0.5, W / 2, -Hw - Hr, W + o, -Hw + o * 0.5), -Hr * 0.18, False)
        roof = np.concatenate([outer, inner[::-1]])
    pieces.append(Piece("walls", walls, details=wdet))
    pieces.append(Piece("roof", roof, details=[] if banded else tiles(rng, roof, -Hw - Hr, ye)))
    if (banded or rng.random() < 0.2) and kind != "school":
        s = Hr * 0.18
        gy = -Hw - Hr * (0.4 if banded else 0.45)
        gw = [
            Piece(
                "windows",
                ellipse(W / 2, gy, s, s, 20),
                details=[line(W / 2 - s, gy, W / 2 + s, gy), line(W / 2, gy - s, W / 2, gy + s)],
            )
        ]
        pieces += gw
    ws = window_style(rng)
    k = int(rng.integers(2, 4)) if kind != "school" else int(rng.choice([3, 5]))
    col = W / k
    dcol = k // 2 if kind == "school" or rng.random() < 0.4 else int(rng.integers(0, k))
    rows = [(-Hw * U(rng, 0.72, 0.82), -Hw * U(rng, 0.35, 0.55))]
    if kind == "two_storey":
        rows = [
            (-Hw * U(rng, 0.85, 0.9), -Hw * U(rng, 0.6, 0.68)),
            (-Hw * U(rng, 0.4, 0.45), -Hw * U(rng, 0.15, 0.22)),
        ]
    for i in range(k):
        for j, (y0, y1) in enumerate(rows):
            if i == dcol and j == len(rows) - 1:
                continue
            hw = col * U(rng, 0.22, 0.32) if i == 0 or ws["shutters"] is False else col * 0.22
            cxw = col * (i + 0.5)
            pieces += window(rng, cxw - hw, y0, cxw + hw, y1, ws)
    dw = col * U(rng, 0.25, 0.35) * (1.6 if kind == "school" else 1)
    dc = col * (dcol + 0.5)
    dtop = -Hw * (U(rng, 0.55, 0.7) if kind != "two_storey" else U(rng, 0.33, 0.42))
    if kind == "school" and rng.random() < 0.7:
        pieces.append(
            Piece(
                "windows",
                rect(dc - dw, dtop - Hw * 0.15, dc + dw, dtop - Hw * 0.03),
                details=[
                    line(dc - dw / 3, dtop - Hw * 0.15, dc - dw / 3, dtop - Hw * 0.03),
                    line(dc + dw / 3, dtop - Hw * 0.15, dc + dw / 3, dtop - Hw * 0.03),
                ],
            )
        )
    pieces += door(rng, dc - dw, dtop, dc + dw, double=kind == "school")
    return Drawing("house", pieces)


def barn(rng: np.random.Generator) -> Drawing:
    """Gambrel-roofed barn: big X-braced door, a loft window, plank walls."""
    W, Hw = 1.0, U(rng, 0.55, 0.8)
    h1, h2, k1 = U(rng, 0.2, 0.35), U(rng, 0.15, 0.3), U(rng, 0.08, 0.16)
    top = polygon(0, -Hw, k1, -Hw - h1, W / 2, -Hw - h1 - h2, W - k1, -Hw - h1, W, -Hw)
    walls = np.concatenate([[[0, 0]], top, [[W, 0]]])
    det = []
    if rng.random() < 0.5:
        for x in np.linspace(0, W, int(rng.integers(7, 12)))[1:-1]:
            det.append(line(x, span(walls, x, 0)[0], x, 0))
    pieces = [Piece("walls", walls, details=det)]
    o = U(rng, 0.03, 0.08)
    outer = offset(np.vstack([[-o, -Hw + o], top[1:-1], [W + o, -Hw + o]]), -U(rng, 0.06, 0.1), False)
    if rng.random() < 0.5:
        pieces.append(Piece("roof", np.concatenate([outer, top[::-1]])))
    else:
        pieces.append(Piece("roof", np.concatenate([outer, [[W + o, -Hw + 0.02], [-o, -Hw + 0.02]]])))
    s = U(rng, 0.08, 0.12)
    ly = -Hw - h1 * 0.55
    pieces.append(
        Piece(
            "windows",
            rect(W / 2 - s, ly - s, W / 2 + s, ly + s),
            details=[line(W / 2 - s, ly - s, W / 2 + s, ly + s), line(W / 2 + s, ly - s, W / 2 - s, ly + s)],
        )
    )
    dw, dh = W * U(rng, 0.18, 0.25), Hw * U(rng, 0.6, 0.8)
    x0, x1 = W / 2 - dw, W / 2 + dw
    ddet = [loop(offset(rect(x0, -dh, x1, 0), dw * 0.1)), line(W / 2, -dh, W / 2, 0)]
    for a, b in ((x0, W / 2), (W / 2, x1)):
        ddet += [line(a, -dh, b, 0), line(b, -dh, a, 0)]
    pieces.append(Piece("door", rect(x0, -dh, x1, 0), details=ddet))
    if rng.random() < 0.6:
        ws = window_style(rng)
        for cx in (W * 0.15, W * 0.85):
            pieces += window(rng, cx - W * 0.07, -Hw * 0.75, cx + W * 0.07, -Hw * 0.5, ws)
    return Drawing("house", pieces)


def angled_house(rng: np.random.Generator) -> Drawing:
    """A cottage seen from the corner: gable wall in front, side wall and sloping roof beside it."""
    Wf, Ws, Hw, Hr = U(rng, 0.7, 1.0), U(rng, 0.9, 1.5), U(rng, 0.6, 0.9), U(rng, 0.45, 0.7)
    o = U(rng, 0.04, 0.1)
    apex = (Wf / 2, -Hw - Hr)
    gable = polygon(0, 0, 0, -Hw, *apex, Wf, -Hw, Wf, 0)
    side = polygon(Wf, 0, Wf, -Hw, Wf + Ws, -Hw, Wf + Ws, 0)
    roof = polygon(
        apex[0] - o * 0.3, apex[1] - o * 0.5, apex[0] + Ws, apex[1], Wf + Ws + o, -Hw + o, Wf + o, -Hw + o
    )
    pieces = []
    if rng.random() < 0.5:
        cx, cw = Wf + Ws * U(rng, 0.3, 0.7), 0.12
        yt = apex[1] + (Hr - o) * U(rng, 0.1, 0.4)
        pieces.append(Piece("", rect(cx, yt - 0.2, cx + cw, yt + 0.1)))
    pieces += [Piece("walls", side), Piece("walls", gable)]
    pieces.append(Piece("roof", roof, details=tiles(rng, roof, apex[1], -Hw + o)))
    ws = window_style(rng)
    ws["shutters"] = False
    if rng.random() < 0.5:  # door on the gable, windows on the side
        pieces += door(rng, Wf * 0.35, -Hw * U(rng, 0.55, 0.7), Wf * 0.65)
        for cx in np.linspace(Wf, Wf + Ws, 4)[1:-1] if Ws > 1.1 else [Wf + Ws / 2]:
            pieces += window(rng, cx - 0.12, -Hw * 0.75, cx + 0.12, -Hw * 0.45, ws)
    else:
        pieces += window(rng, Wf * 0.3, -Hw * 0.75, Wf * 0.7, -Hw * 0.45, ws)
        dx = Wf + Ws * U(rng, 0.2, 0.35)
        pieces += door(rng, dx, -Hw * U(rng, 0.55, 0.7), dx + 0.25)
        pieces += window(rng, Wf + Ws * 0.6, -Hw * 0.75, Wf + Ws * 0.85, -Hw * 0.45, ws)
    if rng.random() < 0.5:
        s = Hr * 0.15
        pieces.append(Piece("windows", ellipse(Wf / 2, -Hw - Hr * 0.35, s, s, 18)))
    return Drawing("house", pieces)


# ---------------------------------------------------------------- furniture


def bench(rng: np.random.Generator) -> Drawing:
    """Park bench with a slatted back, backless plank bench, or iron bench with curly legs and arms."""
    kind = rng.choice(["park", "plain", "iron"], p=[0.45, 0.25, 0.3])
    L, hs = U(rng, 1.6, 3.0), U(rng, 0.45, 0.6)
    t, d = U(rng, 0.07, 0.13), U(rng, 0.0, 0.18)  # seat thickness, visible seat depth
    lw, lx = U(rng, 0.07, 0.13), L * U(rng, 0.06, 0.18)
    pieces = []
    if kind != "plain":  # backrest: posts behind, slats across
        hb = U(rng, 0.45, 0.7)
        for x in (lx, L - lx - lw):
            pieces.append(Piece("", rect(x, -hs - d - hb, x + lw, -hs - d)))
        n = int(rng.integers(1, 5))
        sh = hb * (0.75 if n == 1 else 0.55) / n
        for i in range(n):
            y = -hs - d - hb + 0.04 + i * (hb * 0.8 - sh) / max(n - 1, 1)
            pieces.append(
                Piece(
                    "",
                    rect(0, y, L, y + sh),
                    details=[line(0.1, y + sh * 0.5, L * 0.3, y + sh * 0.5)] if rng.random() < 0.3 else [],
                )
            )
    legs = []
    if kind == "iron":
        for x, s in ((lx, -1), (L - lx, 1)):
            c = bezier((x + s * 0.12, 0), (x - s * 0.05, -hs * 0.3), (x + s * 0.1, -hs * 0.7), (x, -hs), n=12)
            legs.append(Piece("", clip(stroke_band(c, lw), 1, 0.0)))
    else:
        splay = rng.random() < 0.3
        for x in (lx, L - lx - lw):
            legs.append(
                Piece(
                    "",
                    polygon(x - lw * 0.5, 0, x + 0.02, -hs, x + lw - 0.02, -hs, x + lw * 1.5, 0)
                    if splay
                    else rect(x, -hs, x + lw, 0),
                )
            )
        if kind == "plain" and rng.random() < 0.5:
            pieces.append(Piece("", rect(lx, -hs * 0.4, L - lx, -hs * 0.3)))
    pieces += legs
    if d > 0.03:
        top = polygon(0, -hs - t, L, -hs - t, L - d * 0.3, -hs - t - d, d * 0.3, -hs - t - d)
        pieces.append(
            Piece(
                "",
                top,
                details=[
                    line(d * 0.3 + 0.05, -hs - t - d * f, L - d * 0.3 - 0.05, -hs - t - d * f)
                    for f in (0.33, 0.66)
                ]
                if kind != "plain" and d > 0.08
                else [],
            )
        )
    grain = [line(0.15, -hs - t * 0.5, L * 0.35, -hs - t * 0.5)] if rng.random() < 0.4 else []
    pieces.append(Piece("", rounded_rect(-0.05, -hs - t, L + 0.05, -hs, 0.02), details=grain))
    if kind == "iron" and rng.random() < 0.8:  # scroll arms
        for x, s in ((0.02, 1), (L - 0.02, -1)):
            c = bezier(
                (x, -hs - t),
                (x + s * 0.02, -hs - 0.3),
                (x - s * 0.2, -hs - 0.38),
                (x - s * 0.18, -hs - 0.22),
                n=12,
            )
            pieces.append(Piece("", stroke_band(c, lw * 0.8)))
    return Drawing("bench", pieces)


def chair(rng: np.random.Generator) -> Drawing:
    """Side-view wooden chair, front-view chair with a slatted back, or an upholstered armchair."""
    kind = rng.choice(["side", "front", "arm"], p=[0.35, 0.4, 0.25])
    hs, lw = U(rng, 0.45, 0.6), U(rng, 0.05, 0.08)
    if kind == "side":
        D, hb, lean = U(rng, 0.45, 0.6), U(rng, 0.5, 0.8), U(rng, 0.0, 0.12)
        t = U(rng, 0.05, 0.09)
        post = polygon(
            0, 0, lw, 0, lw - lean * 0.2, -hs, lw - lean, -hs - hb, -lean, -hs - hb, -lean * 0.2, -hs
        )
        pieces = [Piece("", post), Piece("", rect(D - lw, -hs, D, 0))]
        if rng.random() < 0.5:
            pieces.append(Piece("", rect(lw, -hs * 0.35, D - lw, -hs * 0.3)))
        pieces.append(Piece("", rect(-lean * 0.2, -hs - t, D + 0.03, -hs)))
        return Drawing("chair", pieces)
    if kind == "arm":
        W, hb, aw = U(rng, 0.9, 1.2), U(rng, 0.5, 0.8), U(rng, 0.14, 0.22)
        ls = U(rng, 0.04, 0.1)
        pieces = [Piece("", rect(x, -ls - 0.02, x + 0.06, 0)) for x in (0.08, W - 0.14)]
        buttons = (
            [loop(circ(x, -hs - hb * 0.5, 0.015, n=8)) for x in np.linspace(0.3, W - 0.3, 3)]
            if rng.random() < 0.4
            else []
        )
        yc = -ls - hs * U(rng, 0.5, 0.6)  # top of the base
        pieces.append(
            Piece("", rounded_rect(aw * 0.6, -hs - hb, W - aw * 0.6, yc + 0.05, 0.15), details=buttons)
        )
        pieces.append(Piece("", rounded_rect(0, yc, W, -ls, 0.05)))
        pieces.append(Piece("", rounded_rect(aw * 0.8, -hs - 0.06, W - aw * 0.8, yc + 0.03, 0.06)))
        for x in (0, W - aw):
            pieces.append(Piece("", rounded_rect(x, -hs - 0.2, x + aw, -ls - 0.02, aw * 0.45)))
        return Drawing("chair", pieces)
    W, hb, d = U(rng, 0.5, 0.7), U(rng, 0.5, 0.8), U(rng, 0.08, 0.16)
    t = U(rng, 0.04, 0.08)
    inset = d * 0.8
    pieces = [Piece("", rect(x, -hs - t, x + lw, -d * 0.6)) for x in (inset, W - inset - lw)]  # back legs
    yb = -hs - t - d
    for x in (inset, W - inset - lw):
        pieces.append(Piece("", rect(x, yb - hb, x + lw, yb)))
    style = rng.choice(["slats", "spindles", "panel"])
    top = U(rng, 0.1, 0.18)
    pieces.append(
        Piece("", rounded_rect(inset - 0.03, yb - hb - 0.02, W - inset + 0.03, yb - hb + top, 0.04))
    )
    if style == "slats":
        for y in np.linspace(yb - hb + top, yb - 0.08, 4)[1:-1]:
            pieces.append(Piece("", rect(inset + lw, y - 0.02, W - inset - lw, y + 0.03)))
    elif style == "spindles":
        for x in np.linspace(inset + lw, W - inset - lw, 5)[1:-1]:
            pieces.append(Piece("", rect(x - 0.015, yb - hb + top, x + 0.015, yb)))
    else:
        pieces.append(Piece("", rounded_rect(inset + lw, yb - hb + top, W - inset - lw, yb - hb * 0.3, 0.03)))
    pieces.append(Piece("", polygon(0, -hs - t, W, -hs - t, W - inset, yb, inset, yb)))
    pieces.append(Piece("", rect(0, -hs - t, W, -hs)))
    for x in (0, W - lw):
        pieces.append(Piece("", rect(x, -hs, x + lw, 0)))
    return Drawing("chair", pieces)


DRAWERS = {"car": car, "bus": bus, "truck": truck, "house": house, "bench": bench, "chair": chair}
