"""What both networks (scene model, object classifier) share about their weights files.

Each safetensors file carries the config that rebuilds its network in its header (no pickle, no
separate file to lose), and each network is readied for inference the same way: its batch norms
folded into the convolutions before them.
"""

from __future__ import annotations

import json
from pathlib import Path

from safetensors import safe_open
from torch import nn


def config_of(path: Path) -> dict:
    """The config stored in a weights file's header."""
    with safe_open(str(path), "pt") as f:
        return json.loads(f.metadata()["config"])


def fold_batch_norms(net: nn.Module) -> nn.Module:
    """Folds every BatchNorm into the convolution before it: same outputs, one pass over memory less."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    for seq in net.modules():
        if not isinstance(seq, nn.Sequential):
            continue
        for i in range(len(seq) - 1):
            if isinstance(seq[i], nn.Conv2d) and isinstance(seq[i + 1], nn.BatchNorm2d):
                seq[i] = fuse_conv_bn_eval(seq[i], seq[i + 1])
                seq[i + 1] = nn.Identity()
    return net
