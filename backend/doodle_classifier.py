"""A compact CNN that names one drawn object, trained from scratch on Quick, Draw! doodles.

Why doodles: they are the only real, freely licensed drawings of our categories available here, and
an object in a scene sketch is, to a first approximation, a doodle. Training and inference share
`prepare`, so a rendered doodle and a crop of a real sketch reach the network in the same form: the
strokes thickened to about one output pixel and the filled silhouette, both fitted into a square.
Weights are stored with safetensors (no pickle) next to a JSON file with the class list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

INPUT_SIZE = 48
MARGIN = 3
# Stroke ink after thickening is boosted so that anti-aliased thin strokes still read as solid.
INK_GAIN = 1.5
# Strokes are thickened to about this many output pixels before downscaling (less would let thin
# lines fade; more would turn densely detailed clip-art into black blobs).
THICKEN = 0.7

# What the network outputs: our categories that Quick, Draw! can teach, and "other" for drawings of
# things outside the vocabulary (so that a flower or a fence is not forced into a category).
CLASSES: tuple[str, ...] = (
    "bench",
    "bird",
    "bus",
    "butterfly",
    "car",
    "cat",
    "chair",
    "cloud",
    "cow",
    "dog",
    "duck",
    "grass",
    "horse",
    "house",
    "moon",
    "person",
    "pig",
    "rabbit",
    "sheep",
    "star",
    "sun",
    "tree",
    "truck",
    "other",
)

# Quick, Draw! category -> our class. chicken and road have no Quick, Draw! category: chicken is
# derived from "bird" on the ground (recognizer_doodle.py) and road by a geometric rule (proposals.py).
# Near-misses of our classes (face, castle, train, bush, pond, river) are left out of "other" so
# that the network is not taught that a sun with a face or a bushy tree is not a sun or a tree.
QUICKDRAW_TO_CLASS: dict[str, str] = {
    "bench": "bench",
    "bird": "bird",
    "owl": "bird",
    "bus": "bus",
    "school_bus": "bus",
    "butterfly": "butterfly",
    "car": "car",
    "police_car": "car",
    "van": "car",
    "cat": "cat",
    "chair": "chair",
    "cloud": "cloud",
    "cow": "cow",
    "dog": "dog",
    "duck": "duck",
    "grass": "grass",
    "horse": "horse",
    "house": "house",
    "barn": "house",
    "church": "house",
    "moon": "moon",
    "yoga": "person",
    "pig": "pig",
    "rabbit": "rabbit",
    "sheep": "sheep",
    "star": "star",
    "sun": "sun",
    "tree": "tree",
    "palm_tree": "tree",
    "truck": "truck",
    "pickup_truck": "truck",
    "firetruck": "truck",
    "airplane": "other",
    "apple": "other",
    "bicycle": "other",
    "fence": "other",
    "flower": "other",
    "mountain": "other",
    "rainbow": "other",
    "snowman": "other",
    "streetlight": "other",
    "tent": "other",
    "umbrella": "other",
    "windmill": "other",
}


def _disk(size: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def prepare(strokes: np.ndarray, mask: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    """bool crops (strokes, filled silhouette) -> float32 (2, size, size) network input.

    The crop is fitted, aspect kept, into the square minus a margin; strokes are first thickened in
    proportion to the shrink so that a thin line of a large object does not vanish when downscaled.
    """
    h, w = strokes.shape
    side = max(h, w, 1)
    inner = size - 2 * MARGIN
    scale = inner / side
    ink = strokes.astype(np.uint8)
    k = int(round(THICKEN / scale))
    if k >= 2:
        ink = cv2.dilate(ink, _disk(k))
    square = np.zeros((2, side, side), np.float32)
    y0, x0 = (side - h) // 2, (side - w) // 2
    square[0, y0 : y0 + h, x0 : x0 + w] = ink
    square[1, y0 : y0 + h, x0 : x0 + w] = mask | strokes
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    out = np.zeros((2, size, size), np.float32)
    for c in range(2):
        out[c, MARGIN : MARGIN + inner, MARGIN : MARGIN + inner] = cv2.resize(
            square[c], (inner, inner), interpolation=interp
        )
    out[0] = np.clip(out[0] * INK_GAIN, 0.0, 1.0)
    return out


def _block(cin: int, cout: int, convs: int) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for i in range(convs):
        layers += [nn.Conv2d(cin if i == 0 else cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout)]
        layers.append(nn.ReLU(inplace=True))
    layers.append(nn.MaxPool2d(2))
    return layers


class DoodleNet(nn.Module):
    """Four conv blocks and a pooled linear head: small enough to train in minutes on two CPU cores."""

    def __init__(self, n_classes: int = len(CLASSES), width: int = 16) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            *_block(2, w, 1),
            *_block(w, 2 * w, 1),
            *_block(2 * w, 4 * w, 2),
            *_block(4 * w, 8 * w, 2),
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(16 * w, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)
        # Mean and max pooling: "how much of the object looks like X" and "is there an X-like part".
        pooled = torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], dim=1)
        return self.head(pooled)


@dataclass
class DoodleClassifier:
    """A loaded network plus its class list; `probabilities` is batched over proposals."""

    net: DoodleNet
    classes: tuple[str, ...]
    device: str

    @torch.no_grad()
    def probabilities(self, inputs: np.ndarray, batch: int = 64) -> np.ndarray:
        """float32 (N, 2, S, S) -> (N, n_classes) softmax probabilities."""
        if len(inputs) == 0:
            return np.zeros((0, len(self.classes)), np.float32)
        out = []
        for i in range(0, len(inputs), batch):
            x = torch.from_numpy(np.ascontiguousarray(inputs[i : i + batch])).to(self.device)
            # Averaged with the mirror image: a drawing faces left or right by chance.
            p = torch.softmax(self.net(x), dim=1) + torch.softmax(self.net(x.flip(-1)), dim=1)
            out.append((p / 2).cpu().numpy())
        return np.concatenate(out).astype(np.float32)


def save(net: DoodleNet, weights: Path, metadata: dict) -> None:
    """Weights as safetensors, everything a reader needs to use them as JSON beside them."""
    weights.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    save_file(tensors, str(weights), metadata={"classes": json.dumps(list(CLASSES))})
    weights.with_suffix(".json").write_text(json.dumps(metadata, indent=1) + "\n")


def load(weights: Path, device: str = "cpu") -> DoodleClassifier:
    """Read safetensors weights; the class list travels inside the file so the two cannot disagree."""
    from safetensors import safe_open

    with safe_open(str(weights), framework="pt") as f:
        meta = f.metadata() or {}
    classes = tuple(json.loads(meta["classes"])) if "classes" in meta else CLASSES
    state = load_file(str(weights))
    width = int(state["features.0.weight"].shape[0])
    net = DoodleNet(len(classes), width)
    net.load_state_dict(state)
    net.eval().to(device)
    return DoodleClassifier(net, classes, device)
