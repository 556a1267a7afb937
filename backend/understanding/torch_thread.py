"""The one thread every torch call of the backend runs on.

Torch already spreads one pass over every core; called from the server's many request threads, it
grew a thread team and a malloc arena per caller, and 50 concurrent requests on small sketches took
1 GB more memory than one. Both networks (scene model, object classifier) submit their work here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_lock = threading.Lock()
_thread: tuple[int, ThreadPoolExecutor] | None = None


def on_torch_thread(fn: Callable[..., T], *args: object) -> T:
    """fn(*args), run on the torch thread; the caller waits for it.

    The executor belongs to the process that made it: a forked worker process gets its own, since
    the parent's thread does not exist in the child.
    """
    global _thread
    with _lock:
        if _thread is None or _thread[0] != os.getpid():
            _thread = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="torch"))
        executor = _thread[1]
    return executor.submit(fn, *args).result()
