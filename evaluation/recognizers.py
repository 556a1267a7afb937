"""The product's recogniser built from given weights, for the evaluation scripts' comparisons."""

from __future__ import annotations

from pathlib import Path

from backend.understanding import SceneRecognizer
from backend.understanding.object_classifier import DEFAULT_WEIGHTS as OBJECT_WEIGHTS
from backend.understanding.object_classifier import ObjectClassifier
from backend.understanding.recogniser import DEFAULT_WEIGHTS as SCENE_WEIGHTS
from backend.understanding.recogniser import LearnedRecognizer
from backend.understanding.second_look import SecondLook

NO_CLASSIFIER = "none"


OBJECTS = ",".join(str(p) for p in OBJECT_WEIGHTS)  # the product's classifiers, as --objects spells them


def recognizer(
    objects: str = OBJECTS, scene: Path = SCENE_WEIGHTS, device: str | None = None
) -> SceneRecognizer:
    """Scene model plus object classifier, as the product builds them (backend.understanding.default);
    `objects` is the classifier's weights (comma-separated: their probabilities are averaged), or
    "none" for the scene model alone (before stop 11)."""
    scene_model = LearnedRecognizer(scene, device)
    if objects == NO_CLASSIFIER:
        return scene_model
    return SecondLook(scene_model, ObjectClassifier([Path(w) for w in objects.split(",")], device))
