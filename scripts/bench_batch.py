"""Pages per minute of `python -m backend batch` with 1 and 2 local workers and on a Dask cluster.

Why a script and not a test: throughput depends on the machine and on what else runs on it, so it
is reported, not asserted. Each configuration is the real command in a fresh process, timed from
start to exit (model loads, pool or cluster connection included: what a user waits for), with
--force so no page is skipped. The pages are the six real SketchyScene scenes in tests/data, scaled
to the page size, mirrored and shifted so that no two pages are the same picture (an analysis is
never reused). Peak memory per worker is the largest `peak_rss_mb` the workers report in
summary.json (the process's high-water mark: the model, the analysis of the largest page and, on the
cluster, the Dask worker itself). The cluster is a LocalCluster this script starts on 127.0.0.1 with
as many single-thread worker processes as the local pool's largest run, so the rows compare.

    .venv/bin/python scripts/bench_batch.py                       # 20 pages of 768 and of 2048
    .venv/bin/python scripts/bench_batch.py --pages 3 --sizes 256  # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SCENES = ROOT / "tests" / "data" / "sketchyscene-scenes"
INSTRUCTIONS = ["the sky is light blue and the ground is green", "all the trees are dark green"]


def make_pages(folder: Path, count: int, size: int) -> list[Path]:
    """`count` distinct pages of size x size: scene k % 6, mirrored every other round, shifted."""
    scenes = sorted(SCENES.glob("*/sketch.png"))
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for k in range(count):
        grey = Image.open(scenes[k % len(scenes)]).convert("L").resize((size, size), Image.Resampling.LANCZOS)
        pixels = np.asarray(grey)
        if (k // len(scenes)) % 2:
            pixels = pixels[:, ::-1]
        shift = (k // (2 * len(scenes))) * size // 50
        if shift:  # move the drawing right on white paper
            pixels = np.concatenate([np.full((size, shift), 255, np.uint8), pixels[:, :-shift]], axis=1)
        path = folder / f"page{k + 1:03d}.png"
        Image.fromarray(np.ascontiguousarray(pixels)).save(path)
        pages.append(path)
    return pages


def run(pages: list[Path], out: Path, engine: list[str]) -> dict:
    """One `batch` run in a fresh process -> wall seconds, pages/min and worker memory."""
    cmd = [sys.executable, "-m", "backend", "batch", *map(str, pages), "--out", str(out), "--force", *engine]
    for text in INSTRUCTIONS:
        cmd += ["--instruction", text]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({' '.join(engine)}): {proc.stderr.strip() or proc.stdout[-500:]}")
    summary = json.loads((out / "summary.json").read_text())
    if summary["counts"]["done"] != len(pages):
        raise SystemExit(f"batch ({' '.join(engine)}) did not colour every page: {summary['counts']}")
    peaks: dict[str, float] = {}
    for page in summary["pages"]:
        peaks[page["worker"]] = max(peaks.get(page["worker"], 0.0), page["peak_rss_mb"] or 0.0)
    busy = sum(page["seconds"] for page in summary["pages"])
    return {
        "wall": wall,
        "per_min": 60 * len(pages) / wall,
        "page_s": busy / len(pages),
        "peak_mb": max(peaks.values()),
    }


def start_cluster(workers: int):
    """A Dask LocalCluster on loopback (None when the extra is not installed); its worker processes
    import `backend` from this clone."""
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, str(ROOT))
    try:
        from distributed import LocalCluster
    except ImportError:
        print("(no cluster row: pip install -r requirements-cluster.txt)", file=sys.stderr)
        return None
    return LocalCluster(
        host="127.0.0.1", n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--sizes", type=int, nargs="+", default=[768, 2048])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-cluster", action="store_true")
    args = parser.parse_args()
    rows = []
    cluster = None if args.no_cluster else start_cluster(max(args.workers))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for size in args.sizes:
                pages = make_pages(Path(tmp) / f"in{size}", args.pages, size)
                engines = [(f"--workers {n}", ["--workers", str(n)]) for n in args.workers]
                if cluster is not None:
                    label = f"--cluster (local Dask, {max(args.workers)} workers x 1 thread)"
                    engines.append((label, ["--cluster", cluster.scheduler_address]))
                for label, engine in engines:
                    result = run(pages, Path(tmp) / f"out{size}-{len(rows)}", engine)
                    rows.append({"size": size, **result, "engine": label})
                    print(f"{size}px {label}: {result['per_min']:.1f} pages/min", file=sys.stderr)
    finally:
        if cluster is not None:
            cluster.close()
    load = os.getloadavg()
    print(f"\n{args.pages} pages per run, {os.cpu_count()} cores, load average {load[0]:.1f} at the end\n")
    print("| pages | engine | wall (s) | pages/min | s per page in a worker | peak memory per worker (MB) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        pages = f"{args.pages} x {r['size']}x{r['size']}"
        print(
            f"| {pages} | {r['engine']} | {r['wall']:.1f} | {r['per_min']:.1f} "
            f"| {r['page_s']:.2f} | {r['peak_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
