"""The "Language Colorize" docker: instruction box, Colorize, progress + Cancel, status, history, undo,
settings."""

import os
import time
import weakref

from krita import DockWidget, Krita

from . import history
from .controller import ERROR, OK, Controller
from .core import settings as settings_mod
from .core import theme as theme_mod
from .core.document import Document
from .core.errors import PluginError
from .qt import (
    ARROW_DOWN,
    ARROW_RIGHT,
    ECHO_PASSWORD,
    INSTANT_POPUP,
    NO_FRAME,
    SHORTCUT_FOCUS,
    SIZE_MINIMUM,
    SIZE_PREFERRED,
    TEXT_BESIDE_ICON,
    TEXT_SELECTABLE,
    USER_ROLE,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTimer,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

DOCKER_ID = "language_colorize_docker"
DOCKER_TITLE = "Language Colorize"
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
LAYER_ROLE = USER_ROLE + 1
EVERYTHING = "colour everything"
STATUS_LINES = 6
FILES = "Language Colorize themes (*.theme.json *.json)"

_dockers = []


def live_dockers():
    _dockers[:] = [ref for ref in _dockers if ref() is not None]
    return [dock for dock in (ref() for ref in _dockers) if dock is not None]


def docker_for_window(window):
    """The docker living in a Krita window (falls back to any docker)."""
    docks = live_dockers()
    qwin = window.qwindow() if window is not None else None
    for dock in docks:
        if qwin is not None and (qwin.isAncestorOf(dock) or dock.parentWidget() is qwin):
            return dock
    return docks[0] if docks else None


def _menu_item(menu, text, run=None):
    """A menu entry calling `run()` (the same code under PyQt5 and PyQt6); disabled without one."""
    action = menu.addAction(text)
    if run is None:
        action.setEnabled(False)
    else:
        action.triggered.connect(lambda *_args: run())
    return action


class LanguageColorizeDocker(DockWidget):
    def __init__(self):
        DockWidget.__init__(self)
        self.setWindowTitle(DOCKER_TITLE)
        app = Krita.instance()
        self.controller = Controller(app.readSetting, app.writeSetting, PACKAGE_DIR, self, self)
        self.status_level = "info"
        self._busy_text = ""
        self._busy_since = 0.0
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._build()
        self._load_settings()
        _dockers.append(weakref.ref(self))

    # --- layout ----------------------------------------------------------------------------------
    def _build(self):
        root = QWidget(self)
        layout = QVBoxLayout(root)
        layout.setContentsMargins(4, 4, 4, 4)

        row = QHBoxLayout()
        self.input = QLineEdit(root)
        self.input.setObjectName("language_colorize_input")
        self.input.setPlaceholderText("e.g. the car is red with black windows")
        self.input.setClearButtonEnabled(True)
        self.input.returnPressed.connect(self.colorize_current)
        self.colorize_button = QPushButton("Colorize", root)
        self.colorize_button.setToolTip("Colour the active layer's line art as the instruction says (Enter)")
        self.colorize_button.clicked.connect(self.colorize_current)
        row.addWidget(self.input, 1)
        row.addWidget(self.colorize_button)
        layout.addLayout(row)

        loop = QHBoxLayout()
        self.everything_button = QPushButton("Colour everything", root)
        self.everything_button.setToolTip("Every object on a layer of its own, plus sky and ground")
        self.everything_button.clicked.connect(self.colour_everything)
        self.seen_button = QPushButton("Show what I see", root)
        self.seen_button.setCheckable(True)
        self.seen_button.setToolTip(
            "Outline and name what the backend recognises, on a locked layer 'What I see' at the top; "
            "select what it missed and type 'this is a rabbit'"
        )
        self.seen_button.toggled.connect(self._toggle_seen)
        self.forget_button = QToolButton(root)
        self.forget_button.setText("Forget")
        self.forget_button.setToolTip("Forget an object you taught in this document")
        self.forget_button.setPopupMode(INSTANT_POPUP)
        self.forget_menu = QMenu(self.forget_button)
        self.forget_menu.aboutToShow.connect(self._fill_forget_menu)
        self.forget_button.setMenu(self.forget_menu)
        loop.addWidget(self.everything_button)
        loop.addWidget(self.seen_button)
        loop.addWidget(self.forget_button)
        loop.addStretch(1)
        layout.addLayout(loop)

        busy = QHBoxLayout()
        self.progress = QProgressBar(root)
        self.progress.setRange(0, 0)  # busy indicator: the backend reports no progress
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)
        self.cancel_button = QPushButton("Cancel", root)
        self.cancel_button.setToolTip("Stop waiting for the backend; nothing is changed")
        self.cancel_button.clicked.connect(self.controller.cancel)
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)
        layout.addLayout(busy)
        self.progress.hide()
        self.cancel_button.hide()

        self.status = QLabel("Select your line-art layer, type an instruction and press Enter.", root)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(TEXT_SELECTABLE)
        # a guide ("No cat found. I see: ...") shows in full; a report of thirty layers scrolls
        self.status_area = QScrollArea(root)
        self.status_area.setWidget(self.status)
        self.status_area.setWidgetResizable(True)
        self.status_area.setFrameShape(NO_FRAME)
        self.status_area.setSizePolicy(SIZE_PREFERRED, SIZE_MINIMUM)
        layout.addWidget(self.status_area)

        self.history = QTreeWidget(root)
        self.history.setHeaderHidden(True)
        self.history.setRootIsDecorated(True)
        self.history.setToolTip("Applied instructions and their layers; click one to select its layer")
        self.history.itemClicked.connect(self._history_clicked)
        layout.addWidget(self.history, 1)

        buttons = QHBoxLayout()
        self.undo_button = QPushButton("Undo last", root)
        self.undo_button.setToolTip(
            "Remove the last instruction's layers and show again the layers it replaced"
        )
        self.undo_button.clicked.connect(self.undo_last)
        self.theme_button = QToolButton(root)
        self.theme_button.setText("Theme")
        self.theme_button.setToolTip("Save this document's instructions as a theme, or apply a theme")
        self.theme_button.setPopupMode(INSTANT_POPUP)
        theme_menu = QMenu(self.theme_button)
        _menu_item(theme_menu, "Save this document's theme...", self.save_theme)
        _menu_item(theme_menu, "Apply a theme to this document...", self.apply_theme)
        _menu_item(theme_menu, "Apply a theme to all open documents...", self.apply_theme_to_all)
        self.theme_button.setMenu(theme_menu)
        self.settings_button = QToolButton(root)
        self.settings_button.setText("Settings")
        self.settings_button.setCheckable(True)
        self.settings_button.setArrowType(ARROW_RIGHT)
        self.settings_button.setToolButtonStyle(TEXT_BESIDE_ICON)
        self.settings_button.toggled.connect(self._toggle_settings)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.theme_button)
        buttons.addStretch(1)
        buttons.addWidget(self.settings_button)
        layout.addLayout(buttons)

        self.settings_panel = QWidget(root)
        form = QFormLayout(self.settings_panel)
        form.setContentsMargins(0, 0, 0, 0)
        self.url_edit = QLineEdit(self.settings_panel)
        self.url_edit.editingFinished.connect(self._save_settings)
        self.autostart_box = QCheckBox("Start the backend automatically", self.settings_panel)
        self.autostart_box.toggled.connect(self._save_settings)
        self.placement_box = QComboBox(self.settings_panel)
        self.placement_box.addItem("Under the line art", settings_mod.PLACE_UNDER)
        self.placement_box.addItem("Above the line art (Multiply)", settings_mod.PLACE_ABOVE)
        self.placement_box.currentIndexChanged.connect(self._save_settings)
        self.gray_box = QCheckBox("Convert grayscale documents to RGB", self.settings_panel)
        self.gray_box.toggled.connect(self._save_settings)
        self.timeout_box = QSpinBox(self.settings_panel)
        self.timeout_box.setRange(5, 3600)
        self.timeout_box.setSuffix(" s")
        self.timeout_box.valueChanged.connect(self._save_settings)
        form.addRow("Backend", self.url_edit)
        form.addRow("", self.autostart_box)
        form.addRow("New layers", self.placement_box)
        form.addRow("", self.gray_box)
        self.token_edit = QLineEdit(self.settings_panel)
        self.token_edit.setEchoMode(ECHO_PASSWORD)
        self.token_edit.setPlaceholderText("only for a backend on another machine")
        self.token_edit.editingFinished.connect(self._save_settings)
        form.addRow("Timeout", self.timeout_box)
        form.addRow("Token", self.token_edit)
        self.settings_panel.hide()
        layout.addWidget(self.settings_panel)

        self.setWidget(root)

    def _toggle_settings(self, shown):
        self.settings_button.setArrowType(ARROW_DOWN if shown else ARROW_RIGHT)
        self.settings_panel.setVisible(shown)

    def _load_settings(self):
        self._loading = True
        s = self.controller.settings
        self.url_edit.setText(s.backend_url)
        self.autostart_box.setChecked(s.autostart)
        self.placement_box.setCurrentIndex(max(0, self.placement_box.findData(s.placement)))
        self.gray_box.setChecked(s.convert_gray)
        self.timeout_box.setValue(s.timeout)
        self.token_edit.setText(s.token)
        self._loading = False

    def _save_settings(self, *_args):
        if getattr(self, "_loading", False):
            return
        s = settings_mod.Settings(
            backend_url=self.url_edit.text(),
            autostart=self.autostart_box.isChecked(),
            placement=self.placement_box.currentData(),
            convert_gray=self.gray_box.isChecked(),
            timeout=self.timeout_box.value(),
            token=self.token_edit.text(),
        )
        self.controller.save_settings(s)
        for dock in live_dockers():  # other windows show the same settings
            if dock is not self:
                dock._load_settings()

    # --- Krita -----------------------------------------------------------------------------------
    def canvasChanged(self, canvas):
        self.refresh_history()

    def active_document(self):
        return Document.wrap(Krita.instance().activeDocument())

    # --- commands (buttons and actions) ------------------------------------------------------------
    def colorize_current(self):
        self.controller.colorize(self.active_document(), self.input.text())

    def repeat_last(self):
        self.controller.repeat_last(self.active_document(), self.input.text())

    def undo_last(self):
        self.controller.undo_last(self.active_document())

    def colour_everything(self):
        self.controller.colorize(self.active_document(), EVERYTHING)

    def forget(self, name):
        self.controller.colorize(self.active_document(), "forget the %s" % name)

    def _fill_forget_menu(self):
        self.forget_menu.clear()
        doc = self.active_document()
        names = []
        for item in doc.load_record().taught if doc is not None and doc.is_open else []:
            name = str(item.get("category"))
            if name not in names:
                names.append(name)
        for name in names:
            _menu_item(self.forget_menu, "Forget the %s" % name, lambda name=name: self.forget(name))
        if not names:
            self.forget_menu.addAction(
                "Nothing taught yet: select an object, type 'this is a ...'"
            ).setEnabled(False)

    def _toggle_seen(self, shown):
        self.controller.show_seen = shown
        if shown:
            self.controller.show_objects(self.active_document())
            return
        docs = [Document.wrap(d) for d in Krita.instance().documents()]
        self.controller.hide_objects([d for d in docs if d is not None])
        self._set_status("The overlay is hidden.", "info")

    # --- themes ------------------------------------------------------------------------------------
    def save_theme(self, path=None):
        """Write the active document's instructions as a theme (asks where when `path` is None)."""
        doc = self.active_document()
        try:
            if doc is None or not doc.is_open:
                raise PluginError("Open a document first.")
            data, left_out = theme_mod.from_record(doc.load_record(), os.path.splitext(doc.title)[0])
            if not data["instructions"]:
                raise PluginError("This document has no colouring instructions to save as a theme yet.")
            if path is None:
                path = QFileDialog.getSaveFileName(
                    self, "Save theme", (data["name"] or "theme") + theme_mod.SUFFIX, FILES
                )[0]
                if not path:
                    return False
            self._set_status(theme_mod.write(path, data, left_out), OK)
        except PluginError as exc:
            self._set_status(exc.message, ERROR)
            return False
        return True

    def apply_theme(self, path=None):
        return self._apply_theme(path, [self.active_document()])

    def apply_theme_to_all(self, path=None):
        return self._apply_theme(path, [Document.wrap(d) for d in Krita.instance().documents()])

    def _apply_theme(self, path, docs):
        if path is None:
            path = QFileDialog.getOpenFileName(self, "Apply theme", "", FILES)[0]
            if not path:
                return False
        try:
            name, instructions = theme_mod.read(path)
        except PluginError as exc:
            self._set_status(exc.message, ERROR)
            return False
        return self.controller.apply_theme([d for d in docs if d is not None], name, instructions)

    def focus_input(self):
        self.setVisible(True)
        self.raise_()
        self.input.setFocus(SHORTCUT_FOCUS)
        self.input.selectAll()

    # --- ui callbacks from the controller ----------------------------------------------------------
    def on_busy(self, text):
        """The backend reports no progress, so the status counts the seconds (a slow first answer
        while the model loads should not look like a hang)."""
        self.progress.show()
        self.cancel_button.show()
        for button in self._job_buttons():
            button.setEnabled(False)
        self._busy_text = text
        self._busy_since = time.monotonic()
        self._set_status(text, "info")
        self._clock.start(1000)

    def _tick(self):
        seconds = int(time.monotonic() - self._busy_since)
        self._set_status("%s (%d s)" % (self._busy_text, seconds), "info")

    def on_idle(self):
        self._clock.stop()
        self.progress.hide()
        self.cancel_button.hide()
        for button in self._job_buttons():
            button.setEnabled(True)

    def _job_buttons(self):
        return (self.colorize_button, self.undo_button, self.everything_button, self.theme_button)

    def on_message(self, text, level):
        self._set_status(text, level)

    def on_history_changed(self, doc):
        self.refresh_history()

    def _fit_status(self):
        """The status area as tall as its text, up to STATUS_LINES lines (beyond, it scrolls)."""
        width = max(self.status_area.viewport().width(), 50)
        wanted = self.status.heightForWidth(width)
        most = self.status.fontMetrics().lineSpacing() * STATUS_LINES + 6
        self.status_area.setFixedHeight(min(max(wanted, self.status.fontMetrics().lineSpacing()) + 2, most))

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        DockWidget.resizeEvent(self, event)
        self._fit_status()

    def _set_status(self, text, level):
        self.status_level = level
        self.status.setText(text)
        self._fit_status()
        colour = {ERROR: "#e0533d", OK: "#3fa34d"}.get(level)
        self.status.setStyleSheet("QLabel { color: %s; }" % colour if colour else "")

    # --- history ---------------------------------------------------------------------------------
    def refresh_history(self):
        self.history.clear()
        for instruction, line_name, layers in history.rows(self.active_document()):
            item = QTreeWidgetItem([instruction])
            item.setToolTip(0, "on '%s'" % line_name)
            first = None
            for name, layer, kind in layers:
                child = QTreeWidgetItem([name + " (removed)" if kind == history.GONE else name])
                child.setData(0, LAYER_ROLE, layer)
                if kind == history.GONE:
                    child.setDisabled(True)
                elif layer is not None and first is None:
                    first = layer
                item.addChild(child)
            item.setData(0, LAYER_ROLE, first)
            self.history.addTopLevelItem(item)
        self.history.expandAll()

    def _history_clicked(self, item, _column):
        layer = item.data(0, LAYER_ROLE)
        doc = self.active_document()
        if layer is not None and doc is not None and doc.find(layer.id) is not None:
            doc.set_active(layer)
            self._set_status("Selected '%s'." % item.text(0), "info")

    def history_texts(self):
        return [self.history.topLevelItem(i).text(0) for i in range(self.history.topLevelItemCount())]

    def history_children(self, row=0):
        item = self.history.topLevelItem(row)
        return [item.child(i).text(0) for i in range(item.childCount())] if item is not None else []
