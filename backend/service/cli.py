"""`python -m backend colorize|serve`: the command-line contract.

colorize writes DIR/result.json and one full-canvas RGBA PNG per layer; it exits non-zero with a
one-line error only when the input cannot be read, never because a step found nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path

import numpy as np

from backend.colouring import Layer
from backend.pipeline import StepResult

from .images import ImageError, decode_mask, decode_rgba, encode_png


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "layer"


def preview(rgba: np.ndarray, layers: list[Layer]) -> np.ndarray:
    """The coloured sketch as an artist sees it in Krita: background, foreground, lines on top."""
    from backend.lineart import ink_from_rgba

    h, w = rgba.shape[:2]
    canvas = np.full((h, w, 3), 255.0, np.float32)
    ordered = [la for la in layers if la.kind == "background"] + [
        la for la in layers if la.kind != "background"
    ]
    for layer in ordered:
        full = layer.full((h, w)).astype(np.float32)
        alpha = full[..., 3:] / 255.0
        canvas = canvas * (1 - alpha) + full[..., :3] * alpha
    ink = ink_from_rgba(rgba)[..., None]
    canvas = canvas * (1 - ink)
    return np.clip(canvas + 0.5, 0, 255).astype(np.uint8)


def colorize(args: argparse.Namespace) -> int:
    from backend.language import InstructionError, parse_instruction
    from backend.pipeline import Colorizer
    from backend.understanding import default_recognizer

    try:
        rgba = decode_rgba(Path(args.sketch).read_bytes(), "sketch")
        mask = decode_mask(Path(args.mask).read_bytes(), rgba.shape[:2]) if args.mask else None
    except (OSError, ImageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    colorizer = Colorizer(default_recognizer())
    current: dict[str, Layer] = {}  # the run's layers by key: a later step on a key replaces it
    h, w = rgba.shape[:2]
    steps = []
    for i, text in enumerate(args.instruction, start=1):
        try:
            step = colorizer.apply(rgba, parse_instruction(text), mask)
        except InstructionError as exc:
            step = StepResult(text, "not_understood", str(exc))
        entries = []
        for layer in step.layers:
            name = f"step{i:02d}-{_slug(layer.key)}.png"
            (out / name).write_bytes(encode_png(layer.full((h, w))))
            entries.append({**layer.describe(), "file": name})
        replaced = [layer.key for layer in step.layers if layer.key in current]
        current.update((layer.key, layer) for layer in step.layers)
        steps.append(
            {
                "instruction": text,
                "status": step.status,
                "message": step.message,
                "parse": step.parse,
                "layers": entries,
                "replaced": replaced,
            }
        )
        print(f"[{step.status}] {text}: {step.message}")
    from PIL import Image

    Image.fromarray(preview(rgba, list(current.values()))).save(out / "preview.png")
    result = {"width": w, "height": h, "steps": steps}
    (out / "result.json").write_text(json.dumps(result, indent=1))
    print(f"wrote {out / 'result.json'} and {out / 'preview.png'}")
    return 0


def serve(args: argparse.Namespace) -> int:
    from .malloc import bound_allocator
    from .server import run

    bound_allocator()
    return run(args.host, args.port, args.token)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m backend", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    col = sub.add_parser("colorize", help="colour a sketch file into layer PNGs")
    col.add_argument("sketch")
    col.add_argument("--instruction", action="append", required=True, help="repeat to apply several in order")
    col.add_argument("--mask", help="selection mask PNG (non-zero = selected), same size as the sketch")
    col.add_argument("--out", required=True)
    col.set_defaults(func=colorize)
    srv = sub.add_parser("serve", help="start the HTTP server")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8765)
    srv.add_argument("--token", default=None, help="required for a non-loopback --host (or LANGCOLOR_TOKEN)")
    srv.set_defaults(func=serve)
    args = parser.parse_args(argv)
    return int(args.func(args))
