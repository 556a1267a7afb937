"""Where pages are coloured: in this process, in a local process pool, or (cluster.py) on a Dask cluster.

Every engine runs the same `render_page` on a `PageTask` (the sketch's bytes and the parsed
instructions) and gives back a `PageOutcome` (the page's files as bytes), so a worker needs neither the
input paths nor the output folder, and the files are written in one place, by the batch. Each worker
process loads the scene model once (`init_worker`, the pool's initializer) and keeps it for every
page it is given.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import resource
import socket
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Protocol

from backend.language import ParsedInstruction
from backend.pipeline import Colorizer

from .images import ImageError, decode_rgba
from .results import apply_steps, page_files

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageTask:
    """One page to colour: everything a worker needs travels with it (no shared file system)."""

    name: str
    data: bytes
    instructions: list[ParsedInstruction]


@dataclass
class PageOutcome:
    """What a worker gives back: the page's files (name -> bytes) or why there are none."""

    name: str
    ok: bool
    files: dict[str, bytes] = field(default_factory=dict)
    steps: list[dict[str, str]] = field(default_factory=list)  # instruction, status, message
    seconds: float = 0.0
    error: str | None = None
    worker: str = ""
    peak_rss_mb: float = 0.0


class EngineError(Exception):
    """The engine cannot start (extra missing, scheduler unreachable); one sentence for the user."""


MISSING_EXTRA = (
    "--cluster needs the optional Dask extra: .venv/bin/python -m pip install -r requirements-cluster.txt"
)


class Engine(Protocol):
    """Colours tasks and yields their outcomes in the order they finish."""

    description: str

    def run(self, tasks: Iterable[PageTask]) -> Iterator[PageOutcome]: ...

    def close(self) -> None: ...


def open_engine(workers: int = 1, cluster: str | None = None) -> Engine:
    """The engine the command line asked for: a Dask cluster, a local pool, or this process."""
    if cluster:
        try:
            from .cluster import ClusterEngine
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] in ("distributed", "dask"):
                raise EngineError(MISSING_EXTRA) from None
            raise
        return ClusterEngine(cluster)
    if workers < 1:
        raise EngineError(f"--workers must be at least 1, not {workers}")
    return InlineEngine() if workers == 1 else LocalPool(workers)


# The worker process's colorizer: made once by init_worker (or on first use), kept for every page.
_colorizer: Colorizer | None = None
_init_lock = threading.Lock()


def init_worker() -> None:
    """Loads the scene model into this process; the pool's initializer, the cluster plugin's setup."""
    global _colorizer
    with _init_lock:
        if _colorizer is None:
            from backend.understanding import default_recognizer

            from .malloc import bound_allocator

            bound_allocator()  # pages of many sizes one after another: give freed arrays back
            # One analysis cached: a page's later instructions reuse it, no page is seen twice.
            _colorizer = Colorizer(default_recognizer(), cache_size=1)


def render_page(task: PageTask) -> PageOutcome:
    """Decodes, colours and encodes one page; any failure becomes an outcome, never an exception,
    so one bad page cannot take down a pool or a cluster task."""
    start = time.perf_counter()
    outcome = PageOutcome(task.name, ok=False, worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        init_worker()
        assert _colorizer is not None
        rgba = decode_rgba(task.data, "sketch")
        steps = apply_steps(_colorizer, rgba, None, task.instructions)
        outcome.files = page_files(rgba, steps)
        outcome.steps = [
            {"instruction": s.instruction, "status": s.status, "message": s.message} for s in steps
        ]
        outcome.ok = True
    except ImageError as exc:
        outcome.error = str(exc)
    except MemoryError:
        outcome.error = "out of memory on the worker"
    except Exception as exc:  # a bug on one page: reported with the page, logged with its trace
        log.exception("page %s failed", task.name)
        outcome.error = f"unexpected {type(exc).__name__}: {exc}".splitlines()[0]
    outcome.seconds = time.perf_counter() - start
    outcome.peak_rss_mb = peak_rss_mb()
    return outcome


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (MB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KB elsewhere


class InlineEngine:
    """One worker: this process. No pool to start and nothing to pickle."""

    description = "1 worker (in process)"

    def run(self, tasks: Iterable[PageTask]) -> Iterator[PageOutcome]:
        init_worker()
        for task in tasks:
            yield render_page(task)

    def close(self) -> None:
        pass


class LocalPool:
    """N worker processes on this machine, each loading the model once (the pool's initializer).

    Processes are spawned, not forked: the parent may hold threads (a progress bar) and torch state
    that a fork would copy half-way. At most two tasks per worker are in flight, so the batch reads
    sketches as workers free up instead of holding a whole chapter in memory.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.description = f"{workers} local worker processes"
        self._pool = cf.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=init_worker
        )

    def run(self, tasks: Iterable[PageTask]) -> Iterator[PageOutcome]:
        pending: dict[cf.Future[PageOutcome], str] = {}
        todo = iter(tasks)
        while True:
            while len(pending) < 2 * self.workers and (task := next(todo, None)) is not None:
                try:
                    pending[self._pool.submit(render_page, task)] = task.name
                except BrokenProcessPool as exc:  # a worker died earlier: no page can run any more
                    yield PageOutcome(task.name, ok=False, error=f"the worker pool broke: {exc}")
            if not pending:
                return
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in done:
                yield _outcome(future, pending.pop(future))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _outcome(future: cf.Future[PageOutcome], name: str) -> PageOutcome:
    """The worker's outcome, or a failed one when the worker process itself died (killed, OOM)."""
    try:
        return future.result()
    except Exception as exc:
        return PageOutcome(name, ok=False, error=f"the worker failed: {type(exc).__name__}: {exc}")
