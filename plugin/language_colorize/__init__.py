"""Language Colorize: colour line art in Krita from English instructions ("the sky is blue").

Inside Krita this registers the "Language Colorize" docker and its actions. Outside Krita (tests, the
backend's Python) importing the package does nothing, so `language_colorize.core` stays importable
without Qt or krita. Runs on Krita 5 (PyQt5) and Krita 6 (PyQt6): see qt.py. Set
LANGCOLORIZE_NO_REGISTER=1 to import it in kritarunner scripts without registering anything.
"""

import os

__version__ = "0.1.0"

try:
    import krita as _krita
except ImportError:  # not running inside Krita
    _krita = None


def _register():
    from krita import DockWidgetFactory, DockWidgetFactoryBase, Krita

    from .docker import DOCKER_ID, LanguageColorizeDocker
    from .extension import LanguageColorizeExtension

    app = Krita.instance()
    app.addExtension(LanguageColorizeExtension(app))
    factory = DockWidgetFactory(DOCKER_ID, DockWidgetFactoryBase.DockRight, LanguageColorizeDocker)
    app.addDockWidgetFactory(factory)


if _krita is not None and not os.environ.get("LANGCOLORIZE_NO_REGISTER"):
    _register()
