"""Sun parts: the round disk at the centre; the rays around it (what remains) are the flame.

Kept on its own like the other rule sets so that its thresholds are tuned in one place.
"""

from __future__ import annotations

from .regions import Found, Ids, Regions, union

# The disk: a round filled shape around the sun's centre; what remains (rays, a ray ring) is flame.
SUN_CIRCULARITY = 0.7
SUN_ROUNDNESS = 0.7
SUN_SHARE = (0.15, 0.9)
SUN_CENTRE_OFFSET = 0.2
SUN_INNER_OUTLINE = 0.3


def sun_parts(rs: Regions, _: str) -> Found:
    """The biggest round, centred unit is the disk.

    Candidates are filled regions and islands of inner regions, because a face drawn on the disk
    splits it into pieces (eyes, mouth) that only together make the circle.
    """
    ids = set(rs.ids().tolist())
    # Rays are mostly outline; the disk's pieces mostly are not, though between rays the disk's own
    # edge is outline too (SUN_INNER_OUTLINE).
    inner = {i for i in ids if rs.outline_share({i}) <= SUN_INNER_OUTLINE}
    candidates = [rs.filled(i) for i in ids] + rs.components(inner)

    def is_disk(cand: Ids) -> bool:
        g = rs.geom(cand)
        return (
            SUN_SHARE[0] <= g.share <= SUN_SHARE[1]
            and abs(g.cx - 0.5) <= SUN_CENTRE_OFFSET
            and abs(g.cy - 0.5) <= SUN_CENTRE_OFFSET
            and g.circularity >= SUN_CIRCULARITY
            and g.roundness >= SUN_ROUNDNESS
        )

    return {"disk": union(rs.pick(candidates, is_disk, limit=1))}
