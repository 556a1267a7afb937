"""Object classifiers trained at different view sides are averaged, each shown views of its own side."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from backend.understanding.object_classifier import DEFAULT_WEIGHTS, ObjectClassifier
from backend.understanding.object_view import VIEW_SIDE


def _at_side(src: Path, dst: Path, side: int) -> Path:
    """The same network with a header saying it reads views of `side` px."""
    with safe_open(str(src), "pt") as f:
        config = json.loads(f.metadata()["config"])
    save_file(load_file(str(src)), str(dst), metadata={"config": json.dumps(dict(config, view_side=side))})
    return dst


def test_each_network_sees_views_of_the_side_it_was_trained_at(tmp_path: Path) -> None:
    shipped = DEFAULT_WEIGHTS[0]
    wide = _at_side(shipped, tmp_path / "wide.safetensors", 112)
    ink = np.zeros((300, 300), np.uint8)
    cv2.circle(ink, (150, 150), 90, 255, 3)
    cv2.line(ink, (40, 260), (260, 260), 255, 3)
    cuts = [((slice(55, 246), slice(55, 246)), None), ((slice(250, 270), slice(30, 270)), None)]

    both = ObjectClassifier([shipped, wide], device="cpu")
    views = both.views(ink, cuts)
    assert sorted(views) == [VIEW_SIDE, 112]
    assert views[112].shape == (2, 112, 112) and views[VIEW_SIDE].shape == (2, VIEW_SIDE, VIEW_SIDE)

    p = both.probabilities(views)
    narrow_only = ObjectClassifier([shipped], device="cpu").probabilities({VIEW_SIDE: views[VIEW_SIDE]})
    wide_only = ObjectClassifier([wide], device="cpu").probabilities({112: views[112]})
    assert np.allclose(p, (narrow_only + wide_only) / 2, atol=1e-5)
    assert np.allclose(p.sum(1), 1, atol=1e-4)
    # The same weights read the two sides differently: a view at the wrong side would not match.
    assert not np.allclose(narrow_only, wide_only, atol=1e-3)
