"""Colour emoji from other artists turned into line art: more clip-art drawings of our categories.

OpenMoji gives one clean line drawing per emoji code. Twemoji, Noto Emoji and Microsoft's Fluent
Emoji draw the same codes (a horse, a dog, a rooster, a delivery truck) in their own styles, as
flat colour regions without outlines. Where two colour regions meet, or a region meets the paper, an
artist colouring the drawing would find a line: those boundaries are the line art, and the regions
are the object's mask, like a page of a colouring book made from clip art. Fluent's high-contrast
style (black shapes on white) gives outlines drawn twice, as an outline font is.

The SVGs come from the npm registry (`scripts/fetch_emoji.py` writes out/emoji/sets/SET/CODE.svg);
the codes and their held-out split are OpenMoji's (`openmoji_split`), so a code held out there is
held out in every style.
Twemoji graphics: CC BY 4.0 (Twitter, Inc. and contributors); Noto Emoji: Apache 2.0 (Google);
Fluent Emoji: MIT (Microsoft).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from scipy import ndimage

from .real_drawings import DATA, Clip, openmoji_split

SETS_DIR = Path(__file__).resolve().parents[1] / "out" / "emoji" / "sets"
STYLES = ("twemoji", "noto", "fluent-flat", "fluent-high-contrast")
# Training-only codes beyond OpenMoji's: whole-body people above all (people are the weakest single
# drawings and Quick, Draw! has none); a variant of a held-out code (a woman walking when the
# walking person is held out) is never used.
EXTRA_CODES = {
    "person": [
        "1F6B6-200D-2640-FE0F",
        "1F6B6-200D-2642-FE0F",
        "1F3C3-200D-2640-FE0F",
        "1F3C3-200D-2642-FE0F",
        "1F9CE",
        "1F9CE-200D-2640-FE0F",
        "1F9CE-200D-2642-FE0F",
        "1F938",
        "1F939",
        "1F9D7",
        "1F9D8",
        "1F46E",
        "1F477",
    ],
    "bird": ["1F426-200D-2B1B"],
    "house": ["1F6D6"],
}
RENDER_SIDE = 384  # px of the render (as OPENMOJI_SIDE)
EDGE_STEP = 48  # |RGB| + 2|alpha| difference of neighbours that makes a line (a gradient's step is less)


def _render(text: str, side: int) -> np.ndarray:
    import resvg_py

    png = bytes(resvg_py.svg_to_bytes(svg_string=text, width=side, height=side))
    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    return cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA)


def boundaries(rgba: np.ndarray, step: int = EDGE_STEP) -> np.ndarray:
    """bool: pixels where the colour (composited on white paper) or the opacity changes by more than
    `step` to a right or lower neighbour; the lines an artist would see between flat regions, and
    around a white hen on white paper."""
    a = rgba[..., 3:].astype(np.int32)
    rgb = (rgba[..., :3].astype(np.int32) * a + 255 * (255 - a)) // 255
    rgb = np.concatenate([rgb, a * 2], -1).astype(np.float32)
    rgb = cv2.GaussianBlur(rgb, (3, 3), 0).astype(np.int32)
    dy = np.abs(np.diff(rgb, axis=0)).sum(-1) > step
    dx = np.abs(np.diff(rgb, axis=1)).sum(-1) > step
    edge = np.zeros(rgb.shape[:2], bool)
    edge[:-1] |= dy
    edge[1:] |= dy
    edge[:, :-1] |= dx
    edge[:, 1:] |= dx
    return edge


def lineart_clip(rgba: np.ndarray, code: str, category: str) -> Clip | None:
    """A Clip (inks at two line widths, mask, no part labels) from a colour emoji's RGBA render; None
    when the drawing leaves no object (an empty render)."""
    mask = ndimage.binary_fill_holes(rgba[..., 3] > 96)
    if mask.sum() < 64:
        return None
    edge = boundaries(rgba).astype(np.uint8) * 255
    inks = [edge, cv2.dilate(edge, np.ones((2, 2), np.uint8))]
    ys, xs = np.nonzero(mask)
    box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    parts = np.zeros(mask.shape, np.uint8)
    return Clip(code, category, [i[box].copy() for i in inks], mask[box].copy(), parts[box].copy())


def emoji_codes(held_out: bool = False, data: Path = DATA) -> dict[str, list[str]]:
    """Codes per category: OpenMoji's held-out codes, or its training codes and EXTRA_CODES that are
    no variant of a held-out code (`data`: the folder holding openmoji/index.json)."""
    train, held = openmoji_split(data)
    if held_out:
        return held
    kept = {c.split("-")[0] for cs in held.values() for c in cs}
    extra = {cat: [c for c in cs if c.split("-")[0] not in kept] for cat, cs in EXTRA_CODES.items()}
    return {cat: train.get(cat, []) + extra.get(cat, []) for cat in sorted(set(train) | set(extra))}


def load_emoji_clips(held_out: bool = False, root: Path = SETS_DIR) -> list[Clip]:
    """Every style's clip of the training codes (or held-out codes) that exists under `root`."""
    codes = emoji_codes(held_out)
    clips = []
    for style in STYLES:
        for category, cs in sorted(codes.items()):
            for code in cs:
                path = root / style / f"{code}.svg"
                if path.exists():
                    clip = lineart_clip(_render(path.read_text(), RENDER_SIDE), f"{style}/{code}", category)
                    if clip is not None:
                        clips.append(clip)
    return clips
