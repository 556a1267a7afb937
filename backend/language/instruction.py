"""The structured form of an instruction: what the parser produces and the pipeline consumes.

Kept apart from the parser so the pipeline, the HTTP API and the tests depend on the shape of a
command, not on how English is read.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

RelationName = Literal[
    "in_front_of", "behind", "near", "left_of", "right_of", "under", "on", "among", "around", "above"
]
# front/back: nearer to / farther from the viewer (in a scene, a lower bottom edge is nearer).
Side = Literal["left", "right", "middle", "top", "bottom", "front", "back"]


class Colour(BaseModel):
    """A colour as the user named it and the sRGB value it resolved to."""

    name: str
    rgb: tuple[int, int, int]


class Position(BaseModel):
    """Where among the candidates: "on the left" (side), "the second ... on the left" (ordinal 2),
    "leftmost" (side left, ordinal 1, superlative), "the left back tree" (side left, secondary back)."""

    side: Side
    ordinal: int | None = None
    superlative: bool = False
    secondary: Side | None = None


class Target(BaseModel):
    """Which instances a clause means. category None means "it"/"this": whatever the mask covers.

    category is one of the known categories, or (with `known` False) a name the artist uses for a
    selected or taught object that the vocabulary lacks ("the giraffe").
    """

    category: str | None
    known: bool = True
    # "one" for singular definite/indefinite ("the car", "a car"), "all" for plurals and "all",
    # "both", or an explicit count ("two cars", "the three trees").
    quantity: Literal["one", "all"] | int = "one"
    position: Position | None = None
    in_sky: bool = False
    relation: RelationName | None = None
    # "on the right back of the car": relation behind, relation_side right (of the anchor).
    relation_side: Literal["left", "right"] | None = None
    anchor: Target | None = None


class Clause(BaseModel):
    """One act: colour a foreground target (part colours) or a background area; teach what a selection
    is ("this is a cat") or forget it ("forget the cat"); or colour everything at once."""

    kind: Literal["foreground", "background", "teach", "forget", "everything"]
    target: Target | None = None  # foreground, teach and forget
    area: Literal["sky", "ground"] | None = None  # background only
    # part name -> colour. The category's main part (categories.main_part) holds a bare colour.
    colours: dict[str, Colour] = Field(default_factory=dict)


class ParsedInstruction(BaseModel):
    text: str
    clauses: list[Clause]


class InstructionError(ValueError):
    """The instruction cannot be understood; the message names the word or shape that failed.

    `unknown_object` is the word that stood where an object's name goes and matched none.
    """

    unknown_object: str | None = None
