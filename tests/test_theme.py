"""The theme format (backend/service/theme.py, docs/themes.md): stored parses, stored RGB, clear refusals."""

from __future__ import annotations

import json

import pytest

from backend.language import parse_instruction
from backend.service.theme import (
    MAX_THEME_BYTES,
    Theme,
    ThemeError,
    dumps_theme,
    load_theme,
    loads_theme,
    save_theme,
    stored_parse,
    theme_from_parses,
    theme_from_texts,
)

TEXTS = ["the sky is light blue and the ground is green", "the car is red with black windows"]


def plain_theme() -> dict:
    """A theme as the plugin would write it with the standard library alone."""
    return json.loads(dumps_theme(theme_from_texts(TEXTS, name="chapter 3")))


def test_round_trip_keeps_every_instruction_and_reads_with_stdlib_json(tmp_path):
    theme = theme_from_texts(TEXTS, name="chapter 3")
    path = tmp_path / "chapter3.theme.json"
    save_theme(theme, path)
    assert load_theme(path) == theme
    assert [p.name for p in tmp_path.iterdir()] == ["chapter3.theme.json"]  # no temporary left
    data = json.loads(path.read_text())  # what the plugin does
    assert (data["format"], data["version"], data["name"]) == ("language-colorize-theme", 1, "chapter 3")
    assert [i["text"] for i in data["instructions"]] == TEXTS
    car = data["instructions"][1]["clauses"][0]
    assert car["target"]["category"] == "car"
    assert car["colours"]["windows"] == {"name": "black", "rgb": [0, 0, 0]}


def test_stored_rgb_is_applied_not_the_colour_table():
    """A theme saved when "dark green" meant another value keeps painting that value: it is validated,
    never parsed again, so a change of the colour table or parser cannot change a chapter."""
    data = json.loads(dumps_theme(theme_from_texts(["all the trees are dark green"])))
    data["instructions"][0]["clauses"][0]["colours"]["leaves"]["rgb"] = [1, 2, 3]
    theme = loads_theme(json.dumps(data))
    leaves = theme.instructions[0].clauses[0].colours["leaves"]
    assert (leaves.name, leaves.rgb) == ("dark green", (1, 2, 3))
    assert parse_instruction("all the trees are dark green").clauses[0].colours["leaves"].rgb != (1, 2, 3)


def test_unknown_top_level_keys_are_kept_out_but_allowed():
    data = plain_theme() | {"plugin": {"created_in": "Krita 5.2"}}
    assert loads_theme(json.dumps(data)).name == "chapter 3"


def mutate(change) -> str:
    data = plain_theme()
    change(data)
    return json.dumps(data)


def clause(data: dict, i: int = 1) -> dict:
    return data["instructions"][i]["clauses"][0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "is not JSON"),
        ("[1, 2]", "is not a theme"),
        (json.dumps({"format": "something-else"}), "is not a theme"),
        (mutate(lambda d: d.update(version=2)), "theme version 2; this backend reads 1 (made by a newer"),
        (mutate(lambda d: d.update(name=7)), "name: Input should be a valid string"),
        (mutate(lambda d: d.update(instructions="red")), "instructions must be a list"),
        (mutate(lambda d: clause(d).update(kind="paint")), "instruction 2: clauses.0.kind: Input should be"),
        (
            mutate(lambda d: clause(d).update(colour=clause(d).pop("colours"))),
            "unknown key 'clauses[0].colour'",
        ),
        (
            mutate(lambda d: clause(d)["colours"]["body"].update(rgb=[300, 0, 0])),
            "body has RGB [300, 0, 0] outside",
        ),
        (mutate(lambda d: clause(d).update(colours={})), "has a clause without colours"),
        (mutate(lambda d: clause(d, 0).update(area=None)), "without saying sky or ground"),
        (
            mutate(lambda d: d["instructions"].append({"text": "x", "clauses": []})),
            "instruction 3 ('x') has no",
        ),
        (" " * (MAX_THEME_BYTES + 1), "is larger than 1024 KB"),
    ],
)
def test_a_bad_theme_is_refused_with_one_sentence_naming_the_file(text, expected):
    with pytest.raises(ThemeError) as err:
        loads_theme(text, "ch3.json")
    message = str(err.value)
    assert message.startswith("ch3.json") and expected in message and "\n" not in message


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("this is a giraffe", "teaches or forgets"),
        ("forget the cat", "teaches or forgets"),
        ("make it red", "colours a selection"),
    ],
)
def test_page_specific_instructions_do_not_belong_in_a_theme(instruction, expected):
    with pytest.raises(ThemeError, match=expected):
        theme_from_texts(["the sun is yellow", instruction])


def test_an_instruction_not_understood_is_an_error_naming_it():
    with pytest.raises(ThemeError, match=r"instruction 2 \('the spaceship is red'\) is not understood"):
        theme_from_texts(["the sun is yellow", "the spaceship is red"])


def test_a_missing_file_is_one_sentence(tmp_path):
    with pytest.raises(ThemeError, match=r"cannot read theme .*nothing\.json: No such file"):
        load_theme(tmp_path / "nothing.json")


def test_from_parses_is_what_the_server_answered():
    """The plugin keeps each step's `parse` from the server's answer: a theme is those, in order."""
    parses = [parse_instruction(text) for text in TEXTS]
    assert theme_from_parses(parses) == Theme(instructions=parses)


def test_one_stored_parse_is_checked_as_a_theme_entry_is():
    """What a server calls on the parse a client sends beside its instruction (a theme applied over HTTP)."""
    raw = plain_theme()["instructions"][1]
    assert stored_parse(raw) == parse_instruction(TEXTS[1])
    with pytest.raises(ThemeError, match=r"^parse \('this is a giraffe'\) teaches or forgets"):
        stored_parse(parse_instruction("this is a giraffe").model_dump(mode="json"))
    with pytest.raises(ThemeError, match=r"^parse: clauses: Field required"):
        stored_parse({"text": "the sun is red"})
