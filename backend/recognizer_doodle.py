"""The first honest recogniser: geometric object proposals named by a doodle CNN plus scene context.

Nothing here reads ground-truth masks or labels. Proposals (proposals.py) say *where* objects are;
the doodle classifier (doodle_classifier.py, trained on Quick, Draw!) says *what* each one looks
like; simple context priors say what is plausible *there*: a sun is not drawn on the ground and a
house does not float in the sky. The priors are generic facts about scene drawings, written down
before looking at any test scene; they only re-weight the classifier, they never decide alone.

Two categories have no Quick, Draw! class. road comes from a geometric rule (a band between two
long lines low in the canvas, see proposals.py). chicken is derived: a bird-shaped drawing standing
on the ground is far more often a chicken than a flying bird, so the "bird" probability is split
between bird and chicken by how low the object stands. Ducks have their own class and stay ducks.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np

from .categories import FOREGROUND
from .doodle_classifier import DoodleClassifier, load, prepare
from .lineart import LineArt
from .proposals import Proposal, propose
from .scene import Instance

# Bump when proposals, priors or preprocessing change, so cached analyses are recomputed.
CODE_VERSION = "2"
DEFAULT_WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "doodle_classifier.safetensors"

# Proposals smaller than this (bbox diagonal / canvas diagonal) are marks, not objects.
MIN_DIAG = 0.012
# Below this posterior the proposal is reported as "unknown": something is there, but not what.
MIN_SCORE = 0.3
# Confidence given to a road found by the geometric rule.
ROAD_SCORE = 0.6

SKY = ("sun", "moon", "star", "cloud", "bird")
# Butterflies are in neither list: in scene drawings they flutter at any height, often over grass.
GROUND = (
    "bench", "bus", "car", "cat", "chair", "chicken", "cow", "dog", "duck", "grass",
    "horse", "house", "person", "pig", "rabbit", "sheep", "tree", "truck",
)  # fmt: skip
SMALL_THINGS = ("sun", "moon", "star", "bird", "butterfly")
BIG_THINGS = ("house", "bus", "truck", "tree")


def _ramp(x: float, x0: float, x1: float) -> float:
    """0 at x0, 1 at x1, linear between (x0 > x1 allowed)."""
    t = (x - x0) / (x1 - x0)
    return float(min(1.0, max(0.0, t)))


def context_prior(bbox: tuple[int, int, int, int], shape: tuple[int, int]) -> dict[str, float]:
    """Multiplicative plausibility of each class for an object with this box in this canvas.

    Why these: in scene drawings the sky is the upper part of the canvas, so sky things sit high and
    standing things have their feet low; suns, stars and birds are small next to the canvas, houses
    and trees are not tiny; grass is short; one object rarely fills the canvas. Factors never go to
    zero, so a confident classifier still wins.
    """
    x, y, w, h = bbox
    hh, ww = shape
    centre = (y + h / 2) / hh
    bottom = (y + h) / hh
    size = math.hypot(w, h) / math.hypot(hh, ww)
    prior = dict.fromkeys(FOREGROUND, 1.0)
    prior["other"] = 1.0
    sky = 0.15 + 0.85 * _ramp(centre, 0.75, 0.45)
    ground = 0.2 + 0.8 * _ramp(bottom, 0.3, 0.5)
    for c in SKY:
        prior[c] *= sky
    for c in GROUND:
        prior[c] *= ground
    for c in SMALL_THINGS:
        prior[c] *= 0.4 + 0.6 * _ramp(size, 0.45, 0.3)
    for c in BIG_THINGS:
        prior[c] *= 0.3 + 0.7 * _ramp(size, 0.03, 0.08)
    prior["grass"] *= 0.2 + 0.8 * _ramp(h / hh, 0.25, 0.15)
    # A proposal spanning most of the canvas is usually several touching objects bundled together:
    # rather "unknown" than a confident wrong name over half the scene.
    prior["other"] *= 1.0 + 4.0 * _ramp(size, 0.5, 0.8)
    return prior


def posterior(
    probs: np.ndarray, classes: tuple[str, ...], bbox: tuple[int, int, int, int], shape: tuple[int, int]
) -> dict[str, float]:
    """Classifier probabilities x context prior, with the bird mass shared with chicken, normalised."""
    prior = context_prior(bbox, shape)
    post = {c: float(p) * prior.get(c, 1.0) for c, p in zip(classes, probs, strict=True)}
    if "bird" in post:
        x, y, w, h = bbox
        on_ground = _ramp((y + h) / shape[0], 0.45, 0.65)
        bird = float(probs[classes.index("bird")])
        post["chicken"] = bird * on_ground * prior["chicken"]
        post["bird"] = bird * (1 - on_ground) * prior["bird"]
    total = sum(post.values()) or 1.0
    return {c: v / total for c, v in post.items()}


def _best(post: dict[str, float]) -> tuple[str, float]:
    cat = max(post, key=post.__getitem__)
    return cat, post[cat]


def _file_hash(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=6).hexdigest()


class DoodleRecognizer:
    """SceneRecognizer: proposals + doodle CNN + context priors. Loads its weights once."""

    name = "doodle"

    def __init__(self, weights: Path = DEFAULT_WEIGHTS, device: str | None = None) -> None:
        if device is None:
            from .device import device as pick_device

            device = pick_device()
        self.weights = Path(weights)
        self.classifier: DoodleClassifier = load(self.weights, device)
        self.version = f"doodle-{CODE_VERSION}-{_file_hash(self.weights)}"

    def recognize(self, lineart: LineArt) -> list[Instance]:
        shape = lineart.shape
        diag = math.hypot(*shape)
        props = [p for p in propose(lineart) if math.hypot(p.bbox[2], p.bbox[3]) >= MIN_DIAG * diag]
        objects = [p for p in props if p.kind == "object"]
        # One batch for every proposal and every body of every split.
        flat: list[Proposal] = []
        for p in objects:
            flat.append(p)
            flat.extend(p.splits)
        inputs = np.stack([prepare(p.strokes, p.mask) for p in flat]) if flat else np.zeros((0, 2, 1, 1))
        probs = self.classifier.probabilities(inputs)
        named = {
            id(p): _best(posterior(pr, self.classifier.classes, p.bbox, shape))
            for p, pr in zip(flat, probs, strict=True)
        }
        chosen: list[Proposal] = []
        for p in objects:
            # Geometry found a clear neck; the split stands unless the whole is named more confidently
            # than every body (a tree whose crown and trunk looked like two bodies).
            if p.splits and max(named[id(s)][1] for s in p.splits) > named[id(p)][1]:
                chosen.extend(p.splits)
            else:
                chosen.append(p)
        instances = []
        for p in chosen:
            cat, score = named[id(p)]
            if cat == "other" or score < MIN_SCORE:
                cat = "unknown"
            instances.append(Instance(cat, p.full_mask(shape), round(score, 4)))
        for p in props:
            if p.kind == "road":
                instances.append(Instance("road", p.full_mask(shape), ROAD_SCORE))
        return instances
