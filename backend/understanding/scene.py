"""A sketch's objects with their parts: the recogniser's instances, parts filled in where it gave none.

The learned recogniser labels parts itself; an instance it leaves without parts (an object whose
part votes were too weak) gets them from region geometry, and the instance records which source its
parts came from. A vehicle's network windows that frame other regions are given back to its body.
"""

from __future__ import annotations

from backend.categories import PARTS
from backend.lineart import LineArt

from .instance import Instance, SceneRecognizer
from .parts import label_parts
from .parts.vehicle import frames_to_body

VEHICLES = frozenset({"car", "bus", "truck"})


def understand(lineart: LineArt, recognizer: SceneRecognizer) -> list[Instance]:
    instances = recognizer.recognize(lineart)
    for inst in instances:
        if inst.category in PARTS and not inst.part_names:
            inst.parts = label_parts(inst, lineart)
            inst.parts_source = "geometry" if inst.part_names else "none"
        elif inst.category in VEHICLES and inst.parts_source == "network":
            inst.part_crops = frames_to_body(inst.part_crops, lineart.regions[inst.box])
    return instances
