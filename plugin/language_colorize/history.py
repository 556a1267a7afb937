"""The docker's history list, read from the document's record."""

from typing import List, Optional, Tuple

from .core.document import Document, Layer

# (text, layer or None): a layer (None when it is gone), or a note ("Learnt: cat") with kind NOTE
LAYER, GONE, NOTE = "layer", "gone", "note"
Row = Tuple[str, str, List[Tuple[str, Optional[Layer], str]]]


def rows(doc: Optional[Document]) -> List[Row]:
    """[(instruction, line-art name, [(text, layer or None, kind)])], newest first."""
    if doc is None or not doc.is_open:
        return []
    record = doc.load_record()
    present = {layer.id: layer for layer in doc.layers()}
    out = []
    for step in reversed(record.steps):
        children = []
        for layer_id in step.added:
            layer = present.get(layer_id)
            info = record.layers.get(layer_id)
            name = layer.name if layer is not None else (info.name if info is not None else "?")
            children.append((name, layer, LAYER if layer is not None else GONE))
        for word, items in (("Learnt", step.learnt), ("Forgot", step.forgot)):
            names = []
            for item in items:
                name = str(item.get("category"))
                if name not in names:
                    names.append(name)
            if names:
                children.append(("%s: %s" % (word, ", ".join(names)), None, NOTE))
        out.append((step.instruction, step.line_art_name, children))
    return out
