"""A sketch's objects with their parts: the recogniser's instances, parts filled in where it gave none.

The learned recogniser labels parts itself; an instance it leaves without parts (an object whose
part votes were too weak) gets them from region geometry, and the instance records which source its
parts came from.
"""

from __future__ import annotations

from backend.categories import PARTS
from backend.lineart import LineArt

from .instance import Instance, SceneRecognizer
from .parts import label_parts


def understand(lineart: LineArt, recognizer: SceneRecognizer) -> list[Instance]:
    instances = recognizer.recognize(lineart)
    for inst in instances:
        if inst.category in PARTS and not inst.part_names:
            inst.parts = label_parts(inst, lineart)
            inst.parts_source = "geometry" if inst.part_names else "none"
    return instances
