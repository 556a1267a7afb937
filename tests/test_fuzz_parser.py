"""Property tests of the instruction parser and the colour resolver.

Any text either parses or raises the documented InstructionError (never another exception), fast:
the time bound is on the calling thread's CPU time, so a busy machine does not make it flaky while
a catastrophic regex or an exponential search still fails it. Round trips check that every category,
synonym, plural, part and colour name reads back as what it names.
"""

from __future__ import annotations

import colorsys
import gc
import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backend.categories import BACKGROUND, FOREGROUND, PARTS, main_part
from backend.language import InstructionError, ParsedInstruction, parse_instruction
from backend.language.colours import BASIC, MODIFIERS, names, resolve
from backend.service.schemas import MAX_INSTRUCTION

MAX_SECONDS = 0.05
PROPERTIES = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
T = TypeVar("T")


def timed(call: Callable[[], T]) -> T | InstructionError:
    """call(), or the InstructionError it raised; fails on any other exception or a slow call.

    The garbage collector is paused during the call: a full collection of the test process's
    objects (Hypothesis keeps many) is not the parser's cost.
    """
    gc.disable()
    start = time.thread_time()
    try:
        result: T | InstructionError = call()
    except InstructionError as exc:
        result = exc
        assert str(exc), "an InstructionError must carry a message for the user"
    finally:
        spent = time.thread_time() - start
        gc.enable()
    assert spent < MAX_SECONDS, f"{spent * 1000:.1f} ms of CPU"
    return result


# Words the parser has uses for, so that generated sentences reach its deeper rules (relations,
# ordinals, parts, anaphora, selections), plus punctuation and numbers.
VOCABULARY = sorted(
    {
        *FOREGROUND,
        *BACKGROUND,
        *(part for parts in PARTS.values() for part in parts),
        *MODIFIERS,
        *BASIC,
        *"taxi kids people sheep geese cattle ones one it this them selection selected area".split(),
        *"the a an all both every each two 3 0 12th second 0th last leftmost far".split(),
        *"left right middle top bottom front back side corner of the picture".split(),
        *"on in at to near next behind under above between among around beside top of".split(),
        *"is are has have with and but make colour paint it its their 's , . ; ! ?".split(),
        *"#3366ff #abc rgb(300,2,3) blurple spaceship very light sea green grass".split(),
    }
)
WORD_SOUP = st.lists(st.sampled_from(VOCABULARY), max_size=90).map(" ".join)
ANY_TEXT = st.text(max_size=MAX_INSTRUCTION)
# Long digit runs: int() refuses strings over 4300 digits with a ValueError.
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=6000).map(lambda d: f"the {d} cars are red")


@pytest.fixture(scope="module", autouse=True)
def warm_parser() -> None:
    """One parse first: lazy tables and caches are filled once per process, not per call."""
    parse_instruction("the light blue car on the left of the house has black windows")


@given(st.one_of(ANY_TEXT, WORD_SOUP, DIGITS))
@PROPERTIES
@example("9" * 5000 + " cars are red")
@example("the " + "9" * 5000 + "th car is red")
@example("the car on the left of " * 20 + "the car is red")
@example("on " * 160)
@example("very " * 95 + "light red car")
@example("rgb(" * 100)
@example("\u0130" * 500)  # 'İ'.lower() is two characters: 500 tokens
@example("1 " * 250)  # the slowest found: each number run is rescanned from every start (O(n^2))
def test_any_text_parses_or_raises_instruction_error_quickly(text: str) -> None:
    result = timed(lambda: parse_instruction(text))
    if isinstance(result, ParsedInstruction):
        assert result.clauses and result.text == text
        # The parse is what the HTTP API returns: it must serialise.
        assert ParsedInstruction.model_validate_json(result.model_dump_json()) == result


@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(VOCABULARY), max_size=8).map(" ".join)))
@PROPERTIES
@example("light " * 50)
@example("reddish" * 50)
@example("#" + "f" * 5000)
def test_any_text_resolves_or_raises_instruction_error_quickly(text: str) -> None:
    for background in (False, True):
        colour = timed(lambda: resolve(text, background=background))  # noqa: B023
        if not isinstance(colour, InstructionError):
            assert all(0 <= c <= 255 for c in colour.rgb)


