"""One page's result: its instructions applied in order, and the files that show them, written atomically.

`colorize` and `batch` both go through here, so a batch page folder is byte for byte what `colorize`
writes: result.json, one full-canvas RGBA PNG per layer (stepNN-<key>.png) and preview.png. Making
the files (`page_files`, pure, runs in a worker) is apart from writing them (`write_files`, in the
process that owns the output folder), so a cluster worker needs no access to that folder.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from backend.colouring import Layer
from backend.language import InstructionError, ParsedInstruction, parse_instruction
from backend.lineart import ink_from_rgba
from backend.pipeline import Colorizer, StepResult
from backend.understanding import Taught

from .files import RESULT, AtomicFiles
from .images import encode_png

PREVIEW = "preview.png"


@dataclass(frozen=True)
class PageStep:
    """One instruction of a page with the selection only it applies to (the CLI's --select)."""

    instruction: str | ParsedInstruction
    mask: np.ndarray | None = None


def apply_steps(
    colorizer: Colorizer,
    rgba: np.ndarray,
    mask: np.ndarray | None,
    instructions: Sequence[str | ParsedInstruction | PageStep],
) -> list[StepResult]:
    """The instructions applied to the sketch in order, like a document's history in Krita.

    `mask` applies to every step that has no selection of its own. A text is parsed when its turn
    comes, so it can name what an earlier step taught ("this is a giraffe", then "the giraffe is
    yellow"); what is taught is carried to the later steps, and "forget" drops it. A text that is not
    understood is a step that colours nothing, reported. A theme's parses are used as they are.
    """
    taught: list[Taught] = []
    steps = []
    for item in instructions:
        step_in = item if isinstance(item, PageStep) else PageStep(item)
        selection = step_in.mask if step_in.mask is not None else mask
        instruction = step_in.instruction
        if isinstance(instruction, str):
            names = [t.category for t in taught]
            try:
                instruction = parse_instruction(instruction, names, selection is not None)
            except InstructionError as exc:
                steps.append(StepResult(instruction, "not_understood", str(exc)))
                continue
        step = colorizer.apply(rgba, instruction, selection, taught)
        taught = [t for t in taught if t.category not in step.forget] + step.taught
        steps.append(step)
    return steps


def page_files(rgba: np.ndarray, steps: Sequence[StepResult]) -> dict[str, bytes]:
    """File name -> bytes, in the order to write them: layer PNGs, preview.png, result.json last.

    A later step's layer with the same key replaces the earlier one in the preview (as in Krita);
    result.json lists every step's layers and which keys each replaced.
    """
    files: dict[str, bytes] = {}
    current: dict[str, Layer] = {}
    h, w = rgba.shape[:2]
    described = []
    for i, step in enumerate(steps, start=1):
        entries = []
        for layer in step.layers:
            name = f"step{i:02d}-{_slug(layer.key)}.png"
            files[name] = encode_png(layer.full((h, w)))
            entries.append({**layer.describe(), "file": name})
        replaced = [layer.key for layer in step.layers if layer.key in current]
        current.update((layer.key, layer) for layer in step.layers)
        described.append(
            {
                "instruction": step.instruction,
                "status": step.status,
                "message": step.message,
                "parse": step.parse,
                "layers": entries,
                "replaced": replaced,
            }
        )
    buf = io.BytesIO()
    Image.fromarray(preview(rgba, list(current.values()))).save(buf, format="PNG")
    files[PREVIEW] = buf.getvalue()
    files[RESULT] = json.dumps({"width": w, "height": h, "steps": described}, indent=1).encode()
    return files


def step_lines(steps: Sequence[StepResult]) -> list[str]:
    """One line per step for a terminal: `[status] instruction: message`."""
    return [f"[{step.status}] {step.instruction}: {step.message}" for step in steps]


def preview(rgba: np.ndarray, layers: list[Layer]) -> np.ndarray:
    """The coloured sketch as an artist sees it in Krita: background, foreground, lines on top."""
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


def write_files(out: Path, files: dict[str, bytes]) -> None:
    """Writes a page's files into `out` (which must exist) all or nothing; raises OSError."""
    pending = AtomicFiles(out)
    try:
        for name, data in files.items():
            pending.add(name, data)
        pending.commit()
    finally:
        pending.abort()  # after a commit there is nothing left; after any failure, no half result


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "layer"
