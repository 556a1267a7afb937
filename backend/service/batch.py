"""`batch`: one theme applied to many pages, each written as `colorize` would, with a summary.

The page loop lives here; where pages are coloured is the engine's business (workers.py, cluster.py).
A page that cannot be read or coloured is reported and the others go on. A page whose folder already
holds a result of the same instructions is skipped, so a chapter interrupted at page 140 resumes
there; summary.json is rewritten as pages finish, so it says how far a run got even if it is killed.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from .files import RESULT, InputError, read_input, write_file
from .results import PREVIEW, write_files
from .sheet import contact_sheet
from .theme import Theme, dumps_theme
from .workers import Engine, PageOutcome, PageTask

SUMMARY = "summary.json"
CONTACT_SHEET = "contact_sheet.png"
THEME = "theme.json"  # the theme the run applied: apply it to the next chapter with --theme
RESERVED = {SUMMARY, CONTACT_SHEET, THEME}
# summary.json is rewritten after a page at most this often (s): a long chapter's summary is large.
SUMMARY_EVERY = 1.0
_LAYER_FILE = re.compile(r"step\d+-[a-z0-9-]+\.png")  # results.page_files' layer names


@dataclass(frozen=True)
class Page:
    name: str  # its folder under DIR
    sketch: Path


@dataclass
class PageReport:
    """One page's line in summary.json."""

    page: str
    sketch: str
    status: str = "pending"  # done | skipped (done by an earlier run) | failed | pending
    seconds: float | None = None
    steps: list[dict[str, str]] = field(default_factory=list)  # instruction, status, message
    error: str | None = None
    worker: str | None = None
    peak_rss_mb: float | None = None


def name_pages(sketches: Sequence[str | Path]) -> list[Page]:
    """Each sketch's folder name: its file stem, or with as many parent folders as it takes to be
    unique ("9203-sketch" when every scene is a sketch.png). The same file given twice is one page."""
    paths = list(dict.fromkeys(Path(s).resolve() for s in sketches))
    names = {path: path.stem for path in paths}
    for depth in range(1, 1 + max((len(p.parts) for p in paths), default=0)):
        taken: dict[str, int] = {}
        for name in names.values():
            taken[name] = taken.get(name, 0) + 1
        clashing = [p for p, n in names.items() if taken[n] > 1 or n in RESERVED or not n.strip(".")]
        if not clashing:
            break
        for path in clashing:
            parents = [part for part in path.parent.parts[-depth:] if part != path.anchor]
            names[path] = "-".join([*parents, path.stem])
    seen: set[str] = set()
    for path, name in names.items():  # what parents cannot tell apart ("a-b/c.png", "a/b-c.png")
        unique, k = name, 1
        while unique in seen or unique in RESERVED:
            k += 1
            unique = f"{name}-{k}"
        names[path] = unique
        seen.add(unique)
    return [Page(names[path], path) for path in paths]


def finished_steps(folder: Path, theme: Theme) -> list[dict[str, str]] | None:
    """The steps of a result in `folder` made by exactly this theme's instructions, else None."""
    try:
        result = json.loads((folder / RESULT).read_text())
        steps = result["steps"]
        if [s["parse"] for s in steps] != [p.model_dump(mode="json") for p in theme.instructions]:
            return None
        return [{key: s[key] for key in ("instruction", "status", "message")} for s in steps]
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Progress:
    """A tqdm bar when stderr is a terminal; elsewhere (CI logs, a farm's job output) one plain line
    per page on stdout. stderr stays free for the command's one error line."""

    def __init__(self, total: int, terminal: TextIO | None = None, lines: TextIO | None = None) -> None:
        terminal = terminal or sys.stderr
        self.lines = lines or sys.stdout
        self.total, self.count = total, 0
        self._bar = None
        if terminal.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="page", file=terminal, dynamic_ncols=True)

    def update(self, report: PageReport) -> None:
        self.count += 1
        if self._bar is not None:
            self._bar.set_postfix_str(f"{report.page}: {report.status}", refresh=False)
            self._bar.update(1)
            return
        took = f" in {report.seconds:.1f} s" if report.seconds is not None else ""
        why = f": {report.error}" if report.error else ""
        line = f"[{self.count}/{self.total}] {report.page}: {report.status}{took}{why}"
        print(line, file=self.lines, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def run_batch(
    pages: Sequence[Page],
    theme: Theme,
    out: Path,
    engine: Engine,
    force: bool = False,
    progress: Callable[[PageReport], None] | None = None,
) -> dict:
    """Colours every page into out/<page.name>/ and writes summary.json, the contact sheet and the
    theme; returns the summary. `out` must exist and be writable (files.prepare_out)."""
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    reports = {page.name: PageReport(page.name, str(page.sketch)) for page in pages}
    write_file(out / THEME, dumps_theme(theme).encode())

    def summary() -> dict:
        statuses = [r.status for r in reports.values()]
        counts = {s: statuses.count(s) for s in ("done", "skipped", "failed", "pending")}
        return {
            "theme": {"name": theme.name, "instructions": [p.text for p in theme.instructions]},
            "engine": engine.description,
            "started": started.isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - t0, 3),
            "counts": counts,
            "pages": [asdict(r) for r in reports.values()],
        }

    last_write = 0.0

    def finish(report: PageReport) -> None:
        nonlocal last_write
        if time.perf_counter() - last_write >= SUMMARY_EVERY:
            write_file(out / SUMMARY, json.dumps(summary(), indent=1).encode())
            last_write = time.perf_counter()
        if progress:
            progress(report)

    def tasks() -> Iterator[PageTask]:
        """Read lazily, as the engine asks: a chapter is never all in memory."""
        for page in pages:
            report = reports[page.name]
            if not force and (steps := finished_steps(out / page.name, theme)) is not None:
                report.status, report.steps = "skipped", steps
                finish(report)
                continue
            try:
                data = read_input(page.sketch, "sketch")
            except InputError as exc:
                report.status, report.error = "failed", str(exc)
                finish(report)
                continue
            yield PageTask(page.name, data, theme.instructions)

    for outcome in engine.run(tasks()):
        report = reports[outcome.name]
        record_outcome(report, outcome, out / outcome.name)
        finish(report)
    sheet = [(r.page, r.status, out / r.page / PREVIEW) for r in reports.values()]
    write_file(out / CONTACT_SHEET, contact_sheet(sheet))
    final = summary()
    write_file(out / SUMMARY, json.dumps(final, indent=1).encode())
    return final


def record_outcome(report: PageReport, outcome: PageOutcome, folder: Path) -> None:
    """Writes a coloured page's files (all or nothing) and fills in its report."""
    report.seconds = round(outcome.seconds, 3)
    report.worker, report.peak_rss_mb = outcome.worker or None, round(outcome.peak_rss_mb, 1) or None
    report.steps = outcome.steps
    if not outcome.ok:
        report.status, report.error = "failed", outcome.error
        return
    try:
        folder.mkdir(exist_ok=True)
        write_files(folder, outcome.files)
        for stale in folder.iterdir():  # layers of an earlier run with other instructions
            if _LAYER_FILE.fullmatch(stale.name) and stale.name not in outcome.files:
                stale.unlink()
    except OSError as exc:
        report.status, report.error = "failed", f"cannot write {folder}: {exc.strerror or exc}"
        return
    report.status = "done"
