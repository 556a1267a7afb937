"""Render a grid of generated objects per category to look at the drawers' variety by eye.

Usage: python scripts/preview_objects.py [CATEGORY ...] --out out/preview  (one PNG per category:
sketch on top, part map in false colours below).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from sketchgen.objects import DRAWERS
from sketchgen.pen import PenStyle
from sketchgen.render import render
from sketchgen.vocabulary import PART_INDEX


def tile(category: str, seed: int, cell: int = 160, n: int = 6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    row_ink, row_part = [], []
    for _ in range(n):
        d = DRAWERS[category](rng)
        x0, y0, x1, y1 = d.bounds()
        s = (cell - 16) / max(x1 - x0, y1 - y0)
        d = d.transformed(s, 8 - x0 * s, 8 - y0 * s)
        r = render([d], (cell, cell), PenStyle.random(rng, 0.8), rng, PART_INDEX)
        row_ink.append(255 - r.ink)
        colours = np.array(
            [[255, 255, 255]]
            + [[(i * 97) % 256, (i * 57 + 80) % 256, (i * 151) % 256] for i in range(1, 32)],
            np.uint8,
        )
        p = colours[r.parts]
        p[(r.instances > 0) & (r.parts == 0)] = (200, 200, 200)
        row_part.append(p)
    ink = cv2.cvtColor(np.hstack(row_ink), cv2.COLOR_GRAY2BGR)
    return np.vstack([ink, np.hstack(row_part)])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("categories", nargs="*")
    ap.add_argument("--out", type=Path, default=Path("out/preview"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for c in args.categories or sorted(DRAWERS):
        cv2.imwrite(str(args.out / f"{c}.png"), tile(c, args.seed))
        print(args.out / f"{c}.png")


if __name__ == "__main__":
    main()
