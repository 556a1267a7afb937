"""Class and part indices the model is trained with (fixed here, stored with the weights), and which
Quick, Draw! categories stand for which of ours.

sketchgen depends on the backend only through backend.categories, the product's shared vocabulary."""

from __future__ import annotations

from backend.categories import FOREGROUND, PARTS

# 0 = paper (background), 1..25 = FOREGROUND, 26 = "unknown": a drawn object of no known category.
CLASSES: tuple[str, ...] = ("background", *FOREGROUND, "unknown")
CLASS_INDEX = {c: i for i, c in enumerate(CLASSES)}
# 0 = no named part; then every part name used by any category, in first-seen order.
PART_NAMES: tuple[str, ...] = ("none", *dict.fromkeys(p for parts in PARTS.values() for p in parts))
PART_INDEX = {p: i for i, p in enumerate(PART_NAMES)}

# Quick, Draw! category -> our class. chicken and road have no Quick, Draw! category: they come from
# the generator's drawers only.
# Near-misses of our classes (face, castle, train, bush, pond, river) are left out of "other" so
# that the network is not taught that a sun with a face or a bushy tree is not a sun or a tree.
QUICKDRAW_TO_CLASS: dict[str, str] = {
    "bench": "bench",
    "bird": "bird",
    "owl": "bird",
    "bus": "bus",
    "school_bus": "bus",
    "butterfly": "butterfly",
    "car": "car",
    "police_car": "car",
    "van": "car",
    "cat": "cat",
    "chair": "chair",
    "cloud": "cloud",
    "cow": "cow",
    "dog": "dog",
    "duck": "duck",
    "grass": "grass",
    "horse": "horse",
    "house": "house",
    "barn": "house",
    "church": "house",
    "moon": "moon",
    "yoga": "person",
    "pig": "pig",
    "rabbit": "rabbit",
    "sheep": "sheep",
    "star": "star",
    "sun": "sun",
    "tree": "tree",
    "palm_tree": "tree",
    "truck": "truck",
    "pickup_truck": "truck",
    "firetruck": "truck",
    "airplane": "other",
    "apple": "other",
    "bicycle": "other",
    "fence": "other",
    "flower": "other",
    "mountain": "other",
    "rainbow": "other",
    "snowman": "other",
    "streetlight": "other",
    "tent": "other",
    "umbrella": "other",
    "windmill": "other",
}
