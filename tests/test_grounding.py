"""Grounding on synthetic scenes (rectangular numpy masks with known layout) and on the six real
SketchyScene scenes with their ground-truth instance masks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backend.categories import SKETCHYSCENE_NAMES
from backend.grounding import ground
from backend.language import Position, Target, parse_instruction, parse_target
from backend.understanding import Instance

H, W = 400, 600
SIZE = (H, W)


def rect(x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    mask = np.zeros(SIZE, bool)
    mask[y0:y1, x0:x1] = True
    return mask


def inst(category: str, x0: int, y0: int, x1: int, y1: int) -> Instance:
    return Instance(category, rect(x0, y0, x1, y1), 1.0)


def find(phrase: str, scene: list[Instance], mask: np.ndarray | None = None) -> list[int]:
    return sorted(ground(parse_target(phrase), scene, SIZE, mask))


@pytest.fixture
def row_of_trees() -> list[Instance]:
    """Four trees standing left to right, a car, and a house in the middle."""
    return [
        inst("tree", 300, 100, 340, 250),  # 0: third from the left
        inst("tree", 20, 100, 60, 250),  # 1: leftmost
        inst("car", 400, 200, 480, 260),  # 2
        inst("tree", 520, 100, 560, 250),  # 3: rightmost
        inst("tree", 150, 100, 190, 250),  # 4: second from the left
        inst("house", 220, 120, 280, 250),  # 5
    ]


def test_left_right_and_middle(row_of_trees: list[Instance]) -> None:
    assert find("the tree on the left", row_of_trees) == [1]
    assert find("the left tree", row_of_trees) == [1]
    assert find("the tree on the right", row_of_trees) == [3]
    assert find("the right tree", row_of_trees) == [3]


def test_ordinals(row_of_trees: list[Instance]) -> None:
    assert find("the second tree on the left", row_of_trees) == [4]
    assert find("the second tree on the right", row_of_trees) == [0]
    assert find("the third tree on the left", row_of_trees) == [0]
    assert find("the fifth tree on the left", row_of_trees) == []


def test_superlatives(row_of_trees: list[Instance]) -> None:
    assert find("the leftmost tree", row_of_trees) == [1]
    assert find("the tree on the rightmost", row_of_trees) == [3]


def test_all_both_and_counts(row_of_trees: list[Instance]) -> None:
    assert find("all the trees", row_of_trees) == [0, 1, 3, 4]
    assert find("the trees", row_of_trees) == [0, 1, 3, 4]
    assert find("the two trees on the right", row_of_trees) == [0, 3]
    assert find("both the trees on the left", row_of_trees) == [1, 4]
    assert find("the three trees on the left", row_of_trees) == [0, 1, 4]
    assert find("the trees on the left", row_of_trees) == [1, 4], "left half of the canvas"
    assert find("the car", row_of_trees) == [2]
    assert find("the six trees", row_of_trees) == [0, 1, 3, 4], "fewer than asked: all there are"


def test_one_of_several_without_position_is_the_largest() -> None:
    scene = [inst("cloud", 10, 10, 40, 30), inst("cloud", 100, 10, 200, 60), inst("cloud", 300, 10, 330, 30)]
    assert find("the cloud", scene) == [1]


def test_middle() -> None:
    scene = [inst("cow", 10, 200, 60, 240), inst("cow", 270, 200, 320, 240), inst("cow", 500, 200, 560, 240)]
    assert find("the cow in the middle", scene) == [1]
    assert find("the middle cow", scene) == [1]


def test_top_bottom_and_in_the_sky() -> None:
    scene = [
        inst("bird", 100, 20, 130, 40),  # 0: high in the sky
        inst("bird", 300, 330, 330, 350),  # 1: on the ground
        inst("tree", 200, 150, 240, 300),  # 2: stands at y=300 -> horizon estimate
    ]
    assert find("the topmost bird", scene) == [0]
    assert find("the bottommost bird", scene) == [1]
    assert find("the bird in the sky", scene) == [0]


@pytest.fixture
def depth_scene() -> list[Instance]:
    """A house; one dog standing in front (lower feet), one behind (higher feet), a far-off dog."""
    return [
        inst("house", 200, 100, 320, 250),  # 0
        inst("dog", 240, 240, 290, 300),  # 1: in front of the house
        inst("dog", 330, 150, 370, 200),  # 2: behind, right next to the house
        inst("dog", 60, 230, 100, 270),  # 3: left, in front, below the left tree
        inst("tree", 100, 50, 140, 180),  # 4
        inst("tree", 450, 50, 490, 180),  # 5
    ]


def test_in_front_of_and_behind(depth_scene: list[Instance]) -> None:
    assert find("the dog in front of the house", depth_scene) == [1]
    assert find("the dog behind the house", depth_scene) == [2]


def test_front_and_back_with_a_side(depth_scene: list[Instance]) -> None:
    assert find("the dog on the left front of the house", depth_scene) == [3]
    assert find("the dog on the right back of the house", depth_scene) == [2]
    assert find("the dog on the right front of the left tree", depth_scene) == [1]


def test_near_left_of_right_of(depth_scene: list[Instance]) -> None:
    assert find("the dog near the house", depth_scene) in ([1], [2])
    assert find("the dog near the left tree", depth_scene) == [3]
    assert find("the dog near the right tree", depth_scene) == [2]
    assert find("the dog on the left of the house", depth_scene) == [3]
    assert find("the dog on the right of the house", depth_scene) == [2]
    assert find("the two dogs near the house", depth_scene) == [1, 2]


def test_relations_to_same_category_exclude_the_anchor(depth_scene: list[Instance]) -> None:
    assert find("the tree on the right of the left tree", depth_scene) == [5]
    assert find("the tree on the left of the right tree", depth_scene) == [4]


def test_front_and_back_positions() -> None:
    scene = [
        inst("sheep", 100, 100, 150, 150),
        inst("sheep", 300, 200, 350, 300),
        inst("sheep", 400, 120, 450, 170),
    ]
    assert find("the front sheep", scene) == [1]
    assert find("the sheep in front", scene) == [1]
    assert find("the back sheep", scene) == [0]
    assert find("the sheep on the right back", scene) == [2]


def test_under_on_and_above() -> None:
    scene = [
        inst("tree", 200, 50, 300, 300),  # 0
        inst("dog", 220, 260, 260, 300),  # 1: under the tree (low, overlapping)
        inst("bird", 230, 60, 260, 80),  # 2: on the tree (high, overlapping)
        inst("bird", 500, 60, 530, 80),  # 3: far right, high
        inst("dog", 500, 300, 540, 340),  # 4: far right, low
    ]
    assert find("the dog under the tree", scene) == [1]
    assert find("the bird on the tree", scene) == [2]
    assert find("the bird above the tree", scene) == [2]


def test_among_and_around() -> None:
    scene = [
        inst("tree", 100, 50, 140, 250),
        inst("tree", 300, 50, 340, 250),
        inst("cat", 200, 200, 230, 240),  # 2: between the trees
        inst("cat", 520, 200, 550, 240),  # 3: outside
    ]
    assert find("the cat among the trees", scene) == [2]
    assert find("the cat around the trees", scene) == [2]


def test_missing_anchor_or_category_matches_nothing(depth_scene: list[Instance]) -> None:
    assert find("the dog near the car", depth_scene) == []
    assert find("the bus", depth_scene) == []
    assert find("the dog behind the left tree", depth_scene) == []


def test_selection_mask_restricts_candidates(row_of_trees: list[Instance]) -> None:
    around_second = rect(140, 90, 200, 260)  # covers tree 4 entirely
    assert find("the tree", row_of_trees, around_second) == [4]
    assert find("all the trees", row_of_trees, around_second) == [4]
    inside_rightmost = rect(525, 150, 550, 200)  # a small stroke inside tree 3: all of it inside
    assert find("the tree", row_of_trees, inside_rightmost) == [3]
    grazing = rect(0, 100, 30, 250)  # a quarter of tree 1, mostly outside it
    assert find("the tree", row_of_trees, grazing) == []
    assert find("the tree", row_of_trees, np.zeros(SIZE, bool)) == [0], "an empty selection is no selection"


def test_selection_targets_ground_to_nothing(row_of_trees: list[Instance]) -> None:
    assert ground(Target(category=None), row_of_trees, SIZE, rect(0, 0, 600, 400)) == []
    assert ground(Target(category=None), row_of_trees, SIZE) == []


def test_left_back_combines_two_axes() -> None:
    scene = [
        inst("tree", 50, 50, 90, 150),  # 0: left, back (feet at 150)
        inst("tree", 60, 150, 100, 350),  # 1: left, front
        inst("tree", 400, 50, 440, 140),  # 2: right, farthest back
    ]
    target = Target(category="tree", position=Position(side="left", secondary="back"))
    assert ground(target, scene, SIZE) == [0]


def test_empty_masks_are_ignored() -> None:
    scene = [Instance("car", np.zeros(SIZE, bool), 1.0), inst("car", 10, 10, 50, 50)]
    assert find("the car", scene) == [1]
    assert find("all the cars", scene) == [1]


def test_real_scenes_with_ground_truth_instances(shared_data: Path) -> None:
    """Every hand-written instruction of eval/scene_instructions.json, grounded on the scene's
    ground-truth instances (instances.png), must pick exactly the instances written down for it."""
    root = Path(__file__).resolve().parents[1]
    items = json.loads((root / "eval" / "scene_instructions.json").read_text())["items"]
    scenes: dict[str, tuple[list[Instance], list[int], tuple[int, int]]] = {}
    wrong = []
    for item in items:
        if item["scene"] not in scenes:
            folder = shared_data / "sketchyscene-scenes" / item["scene"]
            labels = np.asarray(Image.open(folder / "instances.png"))
            names = json.loads((folder / "instances.json").read_text())["instances"]
            ids = sorted(int(k) for k in names)
            instances = [
                Instance(SKETCHYSCENE_NAMES.get(names[str(k)], names[str(k)]), labels == k, 1.0) for k in ids
            ]
            scenes[item["scene"]] = (instances, ids, labels.shape)
        instances, ids, shape = scenes[item["scene"]]
        chosen = []
        for clause in parse_instruction(item["instruction"]).clauses:
            assert clause.target is not None
            chosen += [ids[i] for i in ground(clause.target, instances, shape)]
        if sorted(chosen) != sorted(item["instances"]):
            wrong.append((item["scene"], item["instruction"], sorted(chosen), item["instances"]))
    assert len(items) >= 40
    assert wrong == []


def test_plural_in_front_keeps_only_those_beside_the_anchor() -> None:
    scene = [
        inst("tree", 250, 50, 300, 200),  # 0
        inst("cow", 230, 220, 280, 260),  # 1: in front of the tree
        inst("cow", 290, 230, 340, 270),  # 2: in front of the tree, a bit right
        inst("cow", 520, 300, 570, 340),  # 3: lower, but far to the right
        inst("cow", 100, 100, 150, 140),  # 4: behind, far left
    ]
    assert find("the cows in front of the tree", scene) == [1, 2]
    assert find("the cow in front of the tree", scene) == [1]
    assert find("the cows behind the tree", scene) == [4]


def test_the_grass_means_all_of_it_unless_placed():
    tufts = [
        inst("grass", 10, 150, 40, 170),
        inst("grass", 100, 150, 150, 175),
        inst("grass", 250, 160, 280, 175),
    ]
    assert find("the grass", tufts) == [0, 1, 2]
    assert find("the grass on the right", tufts) == [2]
    assert len(find("the tree", [inst("tree", 10, 10, 50, 90), inst("tree", 200, 10, 260, 120)])) == 1
