"""The compute device, chosen once: the GPU when torch sees one, the CPU otherwise."""

from __future__ import annotations

import functools
import logging

log = logging.getLogger("backend")


@functools.cache
def device() -> str:
    import torch

    name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cpu":
        torch.set_num_threads(max(1, torch.get_num_threads()))
    log.info("compute device: %s", name)
    return name
