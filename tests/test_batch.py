"""`python -m backend batch`: many pages, one theme, the same colours on every page, on any engine.

The real-scene tests run the command as a user would (a subprocess, real model, real SketchyScene
scenes); the cluster test starts its own Dask cluster on 127.0.0.1 and compares its pages with the
local pool's byte for byte.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
import subprocess
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backend.colouring.background import sky_gradient
from backend.colouring.palette import EVERYTHING_GROUND, EVERYTHING_SKY, everything_colours
from backend.language.colours import resolve
from backend.pipeline import StepResult
from backend.service import workers
from backend.service.batch import PageReport, Progress, finished_steps, name_pages, record_outcome, run_batch
from backend.service.cli import main
from backend.service.sheet import CELL, contact_sheet
from backend.service.theme import dumps_theme, load_theme, theme_from_texts
from tests.conftest import ROOT, SCENES

SKY_GROUND = "the sky is light blue and the ground is green"
TREES = "all the trees are dark green"
SCENE_IDS = ("9203", "99359", "9946")
DARK_GREEN, BROWN = (20, 110, 45), (185, 122, 87)
RESULT_KEYS = {"instruction", "status", "message", "parse", "layers", "replaced"}


def run_batch_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "backend", "batch", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def opaque_colours(path: Path) -> set[tuple[int, int, int]]:
    """The distinct RGB values of a layer's painted pixels."""
    return opaque_colours_of(np.asarray(Image.open(path).convert("RGBA")))


def opaque_colours_of(rgba: np.ndarray) -> set[tuple[int, int, int]]:
    """Vectorised: the unique rows of the painted pixels."""
    painted = rgba[rgba[..., 3] > 0][:, :3]
    return {tuple(int(v) for v in row) for row in np.unique(painted, axis=0)}


def sky_top_and_ground(page: Path, step: int) -> tuple[set, set]:
    """The sky's colours in its topmost row (the sky is a gradient toward the horizon, whose row
    differs per page; its top is the named colour's) and the ground's colours."""
    sky, ground = (np.asarray(Image.open(page / la["file"])) for la in layers_of(page, step)[:2])
    top = int(np.argmax(sky[..., 3].any(axis=1)))
    row = sky[top][sky[top, :, 3] > 0][:, :3]
    return {tuple(map(int, c)) for c in np.unique(row, axis=0)}, opaque_colours_of(ground)


def sky_top(name: str) -> tuple[int, int, int]:
    return tuple(int(v) for v in sky_gradient(resolve(name, background=True).rgb, (1, 1), 1)[0, 0])


def layers_of(page: Path, step: int) -> list[dict]:
    return json.loads((page / "result.json").read_text())["steps"][step]["layers"]


@pytest.fixture(scope="module")
def chapter(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess, list[Path]]:
    """Three real scenes plus two pages that must fail (unreadable, too large), on two local workers."""
    inputs = tmp_path_factory.mktemp("inputs")
    broken = inputs / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    huge = inputs / "huge.png"  # 9000x1: small file, refused from its header
    Image.new("L", (9000, 1), 255).save(huge)
    sketches = [SCENES / scene / "sketch.png" for scene in SCENE_IDS]
    out = tmp_path_factory.mktemp("chapter")
    args = [*map(str, sketches), str(broken), str(huge), "--instruction", SKY_GROUND, "--instruction", TREES]
    proc = run_batch_cli(*args, "--out", str(out), "--workers", "2")
    return out, proc, sketches


def test_every_page_gets_the_same_tree_sky_and_ground_colours(chapter):
    out, proc, _ = chapter
    assert proc.returncode == 1, proc.stderr  # two pages failed, which is reported, not fatal
    trees, backgrounds = [], []
    for scene in SCENE_IDS:
        page = out / f"{scene}-sketch"
        (tree_layer,) = layers_of(page, 1)
        assert tree_layer["category"] == "tree" and len(tree_layer["instances"]) >= 3
        trees.append(opaque_colours(page / tree_layer["file"]))
        backgrounds.append(sky_top_and_ground(page, 0))
    # Exact RGB: the named colour and the default trunk colour, on all three pages.
    assert trees[0] == trees[1] == trees[2] == {DARK_GREEN, BROWN}
    assert backgrounds[0] == backgrounds[1] == backgrounds[2] == ({sky_top("light blue")}, {(181, 230, 29)})


