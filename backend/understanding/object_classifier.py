"""The object classifier: what one candidate object is, judged from its own normalised view.

Why a second network: the scene model decides categories from a whole sketch at one scale, and on
drawings unlike its training (a big animal filling the page, clip art, a kite) it names the wrong
thing or nothing. This classifier sees each candidate cut to its box (backend.understanding.
object_view), so size on the canvas no longer matters, and it starts from an ImageNet-pretrained
encoder fine-tuned on every real drawing we hold. Its "none" answer says a candidate is not one
whole object (paper, a fragment, something we have no name for).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from .device import device as pick_device
from .encoder import FEATURES, EfficientLite0
from .object_view import VIEW_SIDE, object_view
from .weights_file import config_of, fold_batch_norms

_WEIGHTS = Path(__file__).resolve().parents[2] / "weights"
# Three classifiers trained apart, their probabilities averaged (scripts/train_object_classifier.py has
# the commands): the first on views of the real drawings as drawn, the second on four times as many,
# most doodles varied (sketchgen/variation.py) and drawers alone, the third the second fine-tuned with
# other artists' emoji as line art (sketchgen/emoji_lineart.py). Each is better on some held-out
# styles (README, "Recognition"); together they beat each.
DEFAULT_WEIGHTS: tuple[Path, ...] = (
    _WEIGHTS / "object_classifier.safetensors",
    _WEIGHTS / "object_classifier_varied.safetensors",
    _WEIGHTS / "object_classifier_emoji.safetensors",
)


class ObjectNet(nn.Module):
    """EfficientLite0 features, averaged over the view, then one linear layer over the labels."""

    def __init__(self, n_labels: int) -> None:
        super().__init__()
        self.encoder = EfficientLite0()
        self.dropout = nn.Dropout(0.2)
        self.head = nn.Linear(FEATURES, n_labels)

    def forward(self, views: torch.Tensor) -> torch.Tensor:
        """views (B, 1, S, S) in [0, 1] -> logits (B, n_labels)."""
        return self.head(self.dropout(self.encoder(views).mean((2, 3))))


def save(net: ObjectNet, path: Path, config: dict) -> None:
    """Half-precision safetensors (the product's size budget) with the labels in the header."""
    tensors = {
        k: (v.half() if v.is_floating_point() else v).detach().cpu().contiguous()
        for k, v in net.state_dict().items()
    }
    save_file(tensors, str(path), metadata={"config": json.dumps(config)})


def load(path: Path, device: str = "cpu") -> tuple[ObjectNet, dict]:
    config = config_of(path)
    net = ObjectNet(len(config["labels"]))
    state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(str(path)).items()}
    net.load_state_dict(state)
    return fold_batch_norms(net.eval()).to(device), config


Box = tuple[slice, slice]


class ObjectClassifier:
    """Label probabilities for views, averaged over one or more networks; `labels[0]` is "none".

    Each network sees views at the side it was trained at (its weights' config says which), so
    networks trained on views of different sizes can be averaged.
    """

    def __init__(self, weights: Sequence[Path] = DEFAULT_WEIGHTS, device: str | None = None) -> None:
        if not weights:
            raise ValueError("no object classifier weights given")
        self.device = device or pick_device()
        loaded = [load(Path(w), self.device) for w in weights]
        self.nets = [net for net, _ in loaded]
        self.view_sides = [int(config.get("view_side", VIEW_SIDE)) for _, config in loaded]
        self.config = loaded[0][1]
        self.labels: list[str] = self.config["labels"]
        if any(config["labels"] != self.labels for _, config in loaded):
            raise ValueError("object classifiers with different labels cannot be averaged")
        h = hashlib.blake2b(digest_size=6)
        for w in weights:
            h.update(Path(w).read_bytes())
        self.digest = h.hexdigest()

    def views(self, ink: np.ndarray, cuts: Sequence[tuple[Box, np.ndarray | None]]) -> dict[int, np.ndarray]:
        """The views of `cuts` ((box, own-stroke mask) on `ink`, see object_view) at every side the
        networks need: {side: float32 (N, side, side)}."""
        return {
            side: np.stack([object_view(ink, box, mask, side) for box, mask in cuts])
            for side in sorted(set(self.view_sides))
        }

    @torch.inference_mode()
    def probabilities(self, views: Mapping[int, np.ndarray]) -> np.ndarray:
        """{side: views float32 (N, side, side) in [0, 1]} -> (N, len(labels)), rows summing to 1.

        Each view is also shown mirrored and the answers averaged: a drawing and its mirror image
        are the same object, and the average is steadier than either (training flips views too).
        """
        n = len(next(iter(views.values())))
        if n == 0:
            return np.zeros((0, len(self.labels)), np.float32)
        shown = {}  # each side's views and their mirror images, as one batch
        for side, v in views.items():
            x = torch.from_numpy(np.ascontiguousarray(v, np.float32))[:, None].to(self.device)
            shown[side] = torch.cat([x, x.flip(3)])
        p = torch.stack(
            [net(shown[side]).softmax(1) for net, side in zip(self.nets, self.view_sides, strict=True)]
        ).mean(0)
        return ((p[:n] + p[n:]) / 2).cpu().numpy()
