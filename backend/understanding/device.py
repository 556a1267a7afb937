"""The compute device, chosen once: the GPU when torch sees one, the CPU otherwise."""

from __future__ import annotations

import functools
import logging

log = logging.getLogger("backend")


@functools.cache
def device() -> str:
    import torch

    name = "cuda" if torch.cuda.is_available() else "cpu"
    log.info("compute device: %s", name)
    return name
