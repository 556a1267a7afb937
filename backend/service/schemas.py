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


# Requests. Fields the server does not know are ignored rather than refused: a later optional field
# (the objects a user taught, "taught": [...], sent with each request) then reaches an older server
# without breaking it; GET /v2/health will list such features once they exist.


class ColorizeRequest(BaseModel):
    image: str = Field(description="base64 PNG (or JPEG, GIF, BMP, TIFF, WebP) of the line art")
    instruction: str = Field(max_length=MAX_INSTRUCTION)
    mask: str | None = Field(
        default=None, description="base64 PNG selection mask, same size; non-zero = selected"
    )


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
    timings: dict[str, float] = Field(description="seconds spent per stage, for diagnosis only")


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
