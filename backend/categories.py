"""The closed vocabulary of things the product can find and colour.

One table, shared by the parser, the recogniser and the colouring, so that a category or a part
has exactly one spelling everywhere.
"""

from __future__ import annotations

# The 25 foreground categories of SketchyScene, as the paper's reference system names them
# (SketchyScene's "people" is spelled "person" here).
FOREGROUND: tuple[str, ...] = (
    "bench",
    "bird",
    "bus",
    "butterfly",
    "car",
    "cat",
    "chair",
    "chicken",
    "cloud",
    "cow",
    "dog",
    "duck",
    "horse",
    "house",
    "grass",
    "moon",
    "person",
    "pig",
    "rabbit",
    "road",
    "sheep",
    "star",
    "sun",
    "tree",
    "truck",
)

BACKGROUND: tuple[str, ...] = ("sky", "ground")

# SketchyScene's own label spellings -> ours (used when reading the shared ground truth).
SKETCHYSCENE_NAMES: dict[str, str] = {"people": "person"}

# Things that live in the sky: used by grounding ("in the sky") and by the horizon estimate,
# which must not treat a cloud's bottom edge as the place where objects stand.
# Said in the singular of many ("the grass is green"): without a position they mean every instance.
MASS_NOUNS: frozenset[str] = frozenset({"grass"})
SKY_OBJECTS: frozenset[str] = frozenset({"cloud", "sun", "moon", "star", "bird", "butterfly"})

# Parts an instruction may name, per category; the first part is the one a bare colour paints
# ("the car is red" paints the body). Parts not named in an instruction get the
# colouring stage's defaults (backend.colouring.palette).
PARTS: dict[str, tuple[str, ...]] = {
    "car": ("body", "windows", "wheels"),
    "bus": ("body", "windows", "wheels"),
    "truck": ("body", "windows", "wheels", "carriage"),
    "house": ("walls", "roof", "windows", "door"),
    "person": ("body", "hair", "face", "shirt", "pants", "skirt"),
    "tree": ("leaves", "trunk"),
    "bird": ("body", "wings"),
    "butterfly": ("body", "wings", "edge"),
    "chicken": ("body", "head", "tail"),
    "sun": ("disk", "flame"),
}


def main_part(category: str) -> str:
    """The part a bare colour paints: the whole object when the category has no parts."""
    parts = PARTS.get(category)
    return parts[0] if parts else "body"


# Plural spellings that the English rule (add -s, -es after s/x/ch/sh, -ies after a consonant + y)
# gets wrong, for telling the user what was found ("3 sheep, 2 people").
_IRREGULAR_PLURALS: dict[str, str] = {
    "person": "people",
    "sheep": "sheep",
    "grass": "grass",
    "cattle": "cattle",
}


def plural(noun: str) -> str:
    if noun in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    return noun + "s"


def counted(noun: str, n: int) -> str:
    """ "a house", "an owl", "3 trees": how a count of things reads in a sentence."""
    if n == 1:
        return ("an " if noun[:1] in "aeiou" else "a ") + noun
    return f"{n} {plural(noun)}"
