"""The fixed command-line contract: python -m backend colorize SKETCH --instruction ... --out DIR."""

from __future__ import annotations

import ctypes
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backend.service import cli
from backend.service.images import MAX_FILE_BYTES
from tests.conftest import ROOT


def run_cli(
    *args: str, timeout: float = 300, preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess:
    """`python -m backend ARGS` in a child process (preexec_fn: run in the child before it starts)."""
    return subprocess.run(
        [sys.executable, "-m", "backend", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec_fn,
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
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left
    assert (tmp_path / "result.json").stat().st_mode & 0o044  # readable by others, like any output


def test_unreadable_input_exits_non_zero_with_one_line(tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    proc = run_cli("colorize", str(bad), "--instruction", "the sun is red", "--out", str(tmp_path / "o"))
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.strip().splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("error:")


# ------------------------------------------------------------------------------------------------
# Failures: one `error: ...` line and exit 2, found before the model loads, and no half result.


def one_error_line(stderr: str, *words: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the model fails the test: these checks must come before it."""

    def refuse() -> None:
        raise AssertionError("the model was loaded before the arguments were checked")

    monkeypatch.setattr(cli, "default_recognizer", refuse)


def run_inprocess(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, float]:
    start = time.monotonic()
    code = cli.main(list(args))
    return code, capsys.readouterr().err, time.monotonic() - start


SKETCH = ROOT / "examples" / "car.png"


def test_out_that_is_a_file_is_refused_before_the_model_loads(no_model, capsys, tmp_path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    code, err, _ = run_inprocess(
        capsys, "colorize", str(SKETCH), "--instruction", "the car is red", "--out", str(taken)
    )
    assert code == 2
    one_error_line(err, "--out", "not a folder")
    assert taken.read_text() == "not a folder"


def without_root_override() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE, so that root obeys permission bits too."""
    if os.getuid() == 0 and ctypes.CDLL(None, use_errno=True).prctl(
        PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0
    ):
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


PR_CAPBSET_DROP, CAP_DAC_OVERRIDE = 24, 1


def test_read_only_out_is_refused_before_the_model_loads(tmp_path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        start = time.monotonic()
        proc = run_cli(
            "colorize",
            str(SKETCH),
            "--instruction",
            "x",
            "--out",
            str(locked),
            timeout=120,
            preexec_fn=without_root_override,
        )
        assert proc.returncode == 2
        one_error_line(proc.stderr, "not a writable folder", "Permission denied")
        assert list(locked.iterdir()) == []
        assert time.monotonic() - start < 60
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("kind", ["dev-zero", "folder", "fifo", "too-big", "missing"])
def test_sketch_must_be_a_regular_file_within_the_limit(no_model, capsys, tmp_path, kind: str) -> None:
    words = {"dev-zero": "not a regular file", "folder": "not a regular file", "fifo": "not a regular file"}
    if kind == "dev-zero":
        sketch = Path("/dev/zero")
    elif kind == "folder":
        sketch = tmp_path
    elif kind == "fifo":
        sketch = tmp_path / "pipe.png"
        os.mkfifo(sketch)  # nobody writes: reading it would wait forever
    elif kind == "too-big":
        sketch = tmp_path / "huge.png"
        with open(sketch, "wb") as fh:
            fh.truncate(MAX_FILE_BYTES + 1)  # sparse: the check must not read it
    else:
        sketch = tmp_path / "nowhere.png"
    code, err, seconds = run_inprocess(
        capsys, "colorize", str(sketch), "--instruction", "the car is red", "--out", str(tmp_path / "out")
    )
    assert code == 2 and seconds < 2
    one_error_line(err, words.get(kind, "") or ("limit" if kind == "too-big" else "cannot open"))
    assert not (tmp_path / "out").exists()


def test_a_bad_mask_and_bad_arguments_are_one_line(no_model, capsys, tmp_path) -> None:
    code, err, _ = run_inprocess(
        capsys, "colorize", str(SKETCH), "--instruction", "x", "--mask", "/dev/zero", "--out", str(tmp_path)
    )
    assert code == 2
    one_error_line(err, "mask", "not a regular file")
    proc = run_cli("colorize", str(SKETCH), "--instruction", "the car is red")  # no --out
    assert proc.returncode == 2
    one_error_line(proc.stderr, "--out")


def test_a_full_disk_leaves_no_half_result(shared_data, tmp_path) -> None:
    """Files may not grow past 4 KB (RLIMIT_FSIZE: writes fail as on a full disk). An earlier result
    in the folder stays as it was; nothing of the failed run is left."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "result.json").write_text('{"old": true}')
    (out / "step01-bg-sky.png").write_bytes(b"old layer")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    sketch = shared_data / "sketchyscene-scenes" / "9996" / "sketch.png"  # 750x750: layers over 4 KB

    proc = run_cli(
        "colorize", str(sketch), "--instruction", "the sky is blue", "--out", str(out), preexec_fn=small_files
    )
    assert proc.returncode == 2
    one_error_line(proc.stderr, "cannot write the results", str(out))
    assert sorted(p.name for p in out.iterdir()) == ["result.json", "step01-bg-sky.png"]
    assert (out / "result.json").read_text() == '{"old": true}'
    assert (out / "step01-bg-sky.png").read_bytes() == b"old layer"


def test_select_applies_to_the_next_instruction_only(shared_data, tmp_path) -> None:
    """Teach the chicken (which the recogniser misses) with --select, then colour it by name alone."""
    folder = shared_data / "sketchyscene-scenes" / "9996"
    ids = np.asarray(Image.open(folder / "instances.png"))
    ys, xs = np.nonzero(ids == 17)
    box = np.zeros(ids.shape, np.uint8)
    box[ys.min() - 15 : ys.max() + 15, xs.min() - 15 : xs.max() + 15] = 255
    Image.fromarray(box).save(tmp_path / "chicken.png")
    proc = run_cli(
        "colorize", str(folder / "sketch.png"),
        "--select", str(tmp_path / "chicken.png"), "--instruction", "this is a chicken",
        "--instruction", "the chicken is pink",
        "--instruction", "the sun is orange",
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    steps = json.loads((tmp_path / "out" / "result.json").read_text())["steps"]
    assert [s["status"] for s in steps] == ["ok", "ok", "ok"], [s["message"] for s in steps]
    assert steps[0]["message"].startswith("Learnt: chicken")
    (layer,) = steps[1]["layers"]
    painted = np.asarray(Image.open(tmp_path / "out" / layer["file"]))[..., 3] > 0
    assert (painted & (ids == 17)).sum() / (painted | (ids == 17)).sum() > 0.5
    assert steps[2]["layers"][0]["category"] == "sun", "the selection was for one instruction only"


def test_a_select_with_no_instruction_after_it_is_refused(no_model, capsys, tmp_path) -> None:
    sketch = tmp_path / "s.png"
    Image.fromarray(np.full((64, 64), 255, np.uint8)).save(sketch)
    code, err, _ = run_inprocess(
        capsys, "colorize", str(sketch), "--instruction", "the sun is red", "--select", str(sketch),
        "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == 2 and "--select must be followed by the --instruction" in one_error_line(err)
