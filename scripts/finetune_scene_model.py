"""Fine-tune the scene model on real drawings at every scale, from the from-scratch weights, on the CPU.

    python scripts/finetune_scene_model.py --init weights/scene_model.safetensors --hours 0.85

Its result is written to out/finetune/ and is not the product's model: see the README ("Scene model")
for what it gained and why it was not shipped.

The stream is training.streams.Mixed: generated scenes whose objects are often real doodles and
OpenMoji clip art, and single real drawings alone on a canvas at 10-150% of it. The model starts from
the from-scratch scene model (scripts/train_scene_model.py), which already reads SketchyScene-like
scenes, and learns the new styles and scales. The learning rate follows the wall clock (warm-up, then
cosine to zero at --hours), so the run ends annealed whatever speed the shared CPU gives it.
Resumable: a checkpoint every 100 steps in out/finetune/; run again with the same --hours to go on.
Needs requirements-train.txt (OpenMoji's SVGs are rendered with resvg) and ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

# Before torch loads OpenMP: on a CPU shared with other jobs, spinning OpenMP threads wait for a
# descheduled sibling and burn the core it needs (measured: a step took 4x longer).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.understanding.network import SceneNet, save  # noqa: E402
from backend.understanding.weights_file import config_of  # noqa: E402
from sketchgen.real_drawings import RealComposer, load_clips, load_doodles, openmoji_split  # noqa: E402
from sketchgen.scene import HELD_OUT_SEED_BASE  # noqa: E402
from training.checkpoint import Progress, resume, save_checkpoint  # noqa: E402
from training.objective import LOSS_WEIGHTS, held_out_accuracy, losses  # noqa: E402
from training.schedule import lr_factor  # noqa: E402
from training.streams import Mixed  # noqa: E402

STREAM_OFFSET = 500_000  # a part of the stream the pretrained-encoder run (same seeds) did not use


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", type=Path, required=True, help="from-scratch scene model weights to start from")
    ap.add_argument("--hours", type=float, default=0.85, help="time budget: the schedule ends here")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, default=320)
    ap.add_argument("--alone-share", type=float, default=0.5, help="share of a batch that is single drawings")
    ap.add_argument("--lr", type=float, default=6e-4)
    ap.add_argument("--checkpoint", type=Path, default=ROOT / "out" / "finetune" / "checkpoint.pt")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "finetune" / "scene_model.safetensors")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    config = config_of(args.init)
    widths = tuple(config["widths"])
    net = SceneNet(len(config["classes"]), len(config["parts"]), widths, config["aspp"], config["decoder"])
    net.load_state_dict(load_file(str(args.init)))
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    step, seconds, history = 0, 0.0, []
    resumed = resume(args.checkpoint, net, opt)
    if resumed:
        step, seconds, history = resumed.step, resumed.seconds, resumed.history
        print(f"resumed at step {step}", flush=True)
    _, held_doodles = load_doodles()
    probe = [
        RealComposer(held_doodles, load_clips(openmoji_split()[1])).scene(HELD_OUT_SEED_BASE + i)
        for i in range(16)
    ]
    print(json.dumps({"step": step, "held_out_stroke_accuracy": held_out_accuracy(net, probe)}), flush=True)
    loader = DataLoader(
        Mixed(step + STREAM_OFFSET, args.batch, args.crop, args.alone_share),
        batch_size=None,
        num_workers=1,
        prefetch_factor=4,
        multiprocessing_context="spawn",  # a forked worker inherits OpenCV's thread pool mid-state
    )
    started, at_start, budget = time.time(), seconds, args.hours * 3600
    running: dict[str, float] = {}
    net.train()

    def checkpoint() -> None:
        save_checkpoint(args.checkpoint, net, opt, Progress(step, seconds, history))
        finetuned = {"steps": step, "hours": round(seconds / 3600, 3), "history": history[-3:]}
        save(net, args.out, dict(config, finetune=finetuned))

    for batch in loader:
        f = lr_factor(seconds / budget)
        for group in opt.param_groups:
            group["lr"] = args.lr * f
        parts = losses(net(batch["ink"]), batch, args.crop)
        loss = sum(LOSS_WEIGHTS[k] * v for k, v in parts.items())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        seconds = at_start + time.time() - started
        for k, v in parts.items():
            running[k] = 0.95 * running.get(k, v.item()) + 0.05 * v.item()
        if step % 20 == 0:
            text = " ".join(f"{k} {v:.3f}" for k, v in running.items())
            print(f"step {step} {seconds / 60:.1f} min {text}", flush=True)
        done = seconds >= budget
        if step % 100 == 0 or done:
            acc = held_out_accuracy(net, probe)
            history.append({"step": step, "held_out_stroke_accuracy": round(acc, 4)} | running)
            print(json.dumps(history[-1]), flush=True)
            checkpoint()
        if done:
            break


if __name__ == "__main__":
    main()
