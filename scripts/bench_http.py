"""Latency and memory of the real server, through HTTP: `python scripts/bench_http.py`.

Starts `python -m backend serve` as a separate process, measures cold start to the first answer,
then per-instruction latency with a warm server at several canvas sizes (the real scene upscaled),
the server's peak resident memory, and where the time goes. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import base64
import io
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SKETCH = ROOT / "examples" / "school-bus-scene.png"
PAPER_GPU_SECONDS = 2.0  # Zou et al. 2019: each instruction answered within 2 s on a GPU

INSTRUCTIONS = [
    "the sun is orange",
    "the sky is light blue and the ground is green",
    "the clouds are light gray",
    "the bus is yellow with black windows",
    "the trees are dark green",
    "the sky is blue",
    "the bus is red",
    "the sun is yellow",
    "the birds are blue",
    "the ground is light brown",
    "the rabbit is pink",
    "the leftmost tree is green",
    "the clouds are white",
    "the sky is cyan",
    "colorize the bus in purple",
    "the sun is gold",
    "the trees on the right are dark green",
    "the ground is dark green",
    "the bird on the right is red",
    "the bus is orange with light blue windows",
]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def scaled_png(side: int) -> str:
    img = Image.open(SKETCH).convert("L").resize((side, side), Image.BICUBIC)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[768, 2048, 4096])
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--repeat", type=int, default=1, help="passes over the 20 instructions per size")
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend", "serve", "--port", str(args.port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = httpx.Client(timeout=300)
    try:
        first_image = scaled_png(args.sizes[0])
        while True:
            try:
                res = client.post(
                    f"{url}/v2/colorize", json={"image": first_image, "instruction": "the sun is red"}
                )
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    raise SystemExit("server exited") from None
                time.sleep(0.05)
        cold = time.perf_counter() - t0
        assert res.status_code == 200, res.text
        rows = []
        stages_all: dict[str, float] = {}
        for side in args.sizes:
            image = scaled_png(side)
            t = time.perf_counter()
            first = client.post(f"{url}/v2/colorize", json={"image": image, "instruction": INSTRUCTIONS[0]})
            first_s = time.perf_counter() - t
            lat = []
            for text in INSTRUCTIONS * args.repeat:
                t = time.perf_counter()
                res = client.post(f"{url}/v2/colorize", json={"image": image, "instruction": text})
                lat.append(time.perf_counter() - t)
                if res.status_code == 200:
                    for stage, sec in res.json()["timings"].items():
                        stages_all[stage] = stages_all.get(stage, 0.0) + sec
            assert first.status_code == 200, first.text
            lat.sort()
            p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
            rows.append((side, first_s, statistics.median(lat), p95, len(lat), peak_rss_mb(proc.pid)))
        print("| canvas | first instruction (analysis) | median | p95 | n | server peak RSS so far |")
        print("|---|---|---|---|---|---|")
        for side, first_s, med, p95, n, rss in rows:
            print(f"| {side}x{side} | {first_s:.2f} s | {med:.3f} s | {p95:.3f} s | {n} | {rss:.0f} MB |")
        print()
        print(
            f"cold start to first answer (768-class scene): {cold:.2f} s; "
            f"paper's reference: {PAPER_GPU_SECONDS:.1f} s per instruction on a GPU"
        )
        total = sum(stages_all.values()) or 1.0
        shares = ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in stages_all.items())
        print(f"server-side time in warm instructions (excluding HTTP and PNG coding): {shares}")
        print(f"server peak resident memory: {peak_rss_mb(proc.pid):.0f} MB")
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
