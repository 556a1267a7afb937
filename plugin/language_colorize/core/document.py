"""A thin wrapper over Krita's Document and Node: the only module that touches them.

Why a wrapper: Krita hands out a new Python object for the same layer on every call (compare by
unique id, never identity), a closed document answers None/0 instead of raising, unique ids are QUuids,
the tree lists children bottom to top and can only insert *above* a sibling. Those facts live here;
the rest of the plugin speaks of Document and Layer, and never sees a raw node or a uid string.
Everything below is checked against Krita 5.1 (see /work/shared/KRITA_NOTES.md and tests/fake_krita.py).
"""

from typing import Any, Iterator, List, Optional, Tuple

from . import pixels
from .errors import PluginError
from .record import ANNOTATION, DESCRIPTION, Record

SRGB = "sRGB-elle-V2-srgbtrc.icc"
PIXEL_LAYERS = ("paintlayer", "grouplayer", "vectorlayer", "filelayer", "clonelayer", "filllayer")
GROUP = "grouplayer"
_MODELS = {
    "RGBA": "RGB",
    "GRAYA": "Grayscale",
    "CMYKA": "CMYK",
    "LABA": "L*a*b*",
    "XYZA": "XYZ",
    "YCbCrA": "YCbCr",
}
_DEPTHS = {"U8": "8-bit", "U16": "16-bit", "F16": "16-bit float", "F32": "32-bit float"}


def color_space_name(model: str, depth: str) -> str:
    """'Grayscale 8-bit', as Krita's menus say it."""
    return "%s %s" % (_MODELS.get(model, model), _DEPTHS.get(depth, depth))


def _uid(node: Any) -> str:
    uid = node.uniqueId()
    return uid.toString() if hasattr(uid, "toString") else str(uid)


class Layer(object):
    """One node of a document, compared by Krita's unique id."""

    def __init__(self, doc: "Document", node: Any) -> None:
        self._doc = doc
        self._node = node
        self.id = _uid(node)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Layer) and other.id == self.id

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return "Layer(%r, %s)" % (self.name, self.type)

    # --- properties ------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self._node.name())

    @property
    def type(self) -> str:
        return str(self._node.type())

    @property
    def is_group(self) -> bool:
        return self.type == GROUP

    @property
    def holds_pixels(self) -> bool:
        """A layer (not a mask) whose pixels can be read."""
        return self.type in PIXEL_LAYERS

    @property
    def color(self) -> Tuple[str, str]:
        return str(self._node.colorModel()), str(self._node.colorDepth())

    @property
    def blending(self) -> str:
        return str(self._node.blendingMode())

    def set_blending(self, mode: str) -> None:
        self._node.setBlendingMode(mode)

    @property
    def visible(self) -> bool:
        return bool(self._node.visible())

    def set_visible(self, value: bool) -> None:
        self._node.setVisible(value)

    @property
    def locked(self) -> bool:
        return bool(self._node.locked())

    def set_locked(self, value: bool) -> None:
        self._node.setLocked(value)

    # --- tree ------------------------------------------------------------------------------------------
    @property
    def parent(self) -> Optional["Layer"]:
        node = self._node.parentNode()
        return Layer(self._doc, node) if node is not None else None

    @property
    def children(self) -> List["Layer"]:
        """Bottom to top, as Krita lists them."""
        return [Layer(self._doc, n) for n in (self._node.childNodes() or [])]

    def walk(self) -> Iterator["Layer"]:
        """Every layer under this one, depth first."""
        for child in self.children:
            yield child
            for sub in child.walk():
                yield sub

    def ancestors(self) -> List["Layer"]:
        out = []
        parent = self.parent
        while parent is not None:
            out.append(parent)
            parent = parent.parent
        return out

    def path(self) -> List[int]:
        """Child indices from the root (to find the same layer in a cloned document)."""
        path = []
        node = self
        parent = node.parent
        while parent is not None:
            path.append(parent.children.index(node))
            node, parent = parent, parent.parent
        return list(reversed(path))

    def add_on_top(self, child: "Layer") -> None:
        """Put a detached layer at the top of this group (one Krita undo step)."""
        self._node.addChildNode(child._node, None)
        self._doc.last_inserted = child

    def add_above(self, child: "Layer", sibling: "Layer") -> None:
        """Put a detached layer directly above `sibling`, a child of this group (one undo step)."""
        self._node.addChildNode(child._node, sibling._node)
        self._doc.last_inserted = child

    def add_below(self, child: "Layer", sibling: "Layer") -> bool:
        """Put a detached layer directly under `sibling`. Krita can only insert above a layer, so under
        the bottom-most one the new layer goes above it and `sibling` is moved up (same node: pixels and
        id kept). Returns True when `sibling` had to move."""
        kids = self.children
        index = kids.index(sibling)
        if index > 0:
            self.add_above(child, kids[index - 1])
            return False
        self.add_above(child, sibling)
        sibling.remove()
        self.add_above(sibling, child)
        return True

    def add_at_bottom(self, child: "Layer") -> None:
        kids = self.children
        if kids:
            self.add_below(child, kids[0])
        else:
            self.add_on_top(child)

    def remove(self) -> None:
        """Take the layer out of the document (one Krita undo step; the node itself lives on)."""
        self._node.remove()

    # --- pixels ----------------------------------------------------------------------------------------
    def _read(self, x: int, y: int, w: int, h: int) -> bytes:
        read = self._node.pixelData if self.type == "paintlayer" else self._node.projectionPixelData
        return bytes(read(x, y, w, h))

    def pixels(self, x: int, y: int, w: int, h: int) -> bytes:
        """Raw bytes in the layer's own colour space (tests and checks)."""
        return self._read(x, y, w, h)

    def bounds(self) -> Tuple[int, int, int, int]:
        """(x, y, w, h) of the layer's painted pixels; may start outside the canvas."""
        rect = self._node.bounds()
        return rect.x(), rect.y(), rect.width(), rect.height()


