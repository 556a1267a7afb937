"""Object parts by region geometry: `label_parts(instance, lineart)` -> part masks.

regions holds the measures; vehicle, house, tree, person, winged and sun hold one rule set each,
with its thresholds; labelling picks the rule set and builds the masks.
"""

from .labelling import label_parts

__all__ = ["label_parts"]
