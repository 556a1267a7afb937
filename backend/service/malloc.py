"""Keep a long-running server's memory from creeping up under concurrent requests.

glibc raises its mmap threshold each time a large block is freed, so after a few analyses the
tens-of-megabyte arrays of a scene are carved from per-thread arenas, which keep the freed memory;
with a thread per request the server's resident size grew with the number of clients. Pinning the
threshold (blocks above 1 MB always come from mmap and go back to the system when freed) and capping
the arena count makes memory follow the work in flight instead. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

M_ARENA_MAX = -8
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 20
ARENAS = 2

log = logging.getLogger(__name__)


def bound_allocator() -> bool:
    """Returns whether glibc's allocator was tuned."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_ARENA_MAX, ARENAS))
    log.debug("glibc allocator bounded: %s", ok)
    return ok
