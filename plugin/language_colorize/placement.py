"""Where result layers go in the layer stack.

Each line-art layer gets one "Colorization" group: directly under the line art (lines stay on top of
the colours), or above it in Multiply mode. Inside it, backgrounds (sky, ground) sit at the bottom in
the order they came, foregrounds on top; a re-coloured target goes directly above the layer it
replaces, and the replaced layer moves into a hidden "Replaced" group at the top of the Colorization
group, so that "Undo last" can put it back even after the .kra was reopened.

Why move instead of hide: Krita 5.1 records adding and removing a layer as undo steps, but not
setVisible. With add-new, remove-old, add-old-to-the-hidden-group, every Krita Ctrl+Z leaves a
coherent picture (the old layer reappears under the new one, then the new one goes).
"""

from typing import Optional

from .core.document import Document, Layer
from .core.record import Record
from .core.report import Report
from .core.settings import PLACE_ABOVE

GROUP_NAME = "Colorization"
STORE_NAME = "Replaced"


def group_for(doc: Document, record: Record, line: Layer) -> Optional[Layer]:
    group = doc.find(record.groups.get(line.id))
    return group if group is not None and group.is_group else None


def ensure_group(
    doc: Document, record: Record, line: Layer, placement: str, opaque: bool, report: Report
) -> Layer:
    """The line art's Colorization group, created next to it if missing."""
    group = group_for(doc, record, line)
    if group is not None:
        return group
    group = doc.new_group(GROUP_NAME)
    parent = line.parent
    assert parent is not None  # the line art is in the document: _check_still_valid
    if placement == PLACE_ABOVE:
        parent.add_above(group, line)
        group.set_blending("multiply")
    else:
        if parent.add_below(group, line):
            report.notes.append("Moved '%s' up one place so the colours can go under it." % line.name)
        if opaque and line.blending == "normal":
            line.set_blending("multiply")
            report.notes.append(
                "Set '%s' to Multiply so the colours under it show through (Layer "
                "Properties changes it back)." % line.name
            )
    record.groups[line.id] = group.id
    return group


def place_new(group: Layer, layer: Layer, is_background: bool, record: Record) -> None:
    """A layer for a target this line art has no layer for yet."""
    if not is_background:
        group.add_on_top(layer)
        return
    backgrounds = [
        child
        for child in group.children
        if child.id in record.layers and record.layers[child.id].is_background
    ]
    if backgrounds:
        group.add_above(layer, backgrounds[-1])
    else:
        group.add_at_bottom(layer)


def place_over(old: Layer, layer: Layer) -> None:
    """A layer that replaces `old`: same place in the stack, directly above it."""
    parent = old.parent
    assert parent is not None
    parent.add_above(layer, old)


def store_for(doc: Document, record: Record, line: Layer) -> Optional[Layer]:
    store = doc.find(record.stores.get(line.id))
    return store if store is not None and store.is_group else None


def is_stored(record: Record, layer: Layer) -> bool:
    """True for a replaced layer kept in its line art's hidden group."""
    parent = layer.parent
    return parent is not None and parent.id in record.stores.values()


def retire(doc: Document, record: Record, line: Layer, group: Layer, old: Layer) -> None:
    """Move a replaced layer into the hidden Replaced group (created, hidden, at the group's top)."""
    store = store_for(doc, record, line)
    if store is None:
        store = doc.new_group(STORE_NAME)
        store.set_visible(False)  # before it is added: no undo step needed, it is never shown
        group.add_on_top(store)
        record.stores[line.id] = store.id
    old.remove()
    store.add_on_top(old)


def bring_back(old: Layer, newer: Optional[Layer], group: Layer, is_background: bool, record: Record) -> None:
    """Put a replaced layer back where the layer that replaced it is (or where it belongs)."""
    old.remove()
    if newer is not None and newer.parent is not None:
        newer.parent.add_above(old, newer)
    else:
        place_new(group, old, is_background, record)
