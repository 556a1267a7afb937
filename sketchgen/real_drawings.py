"""Real drawings as training and evaluation material: every doodle we hold, OpenMoji clip art, and
canvases that show a real drawing alone at any size.

Why: a recogniser trained on generated scenes only knew the generator's styles; it missed cartoon
animals, clip art and a single animal filling the page. Here every real drawing in
../shared/data is a source, each with a fixed held-out split that training never sees:

- Quick, Draw! (quickdraw/): the split of sketchgen.doodles (seed 2019, 5 per file held out), so the
  old held-out doodles stay held out.
- Quick, Draw! more (quickdraw-more/, ~200 per category): per file, a permutation with seed
  SPLIT_SEED; its first MORE_HELD_OUT are held out. With the 5 above, about 20 per category.
- Quick, Draw! with parts (quickdraw-parts/): only the *_train files are used for training (their
  test/valid files are never read); part labels on strokes where they map to our parts.
- OpenMoji (openmoji/): one code per category held out where a category has 2+ codes (a permutation
  with seed SPLIT_SEED picks it; `openmoji_split` lists them). Rendered from SVG with resvg at two
  stroke widths; the colour twin gives the region mask and, for vehicles and trees, parts.

The six SketchyScene scenes are never read here: they stay the held-out real set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from scipy import ndimage

from .doodles import Doodle, silhouette_outlines
from .doodles import load as load_quickdraw
from .drawing import Drawing, Piece
from .pen import PenStyle
from .render import render
from .scene import IGNORE, Composer, Scene, _labels
from .vocabulary import CLASS_INDEX, PART_INDEX, QUICKDRAW_TO_CLASS

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SPLIT_SEED = 2026
MORE_HELD_OUT = 15  # per quickdraw-more file
UNKNOWN_PART = "?"  # a piece whose pixels carry no part label (the loss skips them)
PART_INDEX_EXT = {**PART_INDEX, UNKNOWN_PART: IGNORE}
NO_PARTS = frozenset(
    c
    for c in CLASS_INDEX
    if c not in {"car", "bus", "truck", "house", "person", "tree", "bird", "butterfly", "chicken", "sun"}
)
# quickdraw-parts: file -> (our category, {their label: our part}); labels missing here -> unknown part.
PART_DOODLES: dict[str, tuple[str, dict[str, str]]] = {
    "butterfly": ("butterfly", {"body,head": "body", "wings": "wings", "decoration on wings": "wings"}),
    "ambulance": (
        "car",
        {"body": "body", "windows": "windows", "wheels": "wheels", "cross": "body", "bell": "body"},
    ),
    "pig": ("pig", {}),
    "duck": ("duck", {}),
}
OPENMOJI_SIDE = 384  # px of the cached OpenMoji renders (long side of the 72-unit view box)
# OpenMoji's palette colours that are a named part, per category (other fill colours are the main part).
OPENMOJI_PARTS: dict[str, dict[str, str]] = {
    "car": {"92d3f5": "windows", "9b9b9a": "wheels", "3f3f3f": "wheels"},
    "bus": {"92d3f5": "windows", "9b9b9a": "wheels", "3f3f3f": "wheels"},
    "truck": {"92d3f5": "windows", "9b9b9a": "wheels", "3f3f3f": "wheels"},
    "tree": {"b1cc33": "leaves", "5c9e31": "leaves", "a57939": "trunk", "6a462f": "trunk"},
}
MAIN_PART = {"car": "body", "bus": "body", "truck": "body", "tree": "leaves"}


@dataclass
class PartDoodle(Doodle):
    """A doodle with a part name (ours, or UNKNOWN_PART) per stroke."""

    stroke_parts: list[str] = field(default_factory=list)


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def load_doodles(data: Path = DATA) -> tuple[list[Doodle], list[Doodle]]:
    """(train, held_out) over quickdraw/, quickdraw-more/ and quickdraw-parts/ (train files only)."""
    train, held = load_quickdraw(data / "quickdraw")
    rng = np.random.default_rng(SPLIT_SEED)
    for path in sorted((data / "quickdraw-more").glob("*.ndjson")):
        cls = QUICKDRAW_TO_CLASS.get(path.stem, "other")
        cls = "unknown" if cls == "other" else cls
        rows = _read(path)
        for rank, i in enumerate(rng.permutation(len(rows))):
            d = Doodle(
                str(rows[i].get("key_id", f"{path.stem}-{i}")),
                cls,
                [np.asarray(s[:2], np.float64).T for s in rows[i]["drawing"]],
            )
            (held if rank < MORE_HELD_OUT else train).append(d)
    for name, (cls, mapping) in PART_DOODLES.items():
        labels = (data / "quickdraw-parts" / f"{name}_parts.txt").read_text().splitlines()
        for j, row in enumerate(_read(data / "quickdraw-parts" / f"{name}_train.ndjson")):
            strokes, parts = [], []
            for s in row["drawing"]:
                pts = np.asarray(s[:2], np.float64).T
                lab = labels[int(s[2][0])] if len(s) > 2 and len(s[2]) else ""
                strokes.append(pts)
                parts.append(mapping.get(lab, UNKNOWN_PART) if cls not in NO_PARTS else "")
            # SketchGNN's drawings use a 256 box but not always 0-255: fit them into it.
            allp = np.concatenate(strokes)
            lo, hi = allp.min(0), allp.max(0)
            k = 255 / max(float((hi - lo).max()), 1e-6)
            strokes = [(s - lo) * k for s in strokes]
            train.append(PartDoodle(f"{name}-{j}", cls, strokes, parts))
    return train, held


def to_drawing(doodle: Doodle) -> Drawing:
    """Like sketchgen.doodles.to_drawing, with part-labelled strokes where the doodle has them.

    The silhouette's inside has no part label in a part doodle (its strokes do), so the loss skips it;
    part-less categories teach "no part" everywhere.
    """
    labelled = isinstance(doodle, PartDoodle) and doodle.category not in NO_PARTS
    inside = UNKNOWN_PART if labelled else ""
    pieces = [Piece(inside, outline, outline=False) for outline in silhouette_outlines(doodle)]
    names = doodle.stroke_parts if labelled else [""] * len(doodle.strokes)
    pieces += [
        Piece(p, s, fill=False, closed=False)
        for s, p in zip(doodle.strokes, names, strict=True)
        if len(s) >= 2
    ]
    return Drawing(doodle.category, pieces, parts_known=labelled or doodle.category in NO_PARTS)


@dataclass
class Clip:
    """A rendered OpenMoji drawing cropped to its object: inks at two line widths, mask, parts."""

    code: str
    category: str
    inks: list[np.ndarray]  # uint8, 255 = ink
    mask: np.ndarray  # bool: the object's region (lines and every fill, holes filled)
    parts: np.ndarray  # uint8 part index per pixel (IGNORE on lines of part-labelled categories)


def openmoji_split(data: Path = DATA) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(train, held_out) codes per category: one held out where a category has 2+ codes."""
    index = json.loads((data / "openmoji" / "index.json").read_text())
    rng = np.random.default_rng(SPLIT_SEED)
    train, held = {}, {}
    for cat in sorted(index):
        codes = list(index[cat])
        h = int(rng.integers(len(codes))) if len(codes) >= 2 else -1
        held[cat] = [codes[h]] if h >= 0 else []
        train[cat] = [c for i, c in enumerate(codes) if i != h]
    return train, held


