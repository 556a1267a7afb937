"""Waiting for Krita without blocking it: one timer that checks a condition until it holds.

Krita's Python API has no signal for "the active layer changed". What it does (seen in Krita 5.1 with
a window; never in kritarunner): some moments after layers are inserted, its layers model makes the
last inserted layer the active one, later on a busy machine (tests/test_krita_gui.py without this
restore ends with "ground: green" active after "the sky is blue and the ground is green"). So after
inserting results the plugin waits, without blocking, until exactly that has happened, and then puts
back the layer that was active when the instruction was sent, once. If it never happens (no window,
kritarunner), nothing is touched; a layer the artist picks after that stays picked.
"""

import time
from typing import Callable, Optional

from .core.document import Document, Layer
from .qt import QObject, QTimer


class WaitUntil(QObject):
    """Calls `then()` once `condition()` holds, checking every `interval_ms`; gives up after `timeout_ms`."""

    def __init__(
        self,
        condition: Callable[[], bool],
        then: Callable[[], None],
        timeout_ms: int,
        interval_ms: int = 25,
        parent: Optional[QObject] = None,
    ) -> None:
        QObject.__init__(self, parent)
        self._condition = condition
        self._then = then
        self._deadline = time.monotonic() + timeout_ms / 1000.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._check)
        self._timer.start()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        self._timer.stop()

    def _check(self) -> None:
        try:
            done = self._condition()
        except Exception:  # the document went away: nothing left to wait for
            self.stop()
            return
        if done:
            self.stop()
            self._then()
        elif time.monotonic() > self._deadline:
            self.stop()


RESTORE_WINDOW_MS = 5000


def restore_active_layer(
    doc: Document, keep: Optional[Layer], newest: Optional[Layer], parent: Optional[QObject] = None
) -> Optional[WaitUntil]:
    """When Krita makes `newest` (the last layer inserted) active, make `keep` active again."""
    if keep is None or newest is None or newest == keep:
        return None

    def krita_moved_it() -> bool:
        return doc.is_open and doc.active_layer == newest

    def put_back() -> None:
        layer = doc.find(keep.id)
        if layer is not None:
            doc.set_active(layer)

    return WaitUntil(krita_moved_it, put_back, RESTORE_WINDOW_MS, parent=parent)
