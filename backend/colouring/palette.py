"""Which colour each part gets: the ones the user named, then the category's defaults.

The parser reports only what the user said; this module adds the colours of parts left unnamed, so
the colouring stage always knows which colours came from the user (for "No windows found on the
car") and which are its own choice.
"""

from __future__ import annotations

from backend.categories import main_part
from backend.language import Colour
from backend.language.colours import resolve

# Colours (names resolved by the colour table) for parts an instruction leaves out.
DEFAULT_PART_COLOURS: dict[str, dict[str, str]] = {
    "car": {"windows": "light blue", "wheels": "dark gray"},
    "bus": {"windows": "light blue", "wheels": "dark gray"},
    "truck": {"windows": "light blue", "wheels": "dark gray"},
    "house": {"windows": "light blue", "door": "brown"},
    "person": {"face": "peach", "hair": "dark brown"},
    "tree": {"trunk": "brown"},
}


def part_colours(category: str, named: dict[str, Colour]) -> dict[str, Colour]:
    """Main part first (it is painted first, parts over it), then the named parts, then defaults.

    Defaults only fill in when the instruction describes the whole object (its main part or several
    parts): "the car's windows are black" is a touch-up and must not repaint the wheels.
    """
    main = main_part(category)
    colours = {main: named[main]} if main in named else {}
    colours.update((part, colour) for part, colour in named.items() if part != main)
    if main in named or len(named) >= 2:
        for part, name in DEFAULT_PART_COLOURS.get(category, {}).items():
            colours.setdefault(part, resolve(name))
    return colours


# "Colour everything": the colours of each category's objects, part by part, main part first. A
# category has several entries so that neighbours differ: its objects, taken left to right, take them
# in turn. Fixed tables, so the same scene on every page of a chapter gets the same colours.
EVERYTHING: dict[str, list[dict[str, str]]] = {
    "tree": [
        {"leaves": "green", "trunk": "brown"},
        {"leaves": "dark green", "trunk": "dark brown"},
        {"leaves": "olive green", "trunk": "brown"},
    ],
    "house": [
        {"walls": "light yellow", "roof": "red", "windows": "light blue", "door": "brown"},
        {"walls": "beige", "roof": "dark brown", "windows": "light blue", "door": "red"},
        {"walls": "pink", "roof": "purple", "windows": "light blue", "door": "brown"},
    ],
    "car": [
        {"body": "red", "windows": "light blue", "wheels": "dark gray"},
        {"body": "blue", "windows": "light blue", "wheels": "dark gray"},
        {"body": "yellow", "windows": "light blue", "wheels": "dark gray"},
    ],
    "bus": [
        {"body": "yellow", "windows": "light blue", "wheels": "dark gray"},
        {"body": "red", "windows": "light blue", "wheels": "dark gray"},
    ],
    "truck": [
        {"body": "orange", "carriage": "gray", "windows": "light blue", "wheels": "dark gray"},
        {"body": "blue", "carriage": "light gray", "windows": "light blue", "wheels": "dark gray"},
    ],
    "person": [
        {
            "body": "peach",
            "face": "peach",
            "hair": "dark brown",
            "shirt": "red",
            "pants": "blue",
            "skirt": "pink",
        },
        {
            "body": "peach",
            "face": "peach",
            "hair": "black",
            "shirt": "green",
            "pants": "dark gray",
            "skirt": "purple",
        },
        {
            "body": "peach",
            "face": "peach",
            "hair": "light brown",
            "shirt": "yellow",
            "pants": "blue",
            "skirt": "red",
        },
    ],
    "bird": [{"body": "blue", "wings": "navy blue"}, {"body": "red", "wings": "dark brown"}],
    "butterfly": [
        {"body": "dark brown", "wings": "orange", "edge": "black"},
        {"body": "dark brown", "wings": "purple", "edge": "black"},
    ],
    "chicken": [
        {"body": "white", "head": "white", "tail": "light gray"},
        {"body": "yellow", "head": "yellow", "tail": "orange"},
    ],
    "sun": [{"disk": "yellow", "flame": "orange"}],
    "cloud": [{"body": "white"}, {"body": "light gray"}],
    "moon": [{"body": "light yellow"}],
    "star": [{"body": "yellow"}],
    "grass": [{"body": "dark green"}, {"body": "green"}],
    "road": [{"body": "gray"}],
    "bench": [{"body": "brown"}, {"body": "light brown"}],
    "chair": [{"body": "brown"}, {"body": "red"}],
    "cat": [{"body": "orange"}, {"body": "gray"}],
    "dog": [{"body": "light brown"}, {"body": "brown"}],
    "cow": [{"body": "white"}, {"body": "light brown"}],
    "horse": [{"body": "brown"}, {"body": "dark brown"}],
    "pig": [{"body": "pink"}],
    "rabbit": [{"body": "white"}, {"body": "light gray"}],
    "sheep": [{"body": "white"}, {"body": "cream"}],
    "duck": [{"body": "yellow"}, {"body": "white"}],
}
# Objects of a name the palette does not know (taught "giraffe"): one neutral colour.
EVERYTHING_OTHER: dict[str, str] = {"body": "tan"}
EVERYTHING_SKY, EVERYTHING_GROUND = "blue", "green"


def everything_colours(category: str, turn: int) -> dict[str, Colour]:
    """The palette entry of the `turn`-th object of `category` (left to right), resolved."""
    entries = EVERYTHING.get(category)
    entry = entries[turn % len(entries)] if entries else EVERYTHING_OTHER
    main = main_part(category)
    if main not in entry:  # a taught name whose only part is its whole
        entry = {main: next(iter(entry.values()))}
    return {part: resolve(name) for part, name in entry.items()}
