"""`python -m backend colorize|batch|serve`: the command-line contract.

colorize writes DIR/result.json, one full-canvas RGBA PNG per layer and DIR/preview.png; batch
writes that for every sketch into DIR/<page>/ plus DIR/summary.json (docs/themes.md). Both exit 2
with one line, `error: ...`, on stderr when they cannot do their job (an input that cannot be read,
an --out that cannot be written, a full disk, a theme or engine that cannot be used), never with a
traceback, and never because a step found nothing; batch exits 1 when some page failed (the summary
says which). Inputs and --out are checked before the model loads, so a typo costs milliseconds.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import NoReturn

from backend.pipeline import Colorizer
from backend.understanding import default_recognizer

from .batch import CONTACT_SHEET, SUMMARY, Progress, name_pages, run_batch
from .files import RESULT, InputError, prepare_out, read_input
from .images import ImageError, decode_mask, decode_rgba
from .results import PREVIEW, PageStep, apply_steps, page_files, step_lines, write_files
from .theme import ThemeError, load_theme, theme_from_texts
from .workers import EngineError, open_engine


class CliError(Exception):
    """A failure the user can act on; printed as one `error: ...` line, exit status 2."""


class _InOrder(argparse.Action):
    """--instruction and --select into one list in command-line order: a --select belongs to the
    --instruction after it."""

    def __call__(self, parser, namespace, value, option_string=None) -> None:  # noqa: ANN001
        order = getattr(namespace, "order", None) or []
        namespace.order = [*order, (self.dest, value)]


def _page_steps(order: list[tuple[str, str]], shape: tuple[int, int]) -> list[PageStep]:
    """Each instruction with the selection given just before it, if any (--mask covers the others)."""
    steps, pending = [], None
    for kind, value in order:
        if kind == "select":
            if pending is not None:
                raise CliError("--select must be followed by the --instruction it applies to")
            pending = decode_mask(read_input(value, "selection"), shape)
        else:
            steps.append(PageStep(value, pending))
            pending = None
    if pending is not None:
        raise CliError("--select must be followed by the --instruction it applies to")
    return steps


def colorize(args: argparse.Namespace) -> int:
    try:
        rgba = decode_rgba(read_input(args.sketch, "sketch"), "sketch")
        mask = decode_mask(read_input(args.mask, "mask"), rgba.shape[:2]) if args.mask else None
        page = _page_steps(args.order, rgba.shape[:2])
        out = prepare_out(args.out)
    except (ImageError, InputError) as exc:
        raise CliError(str(exc)) from None
    colorizer = Colorizer(default_recognizer())
    steps = apply_steps(colorizer, rgba, mask, page)
    try:
        write_files(out, page_files(rgba, steps))
    except OSError as exc:
        raise CliError(f"cannot write the results to {out}: {exc.strerror or exc}") from None
    for line in step_lines(steps):
        print(line)
    print(f"wrote {out / RESULT} and {out / PREVIEW}")
    return 0


def batch(args: argparse.Namespace) -> int:
    """Everything that can be refused is refused before the first page: the instructions or theme,
    --out, the engine (a missing extra, an unreachable scheduler)."""
    try:
        theme = load_theme(args.theme) if args.theme else theme_from_texts(args.instruction)
        if not theme.instructions:
            raise ThemeError(f"theme {args.theme} has no instructions")
        out = prepare_out(args.out)
        engine = open_engine(args.workers, args.cluster)
    except (ThemeError, InputError, EngineError) as exc:
        raise CliError(str(exc)) from None
    pages = name_pages(args.sketches)
    progress = Progress(len(pages))
    try:
        summary = run_batch(pages, theme, out, engine, args.force, progress.update)
    except OSError as exc:
        raise CliError(f"cannot write the results to {out}: {exc.strerror or exc}") from None
    finally:
        progress.close()
        engine.close()
    n = summary["counts"]
    print(f"{n['done']} done, {n['skipped']} skipped (done before), {n['failed']} failed", end="; ")
    print(f"wrote {out / SUMMARY} and {out / CONTACT_SHEET}")
    return 1 if n["failed"] else 0


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
    col.add_argument(
        "--instruction",
        action=_InOrder,
        dest="instruction",
        required=True,
        help="repeat to apply several in order",
    )
    col.add_argument(
        "--select",
        action=_InOrder,
        dest="select",
        metavar="MASK",
        help="selection PNG for the next --instruction only (e.g. before 'this is a cat')",
    )
    col.add_argument("--mask", help="selection mask PNG for every instruction (non-zero = selected)")
    col.add_argument("--out", required=True, help="folder for result.json and the layer PNGs")
    col.set_defaults(func=colorize)
    bat = sub.add_parser("batch", help="colour many sketches with the same instructions or theme")
    bat.add_argument("sketches", nargs="+", metavar="SKETCH")
    what = bat.add_mutually_exclusive_group(required=True)
    what.add_argument("--instruction", action="append", help="repeat to apply several in order")
    what.add_argument("--theme", help="a theme file (docs/themes.md), e.g. DIR/theme.json of an earlier run")
    bat.add_argument("--out", required=True, help="folder for the page folders and summary.json")
    where = bat.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, help="local worker processes (default 1: this one)")
    where.add_argument("--cluster", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://farm:8786 (extra)")
    bat.add_argument("--force", action="store_true", help="colour pages again that an earlier run finished")
    bat.set_defaults(func=batch)
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
