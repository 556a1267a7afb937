"""Turning a /v2/colorize answer into layers of the document.

Everything that can be checked is checked before the document changes (still open, same size, line
art still there, every image readable and of its box's size), so a bad answer changes nothing. Then
only the plugin's own layers change: a new layer per result; a result whose key already has a layer
of this line art goes directly above that layer, which then moves into the hidden "Replaced" group
(kept, so "Undo last" can put it back, even after reopening the .kra; see placement.py). The step goes
into the document's record.
"""

from typing import List, Optional, Tuple

from . import images, placement
from .core import api, errors, pixels
from .core.document import Document, Layer
from .core.errors import PluginError
from .core.record import LayerInfo, Record, new_step
from .core.report import Report
from .core.settings import Settings
from .request import Request

Box = Tuple[int, int, int, int]


class Applied(object):
    """The report for the artist, the layers added, and the last layer inserted into the document
    (Krita makes that one active a moment later; the controller then restores the artist's layer)."""

    def __init__(self, report: Report, added: List[Layer], last_inserted: Optional[Layer] = None) -> None:
        self.report = report
        self.added = added
        self.last_inserted = last_inserted


def check_still_valid(request: Request) -> Layer:
    doc = request.doc
    if not doc.is_open:
        raise PluginError("The document was closed before the backend answered; nothing was changed.")
    if doc.size != request.size:
        raise PluginError("The image was resized while the backend worked; nothing was changed. Try again.")
    line = doc.find(request.line.id)
    if line is None:
        raise PluginError(
            "The layer '%s' was removed while the backend worked; nothing was changed." % request.line.name
        )
    return line


def decode_layers(
    result: api.ColorizeResult, size: Tuple[int, int]
) -> List[Tuple[api.LayerResult, Box, bytes]]:
    """[(layer, box clipped to the canvas, BGRA)]; raises before anything changes."""
    width, height = size
    if result.width and result.height and (result.width, result.height) != size:
        raise PluginError(
            "The backend answered for a %dx%d image; this one is %dx%d."
            % (result.width, result.height, width, height),
            errors.PROTOCOL,
        )
    out = []
    for layer in result.layers:
        x, y, w, h = layer.bbox
        if w <= 0 or h <= 0:
            continue
        pw, ph, bgra = images.decode_to_bgra(layer.png, "'%s'" % layer.name)
        if (pw, ph) != (w, h):
            raise PluginError(
                "The backend sent a %dx%d image for '%s', whose box is %dx%d." % (pw, ph, layer.name, w, h),
                errors.PROTOCOL,
            )
        clipped = pixels.clip_to_canvas(layer.bbox, width, height)
        if clipped is None:
            continue
        box, (ox, oy) = clipped
        out.append((layer, box, pixels.crop(bgra, w, h, 4, ox, oy, box[2], box[3])))
    return out


def current_layer(doc: Document, record: Record, line: Layer, key: str) -> Optional[Layer]:
    """The newest layer of `key` in the document and not replaced, or None."""
    for info in reversed(record.versions(line.id, key)):
        layer = doc.find(info.layer_id)
        if layer is not None and not placement.is_stored(record, layer):
            return layer
    return None


def apply(request: Request, result: api.ColorizeResult, settings: Settings) -> Applied:
    """Add the answer's layers. Raises PluginError before changing anything."""
    line = check_still_valid(request)
    decoded = decode_layers(result, request.size)
    doc = request.doc
    report = Report(result.message)
    report.notes.extend(request.notes)
    record = doc.load_record()
    learnt, dropped = record.learn(result.taught, result.forget)
    if not decoded and not learnt and not dropped:
        return Applied(report, [])
    record.forget_missing(doc.layer_ids())
    step = new_step(record, request.instruction, line.id, line.name, result.parse)
    step.learnt, step.forgot = learnt, dropped
    report.learnt = [str(t.get("category")) for t in learnt]
    report.forgot = sorted(set(str(t.get("category")) for t in dropped))
    if not decoded:  # taught or forgot only: a step of its own, so that "Undo last" takes it back
        record.add_step(step, [])
        doc.save_record(record)
        return Applied(report, [])
    if request.convert_gray and doc.color[0] == "GRAYA":
        doc.convert_to_rgb8()
        report.notes.append(
            "Converted the image from grayscale to RGB 8-bit so the colours can show "
            "(Krita's undo reverts it)."
        )
        line = doc.find(line.id) or line
    doc.last_inserted = None
    group = placement.ensure_group(doc, record, line, settings.placement, request.opaque, report)
    infos, added = [], []
    for result_layer, box, bgra in decoded:
        layer = doc.new_paint_layer(result_layer.name, box, bgra)
        old = current_layer(doc, record, line, result_layer.key)
        if old is not None:
            placement.place_over(old, layer)
            placement.retire(doc, record, line, group, old)
            step.replaced.append(old.id)
            report.replaced.append(old.name)
        else:
            placement.place_new(group, layer, result_layer.is_background, record)
        doc.finish_layer(layer, box, bgra)
        info = LayerInfo(
            layer.id, result_layer.key, result_layer.name, result_layer.kind, line.id, step.step_id
        )
        record.layers[layer.id] = info  # the next result of this answer sees it (backgrounds' order)
        infos.append(info)
        added.append(layer)
        step.added.append(layer.id)
        report.added.append(result_layer.name)
    if not doc.is_rgb8:
        doc.refresh()
    record.add_step(step, infos)
    doc.save_record(record)
    return Applied(report, added, doc.last_inserted)
