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
