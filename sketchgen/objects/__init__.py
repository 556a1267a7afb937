"""Every category's drawer, gathered from the group modules: DRAWERS[category](rng) -> Drawing."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import numpy as np

from ..drawing import Drawing

Drawer = Callable[[np.random.Generator], Drawing]
DRAWERS: dict[str, Drawer] = {}
for _m in pkgutil.iter_modules(__path__):
    DRAWERS.update(importlib.import_module(f"{__name__}.{_m.name}").DRAWERS)
