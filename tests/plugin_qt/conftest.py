"""The plugin's Qt code under one binding (LANGCOLORIZE_QT=PyQt5 or PyQt6), with tests/fake_krita.py
as `krita` and a fake v2 backend. tests/test_plugin_qt.py runs this folder once per binding, each in
its own process (the two bindings cannot share one)."""

from __future__ import annotations

import os
import sys
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "plugin"), str(ROOT / "tests"), str(Path(__file__).parent)]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANGCOLORIZE_QT", "PyQt5")

import fake_krita as fk  # noqa: E402
from fake_backend import FakeBackend  # noqa: E402
from language_colorize import qt  # noqa: E402


def _install_fake_krita_module() -> None:
    """`import krita` inside the plugin gets the fake, with Qt-based DockWidget/Extension classes."""
    module = types.ModuleType("krita")

    class DockWidget(qt.QtWidgets.QDockWidget):
        def canvasChanged(self, canvas: object) -> None:  # noqa: N802 - Krita's name
            pass

    class Extension(qt.QObject):
        def __init__(self, parent: object = None) -> None:
            qt.QObject.__init__(self)

    module.DockWidget = DockWidget
    module.Extension = Extension
    module.Krita = fk.Krita
    module.DockWidgetFactory = object
    module.DockWidgetFactoryBase = types.SimpleNamespace(DockRight=1)
    sys.modules["krita"] = module


os.environ["LANGCOLORIZE_NO_REGISTER"] = "1"
_install_fake_krita_module()
APP = qt.QApplication.instance() or qt.QApplication([sys.argv[0]])
fk.schedule = qt.single_shot


def spin(predicate: Callable[[], object], timeout_s: float = 20.0) -> bool:
    """Run Qt's event loop until predicate() holds (or the timeout passes)."""
    loop = qt.QEventLoop()
    deadline = time.monotonic() + timeout_s
    while not predicate() and time.monotonic() < deadline:
        qt.QTimer.singleShot(10, loop.quit)
        qt.exec_(loop)
    return bool(predicate())


def settle(ms: int) -> None:
    """Let Qt (and the fake Krita's delayed activations) run for `ms` milliseconds."""
    end = time.monotonic() + ms / 1000.0
    spin(lambda: time.monotonic() > end, ms / 1000.0 + 1)


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    FakeBackend.delay = 0.0
    with FakeBackend() as fake:
        yield fake
    FakeBackend.delay = 0.0


@pytest.fixture(autouse=True)
def fresh_krita() -> Iterator[None]:
    fk.Krita._instance = None
    yield
    fk.Krita._instance = None
