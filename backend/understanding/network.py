"""The learned scene model: one compact network, four dense outputs at a quarter of the input size.

- semantic: which category (or paper) each pixel belongs to;
- parts: which named part;
- centre: a heat map peaking at each object's centre;
- offset: for each object pixel, the vector to its object's centre.
Centres plus offsets separate touching objects of one category (Panoptic-DeepLab's recipe), which a
per-pixel category alone cannot. The encoder is dilated with an ASPP head because the paper found an
atrous encoder the best feature extractor for sketches: strokes are thin and sparse, and a pixel needs
context from far away to know what it belongs to.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from .weights_file import config_of, fold_batch_norms

STRIDE = 4  # outputs are at 1/STRIDE of the input
OFFSET_UNIT = 32.0  # offsets are predicted in units of this many input pixels


def _cbr(cin: int, cout: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class _Residual(nn.Module):
    def __init__(self, c: int, dilation: int = 1) -> None:
        super().__init__()
        self.a = _cbr(c, c, 1, dilation)
        self.b = nn.Sequential(
            nn.Conv2d(c, c, 3, 1, dilation, dilation=dilation, bias=False), nn.BatchNorm2d(c)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.b(self.a(x)))


class SceneNet(nn.Module):
    def __init__(
        self,
        n_classes: int,
        n_parts: int,
        widths: tuple[int, ...] = (16, 32, 64, 128),
        aspp: int = 64,
        decoder: int = 64,
    ) -> None:
        super().__init__()
        w1, w2, w3, w4 = widths
        self.n_classes, self.n_parts = n_classes, n_parts
        self.stem = nn.Sequential(_cbr(1, w1, 2), _Residual(w1))  # 1/2
        self.layer2 = nn.Sequential(_cbr(w1, w2, 2), _Residual(w2))  # 1/4
        self.layer3 = nn.Sequential(_cbr(w2, w3, 2), _Residual(w3), _Residual(w3))  # 1/8
        self.layer4 = nn.Sequential(
            _cbr(w3, w4, 2), _Residual(w4), _Residual(w4, 2), _Residual(w4, 4)
        )  # 1/16
        self.aspp = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(w4, aspp, 1, bias=False), nn.BatchNorm2d(aspp), nn.ReLU(inplace=True))]
            + [_cbr(w4, aspp, 1, r) for r in (2, 4, 6)]
        )
        self.image_pool = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Conv2d(w4, aspp, 1), nn.ReLU(inplace=True)
        )
        self.project = nn.Sequential(
            nn.Conv2d(5 * aspp, aspp, 1, bias=False), nn.BatchNorm2d(aspp), nn.ReLU(inplace=True)
        )
        self.low = nn.Sequential(nn.Conv2d(w2, 32, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True))
        self.decode = nn.Sequential(_cbr(aspp + 32, decoder), _cbr(decoder, decoder))
        self.head = nn.Conv2d(decoder, n_classes + n_parts + 3, 1)

    def forward(self, ink: torch.Tensor) -> dict[str, torch.Tensor]:
        """ink: (B, 1, H, W) in [0, 1], H and W multiples of 16 -> outputs at (H/4, W/4)."""
        low = self.layer2(self.stem(ink))
        deep = self.layer4(self.layer3(low))
        pooled = self.image_pool(deep).expand(-1, -1, *deep.shape[2:])
        y = self.project(torch.cat([m(deep) for m in self.aspp] + [pooled], 1))
        y = F.interpolate(y, size=low.shape[2:], mode="bilinear", align_corners=False)
        out = self.head(self.decode(torch.cat([y, self.low(low)], 1)))
        c, p = self.n_classes, self.n_parts
        return {
            "semantic": out[:, :c],
            "parts": out[:, c : c + p],
            "centre": out[:, c + p : c + p + 1],
            "offset": out[:, c + p + 1 :],
        }


def save(net: SceneNet, path: Path, config: dict) -> None:
    """Weights as safetensors (no pickle) plus the config needed to rebuild the network, in its header."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    save_file(tensors, str(path), metadata={"config": json.dumps(config)})


def load(path: Path, device: str = "cpu") -> tuple[SceneNet, dict]:
    config = config_of(path)
    net = SceneNet(
        len(config["classes"]),
        len(config["parts"]),
        tuple(config["widths"]),
        config["aspp"],
        config["decoder"],
    )
    net.load_state_dict(load_file(str(path), device=device))
    return fold_batch_norms(net.to(device).eval()), config
