"""Building one /v2/colorize request from a document: read-only, changes nothing.

Which layer is the line art (the active one; a mask means its layer; a colorization result means the
line art it belongs to), its pixels over the document's rect as PNG, the selection as a mask, and what
applying the answer will need to know (size, whether the line art is opaque, a grayscale conversion).
"""

from typing import Any, List, Optional, Tuple

from . import images
from .core import api, pixels
from .core.document import Document, Layer, color_space_name
from .core.errors import PluginError
from .core.record import Record
from .core.settings import Settings

OPAQUE_SHARE = 0.5  # a line-art layer this opaque hides whatever is under it (lines drawn on white)


class Request(object):
    """One request, ready to send, plus what applying its answer needs."""

    def __init__(
        self,
        doc: Document,
        instruction: str,
        line: Layer,
        image_png: bytes,
        mask_png: Optional[bytes],
        opaque: bool,
        convert_gray: bool,
        notes: List[str],
        taught: Optional[List[Any]] = None,
        parse: Any = None,
    ) -> None:
        self.doc = doc
        self.instruction = instruction
        self.line = line
        self.size = doc.size
        self.image_png = image_png
        self.mask_png = mask_png
        self.opaque = opaque
        self.convert_gray = convert_gray
        self.notes = notes
        self.taught = taught or []
        self.parse = parse

    @property
    def label(self) -> str:
        return "Colouring: %s" % self.instruction

    @property
    def route(self) -> str:
        return api.COLORIZE

    @property
    def body(self) -> bytes:
        return api.colorize_body(self.image_png, self.instruction, self.mask_png, self.taught, self.parse)


class ObjectsRequest(object):
    """What the backend sees in the line art (POST /v2/objects); the answer goes on an overlay."""

    def __init__(self, doc: Document, line: Layer, image_png: bytes, taught: List[Any]) -> None:
        self.doc = doc
        self.line = line
        self.size = doc.size
        self.image_png = image_png
        self.taught = taught

    label = "Looking at the sketch"
    route = api.OBJECTS

    @property
    def body(self) -> bytes:
        return api.objects_body(self.image_png, self.taught)


def sendable_taught(record: Record) -> List[Any]:
    """The taught objects as the backend handed them out (name, box and mask); an item from an older
    record without them would make the server refuse every request, so it stays home."""
    return [t for t in record.taught if t.get("category") and t.get("bbox") and t.get("mask")]


def clean_instruction(text: str) -> str:
    return " ".join((text or "").split())


def choose_line_art(doc: Document, record: Record, layer: Optional[Layer] = None) -> Layer:
    """The layer to send: the given or active one; for a mask its layer; for a result its line art."""
    layer = layer if layer is not None else doc.active_layer
    if layer is None:
        raise PluginError("Select your line-art layer in the Layers docker first.")
    if layer.id == record.overlay:
        raise PluginError("'%s' shows what the backend sees; select your line-art layer." % layer.name)
    if not layer.holds_pixels:  # a mask: use the layer it belongs to
        parent = layer.parent
        if parent is not None and parent.parent is not None:
            layer = parent
    owned = record.owned_ids()
    mine = [x for x in [layer] + layer.ancestors() if x.id in owned]
    if mine:
        line = doc.find(record.line_art_of(mine[0].id))
        if line is None:
            raise PluginError("The active layer is a colorization result; select your line-art layer.")
        return line
    if not layer.holds_pixels:
        raise PluginError(
            "The active layer '%s' is a %s; select your line-art layer." % (layer.name, layer.type)
        )
    return layer


def read_line_art(
    doc: Optional[Document], record: Record, layer: Optional[Layer]
) -> Tuple[Layer, bytes, str]:
    """(line art, its pixels over the document's rect as 8-bit BGRA, a note when converted)."""
    if doc is None or not doc.is_open:
        raise PluginError("Open a document with line art first.")
    line = choose_line_art(doc, record, layer)
    width, height = doc.size
    bgra, note = doc.read_bgra(line)
    if len(bgra) != width * height * 4:
        raise PluginError("Could not read the layer '%s' (got %d bytes)." % (line.name, len(bgra)))
    if pixels.is_blank(bgra) or pixels.is_uniform(bgra):
        raise PluginError("The layer '%s' is empty; select the layer with your line art." % line.name)
    return line, bgra, note


def build(
    doc: Optional[Document],
    instruction: str,
    settings: Settings,
    layer: Optional[Layer] = None,
    parse: Any = None,
) -> Request:
    """Everything for one request. Raises PluginError; modifies nothing."""
    if doc is None or not doc.is_open:
        raise PluginError("Open a document with line art first.")
    instruction = clean_instruction(instruction)
    if not instruction:
        raise PluginError("Type what to colour, e.g. 'the car is red with black windows'.")
    record = doc.load_record()
    model, depth = doc.color
    convert_gray = model == "GRAYA"
    if convert_gray and not settings.convert_gray:
        raise PluginError(
            "This document is %s, so colours would show as grey. Convert it to RGB (Image > "
            "Convert Image Color Space), or tick 'Convert grayscale documents to RGB' in the "
            "settings." % color_space_name(model, depth)
        )
    line, bgra, note = read_line_art(doc, record, layer)
    width, height = doc.size
    mask = doc.selection_mask()
    return Request(
        doc=doc,
        instruction=instruction,
        line=line,
        image_png=images.encode_bgra(bgra, width, height),
        mask_png=images.encode_gray(mask, width, height) if mask is not None else None,
        opaque=pixels.opaque_share(bgra) >= OPAQUE_SHARE,
        convert_gray=convert_gray,
        notes=[note] if note else [],
        taught=sendable_taught(record),
        parse=parse,
    )


def build_objects(doc: Optional[Document], layer: Optional[Layer] = None) -> ObjectsRequest:
    """The /v2/objects request for the document's line art. Raises PluginError; modifies nothing."""
    record = doc.load_record() if doc is not None and doc.is_open else Record()
    line, bgra, _note = read_line_art(doc, record, layer)
    assert doc is not None
    width, height = doc.size
    return ObjectsRequest(doc, line, images.encode_bgra(bgra, width, height), sendable_taught(record))
