"""Class and part indices the model is trained with: fixed here, stored with the weights."""

from __future__ import annotations

from backend.categories import FOREGROUND, PARTS

# 0 = paper (background), 1..25 = FOREGROUND, 26 = "unknown": a drawn object of no known category.
CLASSES: tuple[str, ...] = ("background", *FOREGROUND, "unknown")
CLASS_INDEX = {c: i for i, c in enumerate(CLASSES)}
# 0 = no named part; then every part name used by any category, in first-seen order.
PART_NAMES: tuple[str, ...] = ("none", *dict.fromkeys(p for parts in PARTS.values() for p in parts))
PART_INDEX = {p: i for i, p in enumerate(PART_NAMES)}
