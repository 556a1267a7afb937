"""Train the scene model (backend/understanding/network.py) from scratch on generated scenes, on the CPU.

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

import torch
from torch.utils.data import DataLoader
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.understanding.network import SceneNet, save  # noqa: E402
from sketchgen.doodles import load as load_doodles  # noqa: E402
from sketchgen.scene import HELD_OUT_SEED_BASE, Composer  # noqa: E402
from sketchgen.vocabulary import CLASSES, PART_NAMES  # noqa: E402
from training.checkpoint import Progress, resume, save_checkpoint  # noqa: E402
from training.objective import LOSS_WEIGHTS, held_out_accuracy, losses  # noqa: E402
from training.streams import DATA, Scenes  # noqa: E402

CONFIG = {"widths": [16, 32, 64, 128], "aspp": 64, "decoder": 64, "input_size": 512}


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
    resumed = None if args.fresh else resume(args.checkpoint, net, opt, sched)
    if resumed:
        step, seconds, history = resumed.step, resumed.seconds, resumed.history
        print(f"resumed at step {step} ({seconds / 3600:.2f} h trained)")

    _, held_doodles = load_doodles(DATA / "quickdraw")
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
        save_checkpoint(args.checkpoint, net, opt, Progress(step, seconds, history), sched)
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
