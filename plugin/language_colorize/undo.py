"""The docker's "Undo last": take back the document's newest instruction, whole.

Krita's own undo (Ctrl+Z) works layer by layer (see docs/plugin.md); this removes every layer the
instruction added and puts back the layers it had replaced, as one action, from the document's record,
so it also works after a backend restart or reopening the .kra.
"""

from typing import Optional

from . import placement
from .core.document import Document
from .core.errors import PluginError
from .core.report import Report


def undo_last(doc: Optional[Document]) -> Report:
    """Raises PluginError when there is nothing to undo."""
    if doc is None or not doc.is_open:
        raise PluginError("Open a document first.")
    record = doc.load_record()
    step = record.last_step()
    if step is None:
        raise PluginError("There is no colorization to undo in this document.")
    report = Report("Undid '%s'." % step.instruction)
    doc.last_inserted = None
    line = doc.find(step.line_art)
    group = placement.group_for(doc, record, line) if line is not None else None
    added = [layer for layer in (doc.find(i) for i in step.added) if layer is not None]
    for layer_id in step.replaced:  # back where the layer that replaced it is
        old = doc.find(layer_id)
        info = record.layers.get(layer_id)
        if old is None or info is None or group is None or not placement.is_stored(record, old):
            continue
        newer = next(  # the newest shown layer of that key (a merged step may have replaced its own)
            (
                a
                for a in reversed(added)
                if getattr(record.layers.get(a.id), "key", None) == info.key
                and not placement.is_stored(record, a)
            ),
            None,
        )
        placement.bring_back(old, newer, group, info.is_background, record)
        report.restored.append(old.name)
    for layer in added:
        layer.remove()
        report.removed.append(layer.name)
    if step.learnt or step.forgot:
        record.unlearn(step)
        names = sorted(set(str(t.get("category")) for t in step.learnt + step.forgot))
        report.notes.append("What you taught is as it was before (%s)." % ", ".join(names))
    record.pop_step()
    record.forget_missing(doc.layer_ids())
    doc.save_record(record)
    return report
