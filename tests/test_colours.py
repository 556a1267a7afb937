"""Colour phrases -> sRGB: the paper's palette, CSS/X11 names, modifiers, hex, art words, errors."""

from __future__ import annotations

import colorsys

import pytest
from PIL import ImageColor

from backend.language import InstructionError
from backend.language.colours import ART, PAPER, longest_colour, names, resolve

PAPER_16 = [
    "black",
    "white",
    "red",
    "orange",
    "yellow",
    "pink",
    "purple",
    "cyan",
    "light brown",
    "dark brown",
    "light gray",
    "dark gray",
    "light green",
    "dark green",
    "light blue",
    "dark blue",
]
SKY_GROUND = {
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


def lightness(rgb: tuple[int, int, int]) -> float:
    return colorsys.rgb_to_hls(*(c / 255 for c in rgb))[1]


def saturation(rgb: tuple[int, int, int]) -> float:
    return colorsys.rgb_to_hls(*(c / 255 for c in rgb))[2]


def test_paper_palette_is_complete_and_distinct() -> None:
    values = {name: resolve(name).rgb for name in [*PAPER_16, "brown", "gray", "green", "blue"]}
    assert len(set(values.values())) == len(values), "two paper colours share a value"
    assert lightness(values["light blue"]) > lightness(values["blue"]) > lightness(values["dark blue"])
    assert lightness(values["light green"]) > lightness(values["dark green"])
    assert lightness(values["light brown"]) > lightness(values["brown"]) > lightness(values["dark brown"])
    assert lightness(values["light gray"]) > lightness(values["gray"]) > lightness(values["dark gray"])
    assert values["white"] == (255, 255, 255)
    assert values["black"] == (0, 0, 0)
    assert values["red"][0] > 200 > values["red"][1]


@pytest.mark.parametrize(("name", "rgb"), sorted(SKY_GROUND.items()))
def test_background_uses_the_papers_sky_and_ground_values(name: str, rgb: tuple[int, int, int]) -> None:
    assert resolve(name, background=True).rgb == rgb


def test_background_and_foreground_blue_differ_but_light_blue_is_shared() -> None:
    assert resolve("blue").rgb != resolve("blue", background=True).rgb
    assert resolve("light blue", background=True).rgb == resolve("light blue").rgb


def test_every_css_name_resolves_to_its_css_value_unless_paper_or_art_words_define_it() -> None:
    paper_compact = {name.replace(" ", "") for name in [*PAPER, *ART]}
    # By name, not by the map's value: Pillow caches parsed names in the map as tuples, so its values
    # are hex strings only until some code has asked for that colour.
    for name in list(ImageColor.colormap):
        expected = ImageColor.getrgb(name)[:3]
        if name.replace("grey", "gray") in paper_compact:
            continue
        assert resolve(name).rgb == expected, name


@pytest.mark.parametrize(
    ("phrase", "css"),
    [
        ("light sea green", "lightseagreen"),
        ("Dark Slate Grey", "darkslategray"),
        ("dodger blue", "dodgerblue"),
        ("medium violet red", "mediumvioletred"),
        ("navy", "navy"),
        ("teal", "teal"),
        ("gold", "gold"),
        ("silver", "silver"),
        ("tan", "tan"),
        ("khaki", "khaki"),
        ("maroon", "maroon"),
        ("crimson", "crimson"),
        ("turquoise", "turquoise"),
        ("beige", "beige"),
    ],
)
def test_css_names_in_any_spacing_and_case(phrase: str, css: str) -> None:
    assert resolve(phrase).rgb == ImageColor.getrgb(css)[:3]


def test_grey_and_gray_are_the_same() -> None:
    assert resolve("grey").rgb == resolve("gray").rgb
    assert resolve("light grey").rgb == resolve("light gray").rgb
    assert resolve("dark grey").rgb == resolve("dark gray").rgb
    assert resolve("slate grey").rgb == resolve("slategray").rgb


@pytest.mark.parametrize(
    "word",
    ["blonde", "skin", "peach", "cream", "lavender", "beige", "mint", "lilac", "ochre", "burgundy", "rust"],
)
def test_art_words(word: str) -> None:
    rgb = resolve(word).rgb
    assert rgb not in ((0, 0, 0), (255, 255, 255))
    assert resolve(word).rgb == resolve(word.upper()).rgb


def test_art_words_look_like_what_they_name() -> None:
    r, g, b = resolve("blonde").rgb
    assert r > g > b and r > 200  # a warm pale yellow
    r, g, b = resolve("skin").rgb
    assert r > g > b and b > 120
    assert resolve("navy blue").rgb == resolve("navy").rgb
    r, g, b = resolve("lavender").rgb
    assert b > r > g and min(r, g, b) < 200  # a visible light purple, not CSS's near-white


def test_modifiers_move_the_colour_the_way_they_say() -> None:
    for base in ("red", "yellow", "purple", "orange", "pink"):
        plain = resolve(base).rgb
        light = resolve(f"light {base}").rgb
        assert lightness(light) > lightness(plain), base
        assert all(lc >= pc for lc, pc in zip(light, plain, strict=True)), "light mixes toward white"
        assert lightness(resolve(f"dark {base}").rgb) < lightness(plain), base
        assert saturation(resolve(f"pale {base}").rgb) < saturation(plain) or base == "pink"
        assert lightness(resolve(f"deep {base}").rgb) <= lightness(plain), base
    assert lightness(resolve("very light blue").rgb) > lightness(resolve("light blue").rgb)
    assert resolve("bright blue").rgb != resolve("blue").rgb


def test_light_yellow_is_a_painters_light_yellow_not_css_near_white() -> None:
    rgb = resolve("light yellow").rgb
    assert rgb != ImageColor.getrgb("lightyellow")[:3]
    assert rgb[2] < 200 and rgb[0] > 240


def test_colour_name_keeps_the_users_words() -> None:
    colour = resolve("Light  Blue")
    assert colour.name == "light blue"
    assert resolve("lightblue").rgb == colour.rgb


@pytest.mark.parametrize(
    ("code", "rgb"), [("#3366ff", (51, 102, 255)), ("#36f", (51, 102, 255)), ("#3B7A2A", (59, 122, 42))]
)
def test_hex_codes(code: str, rgb: tuple[int, int, int]) -> None:
    assert resolve(code).rgb == rgb
    assert resolve(code).name == code.lower()


def test_ish_and_mixed_colours() -> None:
    assert resolve("reddish").rgb == resolve("red").rgb
    assert resolve("bluish").rgb == resolve("blue").rgb
    blue, green = resolve("blue").rgb, resolve("green").rgb
    mixed = resolve("blue green").rgb
    assert all(min(a, b) <= m <= max(a, b) for a, b, m in zip(blue, green, mixed, strict=True))


@pytest.mark.parametrize(
    ("phrase", "word"), [("blurple", "blurple"), ("light blurple", "blurple"), ("very dark zzz", "zzz")]
)
def test_unknown_colour_names_the_word(phrase: str, word: str) -> None:
    with pytest.raises(InstructionError) as err:
        resolve(phrase)
    assert str(err.value) == f"Unknown colour '{word}'"


def test_a_bare_modifier_is_not_a_colour() -> None:
    with pytest.raises(InstructionError):
        resolve("light")


def test_names_lists_every_resolvable_base_name() -> None:
    listed = names()
    assert len(listed) > 150
    for must in ("light blue", "dark green", "lightseagreen", "blonde", "skin", "navy", "gray", "grey"):
        assert must in listed
    for name in listed:
        resolve(name)


def test_longest_colour_prefers_the_longest_name() -> None:
    assert longest_colour("the light sea green car".split(), 1) == 3
    assert longest_colour("is light blue with".split(), 1) == 2
    assert longest_colour("the car".split(), 0) == 0
    assert longest_colour(["#3366ff", "sky"], 0) == 1