def test_each_page_folder_is_what_colorize_writes(chapter):
    out, _, _ = chapter
    page = out / "9203-sketch"
    result = json.loads((page / "result.json").read_text())
    assert (result["width"], result["height"]) == (750, 750)
    assert [step["instruction"] for step in result["steps"]] == [SKY_GROUND, TREES]
    names = {"result.json", "preview.png"}
    for step in result["steps"]:
        assert set(step) == RESULT_KEYS and step["status"] == "ok"
        for layer in step["layers"]:
            names.add(layer["file"])
            assert np.asarray(Image.open(page / layer["file"])).shape == (750, 750, 4)
    assert {p.name for p in page.iterdir()} == names  # nothing else, no temporary left behind
    assert np.asarray(Image.open(page / "preview.png")).shape == (750, 750, 3)


def test_summary_reports_each_page_and_failures_do_not_stop_the_others(chapter):
    out, proc, sketches = chapter
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"] == {"done": 3, "skipped": 0, "failed": 2, "pending": 0}
    assert summary["engine"] == "2 local worker processes"
    pages = {p["page"]: p for p in summary["pages"]}
    assert list(pages) == ["9203-sketch", "99359-sketch", "9946-sketch", "broken", "huge"]
    for scene, sketch in zip(SCENE_IDS, sketches, strict=True):
        page = pages[f"{scene}-sketch"]
        assert page["status"] == "done" and page["sketch"] == str(sketch) and page["seconds"] > 0
        assert [s["status"] for s in page["steps"]] == ["ok", "ok"] and page["peak_rss_mb"] > 50
    assert "could not be read as an image" in pages["broken"]["error"]
    assert "9000x1; the limit is" in pages["huge"]["error"]
    assert not (out / "broken").exists() and not (out / "huge").exists()
    assert "3 done, 0 skipped" in proc.stdout and "2 failed" in proc.stdout
    assert "[5/5]" in proc.stdout  # plain progress lines when not on a terminal
    assert proc.stderr == ""
    applied = json.loads((out / "theme.json").read_text())
    assert [i["text"] for i in applied["instructions"]] == [SKY_GROUND, TREES]


def test_contact_sheet_shows_every_page(chapter):
    out, _, _ = chapter
    sheet = np.asarray(Image.open(out / "contact_sheet.png").convert("RGB"))
    assert sheet.shape[1] > 5 * CELL and sheet.shape[0] > CELL  # five cells in one row
    first = sheet[8 : 8 + CELL, 8 : 8 + CELL]
    assert (np.abs(first.astype(int) - DARK_GREEN).sum(axis=2) == 0).any()  # the trees show
    assert (sheet == (215, 215, 215)).all(axis=2).sum() > CELL * CELL  # grey cells for failed pages


def test_a_rerun_skips_finished_pages_and_force_colours_them_again(chapter):
    out, _, sketches = chapter
    page = out / "9203-sketch"
    before = {p.name: p.stat().st_mtime_ns for p in page.iterdir()}
    again = run_batch_cli(
        *map(str, sketches), "--instruction", SKY_GROUND, "--instruction", TREES, "--out", str(out)
    )
    assert again.returncode == 0, again.stderr
    assert "0 done, 3 skipped" in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in page.iterdir()} == before
    summary = json.loads((out / "summary.json").read_text())
    assert [p["steps"][1]["status"] for p in summary["pages"]] == ["ok"] * 3  # read back from result.json
    theme = str(out / "theme.json")  # the same instructions, from the theme the first run wrote
    forced = run_batch_cli(
        *map(str, sketches), "--theme", theme, "--out", str(out), "--force", "--workers", "2"
    )
    assert forced.returncode == 0, forced.stderr
    assert "3 done, 0 skipped" in forced.stdout
    assert (page / "result.json").stat().st_mtime_ns > before["result.json"]


