"""The docker's history list, read from the document's record."""

from typing import List, Optional, Tuple

from .core.document import Document, Layer

Row = Tuple[str, str, List[Tuple[str, Optional[Layer]]]]


def rows(doc: Optional[Document]) -> List[Row]:
    """[(instruction, line-art name, [(layer name, layer or None if gone)])], newest first."""
    if doc is None or not doc.is_open:
        return []
    record = doc.load_record()
    present = {layer.id: layer for layer in doc.layers()}
    out = []
    for step in reversed(record.steps):
        layers = []
        for layer_id in step.added:
            layer = present.get(layer_id)
            info = record.layers.get(layer_id)
            name = layer.name if layer is not None else (info.name if info is not None else "?")
            layers.append((name, layer))
        out.append((step.instruction, step.line_art_name, layers))
    return out
