"""Optional state dump for automated GUI tests and bug reports.

Only active when the environment variable LANGCOLORIZE_DIAGNOSTICS names a file: twice a second the
plugin writes there, as JSON, what a test cannot read from a screenshot (the docker's widget positions,
its status line and history, the active document's layer tree, the actions' shortcuts).
"""

import json
import os
import time

from krita import Krita

from .core.document import Document
from .qt import BINDING, QTimer

_timer = []


def _rect(widget):
    if widget is None or not widget.isVisible():
        return None
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def _tree(layer):
    return [
        {
            "name": child.name,
            "type": child.type,
            "blending": child.blending,
            "visible": child.visible,
            "locked": child.locked,
            "children": _tree(child) if child.is_group else [],
        }
        for child in layer.children
    ]


def snapshot():
    from .docker import live_dockers

    app = Krita.instance()
    data = {"time": time.time(), "qt": BINDING, "dockers": [], "document": None, "actions": {}}
    for dock in live_dockers():
        data["dockers"].append(
            {
                "visible": dock.isVisible(),
                "input": _rect(dock.input),
                "input_focus": dock.input.hasFocus(),
                "input_text": dock.input.text(),
                "colorize": _rect(dock.colorize_button),
                "undo": _rect(dock.undo_button),
                "everything": _rect(dock.everything_button),
                "seen": _rect(dock.seen_button),
                "seen_checked": dock.seen_button.isChecked(),
                "settings": _rect(dock.settings_button),
                "settings_open": dock.settings_panel.isVisible(),
                "url": _rect(dock.url_edit),
                "dock": _rect(dock),
                "status": dock.status.text(),
                "status_level": dock.status_level,
                "busy": dock.controller.busy,
                "history": dock.history_texts(),
                "history_top": dock.history_children(0),
                "backend_url": dock.url_edit.text(),
            }
        )
    doc = Document.wrap(app.activeDocument())
    if doc is not None and doc.is_open:
        active = doc.active_layer
        data["document"] = {
            "name": doc.name,
            "colorModel": doc.color[0],
            "colorDepth": doc.color[1],
            "active": active.name if active is not None else None,
            "layers": _tree(doc.root),
        }
    from .controller import started_backend_pid
    from .extension import ACTIONS

    data["started_backend_pid"] = started_backend_pid()

    for action_id, _text, _method in ACTIONS:
        action = app.action(action_id)
        data["actions"][action_id] = action.shortcut().toString() if action is not None else None
    return data


def write(path):
    try:
        data = snapshot()
    except Exception as exc:  # diagnostics must never disturb Krita
        data = {"time": time.time(), "error": repr(exc)}
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
    os.replace(tmp, path)


def start_if_requested():
    path = os.environ.get("LANGCOLORIZE_DIAGNOSTICS")
    if not path or _timer:
        return
    timer = QTimer()
    timer.timeout.connect(lambda: write(path))
    timer.start(500)
    _timer.append(timer)