class Document(object):
    """One Krita document, and the plugin's record kept inside it."""

    def __init__(self, doc: Any) -> None:
        self._doc = doc
        # Krita with a window makes the last inserted layer active a moment later (see watch.py)
        self.last_inserted = None  # type: Optional[Layer]

    @classmethod
    def wrap(cls, doc: Any) -> Optional["Document"]:
        return cls(doc) if doc is not None else None

    def same_as(self, other: Optional["Document"]) -> bool:
        return other is not None and other._doc is self._doc

    # --- properties ------------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """False once Krita closed the document (its wrapper then answers None / 0)."""
        try:
            return self._doc.rootNode() is not None and self._doc.width() > 0
        except Exception:  # a wrapper whose document is gone
            return False

    @property
    def name(self) -> str:
        return str(self._doc.name())

    @property
    def title(self) -> str:
        """How the artist knows the document: its name, else its file's name."""
        path = str(self._doc.fileName() or "")
        return self.name or path.replace("\\", "/").rsplit("/", 1)[-1] or "Untitled"

    @property
    def size(self) -> Tuple[int, int]:
        return int(self._doc.width()), int(self._doc.height())

    @property
    def color(self) -> Tuple[str, str]:
        return str(self._doc.colorModel()), str(self._doc.colorDepth())

    @property
    def is_rgb8(self) -> bool:
        return self.color == pixels.RGBA_U8

    @property
    def root(self) -> Layer:
        return Layer(self, self._doc.rootNode())

    def layers(self) -> Iterator[Layer]:
        return self.root.walk()

    def find(self, layer_id: Optional[str]) -> Optional[Layer]:
        if not layer_id or not self.is_open:
            return None
        for layer in self.layers():
            if layer.id == layer_id:
                return layer
        return None

    def layer_ids(self) -> set:
        return set(layer.id for layer in self.layers())

    @property
    def active_layer(self) -> Optional[Layer]:
        if not self.is_open:
            return None
        node = self._doc.activeNode()
        return Layer(self, node) if node is not None else None

    def set_active(self, layer: Layer) -> None:
        self._doc.setActiveNode(layer._node)

    # --- new layers ------------------------------------------------------------------------------------
    def new_paint_layer(self, name: str, box: Tuple[int, int, int, int], bgra: bytes) -> Layer:
        """A detached paint layer holding `bgra` (8-bit BGRA) at `box`.

        In an RGB 8-bit document the pixels are written before the layer is added, so Krita's "add
        layer" undo step carries them (setPixelData itself is no undo step). Other documents get an
        RGB 8-bit layer, written after it is added (`finish_layer`)."""
        layer = Layer(self, self._doc.createNode(name, "paintlayer"))
        if self.is_rgb8:
            layer._node.setPixelData(bgra, box[0], box[1], box[2], box[3])
        return layer

    def finish_layer(self, layer: Layer, box: Tuple[int, int, int, int], bgra: bytes) -> None:
        if not self.is_rgb8:
            layer._node.setColorSpace("RGBA", "U8", SRGB)
            layer._node.setPixelData(bgra, box[0], box[1], box[2], box[3])

    def new_group(self, name: str) -> Layer:
        return Layer(self, self._doc.createGroupLayer(name))

    def refresh(self) -> None:
        self._doc.refreshProjection()

    # --- colour ----------------------------------------------------------------------------------------
    def convert_to_rgb8(self) -> None:
        """Krita's own (undoable) conversion of the whole image to RGB 8-bit."""
        self._doc.setColorSpace("RGBA", "U8", SRGB)
        self._doc.waitForDone()

    def read_bgra(self, layer: Layer) -> Tuple[bytes, str]:
        """The layer over the document's rect as 8-bit BGRA, and a note when a conversion was needed.

        Offsets and pixels outside the canvas do not matter: the document's rect is read. Other colour
        spaces are converted by Krita in a throw-away clone of the document."""
        width, height = self.size
        model, depth = layer.color
        if (model, depth) == pixels.RGBA_U8:
            return layer._read(0, 0, width, height), ""
        profile = str(layer._node.colorProfile()).lower()
        if (model, depth) == pixels.GRAYA_U8 and "g10" not in profile and "linear" not in profile:
            return pixels.graya_to_bgra(layer._read(0, 0, width, height)), ""
        name = color_space_name(model, depth)
        copy = self._doc.clone()
        if copy is None:
            raise PluginError(
                "This document is %s; convert it to RGB 8-bit (Image > Convert Image Color "
                "Space) and try again." % name
            )
        try:
            copy.setColorSpace("RGBA", "U8", SRGB)
            copy.waitForDone()
            twin = Document(copy).root
            for index in layer.path():
                kids = twin.children
                twin = kids[index] if index < len(kids) else None
                if twin is None:
                    break
            if twin is None or twin.color != pixels.RGBA_U8:
                raise PluginError(
                    "Could not read the %s layer '%s' as RGB; convert the image to RGB 8-bit "
                    "(Image > Convert Image Color Space) and try again." % (name, layer.name)
                )
            data = twin._read(0, 0, width, height)
        finally:
            copy.close()
        return data, "Sent an RGB 8-bit copy of the %s layer." % name

    def selection_mask(self) -> Optional[bytes]:
        """One byte per pixel over the document's rect, or None when nothing is selected."""
        selection = self._doc.selection()
        if selection is None:
            return None
        width, height = self.size
        return pixels.mask_from_selection(selection.pixelData(0, 0, width, height))

    # --- the plugin's record ---------------------------------------------------------------------------
    def load_record(self) -> Record:
        try:
            raw = self._doc.annotation(ANNOTATION)
        except Exception:  # a closed document or a Krita without annotations
            raw = b""
        return Record.from_bytes(bytes(raw) if raw is not None else b"")

    def save_record(self, record: Record) -> None:
        self._doc.setAnnotation(ANNOTATION, DESCRIPTION, record.to_bytes())