@pytest.mark.parametrize("category", FOREGROUND)
def test_every_category_and_colour_round_trips(category: str) -> None:
    main = main_part(category)
    for colour in names():
        (clause,) = parse_instruction(f"the {category} is {colour}").clauses
        assert clause.kind == "foreground" and clause.target is not None
        assert clause.target.category == category and clause.target.quantity == "one"
        assert clause.colours[main].rgb == resolve(colour).rgb, colour


@pytest.mark.parametrize("area", BACKGROUND)
def test_sky_and_ground_round_trip_with_their_own_palette(area: str) -> None:
    for colour in names():
        (clause,) = parse_instruction(f"the {area} is {colour}").clauses
        assert clause.kind == "background" and clause.area == area
        assert clause.colours[area].rgb == resolve(colour, background=True).rgb, colour


@given(
    st.sampled_from(sorted(PARTS)).flatmap(lambda c: st.tuples(st.just(c), st.sampled_from(PARTS[c]))),
    st.sampled_from(names()),
    st.sampled_from(["the {c} has {col} {p}", "the {c}'s {p} is {col}", "the {p} of the {c} is {col}"]),
)
@PROPERTIES
def test_named_parts_get_their_colour(category_part: tuple[str, str], colour: str, form: str) -> None:
    category, part = category_part
    (clause,) = parse_instruction(form.format(c=category, p=part, col=colour)).clauses
    assert clause.target is not None and clause.target.category == category
    assert clause.colours[part].rgb == resolve(colour).rgb


@pytest.mark.parametrize(
    ("noun", "category"),
    [("taxi", "car"), ("puppy", "dog"), ("kid", "person"), ("lorry", "truck"), ("hen", "chicken")],
)
def test_synonyms_name_their_category(noun: str, category: str) -> None:
    (clause,) = parse_instruction(f"the {noun} is red").clauses
    assert clause.target is not None and clause.target.category == category


@given(st.sampled_from(FOREGROUND), st.integers(min_value=2, max_value=10))
@PROPERTIES
def test_plurals_and_counts(category: str, count: int) -> None:
    plural = {"sheep": "sheep", "person": "people", "butterfly": "butterflies"}.get(category)
    plural = plural or (category + "es" if category.endswith(("s", "ch")) else category + "s")
    (every,) = parse_instruction(f"all the {plural} are red").clauses
    assert every.target is not None and every.target.category == category and every.target.quantity == "all"
    (some,) = parse_instruction(f"{count} {plural} are red").clauses
    assert some.target is not None and some.target.quantity == count


@given(st.tuples(*[st.integers(0, 255)] * 3))
@PROPERTIES
def test_hex_and_rgb_notations_round_trip(rgb: tuple[int, int, int]) -> None:
    hexcode = "#{:02x}{:02x}{:02x}".format(*rgb)
    assert resolve(hexcode).rgb == rgb
    assert resolve(hexcode.upper()).rgb == rgb
    (clause,) = parse_instruction("the car is rgb({}, {}, {})".format(*rgb)).clauses
    assert clause.colours["body"].rgb == rgb


@given(st.sampled_from(sorted(BASIC)), st.sampled_from(["", " ", "  "]), st.booleans())
@PROPERTIES
def test_light_is_lighter_and_dark_is_darker(name: str, space: str, upper: bool) -> None:
    def lightness(rgb: tuple[int, int, int]) -> float:
        return colorsys.rgb_to_hls(*(c / 255 for c in rgb))[1]

    base = resolve(name).rgb
    written = f"{space}{name.upper() if upper else name}{space}"
    assert resolve(written).rgb == base  # case and surrounding space do not matter
    assert lightness(resolve(f"light {name}").rgb) >= lightness(base) - 1e-9
    assert lightness(resolve(f"dark {name}").rgb) <= lightness(base) + 1e-9
