"""Which scene recogniser the backend uses; the one place to switch to another model."""

from __future__ import annotations

import functools

from .instance import SceneRecognizer


@functools.cache
def default_recognizer() -> SceneRecognizer:
    """The learned scene model (backend/recognizer_learned.py): on the six real scenes it finds twice
    as many objects as the first, doodle-based recogniser (README, "Scene model")."""
    from .recogniser import LearnedRecognizer

    return LearnedRecognizer()
