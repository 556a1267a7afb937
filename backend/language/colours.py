"""Colour phrases -> sRGB.

Users name colours the way painters and web pages do ("light blue", "blonde", "light sea green",
"#3366ff"), so one resolver serves the parser, the vocabulary endpoint and the evaluation: a colour
has exactly one value everywhere. The paper's 16 names keep flat-fill values that read well under
black lines; sky and ground use the paper's own background values, which are paler than the object
colours of the same name.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Sequence
from functools import lru_cache

from PIL import ImageColor

from .instruction import Colour, InstructionError

RGB = tuple[int, int, int]

# The paper's foreground palette (plain brown/gray/green/blue too). Values follow the paper's
# background palette family (MS Paint colours) so that a "red car" and a "red sky" look related;
# black is true black for objects (what "black windows" means), the paper's 30,30,30 for sky/ground.
PAPER: dict[str, RGB] = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "red": (237, 28, 36),
    "orange": (255, 127, 39),
    "yellow": (255, 242, 0),
    "pink": (255, 174, 201),
    "purple": (163, 73, 164),
    "cyan": (40, 210, 230),
    "brown": (185, 122, 87),
    "light brown": (215, 170, 125),
    "dark brown": (120, 70, 40),
    "gray": (127, 127, 127),
    "light gray": (195, 195, 195),
    "dark gray": (70, 70, 70),
    "green": (34, 177, 76),
    "light green": (181, 230, 29),
    "dark green": (20, 110, 45),
    "blue": (0, 162, 232),
    "light blue": (153, 217, 234),
    "dark blue": (20, 50, 160),
}

# The paper's sky/ground values; only the plain names, modified names use the tables below.
BACKGROUND: dict[str, RGB] = {
    "blue": (153, 217, 234),
    "green": (181, 230, 29),
    "cyan": (128, 255, 215),
    "red": (237, 28, 36),
    "orange": (255, 127, 39),
    "yellow": (255, 242, 0),
    "brown": (185, 122, 87),
    "purple": (163, 73, 164),
    "pink": (255, 174, 201),
    "black": (30, 30, 30),
    "gray": (127, 127, 127),
}

# Words artists use that CSS lacks, or means differently: CSS "lavender" is nearly white, a
# painter's lavender is a light purple.
ART: dict[str, RGB] = {
    "blonde": (245, 222, 140),
    "blond": (245, 222, 140),
    "brunette": (95, 60, 35),
    "ginger": (200, 105, 40),
    "auburn": (165, 42, 42),
    "skin": (255, 214, 180),
    "flesh": (255, 214, 180),
    "peach": (255, 203, 164),
    "cream": (255, 250, 210),
    "mint": (170, 240, 190),
    "lilac": (200, 162, 210),
    "mauve": (205, 150, 200),
    "scarlet": (255, 36, 0),
    "ruby": (224, 17, 95),
    "burgundy": (128, 0, 32),
    "rose": (255, 102, 153),
    "amber": (255, 191, 0),
    "mustard": (225, 190, 60),
    "lemon": (255, 247, 80),
    "ochre": (204, 119, 34),
    "rust": (183, 65, 14),
    "copper": (184, 115, 51),
    "bronze": (205, 127, 50),
    "caramel": (195, 140, 80),
    "coffee": (111, 78, 55),
    "sand": (220, 200, 150),
    "charcoal": (54, 60, 66),
    "emerald": (80, 200, 120),
    "jade": (0, 168, 107),
    "sapphire": (15, 82, 186),
    "cobalt": (0, 71, 171),
    "ultramarine": (18, 10, 143),
    "lavender": (190, 170, 230),
    "baby blue": (137, 207, 240),
    "navy blue": (0, 0, 128),
    "baby pink": (255, 200, 215),
    "olive green": (110, 130, 40),
    "grass green": (90, 180, 50),
    "leaf green": (90, 170, 60),
    "sea blue": (0, 105, 148),
    "brick red": (178, 60, 50),
    "blood red": (138, 7, 7),
    "wine red": (114, 47, 55),
    "sun yellow": (255, 220, 40),
}

# Words that change a colour (see _apply); "very" strengthens the next one.
SHIFTS = ("light", "dark", "pale", "bright", "deep")
MODIFIERS = (*SHIFTS, "very")
# Names a modifier is computed on rather than looked up as a CSS compound.
BASIC = frozenset(
    "black white red orange yellow pink purple cyan brown gray green blue violet magenta teal navy gold "
    "beige peach olive".split()
)
_SUFFIX_ISH = re.compile(r"^(.+?)(?:d?ish)$")  # reddish, bluish, greenish, grayish
_HEX = re.compile(r"^#(?:[0-9a-f]{3}|[0-9a-f]{6})$")
_WORD = re.compile(r"[a-z]+|#[0-9a-f]+")
# Longest colour phrase the token matcher tries ("dark slate gray blue" is not a colour).
MAX_WORDS = 4


def _compact(name: str) -> str:
    return name.replace(" ", "")


def _table(background: bool) -> dict[str, RGB]:
    """Compact name -> rgb in precedence order: paper (or sky/ground) values, art words, CSS/X11."""
    return _BG_TABLE if background else _FG_TABLE


def _build(background: bool) -> dict[str, RGB]:
    table: dict[str, RGB] = {}
    for name, hexcode in ImageColor.colormap.items():
        table[name] = ImageColor.getrgb(hexcode)[:3]
    for source in (ART, PAPER, BACKGROUND if background else {}):
        for name, rgb in source.items():
            table[_compact(name)] = rgb
    for name in list(table):
        if "grey" in name:
            table[name.replace("grey", "gray")] = table[name]
    return table


_FG_TABLE = _build(False)
_BG_TABLE = _build(True)


def names() -> list[str]:
    """Every base colour name (modifiers and hex codes come on top), for the vocabulary endpoint."""
    spaced = set(PAPER) | set(ART)
    compact_spaced = {_compact(n) for n in spaced}
    return sorted(spaced | {n for n in _FG_TABLE if n not in compact_spaced})


def _words(phrase: str) -> list[str]:
    text = phrase.lower().replace("grey", "gray")
    return _WORD.findall(text)


def _apply(modifier: str, rgb: RGB, strength: float = 1.0) -> RGB:
    """light mixes toward white (as a painter adds white); dark lowers HLS lightness; pale lightens
    and desaturates; bright raises HSV saturation and value; deep raises saturation, lowers value."""
    r, g, b = (c / 255.0 for c in rgb)
    if modifier == "light":
        t = 0.45 * strength
        out = (r + (1 - r) * t, g + (1 - g) * t, b + (1 - b) * t)
    elif modifier == "dark":
        h, lum, s = colorsys.rgb_to_hls(r, g, b)
        out = colorsys.hls_to_rgb(h, lum * (1 - 0.4 * strength), s)
    elif modifier == "pale":
        h, lum, s = colorsys.rgb_to_hls(r, g, b)
        out = colorsys.hls_to_rgb(h, lum + (1 - lum) * 0.5 * strength, s * (1 - 0.4 * strength))
    elif modifier == "bright":
        h, s, v = colorsys.rgb_to_hsv(r, g, b)
        out = colorsys.hsv_to_rgb(h, min(1.0, s * (1 + 0.25 * strength)), min(1.0, v * (1 + 0.25 * strength)))
    else:  # deep: richer and darker
        h, s, v = colorsys.rgb_to_hsv(r, g, b)
        out = colorsys.hsv_to_rgb(h, min(1.0, s * (1 + 0.3 * strength)), v * (1 - 0.25 * strength))
    return tuple(int(round(min(1.0, max(0.0, c)) * 255)) for c in out)  # type: ignore[return-value]


def _base(words: Sequence[str], table: dict[str, RGB]) -> RGB | None:
    """A colour without modifiers: a known name, a "-ish" form, or two names mixed ("blue green")."""
    key = "".join(words)
    if key in table:
        return table[key]
    if len(words) == 1:
        match = _SUFFIX_ISH.match(key)
        if match and match.group(1) in table:
            return table[match.group(1)]
        if key.endswith("ish") and key[:-3] + "e" in table:  # purplish -> purple
            return table[key[:-3] + "e"]
        return None
    if len(words) == 2 and words[0] in table and words[0] not in MODIFIERS:
        other = _base(words[1:], table)
        if other is not None:
            first = table[words[0]]
            return tuple((a + b + 1) // 2 for a, b in zip(first, other, strict=True))  # type: ignore[return-value]
    return None


def _resolve_words(words: Sequence[str], background: bool) -> RGB:
    table = _table(background)
    if len(words) == 1 and _HEX.match(words[0]):
        return ImageColor.getrgb(words[0])[:3]
    spaced = " ".join(words)
    for source in (BACKGROUND if background else {}, PAPER, ART):
        if spaced in source:
            return source[spaced]
    n_mods = 0
    while n_mods < len(words) and words[n_mods] in MODIFIERS:
        n_mods += 1
    rest = words[n_mods:]
    # A modifier on a basic name is computed ("light yellow" is a painter's light yellow, not CSS's
    # near-white "lightyellow"); on other names CSS's compound wins ("light sea green").
    if n_mods and not (len(rest) == 1 and rest[0] in BASIC):
        compound = _base(words, table)
        if compound is not None:
            return compound
    if not n_mods:
        found = _base(words, table)
        if found is not None:
            return found
        # "darkpink" written as one word: the same as "dark pink".
        for mod in SHIFTS:
            if len(words) == 1 and words[0].startswith(mod) and words[0][len(mod) :] in table:
                return _resolve_words([mod, words[0][len(mod) :]], background)
        raise InstructionError(f"Unknown colour '{spaced}'")
    if not rest:
        raise InstructionError(f"Unknown colour '{spaced}'")
    try:
        rgb = _resolve_words(rest, background)
    except InstructionError:
        raise InstructionError(f"Unknown colour '{' '.join(rest)}'") from None
    mods = words[:n_mods]
    for k in range(n_mods - 1, -1, -1):
        if mods[k] != "very":
            rgb = _apply(mods[k], rgb, 1.6 if k and mods[k - 1] == "very" else 1.0)
    return rgb


@lru_cache(maxsize=4096)
def _cached(words: tuple[str, ...], background: bool) -> RGB:
    return _resolve_words(words, background)


def resolve(phrase: str, background: bool = False) -> Colour:
    """The colour a phrase names; raises InstructionError naming the word it does not know.

    background=True gives the paper's sky/ground values for the plain names it defines.
    """
    words = _words(phrase.strip())
    if not words:
        raise InstructionError(f"Unknown colour '{phrase.strip()}'")
    rgb = _cached(tuple(words), background)
    name = " ".join(phrase.lower().replace("-", " ").split())
    return Colour(name=name, rgb=rgb)


@lru_cache(maxsize=8192)
def _is_colour(words: tuple[str, ...]) -> bool:
    try:
        _cached(words, False)
    except InstructionError:
        return False
    return True


def is_colour(words: Sequence[str]) -> bool:
    """True when the words name a colour (used by the parser to find colour spans)."""
    return _is_colour(tuple(w.replace("grey", "gray") for w in words))


def longest_colour(tokens: Sequence[str], start: int) -> int:
    """Number of tokens of the longest colour phrase starting at tokens[start] (0 when none).

    Longest match first, so "light sea green" is one colour and not "light" + "sea green".
    """
    for n in range(min(MAX_WORDS, len(tokens) - start), 0, -1):
        span = tokens[start : start + n]
        if not all(_WORD.fullmatch(t) for t in span):
            continue
        if is_colour(span):
            return n
    return 0


def is_modifier(word: str) -> bool:
    return word in MODIFIERS
