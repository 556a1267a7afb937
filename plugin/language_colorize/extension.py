"""Krita actions (Tools > Scripts and Settings > Configure Krita > Keyboard Shortcuts).

Default shortcuts come from language_colorize.action, which install.py puts in the resource folder's
actions/ directory (Krita reads action files from there).
"""

from krita import Extension, Krita

from . import diagnostics
from .controller import stop_started_backend
from .docker import docker_for_window
from .qt import QApplication

MENU = "tools/scripts"

# (id, text, docker method); ids and default shortcuts are in plugin/actions/language_colorize.action
ACTIONS = (
    ("language_colorize_focus", "Language Colorize: Focus the Instruction Box", "focus_input"),
    ("language_colorize_apply", "Language Colorize: Colorize with the Current Text", "colorize_current"),
    (
        "language_colorize_repeat",
        "Language Colorize: Repeat the Last Instruction on the Active Layer",
        "repeat_last",
    ),
    ("language_colorize_undo", "Language Colorize: Undo the Last Colorization", "undo_last"),
)


class LanguageColorizeExtension(Extension):
    def __init__(self, parent):
        Extension.__init__(self, parent)
        self._actions = []

    def setup(self):
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop_started_backend)
        diagnostics.start_if_requested()

    def createActions(self, window):
        for action_id, text, method in ACTIONS:
            action = window.createAction(action_id, text, MENU)
            action.triggered.connect(self._handler(window, method))
            self._actions.append(action)

    @staticmethod
    def _handler(window, method):
        def run(*_args):
            dock = docker_for_window(Krita.instance().activeWindow() or window)
            if dock is not None:
                getattr(dock, method)()

        return run
