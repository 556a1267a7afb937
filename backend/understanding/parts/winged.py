"""Bird, butterfly and chicken parts: wings, a butterfly's body, a chicken's head and tail.

Three small rule sets for the winged animals, each finding a lobe or blob by its place relative to
the body; when unsure they find nothing and the animal keeps one colour.
"""

from __future__ import annotations

import numpy as np

from .regions import Found, Ids, Regions, union

# Bird: the body is the largest region; wings are big lobes clearly above it (raised wings) or on both
# sides of it (spread wings seen from below). A tail sticks out on one side and stays body.
# A head drawn as its own circle also sits above the body: wings are bigger and ragged or pointed,
# never as round as a head (WING_CIRCULARITY).
BIRD_BODY_SHARE = 0.3
WING_SHARE = 0.08
WING_ABOVE = 0.15
WING_CIRCULARITY = 0.72
# Butterfly: the body is a thin, convex-ish, near-vertical piece at the centre between the wings.
# Side views and bodies drawn as solid ink have no such region; then nothing is split.
BUTTERFLY_BODY_SHARE = (0.005, 0.12)
BUTTERFLY_BODY_ROUNDNESS = 0.35
BUTTERFLY_BODY_SOLIDITY = 0.75
BUTTERFLY_BODY_LENGTH = 0.3
BUTTERFLY_CENTRE = (0.15, 0.25)
BUTTERFLY_TILT = 30.0


def bird_parts(rs: Regions, _: str) -> Found:
    body = rs.largest()
    if rs.share({body}) < BIRD_BODY_SHARE:
        return {}
    gb = rs.geom({body})
    free = set(rs.ids().tolist()) - {body}

    def lobe(u: Ids) -> bool:
        return body not in u and rs.share(u) >= WING_SHARE and rs.geom(u).circularity <= WING_CIRCULARITY

    units = [u for u in (rs.filled(i) for i in free) if lobe(u)]
    raised = rs.pick(units, lambda u: rs.geom(u).cy <= gb.cy - WING_ABOVE)
    rest = [u for u in units if not u & union(raised)]
    left = rs.pick(rest, lambda u: rs.geom(u).cx < gb.left)
    right = rs.pick(rest, lambda u: rs.geom(u).cx > gb.right)
    # Spread wings come in pairs; a single lobe beside the body is a tail or a head.
    spread = left + right if left and right else []
    return {"wings": rs.absorb(raised + spread, free)}


def butterfly_parts(rs: Regions, _: str) -> Found:
    def is_body(i: int) -> bool:
        g = rs.geom({i})
        if not (
            BUTTERFLY_BODY_SHARE[0] <= g.share <= BUTTERFLY_BODY_SHARE[1]
            and g.roundness <= BUTTERFLY_BODY_ROUNDNESS
            and g.solidity >= BUTTERFLY_BODY_SOLIDITY
            and abs(g.cx - 0.5) <= BUTTERFLY_CENTRE[0]
            and abs(g.cy - 0.5) <= BUTTERFLY_CENTRE[1]
            and g.height >= BUTTERFLY_BODY_LENGTH
        ):
            return False
        ys, xs = np.nonzero(rs.lab == i)
        # Principal axis from the pixel covariance: a body stands upright between its wings.
        cov = np.cov(np.stack([xs, ys]).astype(float))
        _, vecs = np.linalg.eigh(cov)
        vx, vy = vecs[:, -1]
        return bool(np.degrees(np.arctan2(abs(vx), abs(vy))) <= BUTTERFLY_TILT)

    bodies = [i for i in rs.ids().tolist() if is_body(i)]
    if not bodies:
        return {}
    body = min(bodies, key=lambda i: abs(rs.geom({i}).cx - 0.5))
    return {"body": {body}}


# -- chicken ----------------------------------------------------------------------------------------

# Head: a compact region (a roundish blob, not a feather) high up at one end; comb and wattle are the
# small regions around it. Tail: the regions high up at the other end. Without both the facing
# direction is unknown, and neither is returned.
# The head may be the largest region (a rooster's head and neck), but not most of the bird.
HEAD_SHARE = (0.04, 0.3)
HEAD_ROUNDNESS = 0.6
HEAD_TOP = 0.3
END_BAND = 0.4
TAIL_MAX_CY = 0.6
HEAD_MARGIN = 0.25
HEAD_PIECE = 0.5


def chicken_parts(rs: Regions, _: str) -> Found:
    ids = set(rs.ids().tolist())

    def is_head(u: Ids) -> bool:
        g = rs.geom(u)
        at_end = g.cx <= END_BAND or g.cx >= 1 - END_BAND
        compact = HEAD_SHARE[0] <= g.share <= HEAD_SHARE[1] and g.roundness >= HEAD_ROUNDNESS
        return compact and g.top <= HEAD_TOP and at_end

    # The highest candidate: a head sits above a wing or a tail root of the same shape.
    heads = sorted(rs.pick([rs.filled(i) for i in ids], is_head), key=lambda u: rs.geom(u).top)
    if not heads:
        return {}
    gh = rs.geom(heads[0])
    head = set(heads[0])
    for i in rs.neighbours(heads[0]):
        g = rs.geom({i})
        # Comb (above the head, hence the margin on top only), beak and wattle: small, on the head.
        inside = gh.left <= g.cx <= gh.right and gh.top - HEAD_MARGIN * gh.height <= g.cy <= gh.bottom
        if inside and g.share <= HEAD_PIECE * gh.share:
            head.add(i)
    rest = ids - head
    body = rs.largest(np.array(sorted(rest))) if rest else 0
    tail = set()
    for i in rest - {body}:
        g = rs.geom({i})
        far = g.cx >= 1 - END_BAND if gh.cx < 0.5 else g.cx <= END_BAND
        if far and g.cy <= TAIL_MAX_CY:
            tail.add(i)
    # A compact blob high at one end is often a wing tip or a tail root instead; a head is trusted
    # only with a tail at the other end to confirm the facing direction.
    return {"head": head, "tail": tail} if tail else {}
