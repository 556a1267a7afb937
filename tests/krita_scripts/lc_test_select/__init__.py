"""Test-only Krita plugin for tests/test_krita_gui.py (never installed for users).

The GUI test drives Krita with xdotool, but where a dragged rectangle lands in image pixels depends
on the zoom and the canvas's place on screen. So the test writes `{"id": n, "select": [x, y, w, h]}`
(or `{"id": n, "select": null}` to deselect) into the file named by LC_TEST_SELECT, and this plugin
makes that the active document's selection with Krita's own selection API, as a script would, then
writes `{"id": n, "selected": true|false}` to the same path + ".done".
"""

import json
import os

from krita import Extension, Krita, Selection

try:
    from PyQt6.QtCore import QTimer
except ImportError:
    from PyQt5.QtCore import QTimer


class SelectHelper(Extension):
    def __init__(self, parent):
        Extension.__init__(self, parent)
        self._path = os.environ.get("LC_TEST_SELECT", "")
        self._done = None
        self._timer = None

    def setup(self):
        if not self._path:
            return
        self._timer = QTimer()
        self._timer.timeout.connect(self._poll)
        self._timer.start(250)

    def createActions(self, window):
        pass

    def _poll(self):
        try:
            with open(self._path, encoding="utf-8") as handle:
                command = json.load(handle)
        except (OSError, ValueError):
            return
        doc = Krita.instance().activeDocument()
        if command.get("id") == self._done or doc is None:
            return
        box = command.get("select")
        if box:
            selection = Selection()
            selection.select(int(box[0]), int(box[1]), int(box[2]), int(box[3]), 255)
            doc.setSelection(selection)
        else:
            Krita.instance().action("deselect").trigger()
        doc.waitForDone()
        self._done = command.get("id")
        with open(self._path + ".done", "w", encoding="utf-8") as handle:
            json.dump({"id": self._done, "selected": doc.selection() is not None}, handle)


Krita.instance().addExtension(SelectHelper(Krita.instance()))
