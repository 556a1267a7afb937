"""Which scene recogniser the backend uses; the one place to switch to another model."""

from __future__ import annotations

import functools

from .instance import SceneRecognizer


@functools.cache
def default_recognizer() -> SceneRecognizer:
    """The scene model with the object classifier's second look (second_look.py): the scene model
    separates the objects of a scene, the classifier judges each one at its own size and finds the
    big drawings the scene model misses (README, "Recognition")."""
    from .object_classifier import ObjectClassifier
    from .recogniser import LearnedRecognizer
    from .second_look import SecondLook

    return SecondLook(LearnedRecognizer(), ObjectClassifier())
