"""`batch --cluster ADDRESS`: the pages handed to an existing Dask distributed scheduler.

Dask distributed, not Ray: it is pure Python (scheduler and workers are a `pip install` away on any
machine, nothing to compile, no object store or other per-node services), starts in about a second,
adds tens of MB per worker rather than hundreds, and the same two commands (`dask scheduler`, `dask
worker ADDRESS`) serve a 2-core laptop and a studio's render farm. Our tasks are coarse (a page takes
seconds) and independent, which is what its plain futures API does well.

Only imported when --cluster is given; the extra (requirements-cluster.txt) is not part of the base
install or of the plugin. Workers must be able to import this repository's `backend` (run them from
a clone, or with it on PYTHONPATH); they need no access to the sketches or the output folder.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator

from distributed import Client, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from .workers import EngineError, PageOutcome, PageTask, init_worker, render_page

CONNECT_SECONDS = 15
WORKERS_SECONDS = 60


class LoadModel(WorkerPlugin):
    """Loads the scene model on every worker once, as it joins (the cluster's pool initializer)."""

    name = "language-colorize-model"

    async def setup(self, worker: object) -> None:
        # Off the worker's event loop: a few seconds of loading must not stall its heartbeats.
        await asyncio.get_running_loop().run_in_executor(None, init_worker)


class ClusterEngine:
    """Pages as Dask futures, at most two per worker thread in flight, yielded as they finish."""

    def __init__(self, address: str) -> None:
        try:
            self._client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        try:
            self._client.wait_for_workers(1, timeout=WORKERS_SECONDS)
            self._client.register_plugin(LoadModel())
        except TimeoutError:
            self.close()
            waited = f"in {WORKERS_SECONDS} s"
            raise EngineError(f"no Dask worker joined the scheduler at {address} {waited}") from None
        except Exception as exc:
            self.close()
            raise EngineError(f"the Dask workers at {address} cannot load the model: {exc}") from None
        threads = self._client.nthreads()
        self._threads = max(1, sum(threads.values()))
        self.description = f"Dask cluster at {address} ({len(threads)} workers, {self._threads} threads)"

    def run(self, tasks: Iterable[PageTask]) -> Iterator[PageOutcome]:
        todo = iter(tasks)
        names = {}
        running = as_completed(loop=self._client.loop)
        for task in todo:
            future = self._client.submit(render_page, task, pure=False)
            names[future.key] = task.name
            running.add(future)
            if len(names) >= 2 * self._threads:
                break
        for future in running:
            name = names.pop(future.key)
            try:
                yield future.result()
            except Exception as exc:  # the worker died or was lost: this page fails, the others go on
                yield PageOutcome(name, ok=False, error=f"the cluster failed: {type(exc).__name__}: {exc}")
            finally:
                future.release()
            task = next(todo, None)
            if task is not None:
                future = self._client.submit(render_page, task, pure=False)
                names[future.key] = task.name
                running.add(future)

    def close(self) -> None:
        self._client.close()
