"""Themes: the instructions of a document, parsed and with their colours resolved, as a small JSON file.

A theme is what lets a chapter look the same on every page: it stores each instruction's parse (the
`ParsedInstruction` the parser made, RGB values included), and applying a theme validates that parse
back into a `ParsedInstruction` instead of parsing the text again. So a theme saved today paints the
same RGB after the colour table or the parser changes. The format is documented in docs/themes.md so
that the Krita plugin reads and writes it with the standard library's json alone.

Only colouring instructions belong in a theme (objects, sky and ground, colour everything): teaching,
forgetting and "make it red" depend on one page's selection and mean nothing on another page.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from backend.language import InstructionError, ParsedInstruction, parse_instruction

from .files import write_file

FORMAT = "language-colorize-theme"
VERSION = 1
# A theme is a few kilobytes; the limits keep a wrong file (a sketch given as --theme) from being
# read whole or validated for minutes.
MAX_THEME_BYTES = 1 << 20
MAX_INSTRUCTIONS = 200
_RGB_LINES = re.compile(r"\[\s*(\d+),\s*(\d+),\s*(\d+)\s*\]")


class ThemeError(ValueError):
    """The theme cannot be used; the message is one sentence naming the file and what is wrong."""


class Theme(BaseModel):
    """The file's content. Keys other than these are ignored at the top level (room for the plugin's
    own notes) but refused inside an instruction, where a misspelt key would silently drop a colour."""

    format: Literal["language-colorize-theme"] = FORMAT
    version: Literal[1] = VERSION
    name: str = Field(default="", max_length=200)
    instructions: list[ParsedInstruction] = Field(default_factory=list)


def theme_from_texts(texts: Iterable[str], name: str = "") -> Theme:
    """Parses each instruction once; an instruction that is not understood, or that needs a
    selection, is an error here, before any page is coloured."""
    parsed = []
    for i, text in enumerate(texts, start=1):
        try:
            parsed.append(parse_instruction(text))
        except InstructionError as exc:
            raise ThemeError(f"instruction {i} ({text!r}) is not understood: {exc}") from None
    return theme_from_parses(parsed, name)


def theme_from_parses(parses: Sequence[ParsedInstruction], name: str = "") -> Theme:
    """A theme of instructions already parsed (what the server answered for a document's steps)."""
    for i, parsed in enumerate(parses, start=1):
        _check_parse(parsed, f"theme: instruction {i}")
    return Theme(name=name, instructions=list(parses))


def loads_theme(text: str | bytes, source: str = "theme") -> Theme:
    """Validates a theme's JSON; `source` names it in the error (the file's path)."""
    if len(text) > MAX_THEME_BYTES:
        raise ThemeError(f"{source} is larger than {MAX_THEME_BYTES >> 10} KB; a theme is a few KB")
    try:
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ThemeError(f"{source} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ThemeError(f'{source} is not a theme (no "format": "{FORMAT}")')
    version = data.get("version")
    if version != VERSION:
        hint = " (made by a newer version: update the backend)" if isinstance(version, int) else ""
        raise ThemeError(f"{source} has theme version {version!r}; this backend reads {VERSION}{hint}")
    items = data.get("instructions", [])
    if not isinstance(items, list):
        raise ThemeError(f"{source}: instructions must be a list")
    if len(items) > MAX_INSTRUCTIONS:
        raise ThemeError(f"{source} has {len(items)} instructions; the limit is {MAX_INSTRUCTIONS}")
    parses = [stored_parse(raw, f"{source}: instruction {i}") for i, raw in enumerate(items, start=1)]
    try:
        theme = Theme.model_validate({**data, "instructions": []})
    except ValidationError as exc:
        raise ThemeError(f"{source}: {_first_error(exc)}") from None
    theme.instructions = parses
    return theme


def stored_parse(raw: Any, where: str = "parse") -> ParsedInstruction:
    """One stored parse validated back into a ParsedInstruction, never parsed again from its text:
    a theme's entry, or the parse a client sends beside its instruction (the plugin applying a
    theme over HTTP). Raises ThemeError with one sentence starting with `where`."""
    try:
        parsed = ParsedInstruction.model_validate(raw)
    except ValidationError as exc:
        raise ThemeError(f"{where}: {_first_error(exc)}") from None
    if unknown := _unknown_keys(raw, parsed.model_dump(mode="json")):
        raise ThemeError(f"{where} has unknown key {unknown!r}")
    _check_parse(parsed, where)
    return parsed


def load_theme(path: str | os.PathLike[str]) -> Theme:
    """Reads and validates a theme file; every failure is a ThemeError with one sentence."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_THEME_BYTES + 1)
    except OSError as exc:
        raise ThemeError(f"cannot read theme {path}: {exc.strerror or exc}") from None
    return loads_theme(data, str(path))


def dumps_theme(theme: Theme) -> str:
    """The theme's JSON, indented so that it diffs and reads well in a studio's version control
    (an RGB triple on one line)."""
    text = json.dumps(theme.model_dump(mode="json"), indent=1, ensure_ascii=False)
    return _RGB_LINES.sub(lambda m: "[" + ", ".join(m.groups()) + "]", text) + "\n"


def save_theme(theme: Theme, path: str | os.PathLike[str]) -> None:
    """Writes the theme under a temporary name and renames it: a reader never sees half a theme."""
    write_file(Path(path), dumps_theme(theme).encode("utf-8"))


def _check_parse(parsed: ParsedInstruction, where: str) -> None:
    """What the schema cannot say: each clause colours something on any page, with real RGB."""
    where = f"{where} ({parsed.text!r})"
    if not parsed.clauses:
        raise ThemeError(f"{where} has no clauses")
    for clause in parsed.clauses:
        if clause.kind in ("teach", "forget"):
            raise ThemeError(f"{where} teaches or forgets an object; a theme holds colouring only")
        if clause.kind == "foreground" and (clause.target is None or clause.target.category is None):
            raise ThemeError(f"{where} colours a selection; a theme names what it colours")
        if clause.kind == "background" and clause.area is None:
            raise ThemeError(f"{where} colours the background without saying sky or ground")
        if clause.kind != "everything" and not clause.colours:
            raise ThemeError(f"{where} has a clause without colours")
        for part, colour in clause.colours.items():
            if not all(0 <= c <= 255 for c in colour.rgb):
                raise ThemeError(f"{where}: {part} has RGB {list(colour.rgb)} outside 0-255")


def _unknown_keys(raw: Any, known: Any, path: str = "") -> str | None:
    """The first key of `raw` that validation dropped (absent from the model's dump), as a dotted path."""
    if isinstance(raw, dict) and isinstance(known, dict):
        for key, value in raw.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in known:
                return where
            if found := _unknown_keys(value, known[key], where):
                return found
    elif isinstance(raw, list) and isinstance(known, list):
        for i, (value, kept) in enumerate(zip(raw, known, strict=False)):
            if found := _unknown_keys(value, kept, f"{path}[{i}]"):
                return found
    return None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {err['msg']}{more}"
