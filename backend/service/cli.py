"""`python -m backend colorize|serve`: the command-line contract.

colorize writes DIR/result.json and one full-canvas RGBA PNG per layer. It exits 2 with one line,
`error: ...`, on stderr when it cannot do its job (an input that cannot be read, an --out that cannot
be written, a full disk), never with a traceback, and never because a step found nothing. Inputs
and --out are checked before the model loads, so a typo costs milliseconds, not a model load.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import re
import stat
import sys
from pathlib import Path
from typing import NoReturn

import numpy as np
from PIL import Image

from backend.colouring import Layer
from backend.language import InstructionError, parse_instruction
from backend.pipeline import Colorizer, StepResult
from backend.understanding import default_recognizer

from .images import MAX_FILE_BYTES, ImageError, decode_mask, decode_rgba, encode_png


class CliError(Exception):
    """A failure the user can act on; printed as one `error: ...` line, exit status 2."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "layer"


def read_input(path: str, what: str) -> bytes:
    """The bytes of an input image, refused before reading unless it is a regular file within the limit.

    Opened non-blocking and checked on the open descriptor, so a FIFO or device (/dev/zero would be
    read forever) is refused at once and a file swapped after the check is still the one checked.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise CliError(f"cannot open {what} {path}: {exc.strerror}") from None
    limit_mb = MAX_FILE_BYTES // (1024 * 1024)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CliError(f"{what} {path} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise CliError(f"{what} {path} is {info.st_size / 2**20:.0f} MB; the limit is {limit_mb} MB")
        data = b""
        while chunk := os.read(fd, MAX_FILE_BYTES + 1 - len(data)):
            data += chunk
            if len(data) > MAX_FILE_BYTES:  # it grew after the check
                raise CliError(f"{what} {path} is over the limit of {limit_mb} MB")
        return data
    except OSError as exc:
        raise CliError(f"cannot read {what} {path}: {exc.strerror}") from None
    finally:
        os.close(fd)


def prepare_out(path: str) -> Path:
    """--out as a folder this process can write in, created if missing; tried, not inferred from
    permission bits (root ignores them, a read-only mount does not)."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {out} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        probe.unlink()
    except OSError as exc:
        raise CliError(f"--out {out} is not a writable folder: {exc.strerror}") from None
    return out


class Results:
    """The run's output files, written under temporary names and renamed into place at the end.

    A failure part way (a full disk) removes what was written: DIR holds either the whole new
    result or what it held before, never half of one. result.json goes in last, and an older one
    is removed before the first rename, so a result.json never describes files of another run.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self._pending: list[tuple[Path, Path]] = []  # (temporary, final)

    def add(self, name: str, data: bytes) -> None:
        final = self.out / name
        temporary = self.out / f".{name}.{os.getpid()}.part"
        self._pending.append((temporary, final))  # before writing: a failed write is cleaned too
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def commit(self) -> None:
        (self.out / "result.json").unlink(missing_ok=True)
        for temporary, final in self._pending:
            os.replace(temporary, final)
        self._pending = []

    def abort(self) -> None:
        for temporary, _ in self._pending:
            temporary.unlink(missing_ok=True)
        self._pending = []


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
    try:
        rgba = decode_rgba(read_input(args.sketch, "sketch"), "sketch")
        mask = decode_mask(read_input(args.mask, "mask"), rgba.shape[:2]) if args.mask else None
    except ImageError as exc:
        raise CliError(str(exc)) from None
    out = prepare_out(args.out)
    colorizer = Colorizer(default_recognizer())
    results = Results(out)
    try:
        summary = _run_steps(colorizer, rgba, mask, args.instruction, results)
        results.commit()
    except OSError as exc:
        raise CliError(f"cannot write the results to {out}: {exc.strerror or exc}") from None
    finally:
        results.abort()  # after a commit there is nothing left; after any other failure, no half result
    for line in summary:
        print(line)
    print(f"wrote {out / 'result.json'} and {out / 'preview.png'}")
    return 0


def _run_steps(
    colorizer: Colorizer, rgba: np.ndarray, mask: np.ndarray | None, instructions: list[str], results: Results
) -> list[str]:
    """Applies the instructions in order, adding each layer's file to `results`; returns the report."""
    current: dict[str, Layer] = {}  # the run's layers by key: a later step on a key replaces it
    h, w = rgba.shape[:2]
    steps, summary = [], []
    for i, text in enumerate(instructions, start=1):
        try:
            step = colorizer.apply(rgba, parse_instruction(text), mask)
        except InstructionError as exc:
            step = StepResult(text, "not_understood", str(exc))
        entries = []
        for layer in step.layers:
            name = f"step{i:02d}-{_slug(layer.key)}.png"
            results.add(name, encode_png(layer.full((h, w))))
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
        summary.append(f"[{step.status}] {text}: {step.message}")
    buf = io.BytesIO()
    Image.fromarray(preview(rgba, list(current.values()))).save(buf, format="PNG")
    results.add("preview.png", buf.getvalue())
    results.add("result.json", json.dumps({"width": w, "height": h, "steps": steps}, indent=1).encode())
    return summary


def serve(args: argparse.Namespace) -> int:
    from .malloc import bound_allocator
    from .server import ServeError, run

    bound_allocator()
    try:
        return run(args.host, args.port, args.token)
    except ServeError as exc:
        raise CliError(str(exc)) from None


class _Parser(argparse.ArgumentParser):
    """argparse with the CLI's one-line errors instead of a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m backend", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    col = sub.add_parser("colorize", help="colour a sketch file into layer PNGs")
    col.add_argument("sketch")
    col.add_argument("--instruction", action="append", required=True, help="repeat to apply several in order")
    col.add_argument("--mask", help="selection mask PNG (non-zero = selected), same size as the sketch")
    col.add_argument("--out", required=True, help="folder for result.json and the layer PNGs")
    col.set_defaults(func=colorize)
    srv = sub.add_parser("serve", help="start the HTTP server")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8765)
    srv.add_argument("--token", default=None, help="required for a non-loopback --host (or LANGCOLOR_TOKEN)")
    srv.set_defaults(func=serve)
    args = parser.parse_args(argv)
    # colorize's stderr is for its one error line; the server logs its requests.
    level = logging.INFO if args.command == "serve" else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
    except Exception as exc:  # a bug: still one line, naming it (LANGCOLOR_TRACEBACK=1 shows where)
        if os.environ.get("LANGCOLOR_TRACEBACK"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
    return 2