def _svg(path: Path, side: int, width: float | None = None) -> np.ndarray:
    """RGBA render of an OpenMoji SVG, optionally with every stroke width replaced."""
    import resvg_py

    text = path.read_text()
    if width is not None:
        text = text.replace('stroke-width="2"', f'stroke-width="{width}"')
    png = bytes(resvg_py.svg_to_bytes(svg_string=text, width=side, height=side))
    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    return cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA)


def load_clip(code: str, category: str, data: Path = DATA, side: int = OPENMOJI_SIDE) -> Clip:
    black = [_svg(data / "openmoji" / "black" / f"{code}.svg", side, w)[..., 3] for w in (1.2, 2)]
    colour = _svg(data / "openmoji" / "color" / f"{code}.svg", side)
    mask = ndimage.binary_fill_holes((colour[..., 3] > 96) | (black[1] > 96))
    parts = np.zeros(mask.shape, np.uint8)
    table = OPENMOJI_PARTS.get(category)
    if table:
        parts[:] = PART_INDEX[MAIN_PART[category]]
        rgb = colour[..., :3].astype(np.int32)
        for hexcode, name in table.items():
            c = np.array([int(hexcode[i : i + 2], 16) for i in (0, 2, 4)])
            parts[np.abs(rgb - c).sum(-1) < 24] = PART_INDEX[name]
        parts[black[1] > 96] = IGNORE
    ys, xs = np.nonzero(mask)
    box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    return Clip(code, category, [b[box].copy() for b in black], mask[box].copy(), parts[box].copy())


def load_clips(codes: dict[str, list[str]], data: Path = DATA) -> list[Clip]:
    return [load_clip(code, cat, data) for cat, cs in sorted(codes.items()) for code in cs]


