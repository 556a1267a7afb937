"""A runnable stand-in for the parts of Krita's Python API the plugin uses.

It follows what real Krita 5.1 does (checked with kritarunner, see tests/krita_scripts/): documents
with a layer tree whose `childNodes()` run bottom to top; `addChildNode(new, above)` puts `new` right
above `above` (top when None); new Python wrapper objects on every call (so code must compare unique
ids, not identity); pixel data as bytes in the layer's colour space (8-bit RGBA = B, G, R, A; 8-bit
grey = grey, alpha), readable over any rectangle, transparent outside what was written; selections with
one byte per pixel; annotations; `setPixelData` with no undo step while adding/removing layers,
converting colour spaces and blending-mode changes are undo steps (recorded in `doc.undo_log`), and
`setVisible` is not (like Krita 5.1's).
A closed document answers None / 0 like Krita's wrapper of a deleted document.

Like Krita with a window, a document whose `window` is set makes the newest inserted layer the active
one *later*, not during addChildNode: insertions are collected and, `ACTIVATION_DELAY_MS` after the
last one, the last inserted layer becomes active (Krita's layers model does this from its event loop,
later on a busy machine). Tests set `fake_krita.schedule` to a timer function (e.g. QTimer.singleShot);
without one, or in kritarunner-like documents (`window` False), the active layer never moves by itself.
"""

import itertools
import struct
import uuid

PIXEL_SIZE = {
    ("RGBA", "U8"): 4,
    ("RGBA", "U16"): 8,
    ("RGBA", "F16"): 8,
    ("RGBA", "F32"): 16,
    ("GRAYA", "U8"): 2,
    ("GRAYA", "U16"): 4,
    ("CMYKA", "U8"): 5,
}
DEFAULT_PROFILE = {
    ("RGBA", "U8"): "sRGB-elle-V2-srgbtrc.icc",
    ("RGBA", "U16"): "sRGB-elle-V2-g10.icc",
    ("RGBA", "F16"): "sRGB-elle-V2-g10.icc",
    ("RGBA", "F32"): "sRGB-elle-V2-g10.icc",
    ("GRAYA", "U8"): "Gray-D50-elle-V2-srgbtrc.icc",
    ("GRAYA", "U16"): "Gray-D50-elle-V2-g10.icc",
    ("CMYKA", "U8"): "Chemical proof",
}


class QRect:
    def __init__(self, x=0, y=0, w=0, h=0):
        self._r = (x, y, w, h)

    def x(self):
        return self._r[0]

    def y(self):
        return self._r[1]

    def width(self):
        return self._r[2]

    def height(self):
        return self._r[3]

    def isEmpty(self):
        return self._r[2] <= 0 or self._r[3] <= 0

    def __repr__(self):
        return f"QRect{self._r!r}"


class QUuid:
    def __init__(self, value=None):
        self._value = value or uuid.uuid4()

    def toString(self):
        return f"{{{self._value}}}"

    def __eq__(self, other):
        return isinstance(other, QUuid) and other._value == self._value

    def __hash__(self):
        return hash(self._value)


# --- pixel storage -----------------------------------------------------------------------------------


