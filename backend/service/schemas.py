"""The v2 wire format: request and answer bodies, as pydantic models.

They are the contract of docs/API.md in code: the routes validate requests with them and publish
them in /openapi.json, so a client (and tests/test_fuzz_api.py) can check every answer and every
error against the same schema the server answers by.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from backend.language import ParsedInstruction

MAX_INSTRUCTION = 500


MAX_TAUGHT = 64  # objects taught to one document that a request may carry
MAX_NAME = 40


# Requests. Fields the server does not know are ignored rather than refused: a later optional field
# then reaches an older server without breaking it.


class TaughtObject(BaseModel):
    """An object the artist taught ("this is a cat" with a selection), as the server handed it out."""

    category: str = Field(min_length=1, max_length=MAX_NAME, description="the name taught, known or not")
    # A list, not a tuple: a tuple's JSON schema (prefixItems) defeats schema-driven fuzzing.
    bbox: list[int] = Field(min_length=4, max_length=4, description="x, y, w, h of the object on the image")
    mask: str = Field(description="base64 PNG, exactly w x h; non-zero = the object")


class ColorizeRequest(BaseModel):
    image: str = Field(description="base64 PNG (or JPEG, GIF, BMP, TIFF, WebP) of the line art")
    instruction: str = Field(max_length=MAX_INSTRUCTION)
    mask: str | None = Field(
        default=None, description="base64 PNG selection mask, same size; non-zero = selected"
    )
    parse: dict[str, Any] | None = Field(
        default=None,
        description="a theme's stored parse of `instruction` (docs/themes.md): used as it is, colours "
        "included, instead of parsing the text again",
    )
    taught: list[TaughtObject] = Field(
        default_factory=list,
        max_length=MAX_TAUGHT,
        description="what this document was taught: earlier answers' 'taught' items, less forgotten names",
    )


class ObjectsRequest(BaseModel):
    image: str = Field(description="base64 PNG of the line art, as for /v2/colorize")
    taught: list[TaughtObject] = Field(default_factory=list, max_length=MAX_TAUGHT)


class ParseRequest(BaseModel):
    instruction: str = Field(max_length=MAX_INSTRUCTION)


# Answers.


class Problem(BaseModel):
    status: Literal["error", "not_understood", "no_match"]
    message: str = Field(description="one plain sentence for the user")


class ProblemResponse(BaseModel):
    """Every 4xx and 5xx answer of the API, whatever went wrong."""

    detail: Problem


class LayerOut(BaseModel):
    key: str = Field(description="fg:<category>:<ids>, bg:sky, bg:ground or sel:<n>: the client's layer id")
    name: str
    kind: Literal["foreground", "background"]
    category: str | None
    instances: list[int]
    bbox: tuple[int, int, int, int] = Field(description="x, y, w, h on the image")
    png: str = Field(description="base64 RGBA PNG, exactly w x h")


class ColorizeResponse(BaseModel):
    status: Literal["ok"]
    message: str
    parse: ParsedInstruction
    width: int
    height: int
    layers: list[LayerOut]
    taught: list[TaughtObject] = Field(description="objects this instruction taught: the document keeps them")
    forget: list[str] = Field(description="names whose taught objects the document drops")
    timings: dict[str, float] = Field(description="seconds spent per stage, for diagnosis only")


class ObjectOut(BaseModel):
    category: str
    bbox: tuple[int, int, int, int]
    source: Literal["recognised", "taught"]


class Overlay(BaseModel):
    bbox: tuple[int, int, int, int] = Field(description="x, y, w, h on the image")
    png: str = Field(description="base64 RGBA PNG, exactly w x h: outlines and names")


class ObjectsResponse(BaseModel):
    """What the backend sees: the objects instructions can reach, and a layer that shows them."""

    objects: list[ObjectOut]
    inventory: str = Field(description="the objects in words, e.g. '3 trees, a house'")
    overlay: Overlay | None


class ParseResponse(BaseModel):
    status: Literal["ok"]
    parse: ParsedInstruction


class RecognizerInfo(BaseModel):
    name: str
    version: str


class HealthResponse(BaseModel):
    status: Literal["ok"]
    version: str
    device: str
    recognizer: RecognizerInfo


class VocabularyResponse(BaseModel):
    categories: list[str]
    background: list[str]
    parts: dict[str, list[str]]
    colours: list[str]


# What can go wrong on any route before it runs (see http_limits.Guard): a Host that is not this
# machine's (400), a missing token (401), and the ones of a body.
HEAD_ERRORS = (400, 401)
BODY_ERRORS = (408, 411, 413, 415, 503)


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: its documented error codes, all with the one problem body."""
    return {code: {"model": ProblemResponse} for code in sorted({*HEAD_ERRORS, *codes})}
