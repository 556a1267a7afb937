"""Every figure of the scene model's card, from held-out data only; prints markdown tables.

    python scripts/eval_scene_model.py [--scenes 100] [--json out/scene_model_eval.json]

1. Held-out generated scenes (seeds from sketchgen.scene.HELD_OUT_SEED_BASE, held-out doodles):
   semantic mIoU over the 25 categories, instance AP50, and part mIoU of the learned parts next to the
   heuristic part labeller (backend/parts.py) on the same instances.
2. Held-out Quick, Draw! doodles, each drawn alone: category accuracy.
3. The six real SketchyScene scenes: for each labelled instance the best predicted instance of the
   same category; recall at IoU 0.5 and mean IoU (evaluation/truth.py).
4. Held-out real drawings alone on a 512 canvas, their long side 20/40/60/80/100% of it: held-out
   doodles (sketchgen/real_drawings.py's split, --alone-per-category of each category) and held-out
   OpenMoji codes, and the same held-out codes drawn by Twemoji, Noto and Fluent Emoji, as line art
   (sketchgen/emoji_lineart.py; when scripts/fetch_emoji.py has fetched them). Category accuracy (the
   category of the biggest predicted instance) and the IoU of that instance with the drawing's region.
5. CPU time per 768x768 scene (flatting + recognition, the first analysis of a sketch) and peak
   memory; the weights' size.
None of these scenes, doodles, codes or seeds are ever used in training.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from backend.categories import FOREGROUND, PARTS  # noqa: E402
from backend.lineart import LineArt, flatten, ink_from_rgba  # noqa: E402
from backend.understanding import Instance, SceneRecognizer  # noqa: E402
from backend.understanding.parts import label_parts  # noqa: E402
from backend.understanding.recogniser import DEFAULT_WEIGHTS  # noqa: E402
from evaluation.recognizers import NO_CLASSIFIER, OBJECTS, recognizer  # noqa: E402
from evaluation.truth import best_ious, load_truth  # noqa: E402
from sketchgen.doodles import load as load_doodles  # noqa: E402
from sketchgen.doodles import to_drawing  # noqa: E402
from sketchgen.emoji_lineart import load_emoji_clips  # noqa: E402
from sketchgen.pen import PenStyle  # noqa: E402
from sketchgen.real_drawings import alone, load_clips, openmoji_split  # noqa: E402
from sketchgen.real_drawings import load_doodles as load_real_doodles  # noqa: E402
from sketchgen.render import render  # noqa: E402
from sketchgen.scene import HELD_OUT_SEED_BASE, IGNORE, Composer, Scene  # noqa: E402
from sketchgen.vocabulary import CLASS_INDEX, PART_INDEX  # noqa: E402

DEFAULT_SCENES = ROOT.parent / "shared" / "data" / "sketchyscene-scenes"

QUICKDRAW = ROOT.parent / "shared" / "data" / "quickdraw"


def lineart_of(ink: np.ndarray) -> LineArt:
    return flatten(ink_from_rgba(255 - ink))


def iou(a: np.ndarray, b: np.ndarray) -> float:
    u = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / u if u else 0.0


def average_precision(scored: list[tuple[float, bool]], n_truth: int) -> float:
    """VOC all-point AP from (score, is_true_positive) pairs."""
    if n_truth == 0:
        return float("nan")
    if not scored:
        return 0.0
    scored.sort(key=lambda t: -t[0])
    tp = np.cumsum([t for _, t in scored])
    precision = tp / np.arange(1, len(scored) + 1)
    recall = tp / n_truth
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.diff(np.concatenate([[0.0], recall]))
    return float((precision * steps).sum())


class Generated:
    """Accumulates the held-out generated-scene metrics."""

    def __init__(self) -> None:
        self.inter = np.zeros(len(FOREGROUND) + 1)
        self.union = np.zeros(len(FOREGROUND) + 1)
        self.scored: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        self.n_truth: dict[str, int] = defaultdict(int)
        self.part_iu: dict[str, dict[str, list[float]]] = {
            "learned": defaultdict(lambda: [0.0, 0.0]),
            "heuristic": defaultdict(lambda: [0.0, 0.0]),
        }

    def add(self, sc: Scene, la: LineArt, pred: list[Instance]) -> None:
        valid = sc.semantic != IGNORE
        pred_sem = np.zeros(sc.semantic.shape, np.int64)
        for p in sorted(pred, key=lambda p: p.score):
            pred_sem[p.mask] = CLASS_INDEX.get(p.category, 0) if p.category in FOREGROUND else 0
        for c in range(1, len(FOREGROUND) + 1):
            t, q = (sc.semantic == c) & valid, (pred_sem == c) & valid
            self.inter[c] += np.count_nonzero(t & q)
            self.union[c] += np.count_nonzero(t | q)
        truth = [(cat, sc.instances == k + 1) for k, cat in enumerate(sc.categories)]
        taken = set()
        for cat, _ in truth:
            self.n_truth[cat] += 1
        for p in sorted(pred, key=lambda p: -p.score):
            best, j = 0.0, -1
            for k, (cat, m) in enumerate(truth):
                if cat == p.category and k not in taken:
                    v = iou(m, p.mask)
                    if v > best:
                        best, j = v, k
            hit = best >= 0.5
            if hit:
                taken.add(j)
                self._parts(sc, la, j + 1, p)
            self.scored[p.category].append((p.score, hit))

    def _parts(self, sc: Scene, la: LineArt, k: int, p: Instance) -> None:
        names = PARTS.get(p.category)
        truth = sc.instances == k
        if not names or (sc.parts[truth] == IGNORE).any():
            return
        bare = Instance(p.category, p.mask, p.score)
        for how, parts in (("learned", p.parts), ("heuristic", label_parts(bare, la))):
            for name in names:
                t = truth & (sc.parts == PART_INDEX[name])
                q = parts.get(name, np.zeros_like(truth)) & p.mask
                if t.any() or q.any():
                    acc = self.part_iu[how][f"{p.category}.{name}"]
                    acc[0] += np.count_nonzero(t & q)
                    acc[1] += np.count_nonzero(t | q)

    def report(self) -> dict:
        present = self.union[1:] > 0
        ious = self.inter[1:] / np.maximum(self.union[1:], 1)
        aps = {c: average_precision(self.scored[c], self.n_truth[c]) for c in FOREGROUND if self.n_truth[c]}
        parts = {how: {k: v[0] / v[1] for k, v in d.items() if v[1]} for how, d in self.part_iu.items()}
        return {
            "semantic_miou": float(ious[present].mean()),
            "per_category_iou": {
                c: round(float(v), 3) for c, v, ok in zip(FOREGROUND, ious, present, strict=True) if ok
            },
            "ap50": float(np.mean(list(aps.values()))),
            "per_category_ap50": {c: round(v, 3) for c, v in aps.items()},
            "part_miou": {
                how: float(np.mean(list(d.values()))) if d else float("nan") for how, d in parts.items()
            },
            "per_part_iou": {how: {k: round(v, 3) for k, v in sorted(d.items())} for how, d in parts.items()},
        }


def doodle_accuracy(rec: SceneRecognizer, size: int = 512) -> dict:
    """Each held-out doodle alone, centred, 45% of the canvas high: is its object named right?"""
    _, held = load_doodles(QUICKDRAW)
    rng = np.random.default_rng(5)
    right, total, per = 0, 0, defaultdict(lambda: [0, 0])
    for d in tqdm(held, desc="doodles", leave=False):
        if d.category == "unknown":
            continue
        dr = to_drawing(d)
        x0, y0, x1, y1 = dr.bounds()
        s = 0.45 * size / max(x1 - x0, y1 - y0)
        dr = dr.transformed(s, size / 2 - (x0 + x1) / 2 * s, size / 2 - (y0 + y1) / 2 * s)
        r = render([dr], (size, size), PenStyle.random(rng), rng, PART_INDEX)
        pred = rec.recognize(lineart_of(r.ink))
        truth = r.instances == 1
        best = max(pred, key=lambda p: iou(truth, p.mask), default=None)
        ok = best is not None and best.category == d.category
        right += ok
        total += 1
        per[d.category][0] += ok
        per[d.category][1] += 1
    return {
        "accuracy": right / total,
        "doodles": total,
        "per_category": {c: f"{a}/{b}" for c, (a, b) in sorted(per.items())},
    }


ALONE_SHARES = (0.2, 0.4, 0.6, 0.8, 1.0)
ALONE_SOURCES = ("doodle", "openmoji", "emoji")


def alone_accuracy(rec: SceneRecognizer, per_category: int, size: int = 512) -> dict:
    """Held-out doodles and OpenMoji drawings alone on a canvas at five sizes (see the docstring, 4.).

    The category read is that of the biggest predicted instance: what an artist who says "the dog is
    brown" about a page with one dog needs. Doodles are drawn with a random pen per drawing.
    """
    _, held = load_real_doodles()
    by_cat: dict[str, list] = defaultdict(list)
    for d in held:
        if d.category != "unknown" and len(by_cat[d.category]) < per_category:
            by_cat[d.category].append(d)
    items = [("doodle", d.category, d, None) for ds in by_cat.values() for d in ds]
    items += [("openmoji", c.category, None, c) for c in load_clips(openmoji_split()[1])]
    items += [("emoji", c.category, None, c) for c in load_emoji_clips(held_out=True)]  # when fetched
    acc: dict[tuple[str, float], list[float]] = defaultdict(list)
    ious: dict[tuple[str, float], list[float]] = defaultdict(list)
    per_cat: dict[str, list[float]] = defaultdict(list)
    rng = np.random.default_rng(12)
    for source, cat, doodle, clip in tqdm(items, desc="alone", leave=False):
        for share in ALONE_SHARES:
            sc = alone(rng, size, doodle=doodle, clip=clip, share=share, centred=True)
            truth = sc.instances > 0
            pred = rec.recognize(lineart_of(sc.ink))
            big = max(pred, key=lambda p: int(np.count_nonzero(p.crop)), default=None)
            ok = float(big is not None and big.category == cat)
            acc[source, share].append(ok)
            ious[source, share].append(iou(truth, big.mask) if big is not None else 0.0)
            if source != "emoji":  # per category as before emoji were fetched
                per_cat[cat].append(ok)
    out: dict = {}
    for source in ALONE_SOURCES:
        n = len(acc[source, ALONE_SHARES[0]])
        if not n:
            continue
        out[source] = {
            "drawings": n,
            "accuracy": float(np.mean([v for s in ALONE_SHARES for v in acc[source, s]])),
            "mask_iou": float(np.mean([v for s in ALONE_SHARES for v in ious[source, s]])),
            "by_size": {
                f"{round(s * 100)}%": {
                    "accuracy": round(float(np.mean(acc[source, s])), 3),
                    "mask_iou": round(float(np.mean(ious[source, s])), 3),
                }
                for s in ALONE_SHARES
            },
        }
    out["per_category_accuracy"] = {c: round(float(np.mean(v)), 2) for c, v in sorted(per_cat.items())}
    return out


def real_scenes(rec: SceneRecognizer, kept: list[str] | None = None) -> dict:
    rows, times = [], []
    for scene in sorted(p for p in DEFAULT_SCENES.iterdir() if p.is_dir() and (not kept or p.name in kept)):
        rgba = np.asarray(Image.open(scene / "sketch.png").convert("RGBA"))
        t = time.perf_counter()
        la = flatten(ink_from_rgba(rgba))
        pred = rec.recognize(la)
        times.append(time.perf_counter() - t)
        rows += best_ious(load_truth(scene), pred)
    same = np.array([r[1] for r in rows])
    anyc = np.array([r[2] for r in rows])
    per = defaultdict(list)
    for cat, v, _ in rows:
        per[cat].append(v)
    return {
        "instances": len(rows),
        "recall50": float((same >= 0.5).mean()),
        "miou": float(same.mean()),
        "agnostic_recall50": float((anyc >= 0.5).mean()),
        "per_category": {
            c: f"{int((np.array(v) >= 0.5).sum())}/{len(v)} mIoU {np.mean(v):.2f}"
            for c, v in sorted(per.items())
        },
        "seconds_per_scene_750": float(np.median(times)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    ap.add_argument("--scenes", type=int, default=100)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--alone-per-category", type=int, default=8, help="held-out doodles per category in 4.")
    ap.add_argument(
        "--objects",
        default=OBJECTS,
        help="object classifier weights (comma-separated: averaged), or 'none' for the scene model alone",
    )
    ap.add_argument(
        "--only",
        choices=("real", "alone", "generated"),
        help="print just this section (quicker; generated: with the time per scene and peak memory)",
    )
    ap.add_argument("--real-scenes", default="", help="with --only real: comma-separated scenes to score")
    args = ap.parse_args()
    rec = recognizer(args.objects, args.weights, "cpu")
    if args.only and args.only != "generated":
        kept = [s for s in args.real_scenes.split(",") if s]
        part = real_scenes(rec, kept) if args.only == "real" else alone_accuracy(rec, args.alone_per_category)
        print(json.dumps(part, indent=1))
        return

    _, held = load_doodles(QUICKDRAW)
    composer = Composer(held)
    gen = Generated()
    times = []
    for i in tqdm(range(args.scenes), desc="generated", leave=False):
        sc = composer.scene(HELD_OUT_SEED_BASE + i, (768, 768))
        t = time.perf_counter()
        la = lineart_of(sc.ink)
        pred = rec.recognize(la)
        times.append(time.perf_counter() - t)
        gen.add(sc, la, pred)
    if args.only == "generated":
        print(
            json.dumps(
                {
                    "generated": {k: v for k, v in gen.report().items() if not k.startswith("per_")},
                    "seconds_per_scene_768": {
                        "median": float(np.median(times)),
                        "p95": float(np.percentile(times, 95)),
                    },
                    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                },
                indent=1,
            )
        )
        return
    result = {
        "weights": rec.version,
        "generated": gen.report(),
        "doodles": doodle_accuracy(rec),
        "real": real_scenes(rec),
        "alone": alone_accuracy(rec, args.alone_per_category),
        "weights_mb": (
            args.weights.stat().st_size
            + (
                sum(Path(w).stat().st_size for w in args.objects.split(","))
                if args.objects != NO_CLASSIFIER
                else 0
            )
        )
        / 1e6,
        "seconds_per_scene_768": {"median": float(np.median(times)), "p95": float(np.percentile(times, 95))},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    g, d, r, t = result["generated"], result["doodles"], result["real"], result["seconds_per_scene_768"]
    print("| measure | value |\n|---|---|")
    print(
        f"| held-out generated scenes ({args.scenes}, 768x768): semantic mIoU, 25 categories "
        f"| {g['semantic_miou']:.3f} |"
    )
    print(f"| held-out generated scenes: instance AP50 | {g['ap50']:.3f} |")
    print(
        f"| held-out generated scenes: part mIoU, learned / heuristic | "
        f"{g['part_miou']['learned']:.3f} / {g['part_miou']['heuristic']:.3f} |"
    )
    print(f"| held-out Quick, Draw! doodles ({d['doodles']}): category accuracy | {d['accuracy']:.3f} |")
    print(f"| six real scenes ({r['instances']} instances): recall@0.5 | {r['recall50']:.3f} |")
    print(f"| six real scenes: mean IoU | {r['miou']:.3f} |")
    print(f"| six real scenes: class-agnostic recall@0.5 | {r['agnostic_recall50']:.3f} |")
    print(
        f"| CPU time per 768x768 scene (flatting + recognition), median / p95 | "
        f"{t['median'] * 1000:.0f} / {t['p95'] * 1000:.0f} ms |"
    )
    print(f"| peak memory (RSS) | {result['peak_rss_mb']:.0f} MB |")
    print(f"| weights (scene model + object classifier) | {result['weights_mb']:.2f} MB |")
    a = result["alone"]
    for source in [s for s in ALONE_SOURCES if s in a]:
        sizes = " / ".join(f"{v['accuracy']:.2f}" for v in a[source]["by_size"].values())
        mious = " / ".join(f"{v['mask_iou']:.2f}" for v in a[source]["by_size"].values())
        print(
            f"| held-out {source} alone ({a[source]['drawings']} x 5 sizes): category accuracy "
            f"| {a[source]['accuracy']:.3f} (20/40/60/80/100%: {sizes}) |"
        )
        print(f"| held-out {source} alone: mask IoU | {a[source]['mask_iou']:.3f} ({mious}) |")
    print("\nalone, accuracy per category:", json.dumps(a["per_category_accuracy"]))
    print("\nreal scenes per category:", json.dumps(r["per_category"], indent=1))
    print("generated per-category IoU:", json.dumps(g["per_category_iou"]))
    print("generated per-part IoU:", json.dumps(g["per_part_iou"], indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