class PaintDevice:
    """Pixels over an unbounded plane: a stored window that grows as needed, zeros elsewhere."""

    def __init__(self, pixel_size):
        self.pixel_size = pixel_size
        self.x = self.y = self.w = self.h = 0
        self.data = bytearray()

    def copy(self):
        dev = PaintDevice(self.pixel_size)
        dev.x, dev.y, dev.w, dev.h, dev.data = self.x, self.y, self.w, self.h, bytearray(self.data)
        return dev

    def _grow(self, x, y, w, h):
        if self.w == 0:
            nx, ny, nx1, ny1 = x, y, x + w, y + h
        else:
            nx, ny = min(self.x, x), min(self.y, y)
            nx1, ny1 = max(self.x + self.w, x + w), max(self.y + self.h, y + h)
        if (nx, ny, nx1 - nx, ny1 - ny) == (self.x, self.y, self.w, self.h):
            return
        old = self.read(nx, ny, nx1 - nx, ny1 - ny)
        self.x, self.y, self.w, self.h, self.data = nx, ny, nx1 - nx, ny1 - ny, bytearray(old)

    def read(self, x, y, w, h):
        ps = self.pixel_size
        out = bytearray(w * h * ps)
        x0, y0 = max(x, self.x), max(y, self.y)
        x1, y1 = min(x + w, self.x + self.w), min(y + h, self.y + self.h)
        if x1 > x0 and y1 > y0:
            for row in range(y0, y1):
                src = ((row - self.y) * self.w + (x0 - self.x)) * ps
                dst = ((row - y) * w + (x0 - x)) * ps
                out[dst : dst + (x1 - x0) * ps] = self.data[src : src + (x1 - x0) * ps]
        return bytes(out)

    def write(self, data, x, y, w, h):
        ps = self.pixel_size
        data = bytes(data)
        if len(data) < w * h * ps:
            return False
        self._grow(x, y, w, h)
        for row in range(h):
            dst = ((y + row - self.y) * self.w + (x - self.x)) * ps
            self.data[dst : dst + w * ps] = data[row * w * ps : (row + 1) * w * ps]
        return True

    def exact_bounds(self):
        """The smallest rect holding non-transparent pixels (alpha is the last channel)."""
        ps = self.pixel_size
        xs, ys = [], []
        for row in range(self.h):
            for col in range(self.w):
                start = (row * self.w + col) * ps
                if any(self.data[start + ps - (ps // 4 if ps >= 8 else 1) : start + ps]):
                    xs.append(col)
                    ys.append(row)
        if not xs:
            return QRect()
        return QRect(self.x + min(xs), self.y + min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def convert_pixels(data, src, dst):
    """Colour-space conversion good enough for tests: exact for grey->RGB 8-bit and 8<->16 bit."""
    if src == dst:
        return bytes(data)
    data = bytes(data)
    # to 8-bit BGRA first
    if src == ("RGBA", "U8"):
        bgra = data
    elif src == ("GRAYA", "U8"):
        n = len(data) // 2
        out = bytearray(n * 4)
        out[0::4] = out[1::4] = out[2::4] = data[0::2]
        out[3::4] = data[1::2]
        bgra = bytes(out)
    elif src == ("RGBA", "U16"):
        bgra = data[1::2]
    elif src == ("RGBA", "F32"):
        vals = struct.unpack(f"<{len(data) // 4}f", data)
        rgba = bytes(max(0, min(255, int(round(v * 255)))) for v in vals)
        out = bytearray(rgba)
        out[0::4], out[2::4] = rgba[2::4], rgba[0::4]
        bgra = bytes(out)
    else:
        raise NotImplementedError(f"fake conversion {src!r} -> {dst!r}")
    if dst == ("RGBA", "U8"):
        return bgra
    if dst == ("RGBA", "U16"):
        out = bytearray(len(bgra) * 2)
        out[0::2] = bgra
        out[1::2] = bgra
        return bytes(out)
    if dst == ("RGBA", "F32"):
        rgba = bytearray(bgra)
        rgba[0::4], rgba[2::4] = bgra[2::4], bgra[0::4]
        return struct.pack(f"<{len(rgba)}f", *[v / 255.0 for v in rgba])
    if dst == ("GRAYA", "U8"):
        out = bytearray(len(bgra) // 2)
        out[0::2] = bytes(
            (b + g + r) // 3 for b, g, r in zip(bgra[0::4], bgra[1::4], bgra[2::4], strict=False)
        )
        out[1::2] = bgra[3::4]
        return bytes(out)
    raise NotImplementedError(f"fake conversion {src!r} -> {dst!r}")


def composite_over(dst, src, opacity=255):
    """Normal blending of BGRA src over BGRA dst (both bytes of equal length)."""
    out = bytearray(dst)
    for i in range(0, len(src), 4):
        a = src[i + 3] * opacity // 255
        if a == 0:
            continue
        if a == 255:
            out[i : i + 4] = src[i : i + 4]
            continue
        da = out[i + 3]
        oa = a + da * (255 - a) // 255
        for c in range(3):
            out[i + c] = (src[i + c] * a + out[i + c] * da * (255 - a) // 255) // max(oa, 1)
        out[i + 3] = oa
    return bytes(out)


# --- nodes -------------------------------------------------------------------------------------------

_ids = itertools.count(1)

ACTIVATION_DELAY_MS = 150
schedule = None  # (delay_ms, callback) -> None; set by tests that run an event loop


class _NodeImpl:
    def __init__(self, doc, name, kind, color=("RGBA", "U8"), profile=None):
        self.doc = doc
        self.name = name
        self.kind = kind
        self.uid = QUuid()
        self.serial = next(_ids)
        self.children = []
        self.parent = None
        self.color = color
        self.profile = profile or DEFAULT_PROFILE.get(color, "")
        self.device = PaintDevice(PIXEL_SIZE[color]) if kind == "paintlayer" else None
        self.blending = "normal"
        self.opacity = 255
        self.visible = True
        self.locked = False

    def clone_into(self, doc):
        twin = _NodeImpl(doc, self.name, self.kind, self.color, self.profile)
        twin.uid = self.uid
        twin.blending, twin.opacity, twin.visible = self.blending, self.opacity, self.visible
        if self.device is not None:
            twin.device = self.device.copy()
        for child in self.children:
            sub = child.clone_into(doc)
            sub.parent = twin
            twin.children.append(sub)
        return twin


class Node:
    """A fresh wrapper per call, like PyQt's wrappers of Krita nodes."""

    def __init__(self, impl):
        self._impl = impl

    def __eq__(self, other):
        return isinstance(other, Node) and other._impl is self._impl

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None

    def __repr__(self):
        return f"<fake Node {self._impl.name!r} {self._impl.kind}>"

    # identity and properties
    def uniqueId(self):
        return self._impl.uid

    def name(self):
        return self._impl.name

    def setName(self, name):
        self._impl.name = name

    def type(self):
        return self._impl.kind

    def colorModel(self):
        return self._impl.color[0]

    def colorDepth(self):
        return self._impl.color[1]

    def colorProfile(self):
        return self._impl.profile

    def blendingMode(self):
        return self._impl.blending

    def setBlendingMode(self, mode):
        impl, old = self._impl, self._impl.blending
        impl.doc._undoable("blend", impl.name, mode)
        impl.doc._undo_stack.append(lambda: setattr(impl, "blending", old))
        impl.blending = mode

    def opacity(self):
        return self._impl.opacity

    def setOpacity(self, value):
        self._impl.opacity = value

    def visible(self):
        return self._impl.visible

    def setVisible(self, value):
        # Krita 5.1 records no undo step for this (checked under Xvfb: Ctrl+Z skips it)
        if self._impl.parent is not None:
            self._impl.doc.undo_log.append(("visible-no-undo", self._impl.name, bool(value)))
        self._impl.visible = bool(value)

    def locked(self):
        return self._impl.locked

    def setLocked(self, value):
        self._impl.locked = value

    # tree
    def parentNode(self):
        return Node(self._impl.parent) if self._impl.parent is not None else None

    def childNodes(self):
        return [Node(child) for child in self._impl.children]

    def addChildNode(self, child, above):
        impl, c = self._impl, child._impl
        if c.parent is not None:
            raise AssertionError(f"fake: node {c.name!r} already has a parent")
        if above is None:
            impl.children.append(c)
        else:
            index = impl.children.index(above._impl)
            impl.children.insert(index + 1, c)
        c.parent = impl
        impl.doc._attach(c)
        impl.doc._undoable("add", c.name, impl.name)
        impl.doc._undo_stack.append(lambda: (impl.children.remove(c), setattr(c, "parent", None)))
        impl.doc._activate_later(c)
        return True

    def remove(self):
        impl = self._impl
        if impl.parent is None:
            return False
        impl.doc._undoable("remove", impl.name, impl.parent.name)
        parent, index = impl.parent, impl.parent.children.index(impl)
        parent.children.remove(impl)
        impl.parent = None
        impl.doc._undo_stack.append(
            lambda: (parent.children.insert(index, impl), setattr(impl, "parent", parent))
        )
        return True

    def removeChildNode(self, child):
        return child.remove()

    # pixels
    def bounds(self):
        if self._impl.device is None:
            return QRect()
        return self._impl.device.exact_bounds()

    def pixelData(self, x, y, w, h):
        if self._impl.device is None:
            return b""
        return self._impl.device.read(x, y, w, h)

    def setPixelData(self, data, x, y, w, h):
        impl = self._impl
        if impl.device is None:
            return False
        if impl.parent is not None:
            impl.doc.undo_log.append(("pixels-no-undo", impl.name))
        return impl.device.write(data, x, y, w, h)

    def projectionPixelData(self, x, y, w, h):
        impl = self._impl
        if impl.device is not None:
            return impl.device.read(x, y, w, h)
        out = bytes(w * h * 4)
        for child in impl.children:
            if not child.visible or child.kind not in ("paintlayer", "grouplayer"):
                continue
            data = Node(child).projectionPixelData(x, y, w, h)
            data = convert_pixels(
                data, child.color if child.kind == "paintlayer" else ("RGBA", "U8"), ("RGBA", "U8")
            )
            out = composite_over(out, data, child.opacity)
        return out

    def setColorSpace(self, model, depth, profile):
        impl = self._impl
        dst = (model, depth)
        if impl.device is not None:
            dev = impl.device
            new = PaintDevice(PIXEL_SIZE[dst])
            if dev.w:
                new.write(convert_pixels(dev.data, impl.color, dst), dev.x, dev.y, dev.w, dev.h)
            impl.device = new
        impl.color, impl.profile = dst, profile
        impl.doc._undoable("layer-colorspace", impl.name, "{}/{}".format(*dst))
        impl.doc._undo_stack.append(lambda: None)
        return True


class Selection:
    def __init__(self, width, height, data=None):
        self._w, self._h = width, height
        self._data = bytearray(data if data is not None else bytes(width * height))

    def select(self, x, y, w, h, value):
        for row in range(y, y + h):
            for col in range(x, x + w):
                if 0 <= row < self._h and 0 <= col < self._w:
                    self._data[row * self._w + col] = value

    def x(self):
        return 0

    def y(self):
        return 0

    def width(self):
        return self._w

    def height(self):
        return self._h

    def pixelData(self, x, y, w, h):
        out = bytearray(w * h)
        for row in range(h):
            for col in range(w):
                sx, sy = x + col, y + row
                if 0 <= sx < self._w and 0 <= sy < self._h:
                    out[row * w + col] = self._data[sy * self._w + sx]
        return bytes(out)


class Document:
    def __init__(
        self, width, height, name="Untitled", model="RGBA", depth="U8", profile=None, background=True
    ):
        self._open = True
        self._w, self._h = width, height
        self._name = name
        self._color = (model, depth)
        self._profile = profile or DEFAULT_PROFILE.get(self._color, "")
        self._root = _NodeImpl(self, "root", "grouplayer", self._color, self._profile)
        self._active = None
        self._selection = None
        self._annotations = {}
        self.undo_log = []  # ("add"|"remove"|"blend"|"colorspace"|..., details); "*-no-undo": not undoable
        self.closed_clones = 0
        self.window = False  # True: behaves like a document shown in Krita's window (see module doc)
        self._activation_token = None
        self._undo_stack = []  # how to take back each structural undo step (adding, removing layers)
        if background:
            bg = _NodeImpl(self, "Background", "paintlayer", self._color, self._profile)
            bg.parent = self._root
            self._root.children.append(bg)
            self._active = bg

    def _undoable(self, *entry):
        self.undo_log.append(entry)

    def undo(self):
        """Krita's Edit > Undo for the steps the fake can take back (adding and removing layers)."""
        if not self._undo_stack:
            return False
        self._undo_stack.pop()()
        return True

    def _activate_later(self, impl):
        """Krita with a window: the newest inserted layer becomes active a moment after the insert."""
        if not self.window or schedule is None:
            return
        token = object()
        self._activation_token = token

        def activate():
            if self._activation_token is token and self._open and impl.parent is not None:
                self._active = impl

        schedule(ACTIVATION_DELAY_MS, activate)

    def _attach(self, impl):
        impl.doc = self
        for child in impl.children:
            self._attach(child)

    # document properties
    def width(self):
        return self._w if self._open else 0

    def height(self):
        return self._h if self._open else 0

    def name(self):
        return self._name

    def fileName(self):
        return ""

    def colorModel(self):
        return self._color[0]

    def colorDepth(self):
        return self._color[1]

    def colorProfile(self):
        return self._profile

    def rootNode(self):
        return Node(self._root) if self._open else None

    def topLevelNodes(self):
        return Node(self._root).childNodes()

    def activeNode(self):
        return Node(self._active) if self._open and self._active is not None else None

    def setActiveNode(self, node):
        self._active = node._impl

    def selection(self):
        return self._selection

    def setSelection(self, selection):
        self._selection = selection

    # layers
    def createNode(self, name, kind):
        return Node(_NodeImpl(self, name, kind, self._color, self._profile))

    def createGroupLayer(self, name):
        return Node(_NodeImpl(self, name, "grouplayer", self._color, self._profile))

    # annotations
    def annotation(self, kind):
        return self._annotations.get(kind, (None, b""))[1]

    def annotationDescription(self, kind):
        return self._annotations.get(kind, ("", b""))[0]

    def annotationTypes(self):
        return list(self._annotations)

    def setAnnotation(self, kind, description, data):
        self._annotations[kind] = (description, bytes(data))

    def removeAnnotation(self, kind):
        self._annotations.pop(kind, None)

    # colour spaces
    def setColorSpace(self, model, depth, profile):
        dst = (model, depth)
        for impl in self._all():
            if impl.device is not None and impl.device.w:
                dev = impl.device
                new = PaintDevice(PIXEL_SIZE[dst])
                new.write(convert_pixels(dev.data, impl.color, dst), dev.x, dev.y, dev.w, dev.h)
                impl.device = new
            elif impl.device is not None:
                impl.device = PaintDevice(PIXEL_SIZE[dst])
            impl.color, impl.profile = dst, profile
        self._color, self._profile = dst, profile
        self._undoable("colorspace", "{}/{}".format(*dst))
        self._undo_stack.append(lambda: None)  # a step of its own; the fake does not convert back
        return True

    def _all(self):
        stack = [self._root]
        while stack:
            impl = stack.pop()
            yield impl
            stack.extend(impl.children)

    def waitForDone(self):
        pass

    def refreshProjection(self):
        pass

    def setBatchmode(self, value):
        pass

    def clone(self):
        twin = Document(
            self._w,
            self._h,
            self._name + " (clone)",
            self._color[0],
            self._color[1],
            self._profile,
            background=False,
        )
        twin._root = self._root.clone_into(twin)
        twin._closed_hook = self
        return twin

    def close(self):
        self._open = False
        hook = getattr(self, "_closed_hook", None)
        if hook is not None:
            hook.closed_clones += 1
        return True

    # helpers for tests (not Krita API)
    def layer_names(self, node=None):
        """Names bottom to top, groups as (name, [children])."""
        node = node or Node(self._root)
        out = []
        for child in node.childNodes():
            if child.type() == "grouplayer":
                out.append((child.name(), self.layer_names(child)))
            else:
                out.append(child.name())
        return out

    def find(self, name):
        for impl in self._all():
            if impl.name == name and impl is not self._root:
                return Node(impl)
        return None


class Krita:
    """Krita.instance(): settings and documents."""

    _instance = None

    def __init__(self):
        self.settings = {}
        self._documents = []
        self._active = None

    @classmethod
    def instance(cls):
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def readSetting(self, group, key, default):
        return self.settings.get((group, key), default)

    def writeSetting(self, group, key, value):
        self.settings[(group, key)] = value

    def documents(self):
        return [d for d in self._documents if d._open]

    def activeDocument(self):
        return self._active if self._active is not None and self._active._open else None

    def createDocument(self, width, height, name, model, depth, profile, resolution):
        doc = Document(width, height, name, model, depth, profile or None)
        self._documents.append(doc)
        self._active = doc
        return doc
