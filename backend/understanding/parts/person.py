"""Person parts: hair, face, shirt, and pants or skirt, found top-down from the hair.

Each part is looked for next to the one above it (the face under the hair, the shirt under the
head, the legs under the shirt's waist); when one is not found the search stops there.
"""

from __future__ import annotations

import numpy as np

from .regions import Found, Geom, Regions

# Hair: regions reaching the top band (a raised hand rarely reaches as high as the head's top), except
# one capped by another of them (that is the face under thin hair).
# Face: the largest compact region touching the hair below its centre, within the head band.
# Shirt: the largest region centred between the face and the legs; its sleeves are small neighbours
# that start in its upper part. Pants: neighbours of the shirt starting at its bottom (the waist).
HAIR_TOP = 0.1
HAIR_MAX_CY = 0.3
HEAD_BAND = 0.45
FACE_SOLIDITY = 0.7
MIN_PART_SHARE = 0.02
SHIRT_BAND = 0.75
SLEEVE_START = 0.3
WAIST_TOLERANCE = 0.08
# A skirt is one convex-ish piece that widens downwards; trousers and shorts have a notch between
# the legs (lower solidity) or are two legs.
SKIRT_WIDENING = 1.15
SKIRT_SOLIDITY = 0.9


def person_parts(rs: Regions, _: str) -> Found:
    ids = set(rs.ids().tolist())
    geo = {i: rs.geom({i}) for i in ids if rs.share({i}) >= MIN_PART_SHARE}
    crown = {i: g for i, g in geo.items() if g.top <= HAIR_TOP and g.cy <= HAIR_MAX_CY}
    # Thin hair leaves the face reaching the top band too; the face is the one capped by another
    # top-band region (above its centre and spanning it).
    hair = {
        i
        for i, g in crown.items()
        if not any(h.bottom < g.cy and h.left <= g.cx <= h.right for j, h in crown.items() if j != i)
    }
    hair_cy = rs.geom(hair).cy if hair else 0.0
    near = rs.neighbours(frozenset(hair)) if hair else {i for i, g in geo.items() if g.top <= HAIR_TOP}
    faces = [
        i
        for i in near & set(geo) - hair
        if geo[i].cy > hair_cy and geo[i].cy <= HEAD_BAND and geo[i].solidity >= FACE_SOLIDITY
    ]
    if not faces:
        return {"hair": hair}
    face_id = max(faces, key=lambda i: rs.area[i])
    gf = geo[face_id]
    # Eyebrows and hair strands cut pieces off the face (around the eyes): they lie within its bbox.
    face = {face_id} | {i for i in rs.neighbours(frozenset({face_id})) - hair if within(rs.geom({i}), gf)}
    head_bottom = max(gf.bottom, rs.geom(hair).bottom if hair else 0.0)
    head = hair | face
    torsos = [i for i, g in geo.items() if i not in head and head_bottom - 0.05 <= g.cy <= SHIRT_BAND]
    if not torsos:
        return {"hair": hair, "face": face}
    shirt_id = max(torsos, key=lambda i: rs.area[i])
    gs = geo[shirt_id]
    sleeve_top = gs.top + SLEEVE_START * gs.height
    shirt = {shirt_id} | {
        i
        for i in rs.neighbours(frozenset({shirt_id})) & set(geo) - head
        if gs.top < geo[i].cy and geo[i].top <= sleeve_top and geo[i].bottom <= gs.bottom
    }
    legs = {
        i
        for i in rs.neighbours(frozenset(shirt)) & set(geo) - head
        if abs(geo[i].top - gs.bottom) <= WAIST_TOLERANCE and geo[i].cy > gs.bottom
    }
    found: Found = {"hair": hair, "face": face, "shirt": shirt}
    if legs:
        found["skirt" if is_skirt(rs, legs) else "pants"] = legs
    return found


def within(g: Geom, box: Geom) -> bool:
    """The centre of `g` lies inside the bbox of `box`."""
    return box.left <= g.cx <= box.right and box.top <= g.cy <= box.bottom


def is_skirt(rs: Regions, legs: set[int]) -> bool:
    g = rs.geom(legs)
    extent = rs.row_extent(legs)
    rows = np.flatnonzero(extent > 0)
    quarter = max(len(rows) // 4, 1)
    widening = extent[rows[-quarter:]].mean() / max(extent[rows[:quarter]].mean(), 1e-6)
    return g.solidity >= SKIRT_SOLIDITY and widening >= SKIRT_WIDENING
