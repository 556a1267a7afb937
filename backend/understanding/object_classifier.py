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
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from .device import device as pick_device
from .encoder import FEATURES, EfficientLite0
from .weights_file import config_of, fold_batch_norms

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "object_classifier.safetensors"


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


class ObjectClassifier:
    """Label probabilities for views; `labels[0]` is "none"."""

    def __init__(self, weights: Path = DEFAULT_WEIGHTS, device: str | None = None) -> None:
        self.device = device or pick_device()
        self.net, self.config = load(weights, self.device)
        self.labels: list[str] = self.config["labels"]
        self.digest = hashlib.blake2b(Path(weights).read_bytes(), digest_size=6).hexdigest()

    @torch.inference_mode()
    def probabilities(self, views: np.ndarray) -> np.ndarray:
        """views float32 (N, S, S) in [0, 1] -> (N, len(labels)), each row summing to 1.

        Each view is also shown mirrored and the two answers averaged: a drawing and its mirror image
        are the same object, and the average is steadier than either (training flips views too).
        """
        if len(views) == 0:
            return np.zeros((0, len(self.labels)), np.float32)
        x = torch.from_numpy(np.ascontiguousarray(views, np.float32))[:, None].to(self.device)
        p = self.net(torch.cat([x, x.flip(3)])).softmax(1)
        return ((p[: len(x)] + p[len(x) :]) / 2).cpu().numpy()
