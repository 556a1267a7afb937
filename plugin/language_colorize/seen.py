"""The "Show what I see" overlay: the backend's objects, outlined and named, on a layer of the plugin's own.

The overlay is one locked paint layer named "What I see" at the top of the document. The record names
it (`Record.overlay`), so it is never taken for line art or a result: it is in no step, so history and
"Undo last" never count it, and showing it again (after each instruction, since teaching changes what
the backend sees) replaces it. Hiding removes it.
"""

from typing import Optional

from . import images
from .core import api, errors, pixels
from .core.document import Document, Layer
from .core.errors import PluginError
from .request import ObjectsRequest

OVERLAY_NAME = "What I see"


def hide(doc: Optional[Document]) -> bool:
    """Remove the document's overlay; True when there was one."""
    if doc is None or not doc.is_open:
        return False
    record = doc.load_record()
    layer = doc.find(record.overlay)
    if not record.overlay:
        return False
    if layer is not None:
        layer.set_locked(False)
        layer.remove()
    record.overlay = ""
    doc.save_record(record)
    return layer is not None


def show(request: ObjectsRequest, result: api.ObjectsResult) -> Optional[Layer]:
    """Put the answer's overlay at the top of the document (replacing an earlier one); returns the new
    layer, None when the backend drew nothing. Raises PluginError before changing anything."""
    doc = request.doc
    if not doc.is_open:
        raise PluginError("The document was closed before the backend answered; nothing was changed.")
    if doc.size != request.size:
        raise PluginError("The image was resized while the backend worked; nothing was changed. Try again.")
    drawn = None
    if result.overlay_bbox is not None:
        x, y, w, h = result.overlay_bbox
        pw, ph, bgra = images.decode_to_bgra(result.overlay_png, "'%s'" % OVERLAY_NAME)
        if (pw, ph) != (w, h):
            raise PluginError(
                "The backend sent a %dx%d image of what it sees, whose box is %dx%d." % (pw, ph, w, h),
                errors.PROTOCOL,
            )
        clipped = pixels.clip_to_canvas(result.overlay_bbox, doc.size[0], doc.size[1])
        if clipped is not None:
            box, (ox, oy) = clipped
            drawn = (box, pixels.crop(bgra, w, h, 4, ox, oy, box[2], box[3]))
    hide(doc)
    if drawn is None:
        return None
    box, bgra = drawn
    doc.last_inserted = None
    layer = doc.new_paint_layer(OVERLAY_NAME, box, bgra)
    doc.root.add_on_top(layer)
    doc.finish_layer(layer, box, bgra)
    layer.set_locked(True)
    record = doc.load_record()
    record.overlay = layer.id
    doc.save_record(record)
    return layer
