"""What the backend sees in a sketch, in words: "3 trees, a house, 2 clouds, a dog".

A miss is not a dead end when the artist can tell whether the cat was missed or seen as a dog.
"""

from __future__ import annotations

from collections import Counter

from backend.categories import counted

from .instance import Instance

# How a count of a category reads where its name alone would not ("7 grass" -> "7 grass tufts").
_COUNTED_AS = {"grass": "grass tuft"}


def inventory(instances: list[Instance]) -> str:
    """Most frequent first, then in order of appearance; says so when there is nothing."""
    counts = Counter(inst.category for inst in instances if inst.category != "unknown")
    if not counts:
        return "nothing I can name"
    return ", ".join(counted(_COUNTED_AS.get(name, name), n) for name, n in counts.most_common())
