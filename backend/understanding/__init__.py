"""Stage 3, understanding: which objects the sketch holds, where, and their parts.

Imports `lineart` and the shared vocabulary only. Every recogniser returns `Instance`s through the
`SceneRecognizer` interface, so the stages above never see which model made them.
"""

from .default import default_recognizer
from .horizon import estimate_horizon
from .instance import Instance, SceneRecognizer
from .inventory import inventory
from .scene import understand
from .selection import object_from_selection
from .taught import Taught, with_taught

__all__ = [
    "Instance",
    "SceneRecognizer",
    "Taught",
    "default_recognizer",
    "estimate_horizon",
    "inventory",
    "object_from_selection",
    "understand",
    "with_taught",
]
