"""What an object drawer returns: clean geometry, in painter's order, with a part name per piece.

Drawers describe *what* is drawn (shapes and the part each one belongs to); the pen (pen.py) decides
*how* it looks (jitter, width, gaps, overshoot) and the renderer (render.py) turns pieces into ink and
exact masks. Keeping the three apart lets one drawer yield many hand-drawn looks.

Coordinates are image-style (x right, y down) in any unit; the scene scales each drawing to its box,
so a drawer only cares about proportions. The drawing's lowest point is where it stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Points = np.ndarray  # float (N, 2) array of (x, y)


@dataclass
class Piece:
    """One filled shape of an object, e.g. a window. Later pieces cover earlier ones.

    part: a part name from backend.categories.PARTS for the object's category, or "" for a piece that
        belongs to the object but to none of its named parts (an eye, a door handle, a bench leg).
    polygon: the closed outline; its inside belongs to the object (and to `part`) when `fill` is set.
    outline: draw the polygon's outline as a stroke.
    details: extra open strokes drawn right after this piece (fur lines, spokes, grass blades); they
        belong to this piece and are covered by later pieces like everything else of it.
    fill: the polygon's inside is part of the object. False for pieces that are only strokes (a stick
        leg drawn as one line, a smile); then `polygon` may be an open polyline and outline draws it.
    """

    part: str
    polygon: Points
    outline: bool = True
    details: list[Points] = field(default_factory=list)
    fill: bool = True
    closed: bool = True


@dataclass
class Drawing:
    category: str
    pieces: list[Piece]
    parts_known: bool = True  # False for doodles: their pieces carry no part names to learn from

    def bounds(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) over every point of every piece and detail."""
        pts = np.concatenate([p.polygon for p in self.pieces] + [d for p in self.pieces for d in p.details])
        x0, y0 = pts.min(0)
        x1, y1 = pts.max(0)
        return float(x0), float(y0), float(x1), float(y1)

    def transformed(self, scale: float, dx: float, dy: float, flip: bool = False) -> Drawing:
        """The drawing scaled about its origin, optionally mirrored left-right, then moved."""
        x0, _, x1, _ = self.bounds()

        def t(p: Points) -> Points:
            q = np.array(p, dtype=np.float64)
            if flip:
                q[:, 0] = x0 + x1 - q[:, 0]
            return q * scale + (dx, dy)

        pieces = [
            Piece(p.part, t(p.polygon), p.outline, [t(d) for d in p.details], p.fill, p.closed)
            for p in self.pieces
        ]
        return Drawing(self.category, pieces, self.parts_known)
