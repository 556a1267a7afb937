"""Train the doodle classifier from scratch on the shared Quick, Draw! doodles; write safetensors + JSON.

    python scripts/train_doodle_classifier.py [--data DIR] [--out weights/doodle_classifier.safetensors]

With 25 doodles per Quick, Draw! category, what the network learns is mostly what augmentation makes
of them, so every doodle is rendered many times the way it could appear in a scene sketch: any size,
stroke width, slant, some strokes missing or cut short, insides filled solid, texture strokes
inside, a bit of a neighbour drawn across it. A fixed set of doodles per category (fixed seed) is
held out and never rendered for training; their accuracy is written to the JSON beside the weights.
Rendering happens once before training, in one process per core, so the network's steps never wait.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from scipy import ndimage
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.doodle_classifier import (  # noqa: E402
    CLASSES,
    INPUT_SIZE,
    QUICKDRAW_TO_CLASS,
    DoodleNet,
    prepare,
    save,
)
from backend.proposals import fill_outline  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "quickdraw"
DEFAULT_OUT = ROOT / "weights" / "doodle_classifier.safetensors"
HELD_OUT_PER_CATEGORY = 5
SPLIT_SEED = 2019
Strokes = list[np.ndarray]  # each (2, k) float: x row, y row, in Quick, Draw!'s 0-255 box


def load_doodles(data: Path) -> dict[str, list[dict]]:
    """Quick, Draw! category -> its doodles ({"key_id", "strokes"}), for the categories we map."""
    out = {}
    for name in sorted(QUICKDRAW_TO_CLASS):
        rows = [json.loads(line) for line in (data / f"{name}.ndjson").read_text().splitlines() if line]
        out[name] = [
            {"key_id": r["key_id"], "strokes": [np.asarray(s, np.float32) for s in r["drawing"]]}
            for r in rows
        ]
    return out


def split(doodles: dict[str, list[dict]]) -> tuple[list[tuple[Strokes, int]], list[tuple[Strokes, int, str]]]:
    """Fixed held-out subset per Quick, Draw! category -> (train [(strokes, class)], held-out [(.., key)])."""
    rng = np.random.default_rng(SPLIT_SEED)
    train, held = [], []
    for name, rows in doodles.items():
        label = CLASSES.index(QUICKDRAW_TO_CLASS[name])
        order = rng.permutation(len(rows))
        for rank, i in enumerate(order):
            if rank < HELD_OUT_PER_CATEGORY:
                held.append((rows[i]["strokes"], label, rows[i]["key_id"]))
            else:
                train.append((rows[i]["strokes"], label))
    return train, held


def _transform(strokes: Strokes, rng: np.random.Generator, strong: bool) -> Strokes:
    """Random flip, rotation, shear, stretch and point jitter, in the 0-255 frame."""
    flip = -1.0 if rng.random() < 0.5 else 1.0
    angle = math.radians(rng.normal(0, 10 if strong else 4))
    shear = rng.uniform(-0.2, 0.2) if strong else 0.0
    stretch = math.exp(rng.uniform(-0.3, 0.3) if strong else rng.uniform(-0.1, 0.1))
    c, s = math.cos(angle), math.sin(angle)
    m = np.array([[c, -s], [s, c]]) @ np.array([[flip * stretch, shear], [0.0, 1.0 / stretch]])
    jitter = rng.uniform(0, 2.5) if strong else 0.0
    out = []
    for st in strokes:
        pts = m @ (st - 127.5)
        if jitter:
            pts = pts + rng.normal(0, jitter, pts.shape)
        out.append(pts)
    return out


def _edit_strokes(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """Drop a few strokes and cut some short: scene objects are often partly hidden or sketchy."""
    keep = [st for st in strokes if rng.random() > 0.08] or [max(strokes, key=lambda a: a.shape[1])]
    out = []
    for st in keep:
        n = st.shape[1]
        if n > 3 and rng.random() < 0.15:
            length = max(2, int(n * rng.uniform(0.6, 1.0)))
            start = int(rng.integers(0, n - length + 1))
            st = st[:, start : start + length]
        out.append(st)
    return out


def _raster(strokes: Strokes, side: float, width: int, offset: np.ndarray, canvas: np.ndarray) -> None:
    """Draw strokes scaled so the doodle's larger extent is `side` pixels, shifted by `offset`."""
    allpts = np.concatenate(strokes, axis=1)
    lo = allpts.min(axis=1, keepdims=True)
    extent = max(float((allpts.max(axis=1, keepdims=True) - lo).max()), 1.0)
    k = side / extent
    polys = [np.round((st - lo) * k + offset[:, None]).T.astype(np.int32).reshape(-1, 1, 2) for st in strokes]
    cv2.polylines(canvas, polys, isClosed=False, color=1, thickness=width, lineType=cv2.LINE_8)


