"""Train the scene model (backend/scene_net.py) from scratch on generated scenes, on the CPU.

    python scripts/train_scene_model.py            # the committed weights: see the README's model card

Resumable: a checkpoint is written every --checkpoint-every steps and picked up on the next run, so a
training can span sessions (`nohup python scripts/train_scene_model.py --hours 1.5 &`, again later).
Scenes are generated on the fly from seeds below sketchgen.scene.HELD_OUT_SEED_BASE with the training
Quick, Draw! doodles; the held-out seeds and doodles are only ever used for evaluation.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, IterableDataset, get_worker_info
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.understanding.network import OFFSET_UNIT, STRIDE, SceneNet, save  # noqa: E402
from sketchgen.doodles import load as load_doodles  # noqa: E402
from sketchgen.scene import HELD_OUT_SEED_BASE, IGNORE, Composer  # noqa: E402
from sketchgen.targets import sample  # noqa: E402
from sketchgen.vocabulary import CLASSES, PART_NAMES  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "quickdraw"
CONFIG = {"widths": [16, 32, 64, 128], "aspp": 64, "decoder": 64, "input_size": 512}
CROPS_PER_SCENE = 2  # two crops of each generated scene: generation is half the cost of a step
LOSS_WEIGHTS = {"semantic": 1.0, "parts": 0.5, "centre": 200.0, "offset": 1.0}


class Scenes(IterableDataset):
    """Batches of samples from scenes seeded by (step, index): the same stream after a resume."""

    def __init__(self, start_step: int, batch: int, crop: int) -> None:
        self.start_step, self.batch, self.crop = start_step, batch, crop

    def __iter__(self):  # noqa: ANN204
        cv2.setNumThreads(1)  # the worker has one core; OpenCV's own threads would fight the trainer's
        info = get_worker_info()
        workers, wid = (info.num_workers, info.id) if info else (1, 0)
        train, _ = load_doodles(DATA)
        composer = Composer(train)
        step = self.start_step + wid
        while True:
            items = []
            for i in range(0, self.batch, CROPS_PER_SCENE):
                seed = (step * self.batch + i) % HELD_OUT_SEED_BASE
                rng = np.random.default_rng(seed + 7_000_000)
                scene = composer.scene(seed)
                items += [
                    sample(scene, rng, self.crop, stride=STRIDE, offset_unit=OFFSET_UNIT)
                    for _ in range(CROPS_PER_SCENE)
                ]
            yield {
                k: torch.from_numpy(np.stack([getattr(s, k) for s in items]))
                for k in items[0].__dataclass_fields__
            }
            step += workers


def losses(out: dict[str, torch.Tensor], b: dict[str, torch.Tensor], crop: int) -> dict[str, torch.Tensor]:
    grid = (b["points"] + 0.5) / crop * 2 - 1  # (B, P, 2) in grid_sample's [-1, 1]

    def at_points(x: torch.Tensor) -> torch.Tensor:  # (B, C, h, w) -> (B, C, P)
        return F.grid_sample(x, grid[:, :, None], mode="bilinear", align_corners=False)[..., 0]

    sem = F.cross_entropy(at_points(out["semantic"]), b["semantic"], ignore_index=IGNORE)
    parts = at_points(out["parts"])
    part = (
        F.cross_entropy(parts, b["parts"], ignore_index=IGNORE)
        if (b["parts"] != IGNORE).any()
        else parts.sum() * 0
    )
    centre = F.mse_loss(out["centre"], b["centre"])
    on = b["on_object"][:, None]
    offset = (F.l1_loss(at_points(out["offset"]), b["offset"].transpose(1, 2), reduction="none") * on).sum()
    offset = offset / on.sum().clamp(min=1) / 2
    return {"semantic": sem, "parts": part, "centre": centre, "offset": offset}


@torch.no_grad()
def held_out_accuracy(net: SceneNet, scenes: list) -> float:
    """Category accuracy on stroke pixels of held-out generated scenes: a quick training signal."""
    net.eval()
    right = total = 0
    for sc in scenes:
        x = torch.from_numpy(sc.ink.astype(np.float32) / 255)[None, None]
        logits = F.interpolate(net(x)["semantic"], size=sc.ink.shape, mode="bilinear", align_corners=False)
        pred = logits.argmax(1)[0].numpy()
        m = (sc.ink > 64) & (sc.semantic != IGNORE)
        right += int((pred[m] == sc.semantic[m]).sum())
        total += int(m.sum())
    net.train()
    return right / max(total, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=8000)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, default=384)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument(
        "--hours", type=float, default=0, help="stop (with a checkpoint) after this long; 0 = no limit"
    )
    ap.add_argument("--checkpoint", type=Path, default=ROOT / "out" / "scene_model" / "checkpoint.pt")
    ap.add_argument("--checkpoint-every", type=int, default=100)
    ap.add_argument("--out", type=Path, default=ROOT / "weights" / "scene_model.safetensors")
    ap.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)

    net = SceneNet(len(CLASSES), len(PART_NAMES), tuple(CONFIG["widths"]), CONFIG["aspp"], CONFIG["decoder"])
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=args.steps, pct_start=0.05)
    step, seconds, history = 0, 0.0, []
    if args.checkpoint.exists() and not args.fresh:
        ck = torch.load(args.checkpoint, weights_only=True)
        net.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        step, seconds = int(ck["step"]), float(ck["seconds"])
        history = json.loads(ck["history"])
        print(f"resumed at step {step} ({seconds / 3600:.2f} h trained)")
    args.checkpoint.parent.mkdir(parents=True, exist_ok=True)

    _, held_doodles = load_doodles(DATA)
    held = Composer(held_doodles)
    probe = [held.scene(HELD_OUT_SEED_BASE + i) for i in range(24)]
    # spawn, not fork: a forked worker inherits OpenCV's thread pool mid-state and deadlocks in it.
    loader = DataLoader(
        Scenes(step, args.batch, args.crop),
        batch_size=None,
        num_workers=1,
        prefetch_factor=4,
        multiprocessing_context="spawn",
    )
    started = time.time()
    seconds_at_start = seconds
    running: dict[str, float] = {}
    bar = tqdm(total=args.steps, initial=step, unit="step", dynamic_ncols=True)
    net.train()

    def checkpoint() -> None:
        torch.save(
            {
                "model": net.state_dict(),
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "step": step,
                "seconds": seconds,
                "history": json.dumps(history),
            },
            args.checkpoint,
        )
        config = dict(
            CONFIG,
            classes=list(CLASSES),
            parts=list(PART_NAMES),
            steps=step,
            batch=args.batch,
            crop=args.crop,
            train_hours=round(seconds / 3600, 3),
            history=history[-5:],
        )
        save(net, args.out, config)

    for batch in loader:
        if step >= args.steps:
            break
        out = net(batch["ink"])
        parts = losses(out, batch, args.crop)
        loss = sum(LOSS_WEIGHTS[k] * v for k, v in parts.items())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        seconds = seconds_at_start + time.time() - started
        for k, v in parts.items():
            running[k] = 0.98 * running.get(k, float(v)) + 0.02 * float(v)
        bar.update(1)
        bar.set_postfix({k: f"{v:.3f}" for k, v in running.items()})
        if step % args.checkpoint_every == 0 or step == args.steps:
            acc = held_out_accuracy(net, probe)
            history.append(
                {
                    "step": step,
                    "hours": round(seconds / 3600, 3),
                    "held_out_stroke_accuracy": round(acc, 4),
                    **{k: round(v, 4) for k, v in running.items()},
                }
            )
            tqdm.write(json.dumps(history[-1]))
            checkpoint()
        if args.hours and time.time() - started > args.hours * 3600:
            checkpoint()
            tqdm.write(f"time limit reached at step {step}; run again to resume")
            break
    bar.close()


if __name__ == "__main__":
    main()
