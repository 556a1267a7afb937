"""Which scene recogniser the backend uses; the one place to switch to another model."""

from __future__ import annotations

import functools

from .scene import SceneRecognizer


@functools.cache
def default_recognizer() -> SceneRecognizer:
    from .recognizer_doodle import DoodleRecognizer

    return DoodleRecognizer()