def _texture(filled: np.ndarray, side: float, width: int, rng: np.random.Generator) -> np.ndarray:
    """Detail strokes inside a silhouette: clip-art objects carry far more of it than doodles (fur,
    bricks, shingles, windows, leaves), and the network must learn to see the shape through it."""
    ys, xs = np.nonzero(filled)
    if ys.size == 0:
        return np.zeros_like(filled)
    layer = np.zeros(filled.shape, np.uint8)
    thick = max(1, int(round(width * rng.uniform(0.4, 1.0))))
    kind = rng.integers(0, 3)
    count = int(rng.integers(4, 30))
    for _ in range(count):
        i = int(rng.integers(0, ys.size))
        x, y = float(xs[i]), float(ys[i])
        size = side * rng.uniform(0.03, 0.15)
        if kind == 0:  # short strokes in any direction
            a = rng.uniform(0, 2 * math.pi)
            cv2.line(
                layer, (int(x), int(y)), (int(x + size * math.cos(a)), int(y + size * math.sin(a))), 1, thick
            )
        elif kind == 1:  # small closed shapes: windows, spots, scales
            if rng.random() < 0.5:
                cv2.rectangle(
                    layer, (int(x), int(y)), (int(x + size), int(y + size * rng.uniform(0.5, 1.5))), 1, thick
                )
            else:
                cv2.ellipse(
                    layer, (int(x), int(y)), (int(size / 2) + 1, int(size / 3) + 1), 0, 0, 360, 1, thick
                )
        else:  # parallel hatching or scallops across the shape
            a = rng.uniform(-0.3, 0.3) + (math.pi / 2 if rng.random() < 0.3 else 0.0)
            span = side * rng.uniform(0.3, 1.0)
            d = np.array([math.cos(a), math.sin(a)])
            cv2.line(
                layer,
                tuple(int(v) for v in (x, y) - d * span / 2),
                tuple(int(v) for v in (x, y) + d * span / 2),
                1,
                thick,
            )
    return (layer > 0) & filled


