"""End-to-end check on the six real SketchyScene scenes: does an instruction colour the right
instances (IoU >= 0.5 against instances.png) with the right colour?

    python scripts/eval_instructions.py [--data ../shared/data] [--scenes 9203,99359] [--objects W]

Each instruction is coloured on its own, so results do not depend on order. Prints a markdown table.
--scenes keeps the instructions of some scenes and --objects gives the object classifier's weights:
together they score a classifier fine-tuned on the other scenes (the README's cross-validated row).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.language import InstructionError, parse_instruction  # noqa: E402
from backend.language.colours import resolve  # noqa: E402
from backend.pipeline import Colorizer, StepResult  # noqa: E402
from backend.service.images import decode_rgba  # noqa: E402
from evaluation.recognizers import OBJECTS, recognizer  # noqa: E402
from evaluation.truth import TruthRecognizer  # noqa: E402

IOU_OK = 0.5


def evaluate(data: Path, verbose: bool, oracle: bool, scenes_kept: list[str], objects: str) -> int:
    spec = json.loads((ROOT / "eval" / "scene_instructions.json").read_text())["items"]
    if scenes_kept:
        spec = [item for item in spec if item["scene"] in scenes_kept]
    product = Colorizer(recognizer(objects), cache_size=8)
    scenes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rows = []
    cold: list[float] = []
    warm: list[float] = []
    for item in spec:
        folder = data / "sketchyscene-scenes" / item["scene"]
        if item["scene"] not in scenes:
            rgba = decode_rgba((folder / "sketch.png").read_bytes())
            truth = np.asarray(Image.open(folder / "instances.png"))
            scenes[item["scene"]] = (rgba, truth)
            first = True
        else:
            first = False
        rgba, truth = scenes[item["scene"]]
        colorizer = Colorizer(TruthRecognizer(folder)) if oracle else product
        t0 = time.perf_counter()
        try:
            step = colorizer.apply(rgba, parse_instruction(item["instruction"]))
        except InstructionError as exc:
            step = StepResult(item["instruction"], "not_understood", str(exc))
        (cold if first else warm).append(time.perf_counter() - t0)
        expected = np.isin(truth, item["instances"])
        painted = np.zeros(truth.shape, bool)
        colour_ok = False
        for layer in step.layers:
            full = layer.full(truth.shape)
            painted |= full[..., 3] > 0
        iou = float((painted & expected).sum() / max((painted | expected).sum(), 1))
        if painted.any() and (painted & expected).any():
            stack = np.zeros((*truth.shape, 4), np.uint8)
            for layer in step.layers:
                full = layer.full(truth.shape)
                stack[full[..., 3] > 0] = full[full[..., 3] > 0]
            pixels = stack[painted & expected][:, :3]
            values, counts = np.unique(pixels, axis=0, return_counts=True)
            dominant = tuple(int(v) for v in values[counts.argmax()])
            colour_ok = dominant == tuple(resolve(item["colour"]).rgb)
        ok = iou >= IOU_OK and colour_ok
        rows.append((item, step.status, iou, colour_ok, ok))
        if verbose or not ok:
            mark = "ok " if ok else "BAD"
            print(
                f"{mark} {item['scene']:>6} iou={iou:.2f} colour={'y' if colour_ok else 'n'} "
                f"[{step.status}] {item['instruction']} :: {step.message}"
            )
    n_ok = sum(r[4] for r in rows)
    n = len(rows)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| instructions | {n} over {len(scenes)} scenes |")
    print(f"| right instances (IoU >= {IOU_OK}) and right colour | {n_ok}/{n} ({100 * n_ok / n:.0f}%) |")
    print(f"| right instances, any colour | {sum(r[2] >= IOU_OK for r in rows)}/{n} |")
    print(f"| mean IoU | {statistics.mean(r[2] for r in rows):.2f} |")
    print(
        f"| step status ok / no_match / not_understood | {sum(r[1] == 'ok' for r in rows)} / "
        f"{sum(r[1] == 'no_match' for r in rows)} / {sum(r[1] == 'not_understood' for r in rows)} |"
    )
    print(
        f"| latency, first instruction on a scene (analysis included), median | "
        f"{1000 * statistics.median(cold):.0f} ms |"
    )
    warm_ms = 1000 * statistics.median(warm)
    print(f"| latency, later instructions (analysis cached), median | {warm_ms:.0f} ms |")
    print(f"| peak resident memory | {peak_mb:.0f} MB |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--oracle", action="store_true", help="use the labelled instances (upper bound)")
    parser.add_argument("--scenes", default="", help="comma-separated scene names to keep (default: all)")
    parser.add_argument(
        "--objects", default=OBJECTS, help="object classifier weights (comma-separated: averaged), or 'none'"
    )
    args = parser.parse_args()
    kept = [s for s in args.scenes.split(",") if s]
    return evaluate(args.data, args.verbose, args.oracle, kept, args.objects)


if __name__ == "__main__":
    raise SystemExit(main())
