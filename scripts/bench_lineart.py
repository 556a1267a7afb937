"""Time flatting (ink_from_rgba + flatten) on a real SketchyScene sketch upscaled to 768, 2048 and 4096.

Why a script and not a test: timings depend on the machine, so they are reported, not asserted. The
input is RGBA (opaque white paper), which is what the Krita plugin sends. Memory is the tracemalloc
peak, which covers numpy and the arrays OpenCV returns but not OpenCV's internal scratch buffers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.lineart import flatten, ink_from_rgba  # noqa: E402

SHARED = Path(os.environ.get("LANGCOLOR_SHARED", ROOT.parent / "shared")) / "data"
DEFAULT_SKETCH = SHARED / "sketchyscene-scenes" / "9996" / "sketch.png"


def load_rgba(path: Path, size: int) -> np.ndarray:
    grey = np.asarray(Image.open(path).convert("L"))
    grey = cv2.resize(grey, (size, size), interpolation=cv2.INTER_LINEAR)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def best_of(fn, repeats: int) -> tuple[float, object]:
    """Median wall time in ms (after one warm-up call) and the last result."""
    result = fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sketch", type=Path, default=DEFAULT_SKETCH)
    parser.add_argument("--sizes", type=int, nargs="+", default=[768, 2048, 4096])
    parser.add_argument("--gap", type=int, default=3)
    args = parser.parse_args()

    print(f"sketch {args.sketch}  gap {args.gap}  opencv threads {cv2.getNumThreads()}")
    print(f"{'size':>6} {'ink ms':>8} {'flatten ms':>11} {'total ms':>9} {'regions':>8} {'peak MB':>8}")
    for size in args.sizes:
        rgba = load_rgba(args.sketch, size)
        repeats = 9 if size <= 1024 else 3
        t_ink, ink = best_of(lambda rgba=rgba: ink_from_rgba(rgba), repeats)
        t_flat, art = best_of(lambda ink=ink: flatten(ink, gap=args.gap), repeats)
        tracemalloc.start()
        flatten(ink_from_rgba(rgba), gap=args.gap)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(
            f"{size:>6} {t_ink:>8.1f} {t_flat:>11.1f} {t_ink + t_flat:>9.1f} {art.n_regions:>8d} {peak:>8.0f}"
        )


if __name__ == "__main__":
    main()