def render(
    strokes: Strokes, rng: np.random.Generator, strong: bool = True, neighbour: Strokes | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One doodle as a scene object would look -> bool crops (strokes, filled silhouette)."""
    strokes = _transform(_edit_strokes(strokes, rng) if strong else strokes, rng, strong)
    side = math.exp(rng.uniform(math.log(24), math.log(240)))
    width = max(1, int(round(side * math.exp(rng.uniform(math.log(0.004), math.log(0.04))))))
    pad = int(side * 0.4) + 2 * width + 4
    canvas = np.zeros((int(side) + 2 * pad, int(side) + 2 * pad), np.uint8)
    origin = np.array([pad, pad], np.float64)
    _raster(strokes, side, width, origin, canvas)
    if strong and neighbour is not None and rng.random() < 0.15:
        # Part of another drawing overlapping an edge, as when objects touch in a scene.
        part = [st for st in neighbour if rng.random() < 0.4] or neighbour[:1]
        nb_side = side * rng.uniform(0.3, 0.8)
        where = origin + rng.uniform(-0.4, 1.0, 2) * side
        _raster(_transform(part, rng, True), nb_side, width, where, canvas)
    lines = canvas > 0
    filled = fill_outline(lines)
    if strong and rng.random() < 0.15:
        # Solid black areas (hair, wheels, windows) as some sketchers draw them.
        holes, n = ndimage.label(filled & ~lines)
        if n:
            sizes = np.bincount(holes.ravel())[1:]
            pick = (rng.random(n) < 0.5) & (sizes < 0.15 * filled.sum())
            lines |= np.concatenate([[False], pick])[holes]
    if strong and rng.random() < 0.45:
        lines |= _texture(filled, side, width, rng)
    ys = np.flatnonzero((lines | filled).any(axis=1))
    xs = np.flatnonzero((lines | filled).any(axis=0))
    crop = (slice(ys[0], ys[-1] + 1), slice(xs[0], xs[-1] + 1))
    return lines[crop], filled[crop]


def _render_batch(args: tuple[list[tuple[Strokes, int]], int, int, bool]) -> tuple[np.ndarray, np.ndarray]:
    """Worker: `count` samples, balanced over classes, from one seed -> (uint8 inputs, labels)."""
    pool, count, seed, strong = args
    rng = np.random.default_rng(seed)
    by_class: dict[int, list[Strokes]] = {}
    for strokes, label in pool:
        by_class.setdefault(label, []).append(strokes)
    labels = np.array(sorted(by_class))
    xs = np.zeros((count, 2, INPUT_SIZE, INPUT_SIZE), np.uint8)
    ys = np.zeros(count, np.int64)
    for i in range(count):
        label = int(labels[i % labels.size])
        items = by_class[label]
        nb = pool[int(rng.integers(0, len(pool)))][0]
        lines, filled = render(items[int(rng.integers(0, len(items)))], rng, strong, nb)
        xs[i] = np.round(prepare(lines, filled) * 255)
        ys[i] = label
    return xs, ys


def render_set(
    pool: list[tuple[Strokes, int]], count: int, seed: int, workers: int
) -> tuple[np.ndarray, ...]:
    jobs = [(pool, count // workers, seed * 1000 + w, True) for w in range(workers)]
    with mp.get_context("fork").Pool(workers) as p:
        parts = p.map(_render_batch, jobs)
    return np.concatenate([a for a, _ in parts]), np.concatenate([b for _, b in parts])


def held_out_inputs(held: list[tuple[Strokes, int, str]], renders: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Each held-out doodle rendered `renders` times with mild variation (size, width, slant), fixed seed."""
    rng = np.random.default_rng(7)
    xs, ys = [], []
    for strokes, label, _ in held:
        for _ in range(renders):
            lines, filled = render(strokes, rng, strong=False)
            xs.append(prepare(lines, filled))
            ys.append(label)
    return np.stack(xs), np.array(ys)


@torch.no_grad()
def accuracy(net: nn.Module, xs: np.ndarray, ys: np.ndarray) -> tuple[float, np.ndarray]:
    net.eval()
    pred = torch.cat([net(torch.from_numpy(xs[i : i + 256])).argmax(1) for i in range(0, len(xs), 256)])
    return float((pred.numpy() == ys).mean()), pred.numpy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--samples", type=int, default=24000, help="rendered training samples per round")
    ap.add_argument("--rounds", type=int, default=3, help="fresh renderings; 2 epochs each")
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    train, held = split(load_doodles(args.data))
    hx, hy = held_out_inputs(held)
    net = DoodleNet(len(CLASSES), args.width)
    epochs = 2 * args.rounds
    batch = 128
    steps = epochs * (args.samples // batch)
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.15)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    for rnd in range(args.rounds):
        xs_u8, ys = render_set(train, args.samples, args.seed * 100 + rnd, workers=2)
        xs = torch.from_numpy(xs_u8.astype(np.float32) / 255)
        yt = torch.from_numpy(ys)
        for _ in range(2):
            net.train()
            order = torch.randperm(len(xs))
            for i in range(0, len(xs) - batch + 1, batch):
                idx = order[i : i + batch]
                loss = loss_fn(net(xs[idx]), yt[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        acc, _ = accuracy(net, hx, hy)
        print(
            f"round {rnd + 1}/{args.rounds}: loss {loss.item():.3f}, held-out accuracy {acc:.3f}, "
            f"{time.perf_counter() - t0:.0f}s",
            flush=True,
        )
    acc, pred = accuracy(net, hx, hy)
    per_class = {
        CLASSES[c]: round(float((pred[hy == c] == c).mean()), 3)
        for c in range(len(CLASSES))
        if (hy == c).any()
    }
    seconds = time.perf_counter() - t0
    meta = {
        "classes": list(CLASSES),
        "input_size": INPUT_SIZE,
        "input_channels": ["strokes (thickened, fitted, aspect kept)", "filled silhouette"],
        "width": args.width,
        "training_command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "data": "Quick, Draw! (Google Creative Lab, CC BY 4.0): shared/data/quickdraw/*.ndjson, "
        "25 doodles per category",
        "quickdraw_to_class": QUICKDRAW_TO_CLASS,
        "held_out": {
            "per_category": HELD_OUT_PER_CATEGORY,
            "split_seed": SPLIT_SEED,
            "key_ids": sorted(k for _, _, k in held),
            "renders_per_doodle": 4,
            "accuracy": round(acc, 4),
            "per_class_accuracy": per_class,
        },
        "train_doodles": len(train),
        "rendered_samples": args.samples * args.rounds,
        "epochs": epochs,
        "training_seconds": round(seconds, 1),
        "torch_threads": 2,
    }
    save(net, args.out, meta)
    print(f"held-out accuracy {acc:.3f} on {len(hy)} renders of {len(held)} doodles; {seconds:.0f}s")
    print("per class:", per_class)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) and {args.out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
