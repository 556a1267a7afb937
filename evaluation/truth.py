"""Labelled SketchyScene scenes: their instances, a recogniser that returns them, and IoU scoring.

The shared scenes come as sketch.png + instances.png (value k = instance k) + instances.json
(k -> SketchyScene category). Scripts score predictions against them; tests and `--oracle` runs
replace the recogniser by the labels to measure everything after recognition on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from backend.categories import SKETCHYSCENE_NAMES
from backend.lineart import LineArt
from backend.understanding import Instance


def load_labels(scene: Path) -> tuple[np.ndarray, dict[int, str]]:
    """(instance ids HxW, {id: category in our spelling})."""
    ids = np.asarray(Image.open(scene / "instances.png"))
    if ids.ndim == 3:
        ids = ids[..., 0]
    names = json.loads((scene / "instances.json").read_text())["instances"]
    return ids, {int(k): SKETCHYSCENE_NAMES.get(name, name) for k, name in names.items()}


def load_truth(scene: Path) -> list[tuple[str, np.ndarray]]:
    """[(category, bool mask)] in id order."""
    ids, names = load_labels(scene)
    return [(names[k], ids == k) for k in sorted(names)]


class TruthRecognizer:
    """The scene's labelled instances as if recognised: an upper bound for every later stage."""

    name = "truth"

    def __init__(self, scene: Path) -> None:
        self.truth, self.labels = load_labels(scene)
        self.version = f"truth-{scene.name}"

    def recognize(self, lineart: LineArt) -> list[Instance]:
        return [Instance(self.labels[k], self.truth == k, 1.0) for k in sorted(self.labels)]


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 0.0


def best_ious(truth: list[tuple[str, np.ndarray]], pred: list[Instance]) -> list[tuple[str, float, float]]:
    """Per labelled instance: (category, best same-category IoU, best any-category IoU)."""
    out = []
    for cat, mask in truth:
        same = [iou(mask, p.mask) for p in pred if p.category == cat]
        anyc = [iou(mask, p.mask) for p in pred]
        out.append((cat, max(same, default=0.0), max(anyc, default=0.0)))
    return out
