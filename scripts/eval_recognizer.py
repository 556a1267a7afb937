"""Score the scene recogniser on the six real SketchyScene scenes; prints a markdown table.

    python scripts/eval_recognizer.py [--scenes DIR] [--weights FILE] [--json OUT]

For every labelled instance: the best IoU reached by a predicted instance of the same category (the
instance-matching figure the paper reports) and by any predicted instance (class-agnostic, so it
measures the proposals alone). Recall counts instances whose best IoU is at least 0.5. These scenes
are the test set: the recogniser is never tuned on their masks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend import lineart as lineart_mod  # noqa: E402
from backend.categories import SKETCHYSCENE_NAMES  # noqa: E402
from backend.recognizer_doodle import DEFAULT_WEIGHTS, DoodleRecognizer  # noqa: E402
from backend.scene import Instance  # noqa: E402

DEFAULT_SCENES = ROOT.parent / "shared" / "data" / "sketchyscene-scenes"
THRESHOLD = 0.5


def load_truth(scene: Path) -> list[tuple[str, np.ndarray]]:
    """[(category in our spelling, bool mask)] from instances.png + instances.json."""
    ids = np.asarray(Image.open(scene / "instances.png"))
    if ids.ndim == 3:
        ids = ids[..., 0]
    names = json.loads((scene / "instances.json").read_text())["instances"]
    return [(SKETCHYSCENE_NAMES.get(name, name), ids == int(k)) for k, name in names.items()]


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 0.0


def best_ious(truth: list[tuple[str, np.ndarray]], pred: list[Instance]) -> list[tuple[str, float, float]]:
    """Per labelled instance: (category, best same-category IoU, best any-category IoU)."""
    out = []
    for cat, mask in truth:
        same = [iou(mask, p.mask) for p in pred if p.category == cat]
        anyc = [iou(mask, p.mask) for p in pred]
        out.append((cat, max(same, default=0.0), max(anyc, default=0.0)))
    return out


def table(rows: list[tuple[str, float, float]], predicted: dict[str, int]) -> str:
    """Markdown: overall, then one line per labelled category."""
    by_cat: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for cat, same, anyc in rows:
        by_cat[cat].append((same, anyc))

    def line(name: str, vals: list[tuple[float, float]], n_pred: int) -> str:
        s = np.array([v[0] for v in vals])
        a = np.array([v[1] for v in vals])
        return (
            f"| {name} | {len(vals)} | {n_pred} | {(s >= THRESHOLD).mean():.2f} | {s.mean():.2f} "
            f"| {(a >= THRESHOLD).mean():.2f} | {a.mean():.2f} |"
        )

    out = [
        "| category | labelled | predicted | recall@0.5 | mIoU | agnostic recall@0.5 | agnostic mIoU |",
        "|---|---|---|---|---|---|---|",
        line("**all**", [(s, a) for _, s, a in rows], sum(predicted.values())),
    ]
    for cat in sorted(by_cat):
        out.append(line(cat, by_cat[cat], predicted.get(cat, 0)))
    extra = sorted(set(predicted) - set(by_cat))
    if extra:
        out.append("")
        out.append(
            "Predicted categories with no labelled instance: "
            + ", ".join(f"{c} x{predicted[c]}" for c in extra)
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenes", type=Path, default=DEFAULT_SCENES)
    ap.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    ap.add_argument("--json", type=Path, help="also write per-instance results here")
    args = ap.parse_args()

    t0 = time.perf_counter()
    recognizer = DoodleRecognizer(args.weights)
    load_s = time.perf_counter() - t0
    rows: list[tuple[str, float, float]] = []
    predicted: dict[str, int] = defaultdict(int)
    per_scene = []
    for scene in sorted(p for p in args.scenes.iterdir() if (p / "sketch.png").is_file()):
        rgba = np.asarray(Image.open(scene / "sketch.png").convert("RGBA"))
        t1 = time.perf_counter()
        art = lineart_mod.flatten(lineart_mod.ink_from_rgba(rgba))
        t2 = time.perf_counter()
        pred = recognizer.recognize(art)
        t3 = time.perf_counter()
        scores = best_ious(load_truth(scene), pred)
        rows += scores
        for p in pred:
            predicted[p.category] += 1
        hits = int(sum(s >= THRESHOLD for _, s, _ in scores))
        per_scene.append(
            {
                "scene": scene.name,
                "flatten_s": round(t2 - t1, 3),
                "recognize_s": round(t3 - t2, 3),
                "labelled": len(scores),
                "hits": hits,
                "predicted": [p.category for p in pred],
                "instances": [
                    {"category": c, "iou": round(float(s), 3), "any_iou": round(float(a), 3)}
                    for c, s, a in scores
                ],
            }
        )
    print(f"recogniser {recognizer.name} {recognizer.version}; weights loaded in {load_s:.2f}s\n")
    print("| scene | labelled | hits@0.5 | predicted | flatten (s) | recognise (s) |")
    print("|---|---|---|---|---|---|")
    for s in per_scene:
        print(
            f"| {s['scene']} | {s['labelled']} | {s['hits']} | {len(s['predicted'])} "
            f"| {s['flatten_s']:.2f} | {s['recognize_s']:.2f} |"
        )
    print()
    print(table(rows, predicted))
    if args.json:
        args.json.write_text(json.dumps(per_scene, indent=1) + "\n")


if __name__ == "__main__":
    main()
