"""Resumable training state: one checkpoint format for every training script.

A run is killed whenever the shared machine or the session ends, so each script writes its model,
optimiser (and scheduler), step, wall-clock seconds and held-out history every few hundred steps and
picks them up on the next run. The file is written beside its place and then renamed over it, so a
run killed mid-write never leaves a half-written checkpoint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn


@dataclass
class Progress:
    step: int = 0
    seconds: float = 0.0  # wall-clock seconds trained, over every resumed run
    history: list[dict] = field(default_factory=list)


def resume(path: Path, net: nn.Module, opt: torch.optim.Optimizer, sched=None) -> Progress | None:  # noqa: ANN001
    """Load the checkpoint at `path` into net, opt (and sched); None when there is none."""
    if not path.exists():
        return None
    ck = torch.load(path, weights_only=True)
    net.load_state_dict(ck["model"])
    opt.load_state_dict(ck["optimizer"])
    if sched is not None:
        sched.load_state_dict(ck["scheduler"])
    return Progress(int(ck["step"]), float(ck["seconds"]), json.loads(ck["history"]))


def save_checkpoint(
    path: Path,
    net: nn.Module,
    opt: torch.optim.Optimizer,
    progress: Progress,
    sched=None,  # noqa: ANN001
) -> None:
    state = {
        "model": net.state_dict(),
        "optimizer": opt.state_dict(),
        "step": progress.step,
        "seconds": progress.seconds,
        "history": json.dumps(progress.history),
    }
    if sched is not None:
        state["scheduler"] = sched.state_dict()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)
