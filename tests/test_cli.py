"""The fixed command-line contract: python -m backend colorize SKETCH --instruction ... --out DIR."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from PIL import Image

from tests.conftest import ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "backend", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_colorize_writes_result_json_and_full_size_layers(shared_data, tmp_path):
    sketch = shared_data / "sketchyscene-scenes" / "9996" / "sketch.png"
    proc = run_cli(
        "colorize",
        str(sketch),
        "--instruction",
        "the sky is blue and the ground is green",
        "--instruction",
        "the sun is yellow",
        "--instruction",
        "the spaceship is red",
        "--out",
        str(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    assert (result["width"], result["height"]) == (750, 750)
    statuses = [step["status"] for step in result["steps"]]
    assert statuses == ["ok", "ok", "not_understood"]
    assert "spaceship" in result["steps"][2]["message"]
    kinds = [layer["kind"] for layer in result["steps"][0]["layers"]]
    assert kinds == ["background", "background"]
    for step in result["steps"]:
        for layer in step["layers"]:
            assert set(layer) >= {"name", "kind", "file", "category", "instances", "bbox"}
            img = np.asarray(Image.open(tmp_path / layer["file"]))
            assert img.shape == (750, 750, 4)
            x, y, w, h = layer["bbox"]
            outside = img[..., 3].copy()
            outside[y : y + h, x : x + w] = 0
            assert img[..., 3].any() and not outside.any()
    assert (tmp_path / "preview.png").exists()


def test_unreadable_input_exits_non_zero_with_one_line(tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    proc = run_cli("colorize", str(bad), "--instruction", "the sun is red", "--out", str(tmp_path / "o"))
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.strip().splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("error:")
