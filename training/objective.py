"""What the scene model is trained to do: the loss on point-sampled pixels, and a quick held-out check.

The loss is taken on sampled stroke pixels, object insides and a small share of paper (the paper's
"ignore background" lesson; sketchgen/targets.py): category and part cross-entropy, the centre heat
map's squared error and the offsets' L1 on object pixels.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.scene import IGNORE

LOSS_WEIGHTS = {"semantic": 1.0, "parts": 0.5, "centre": 200.0, "offset": 1.0}


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
def held_out_accuracy(net: nn.Module, scenes: list) -> float:
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
