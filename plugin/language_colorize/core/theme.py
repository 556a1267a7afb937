"""Themes: a document's instructions with their colours resolved, as a small JSON file (docs/themes.md).

The file is the backend's format (backend/service/theme.py): `{"format": "language-colorize-theme",
"version": 1, "name": ..., "instructions": [<parse>, ...]}`, each entry exactly the `parse` the backend
answered for one instruction (`text` and `clauses`, RGB included). Saving takes the parses kept in the
document's record; applying sends each instruction's text with its stored parse, in order.
Only colouring belongs in a theme: teaching, forgetting and colouring an unnamed selection ("make it
red") mean nothing on another page, so they are left out when saving and refused when loading.
"""

import json
import os
from typing import Any, Dict, List, Tuple

from .errors import PluginError
from .record import Record

FORMAT = "language-colorize-theme"
VERSION = 1
MAX_BYTES = 1 << 20
MAX_INSTRUCTIONS = 200
SUFFIX = ".theme.json"


def why_not_in_theme(parse: Any) -> str:
    """ "" when the parse belongs in a theme, else the reason in a few words."""
    if not isinstance(parse, dict) or not isinstance(parse.get("text"), str):
        return "the backend's parse of it is missing"
    clauses = parse.get("clauses")
    if not isinstance(clauses, list) or not clauses:
        return "it has nothing to colour"
    for clause in clauses:
        if not isinstance(clause, dict):
            return "its parse is broken"
        kind = clause.get("kind")
        if kind in ("teach", "forget"):
            return "it teaches or forgets an object"
        target = clause.get("target")
        if kind == "foreground" and not (isinstance(target, dict) and target.get("category")):
            return "it colours a selection without naming it"
    return ""


def from_record(record: Record, name: str = "") -> Tuple[Dict[str, Any], int]:
    """(the theme of the document's instructions, how many were left out)."""
    kept, left_out = [], 0
    for step in record.steps:
        if not step.parses and not step.learnt and not step.forgot:
            left_out += 1  # applied before the record kept parses
        for parse in step.parses:
            if why_not_in_theme(parse):
                left_out += 1
            else:
                kept.append(parse)
    return {"format": FORMAT, "version": VERSION, "name": name, "instructions": kept}, left_out


def dumps(theme: Dict[str, Any]) -> str:
    return json.dumps(theme, indent=1, ensure_ascii=False) + "\n"


def loads(raw: bytes, source: str = "the theme") -> Tuple[str, List[Tuple[str, Dict[str, Any]]]]:
    """(name, [(text, parse)]) of a theme file's bytes; raises PluginError with one sentence."""
    if len(raw) > MAX_BYTES:
        raise PluginError("%s is larger than 1 MB; a theme is a few KB." % source)
    try:
        data = json.loads(bytes(raw).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise PluginError("%s is not a theme (not JSON)." % source) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PluginError('%s is not a theme (no "format": "%s").' % (source, FORMAT))
    if data.get("version") != VERSION:
        raise PluginError(
            "%s has theme version %r; this plugin reads version %d." % (source, data.get("version"), VERSION)
        )
    items = data.get("instructions")
    if not isinstance(items, list) or not items:
        raise PluginError("%s has no instructions." % source)
    if len(items) > MAX_INSTRUCTIONS:
        raise PluginError("%s has %d instructions; the limit is %d." % (source, len(items), MAX_INSTRUCTIONS))
    out = []
    for number, parse in enumerate(items, 1):
        reason = why_not_in_theme(parse)
        if reason:
            raise PluginError("Instruction %d of %s cannot be applied: %s." % (number, source, reason))
        out.append((" ".join(parse["text"].split()), parse))
    return str(data.get("name") or ""), out


def write(path: str, theme: Dict[str, Any], left_out: int = 0) -> str:
    """Write the theme file; the sentence for the status line. Raises PluginError."""
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(dumps(theme))
    except OSError as exc:
        raise PluginError("Could not write %s: %s." % (path, exc.strerror or exc)) from None
    count = len(theme["instructions"])
    skipped = (
        " (left out %d that teach, forget or colour an unnamed selection)" % left_out if left_out else ""
    )
    return "Saved %d instruction%s to %s%s." % (count, "" if count == 1 else "s", path, skipped)


def read(path: str) -> Tuple[str, List[Tuple[str, Dict[str, Any]]]]:
    """(name, [(text, parse)]) of a theme file; its file name when it has no name. Raises PluginError."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise PluginError("Could not read %s: %s." % (path, exc.strerror or exc)) from None
    name, items = loads(raw, os.path.basename(path))
    return name or os.path.basename(path), items


class Progress(object):
    """A theme being applied to documents: what came of it, summed up in one sentence."""

    def __init__(self, name: str, documents: int, instructions: int) -> None:
        self.name = name
        self.documents = documents
        self.total = documents * instructions
        self.coloured = 0
        self.problems = []  # type: List[str]
        self.cancelled = False

    @property
    def title(self) -> str:
        """The merged step's name in the history."""
        count = self.total // max(self.documents, 1)
        return "Theme '%s' (%d instruction%s)" % (self.name or "unnamed", count, "" if count == 1 else "s")

    def summary(self) -> Tuple[str, bool]:
        """(sentence, whether everything went well)."""
        where = "%d documents" % self.documents if self.documents != 1 else "the document"
        text = "Applied '%s' to %s: %d of %d instructions coloured." % (
            self.name,
            where,
            self.coloured,
            self.total,
        )
        if self.cancelled:
            text += " Cancelled; the rest was not sent."
        if self.problems:
            text += " " + " ".join(self.problems)
        return text, not self.problems and not self.cancelled