def test_cluster_pages_equal_local_pages(chapter, tmp_path):
    """A real Dask cluster on loopback (scheduler and one worker process), given the theme the local
    run wrote: the cluster path makes the same files, byte for byte."""
    distributed = pytest.importorskip(
        "distributed", reason="the cluster extra is not installed (pip install -r requirements-cluster.txt)"
    )
    out, _, sketches = chapter
    with distributed.LocalCluster(
        host="127.0.0.1", processes=True, n_workers=1, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        proc = run_batch_cli(
            *map(str, sketches[:2]),
            "--theme",
            str(out / "theme.json"),
            "--out",
            str(tmp_path),
            "--cluster",
            address,
        )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["engine"].startswith(f"Dask cluster at {address} (1 workers")
    for scene in SCENE_IDS[:2]:
        local, remote = out / f"{scene}-sketch", tmp_path / f"{scene}-sketch"
        files = sorted(p.name for p in local.iterdir())
        assert sorted(p.name for p in remote.iterdir()) == files
        for name in files:
            assert (remote / name).read_bytes() == (local / name).read_bytes(), name


def test_an_unreachable_scheduler_is_one_clear_error(monkeypatch):
    pytest.importorskip("distributed", reason="the cluster extra is not installed")
    from backend.service import cluster

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    with pytest.raises(workers.EngineError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        workers.open_engine(cluster="tcp://127.0.0.1:9")


def test_without_the_extra_cluster_is_a_one_line_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an install without the extra sees
    monkeypatch.delitem(sys.modules, "backend.service.cluster", raising=False)
    sketch = str(SCENES / "9203" / "sketch.png")
    status = main(
        ["batch", sketch, "--instruction", TREES, "--out", str(tmp_path), "--cluster", "tcp://127.0.0.1:9"]
    )
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert (
        err.startswith("error: --cluster needs the optional Dask extra") and "requirements-cluster.txt" in err
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--out", "o"], "one of the arguments --instruction --theme is required"),
        (["--instruction", TREES, "--theme", "t.json", "--out", "o"], "not allowed with argument"),
        (["--instruction", TREES, "--out", "o", "--workers", "2", "--cluster", "tcp://x:1"], "not allowed"),
        (
            ["--instruction", "the spaceship is red", "--out", "o"],
            "instruction 1 ('the spaceship is red') is not",
        ),
        (["--theme", "missing.json", "--out", "o"], "cannot read theme missing.json"),
        (["--instruction", TREES, "--out", "o", "--workers", "0"], "--workers must be at least 1"),
    ],
)
def test_usage_mistakes_are_one_line_before_any_work(args, expected, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    try:
        status = main(["batch", str(SCENES / "9203" / "sketch.png"), *args])
    except SystemExit as exc:  # argparse's own checks exit (with the CLI's one-line message)
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and expected in err
    assert not list(tmp_path.glob("o/*"))  # nothing written


def test_page_names_are_stems_made_unique_by_their_folders(tmp_path):
    a, b = tmp_path / "ch1" / "p1", tmp_path / "ch2" / "p1"
    pages = name_pages(
        [a / "page.png", b / "page.png", a / "cover.png", a / "page.png", tmp_path / "summary.json.png"]
    )
    assert [p.name for p in pages] == ["ch1-p1-page", "ch2-p1-page", "cover", f"{tmp_path.name}-summary.json"]


def test_a_result_of_other_instructions_is_not_finished(tmp_path):
    theme = theme_from_texts([TREES])
    steps = [
        {
            "instruction": TREES,
            "status": "ok",
            "message": "m",
            "parse": theme.instructions[0].model_dump(mode="json"),
        }
    ]
    (tmp_path / "result.json").write_text(json.dumps({"width": 1, "height": 1, "steps": steps}))
    assert finished_steps(tmp_path, theme) == [{"instruction": TREES, "status": "ok", "message": "m"}]
    assert finished_steps(tmp_path, theme_from_texts(["all the trees are green"])) is None
    assert finished_steps(tmp_path / "nothing", theme) is None
    (tmp_path / "result.json").write_text("{half")
    assert finished_steps(tmp_path, theme) is None


def test_contact_sheet_cells_for_previews_and_for_missing_pages(tmp_path):
    preview = tmp_path / "p.png"
    Image.new("RGB", (1000, 500), (255, 0, 0)).save(preview)
    png = contact_sheet([("a", "done", preview), ("b", "failed", tmp_path / "none.png")])
    sheet = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    red = (sheet == (255, 0, 0)).all(axis=2)
    assert red.sum() == CELL * CELL // 2  # aspect kept: 256x128
    assert (sheet == (215, 215, 215)).all(axis=2).sum() > CELL * CELL * 0.9


def test_progress_is_plain_lines_off_a_terminal():
    lines, terminal = io.StringIO(), io.StringIO()
    progress = Progress(2, terminal=terminal, lines=lines)
    progress.update(PageReport("p1", "p1.png", status="done", seconds=1.25))
    progress.update(PageReport("p2", "p2.png", status="failed", error="cannot open sketch p2.png"))
    progress.close()
    assert lines.getvalue() == "[1/2] p1: done in 1.2 s\n[2/2] p2: failed: cannot open sketch p2.png\n"
    assert terminal.getvalue() == ""


def test_colour_everything_gives_each_category_its_palette_in_turn_on_every_page(tmp_path):
    """In this process (the one-worker engine): the n-th tree from the left has the same colours on
    every page, and sky and ground are the palette's, so "colour everything" is consistent too."""
    pages = name_pages([SCENES / scene / "sketch.png" for scene in SCENE_IDS])
    theme = theme_from_texts(["colour everything"])
    engine = workers.open_engine(1)
    summary = run_batch(pages, theme, tmp_path, engine)
    engine.close()
    assert summary["counts"]["done"] == 3 and summary["engine"] == "1 worker (in process)"
    palette = [{c.rgb for c in everything_colours("tree", turn).values()} for turn in range(3)]
    sky_ground = ({sky_top(EVERYTHING_SKY)}, {resolve(EVERYTHING_GROUND, background=True).rgb})
    for page in pages:
        layers = layers_of(tmp_path / page.name, 0)
        assert sky_top_and_ground(tmp_path / page.name, 0) == sky_ground
        trees = sorted(
            (la for la in layers if la["category"] == "tree"),
            key=lambda la: la["bbox"][0] + la["bbox"][2] / 2,
        )
        assert len(trees) >= 3
        for turn, layer in enumerate(trees):
            colours = opaque_colours(tmp_path / page.name / layer["file"])
            leaves = everything_colours("tree", turn)["leaves"].rgb
            assert leaves in colours and colours <= palette[turn % 3], (page.name, turn, colours)


def test_a_page_coloured_again_loses_the_layers_of_its_old_instructions(tmp_path):
    """Recoloured with fewer instructions, a page folder lists only its new files (the user's own kept)."""
    for name in ("step01-fg-tree-1.png", "step03-fg-car-2.png", "notes.txt", "result.json"):
        (tmp_path / name).write_bytes(b"old")
    files = {"step01-fg-tree-1.png": b"new", "preview.png": b"p", "result.json": b"{}"}
    report = PageReport("p", "p.png")
    record_outcome(
        report, workers.PageOutcome("p", ok=True, files=files, seconds=1.0, worker="w:1"), tmp_path
    )
    assert report.status == "done"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt",
        "preview.png",
        "result.json",
        "step01-fg-tree-1.png",
    ]
    assert (tmp_path / "step01-fg-tree-1.png").read_bytes() == b"new"


def test_a_theme_paints_its_stored_rgb_not_what_the_text_would_parse_to(tmp_path):
    """The theme's parse is applied as stored: leaves edited to (1, 2, 3) by hand are painted (1, 2, 3)
    although its text still says "dark green" (re-parsing would give (20, 110, 45))."""
    data = json.loads(dumps_theme(theme_from_texts([TREES])))
    data["instructions"][0]["clauses"][0]["colours"]["leaves"]["rgb"] = [1, 2, 3]
    theme_file = tmp_path / "edited.theme.json"
    theme_file.write_text(json.dumps(data))
    pages = name_pages([SCENES / "9946" / "sketch.png"])
    (tmp_path / "out").mkdir()
    engine = workers.open_engine(1)
    run_batch(pages, load_theme(theme_file), tmp_path / "out", engine)
    engine.close()
    page = tmp_path / "out" / "sketch"
    (layer,) = layers_of(page, 0)
    assert opaque_colours(page / layer["file"]) == {(1, 2, 3), BROWN}


def test_a_worker_makes_its_colorizer_once_for_all_its_pages(monkeypatch):
    """The model is loaded by init_worker (the pool's initializer) and kept: a second page reuses it."""
    made = []

    class FakeColorizer:
        def __init__(self, recognizer, cache_size: int) -> None:
            made.append(cache_size)

        def apply(self, rgba, parsed, mask=None, taught=None):
            return StepResult(parsed.text, "no_match", "nothing here")

    monkeypatch.setattr(workers, "Colorizer", FakeColorizer)
    monkeypatch.setattr(workers, "_colorizer", None)
    monkeypatch.setattr("backend.understanding.default_recognizer", lambda: "model")
    png = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(png, format="PNG")
    instructions = theme_from_texts([TREES]).instructions
    tasks = [workers.PageTask(f"p{i}", png.getvalue(), instructions) for i in range(2)]
    outcomes = [workers.render_page(task) for task in tasks]
    assert made == [1]  # one colorizer, caching one analysis: no page is seen twice
    assert [o.ok for o in outcomes] == [True, True] and outcomes[1].steps[0]["status"] == "no_match"
    assert set(outcomes[0].files) == {"preview.png", "result.json"}


def test_a_worker_that_died_fails_its_page_only():
    future: cf.Future = cf.Future()
    future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
    outcome = workers._outcome(future, "p7")
    assert (outcome.name, outcome.ok) == ("p7", False)
    assert outcome.error == "the worker failed: BrokenProcessPool: a child process terminated abruptly"