def paste_clip(
    scene: Scene, clip: Clip, rng: np.random.Generator, height: float, cx: float, cy: float
) -> None:
    """Paste a clip (in front of everything) with its long side `height` px, centred at (cx, cy)."""
    h, w = scene.ink.shape
    k = height / max(clip.mask.shape)
    ch, cw = max(2, round(clip.mask.shape[0] * k)), max(2, round(clip.mask.shape[1] * k))
    ink = clip.inks[int(rng.integers(len(clip.inks)))]
    interp = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    ink = cv2.resize(ink, (cw, ch), interpolation=interp)
    if k > 1 and rng.random() < 0.5:  # enlarged clip art has thick lines: thin them sometimes
        ink = cv2.erode(ink, np.ones((3, 3), np.uint8), iterations=int(min(k, 4)))
    mask = cv2.resize(clip.mask.astype(np.uint8), (cw, ch), interpolation=cv2.INTER_NEAREST).astype(bool)
    parts = cv2.resize(clip.parts, (cw, ch), interpolation=cv2.INTER_NEAREST)
    if rng.random() < 0.5:
        ink, mask, parts = ink[:, ::-1], mask[:, ::-1], parts[:, ::-1]
    y0, x0 = round(cy - ch / 2), round(cx - cw / 2)
    sy0, sx0 = max(0, -y0), max(0, -x0)
    dy0, dx0 = max(0, y0), max(0, x0)
    dy1, dx1 = min(h, y0 + ch), min(w, x0 + cw)
    if dy1 <= dy0 or dx1 <= dx0:
        return
    src = (slice(sy0, sy0 + dy1 - dy0), slice(sx0, sx0 + dx1 - dx0))
    dst = (slice(dy0, dy1), slice(dx0, dx1))
    m = mask[src]
    if m.sum() < 24:
        return
    k_id = int(scene.instances.max()) + 1
    scene.ink[dst][m] = ink[src][m]
    scene.instances[dst][m] = k_id
    scene.semantic[dst][m] = CLASS_INDEX[clip.category]
    scene.parts[dst][m] = parts[src][m]
    scene.categories.append(clip.category)


class RealComposer(Composer):
    """The scene generator with every training doodle (part labels kept) and OpenMoji clips pasted in."""

    def __init__(self, doodles: list[Doodle], clips: list[Clip], doodle_share: float = 0.5) -> None:
        super().__init__(doodles, doodle_share)
        self.clips = clips

    def _drawing(self, category: str, rng: np.random.Generator) -> Drawing:
        from .objects import DRAWERS

        pool = self.doodles.get(category)
        if pool and (category not in DRAWERS or rng.random() < self.doodle_share):
            return to_drawing(pool[int(rng.integers(len(pool)))])
        return DRAWERS[category](rng)

    def scene(self, seed: int, size: tuple[int, int] = (512, 512)) -> Scene:
        rng = np.random.default_rng(seed)
        h, w = size
        drawings = self.layout(rng, w, h)
        style = PenStyle.random(rng, scale=h / 512)
        sc = _labels(render(drawings, size, style, rng, PART_INDEX_EXT), h / 512)
        if self.clips and rng.random() < 0.5:
            for _ in range(int(rng.integers(1, 4))):
                clip = self.clips[int(rng.integers(len(self.clips)))]
                paste_clip(
                    sc, clip, rng, rng.uniform(0.08, 0.4) * h, rng.uniform(0, w), rng.uniform(0.1, 1) * h
                )
        return sc


def alone(
    rng: np.random.Generator,
    size: int,
    doodle: Doodle | None = None,
    clip: Clip | None = None,
    share: float | None = None,
    centred: bool = False,
    drawing: Drawing | None = None,
) -> Scene:
    """One drawing alone on a size x size canvas, its long side `share` of the canvas: a real doodle,
    an OpenMoji clip, or a drawer's `drawing` (for categories no one doodled: chickens, people).

    Training draws share from 0.1 to 1.5 (above 1, the object is cut by the canvas edge) and puts the
    object anywhere that keeps most of it visible, so scale and position stop mattering.
    """
    if share is None:
        share = float(np.exp(rng.uniform(np.log(0.1), np.log(1.5))))
    long_side = share * size
    slack = max(0.0, size - long_side) / 2 + 0.25 * long_side
    cx, cy = (size / 2, size / 2) if centred else tuple(size / 2 + rng.uniform(-slack, slack, 2))
    empty = Scene(
        np.zeros((size, size), np.uint8),
        np.zeros((size, size), np.uint8),
        np.zeros((size, size), np.uint16),
        np.zeros((size, size), np.uint8),
        [],
    )
    if clip is not None:
        paste_clip(empty, clip, rng, long_side, cx, cy)
        return empty
    assert (doodle is None) != (drawing is None), "one of doodle, clip, drawing"
    d = to_drawing(doodle) if doodle is not None else drawing
    x0, y0, x1, y1 = d.bounds()
    s = long_side / max(x1 - x0, y1 - y0, 1e-6)
    d = d.transformed(s, cx - (x0 + x1) / 2 * s, cy - (y0 + y1) / 2 * s, bool(rng.random() < 0.5))
    style = PenStyle.random(rng, scale=float(np.exp(rng.uniform(np.log(0.5), np.log(2.2)))) * size / 512)
    return _labels(render([d], (size, size), style, rng, PART_INDEX_EXT), size / 512)
