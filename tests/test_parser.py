"""The instruction parser on the sentence shapes users write, its error messages, parts and defaults,
and on real SketchyScene referring phrases."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from backend.categories import FOREGROUND
from backend.colouring import DEFAULT_PART_COLOURS, part_colours
from backend.language import Clause, InstructionError, Position, Target, parse_instruction, parse_target
from backend.language.colours import resolve


def one(text: str) -> Clause:
    clauses = parse_instruction(text).clauses
    assert len(clauses) == 1, clauses
    return clauses[0]


def colour_names(clause: Clause) -> dict[str, str]:
    """The colours as they will be painted: the user's, plus the colouring stage's default parts."""
    return {part: c.name for part, c in part_colours(clause.target.category, clause.colours).items()}


def test_the_parser_reports_only_the_colours_the_user_named() -> None:
    clause = one("the car is red with black windows")
    assert {part: c.name for part, c in clause.colours.items()} == {"body": "red", "windows": "black"}


def error(text: str) -> str:
    with pytest.raises(InstructionError) as err:
        parse_instruction(text)
    return str(err.value)


# --- the paper's and the sentence shapes -------------------------------------------------


def test_car_red_with_black_windows_and_default_wheels() -> None:
    clause = one("the car is red with black windows")
    assert clause.kind == "foreground"
    assert clause.target == Target(category="car")
    assert colour_names(clause) == {"body": "red", "windows": "black", "wheels": "dark gray"}
    assert clause.colours["body"].rgb == resolve("red").rgb
    assert list(colour_names(clause))[0] == "body", "the main part comes first: it is painted first"


def test_has_body_and_windows() -> None:
    clause = one("the car has pink body and light blue windows")
    assert colour_names(clause) == {"body": "pink", "windows": "light blue", "wheels": "dark gray"}


def test_house_with_red_roof_gets_default_windows_and_door() -> None:
    clause = one("the house is purple with red roof")
    assert colour_names(clause) == {
        "walls": "purple",
        "roof": "red",
        "windows": "light blue",
        "door": "brown",
    }


def test_person_parts() -> None:
    clause = one("the person has red hair and is in pink shirt with cyan pants")
    assert clause.target == Target(category="person")
    names = colour_names(clause)
    assert names["hair"] == "red" and names["shirt"] == "pink" and names["pants"] == "cyan"
    assert names["face"] == DEFAULT_PART_COLOURS["person"]["face"]


def test_defaults_can_be_overridden() -> None:
    clause = one("the car is red with yellow wheels")
    assert colour_names(clause)["wheels"] == "yellow"
    clause = one("the tree is dark green with a black trunk")
    assert colour_names(clause) == {"leaves": "dark green", "trunk": "black"}


def test_a_single_named_part_is_a_touch_up_without_defaults() -> None:
    assert colour_names(one("the car's windows are black")) == {"windows": "black"}
    assert colour_names(one("the windows of the car are black")) == {"windows": "black"}


@pytest.mark.parametrize(
    ("text", "part", "colour"),
    [
        ("the car has blue tyres", "wheels", "blue"),
        ("the car is red with black window", "windows", "black"),
        ("the tree has orange leaf", "leaves", "orange"),
        ("the tree has green foliage", "leaves", "green"),
        ("the boy wears blue jeans", "pants", "blue"),
        ("the girl is in a yellow t-shirt", "shirt", "yellow"),
        ("the woman has a purple dress", "skirt", "purple"),
        ("the bird has red wings", "wings", "red"),
        ("the sun is yellow with orange rays", "flame", "orange"),
        ("the truck has a gray trailer", "carriage", "gray"),
        ("the chicken has a red head", "head", "red"),
        ("the butterfly is blue with black edge", "edge", "black"),
    ],
)
def test_part_synonyms(text: str, part: str, colour: str) -> None:
    assert colour_names(one(text))[part] == colour


def test_bare_colour_goes_to_the_main_part() -> None:
    assert "leaves" in one("the tree is green").colours
    assert "walls" in one("the house is white").colours
    assert "disk" in one("the sun is orange").colours
    assert "body" in one("the dog is brown").colours


def test_two_foreground_clauses() -> None:
    sun, clouds = parse_instruction("the sun is orange and the clouds are light blue").clauses
    assert sun.target == Target(category="sun") and colour_names(sun) == {"disk": "orange"}
    assert clouds.target == Target(category="cloud", quantity="all")
    assert colour_names(clouds) == {"body": "light blue"}


def test_sky_and_ground() -> None:
    sky, ground = parse_instruction("color the sky in blue and the ground in green").clauses
    assert (sky.kind, sky.area, ground.kind, ground.area) == ("background", "sky", "background", "ground")
    assert sky.target is None
    assert sky.colours["sky"].rgb == (153, 217, 234), "the paper's sky blue"
    assert ground.colours["ground"].rgb == (181, 230, 29), "the paper's ground green"


@pytest.mark.parametrize("word", ["floor", "land", "ground"])
def test_floor_and_land_mean_ground(word: str) -> None:
    clause = one(f"the {word} is brown")
    assert clause.area == "ground" and clause.colours["ground"].rgb == (185, 122, 87)


def test_foreground_and_background_in_one_sentence() -> None:
    car, sky = parse_instruction("the car is red and the sky is blue").clauses
    assert car.kind == "foreground" and sky.kind == "background"
    assert car.colours["body"].rgb == resolve("red").rgb
    assert sky.colours["sky"].rgb == resolve("blue", background=True).rgb


def test_three_clauses_with_commas() -> None:
    clauses = parse_instruction("the sun is yellow, the trees are green, and the road is gray").clauses
    assert [c.target.category for c in clauses if c.target] == ["sun", "tree", "road"]


def test_shared_colour_for_several_subjects() -> None:
    clauses = parse_instruction("the car and the bus are red").clauses
    assert [c.target.category for c in clauses if c.target] == ["car", "bus"]
    assert all(c.colours["body"].name == "red" for c in clauses)


@pytest.mark.parametrize(
    ("text", "category", "quantity", "colour"),
    [
        ("yellow road", "road", "one", "yellow"),
        ("colorize the bus in purple", "bus", "one", "purple"),
        ("let the rabbit be in pink", "rabbit", "one", "pink"),
        ("the clouds are are in dark gray", "cloud", "all", "dark gray"),
        ("paint all the trees dark green", "tree", "all", "dark green"),
        ("make the cars red", "car", "all", "red"),
        ("The Car Is Red.", "car", "one", "red"),
        ("please colour the duck white", "duck", "one", "white"),
        ("fill the horse with light brown", "horse", "one", "light brown"),
        ("the taxi should be yellow", "car", "one", "yellow"),
        ("turn the puppies grey", "dog", "all", "grey"),
        ("the kitten is orange", "cat", "one", "orange"),
        ("paint the lorry blue", "truck", "one", "blue"),
        ("the hen is white", "chicken", "one", "white"),
        ("the bunny is pink", "rabbit", "one", "pink"),
        ("the lamb is white", "sheep", "one", "white"),
        ("the building is red", "house", "one", "red"),
        ("the street is dark gray", "road", "one", "dark gray"),
        ("the kids are light brown", "person", "all", "light brown"),
        ("the pony is brown", "horse", "one", "brown"),
        ("the sofa is red", "bench", "one", "red"),
        ("the school bus is yellow", "bus", "one", "yellow"),
        ("a red car", "car", "one", "red"),
        ("both butterflies are pink", "butterfly", 2, "pink"),
        ("both the two ducks are white", "duck", 2, "white"),
        ("the three sheep are white", "sheep", 3, "white"),
        ("the sheep are white", "sheep", "all", "white"),
        ("the sheep is white", "sheep", "one", "white"),
        ("2 cars are blue", "car", 2, "blue"),
        ("the sun is #ffaa00", "sun", "one", "#ffaa00"),
        ("the sun is rgb(255, 170, 0)", "sun", "one", "#ffaa00"),
        ("the moon is pale yellow", "moon", "one", "pale yellow"),
        ("the road is light sea green", "road", "one", "light sea green"),
        ("the car is sky blue", "car", "one", "sky blue"),
        ("the girl's hair is blonde", "person", "one", "blonde"),
    ],
)
def test_tolerant_shapes(text: str, category: str, quantity: str | int, colour: str) -> None:
    clause = one(text)
    assert clause.target is not None
    assert clause.target.category == category
    assert clause.target.quantity == quantity
    assert colour in {c.name for c in clause.colours.values()}


def test_sky_should_be_light_blue_and_hex_sky() -> None:
    clause = one("the sky should be light blue")
    assert clause.area == "sky" and clause.colours["sky"].name == "light blue"
    clause = one("#3366ff sky")
    assert clause.area == "sky" and clause.colours["sky"].rgb == (51, 102, 255)
    clause = one("sky blue")
    assert clause.area == "sky" and clause.colours["sky"].name == "blue"


def test_adjective_colours_before_each_noun() -> None:
    road, sky = parse_instruction("yellow road and green sky").clauses
    assert road.target == Target(category="road") and road.colours["body"].name == "yellow"
    assert sky.area == "sky" and sky.colours["sky"].name == "green"


@pytest.mark.parametrize(
    "text",
    [
        "make it red",
        "colour this red",
        "them red",
        "fill the selection with red",
        "this should be red",
        "paint the selected area red",
        "make them red",
    ],
)
def test_selection_fills(text: str) -> None:
    clause = one(text)
    assert clause.kind == "foreground"
    assert clause.target == Target(category=None)
    assert colour_names(clause) == {"body": "red"}


def test_it_after_a_named_object_means_that_object() -> None:
    clause = one("the tree on the left, make it green")
    assert clause.target is not None and clause.target.category == "tree"


# --- positions and relations in instructions ------------------------------------------------------


def test_positions_in_instructions() -> None:
    assert one("the second tree on the left is dark green").target == Target(
        category="tree", position=Position(side="left", ordinal=2)
    )
    assert one("the leftmost tree is dark green").target == Target(
        category="tree", position=Position(side="left", ordinal=1, superlative=True)
    )
    assert one("the right dog is black").target == Target(category="dog", position=Position(side="right"))
    assert one("the cloud in the middle is light blue").target == Target(
        category="cloud", position=Position(side="middle")
    )
    assert one("the trees on the left are green").target == Target(
        category="tree", quantity="all", position=Position(side="left")
    )
    assert one("the bird in the sky is red").target == Target(category="bird", in_sky=True)


def test_relations_in_instructions() -> None:
    target = one("the dog on the right front of the left tree is brown").target
    assert target == Target(
        category="dog",
        relation="in_front_of",
        relation_side="right",
        anchor=Target(category="tree", position=Position(side="left")),
    )
    target = one("the two trees on the right back of the car are green").target
    assert target == Target(
        category="tree", quantity=2, relation="behind", relation_side="right", anchor=Target(category="car")
    )
    assert one("the cat next to the bench is black").target == Target(
        category="cat", relation="near", anchor=Target(category="bench")
    )
    assert one("the bird above the house is red").target.relation == "above"  # type: ignore[union-attr]
    assert one("the dog under the tree is red").target.relation == "under"  # type: ignore[union-attr]
    assert one("the cat on the car is red").target.relation == "on"  # type: ignore[union-attr]


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "...", "and"])
def test_empty(text: str) -> None:
    assert error(text) == "Please describe what to colour, e.g. 'the car is red'"


def test_nonsense() -> None:
    assert error("asdf") == "I could not find an object or colour in 'asdf'"
    assert error("qwe rty") == "I could not find an object or colour in 'qwe rty'"


@pytest.mark.parametrize("text", ["the car", "paint the trees", "the car is", "make it"])
def test_missing_colour(text: str) -> None:
    message = error(text)
    assert "colour is missing" in message


def test_missing_colour_names_the_object() -> None:
    assert error("the car") == "A colour is missing for the car: say e.g. 'the car is red'."
    assert error("paint the trees") == "A colour is missing for the trees: say e.g. 'the trees are red'."


@pytest.mark.parametrize(
    "text",
    [
        "the car is blurple",
        "paint the car blurple",
        "the car is light blurple",
        "the car is red with blurple windows",
        "the car is a blurple colour",
    ],
)
def test_unknown_colour(text: str) -> None:
    assert error(text) == "Unknown colour 'blurple'"


@pytest.mark.parametrize(
    "text",
    ["the spaceship is red", "paint the spaceship red", "red spaceship", "the car and the spaceship are red"],
)
def test_unknown_object(text: str) -> None:
    message = error(text)
    assert message.startswith("I don't know 'spaceship'; known objects: ")
    assert all(category in message for category in FOREGROUND)


def test_unknown_anchor_is_not_ignored() -> None:
    assert error("the car near the garage is red").startswith("I don't know 'garage'")


def test_colour_without_object() -> None:
    assert error("red") == (
        "What should be red? Name an object, e.g. 'the car is red', or select an area and say 'make it red'."
    )


def test_parts_the_object_does_not_have() -> None:
    assert "ears" in error("the dog has black ears")
    message = error("the person has a red hat")
    assert "hat" in message and "hair" in message
    assert "sky" in error("the sky has blue windows")


# --- referring phrases (parse_target) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "target"),
    [
        ("the second tree on the left", Target(category="tree", position=Position(side="left", ordinal=2))),
        (
            "the two trees on the right back of the car",
            Target(
                category="tree",
                quantity=2,
                relation="behind",
                relation_side="right",
                anchor=Target(category="car"),
            ),
        ),
        (
            "the dog on the right front of the left tree",
            Target(
                category="dog",
                relation="in_front_of",
                relation_side="right",
                anchor=Target(category="tree", position=Position(side="left")),
            ),
        ),
        ("all the three rabbits", Target(category="rabbit", quantity=3)),
        ("both the bench", Target(category="bench", quantity=2)),
        ("all the grass", Target(category="grass", quantity="all")),
        ("the grasses", Target(category="grass", quantity="all")),
        (
            "the  chickens on the right",
            Target(category="chicken", quantity="all", position=Position(side="right")),
        ),
        ("the sun in the sky", Target(category="sun", in_sky=True)),
        (
            "the tree on the leftmost",
            Target(category="tree", position=Position(side="left", ordinal=1, superlative=True)),
        ),
        (
            "the bottommost chicken",
            Target(category="chicken", position=Position(side="bottom", ordinal=1, superlative=True)),
        ),
        ("the bottom second cow", Target(category="cow", position=Position(side="bottom", ordinal=2))),
        (
            "the tree on the right back",
            Target(category="tree", position=Position(side="right", secondary="back")),
        ),
        ("the three trees in front", Target(category="tree", quantity=3, position=Position(side="front"))),
        (
            "the cat near the left back tree",
            Target(
                category="cat",
                relation="near",
                anchor=Target(category="tree", position=Position(side="left", secondary="back")),
            ),
        ),
        (
            "the four cows in front of the right tree",
            Target(
                category="cow",
                quantity=4,
                relation="in_front_of",
                anchor=Target(category="tree", position=Position(side="right")),
            ),
        ),
        (
            "the right tree on the left back of the house",
            Target(
                category="tree",
                position=Position(side="right"),
                relation="behind",
                relation_side="left",
                anchor=Target(category="house"),
            ),
        ),
        (
            "the cat among the trees",
            Target(category="cat", relation="among", anchor=Target(category="tree", quantity="all")),
        ),
        (
            "the five trees around the houses",
            Target(
                category="tree",
                quantity=5,
                relation="around",
                anchor=Target(category="house", quantity="all"),
            ),
        ),
        (
            "the dog on the left of the tree",
            Target(category="dog", relation="left_of", anchor=Target(category="tree")),
        ),
        (
            "the two people on the left back of the truck",
            Target(
                category="person",
                quantity=2,
                relation="behind",
                relation_side="left",
                anchor=Target(category="truck"),
            ),
        ),
        ("it", Target(category=None)),
    ],
)
def test_referring_phrases(phrase: str, target: Target) -> None:
    assert parse_target(phrase) == target


def test_parse_target_errors() -> None:
    with pytest.raises(InstructionError, match="spaceship"):
        parse_target("the spaceship on the left")
    with pytest.raises(InstructionError, match="sky"):
        parse_target("the sky")
    with pytest.raises(InstructionError):
        parse_target("on the left")


SCENE_30 = {  # the 24 real phrases of test scene 30, read by hand: (category, quantity)
    "both the clouds": ("cloud", 2),
    "the bench in the middle": ("bench", "one"),
    "the sun in the sky": ("sun", "one"),
    "the clouds": ("cloud", "all"),
    "the person on the left": ("person", "one"),
    "the sun": ("sun", "one"),
    "the right house": ("house", "one"),
    "the dog": ("dog", "one"),
    "the grasses": ("grass", "all"),
    "the dog on the right": ("dog", "one"),
    "all the grass": ("grass", "all"),
    "both the houses": ("house", 2),
    "the bench": ("bench", "one"),
    "the person in front of the houses": ("person", "one"),
    "the two houses in the middle": ("house", 2),
    "the house on the right": ("house", "one"),
    "both the two houses": ("house", 2),
    "the person": ("person", "one"),
    "the bench in front of the houses": ("bench", "one"),
    "the houses": ("house", "all"),
    "the two houses": ("house", 2),
    "the left house": ("house", "one"),
    "the house on the left": ("house", "one"),
    "the dog on the right of the bench": ("dog", "one"),
}


def test_real_referring_phrases_of_test_scene_30(shared_data: Path) -> None:
    scenes = json.loads((shared_data / "sketchyscene-referring" / "sentence_instance_test.json").read_text())
    phrases = next(s["sen_instIdx_map"] for s in scenes if int(s["key"]) == 30)
    assert set(phrases) == set(SCENE_30)
    for phrase, instances in phrases.items():
        target = parse_target(phrase)
        assert (target.category, target.quantity) == SCENE_30[phrase], phrase
        if isinstance(target.quantity, int):
            assert target.quantity == len(instances), phrase
    anchored = parse_target("the person in front of the houses")
    assert anchored.relation == "in_front_of"
    assert anchored.anchor == Target(category="house", quantity="all")


def test_all_real_phrases_parse_quickly(shared_data: Path) -> None:
    phrases = []
    for split in ("train", "val", "test"):
        path = shared_data / "sketchyscene-referring" / f"sentence_instance_{split}.json"
        phrases += [p for scene in json.loads(path.read_text()) for p in scene["sen_instIdx_map"]]
    assert len(phrases) == 38570
    t0 = time.perf_counter()
    categories = {parse_target(p).category for p in phrases}
    assert time.perf_counter() - t0 < 15
    assert categories <= set(FOREGROUND)
    assert len(categories) == 25


def test_the_one_on_the_right_refers_to_the_last_object() -> None:
    left, right = parse_instruction("the car on the left is red and the one on the right is blue").clauses
    assert left.target == Target(category="car", position=Position(side="left"))
    assert right.target == Target(category="car", position=Position(side="right"))
    assert (left.colours["body"].name, right.colours["body"].name) == ("red", "blue")


def test_ordinal_counted_from_a_side() -> None:
    expected = Target(category="cloud", position=Position(side="right", ordinal=2))
    assert one("the second cloud from the right is gray").target == expected
    assert one("the cloud second from the right is gray").target == expected
    assert one("the 2nd cloud from the right is gray").target == expected


def test_two_colours_for_one_fill_is_an_error_not_a_silent_choice() -> None:
    assert error("the cow is black and white") == (
        "I can fill the cow with one colour only (black or white?); say e.g. 'the cow is black'."
    )
    assert "with blue windows" in error("the car is red and blue")
    assert colour_names(one("the red car is blue"))["body"] == "blue", "an adjective is replaced silently"


def test_unknown_possessed_part_is_reported() -> None:
    assert error("the duck is yellow and its beak is orange") == (
        "A duck is coloured as a whole; I can't colour its beak."
    )


def test_a_colon_does_not_end_the_clause() -> None:
    assert one("trees: green").target == Target(category="tree", quantity="all")


# --- commands: teach, forget, colour everything ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "category", "known"),
    [
        ("this is a cat", "teach", "cat", True),
        ("That's the dog.", "teach", "dog", True),
        ("these are sheep", "teach", "sheep", True),
        ("this is a puppy", "teach", "dog", True),
        ("this is my giraffe", "teach", "giraffe", False),
        ("these are giraffes", "teach", "giraffe", False),
        ("forget the cat", "forget", "cat", True),
        ("forget about the giraffes", "forget", "giraffe", False),
    ],
)
def test_teach_and_forget(text: str, kind: str, category: str, known: bool) -> None:
    clause = one(text)
    assert (clause.kind, clause.target.category, clause.target.known) == (kind, category, known)


@pytest.mark.parametrize(
    "text", ["colour everything", "Colorize the whole picture", "auto colour", "auto-color", "paint it all"]
)
def test_colour_everything(text: str) -> None:
    assert one(text).kind == "everything"


@pytest.mark.parametrize("text", ["this is red", "it's light blue", "make it red"])
def test_a_colour_for_the_selection_is_not_a_name_to_learn(text: str) -> None:
    clause = one(text)
    assert clause.kind == "foreground" and clause.target.category is None


def test_unknown_object_names_need_a_selection_or_teaching() -> None:
    assert "select it and say 'this is a giraffe'" in error("the giraffe is yellow")
    selected = one_of(parse_instruction("the giraffe is yellow", selection=True))
    assert (selected.target.category, selected.target.known) == ("giraffe", False)
    taught = one_of(parse_instruction("the two giraffes on the left are yellow", names=["giraffe"]))
    assert taught.target.category == "giraffe" and taught.target.quantity == 2
    assert "blurple" in error_with(lambda: parse_instruction("the giraffe is blurple", selection=True))


def one_of(parsed) -> Clause:
    assert len(parsed.clauses) == 1, parsed.clauses
    return parsed.clauses[0]


def error_with(call) -> str:
    with pytest.raises(InstructionError) as err:
        call()
    return str(err.value)


def test_a_selected_new_name_works_however_many_names_the_document_was_taught() -> None:
    taught = ["giraffe", "zebra", "unicorn", "dragon", "robot"]
    clause = one_of(parse_instruction("the lion is yellow", names=taught, selection=True))
    assert (clause.target.category, clause.target.known) == ("lion", False)
