"""The docker and the actions as Krita builds them (widgets, enums, signals), under this binding."""

from __future__ import annotations

import fake_krita as fk
from check_document import lines_on_white
from conftest import spin
from fake_backend import FakeBackend
from language_colorize import qt

W, H = 32, 24


def krita_with_document(url: str) -> fk.Document:
    app = fk.Krita.instance()
    app.writeSetting("language_colorize", "backend_url", url)
    app.writeSetting("language_colorize", "autostart", "false")
    doc = app.createDocument(W, H, "sketch", "RGBA", "U8", "", 72.0)
    doc.find("Background").setPixelData(lines_on_white(W, H), 0, 0, W, H)
    return doc


def test_docker_colours_lists_history_undoes_and_keeps_settings(backend: FakeBackend) -> None:
    from language_colorize import docker as docker_mod

    docker_mod._dockers.clear()
    raw = krita_with_document(backend.url)
    dock = docker_mod.LanguageColorizeDocker()
    assert docker_mod.docker_for_window(None) is dock
    dock.input.setText("the sky is blue and the ground is green")
    dock.colorize_button.click()
    assert dock.controller.busy and not dock.progress.isHidden() and not dock.colorize_button.isEnabled()
    dock._busy_since -= 3  # as if three seconds had passed
    dock._tick()
    assert dock.status.text() == "Colouring: the sky is blue and the ground is green (3 s)"
    assert spin(lambda: not dock.controller.busy)
    assert dock.status_level == "ok" and dock.progress.isHidden() and dock.colorize_button.isEnabled()
    assert dock.history_texts() == ["the sky is blue and the ground is green"]
    top = dock.history.topLevelItem(0)
    assert [top.child(i).text(0) for i in range(top.childCount())] == ["sky: blue", "ground: green"]
    dock._history_clicked(top.child(1), 0)
    assert raw.activeNode().name() == "ground: green" and dock.status.text() == "Selected 'ground: green'."

    dock.input.setText("the car is blurple")
    dock.input.returnPressed.emit()
    spin(lambda: not dock.controller.busy)
    assert dock.status_level == "error" and dock.status.text() == "Unknown colour 'blurple'"

    dock.undo_button.click()
    assert dock.history_texts() == [] and raw.find("sky: blue") is None and dock.status_level == "ok"

    dock.settings_button.setChecked(True)
    assert not dock.settings_panel.isHidden()
    dock.timeout_box.setValue(42)
    dock.placement_box.setCurrentIndex(1)
    stored = fk.Krita.instance().settings
    assert stored[("language_colorize", "timeout")] == "42"
    assert stored[("language_colorize", "placement")] == "above"
    dock.focus_input()
    dock.deleteLater()


def test_actions_are_created_and_reach_the_docker(backend: FakeBackend) -> None:
    from language_colorize import docker as docker_mod
    from language_colorize import extension

    docker_mod._dockers.clear()  # the first test's docker may not be deleted yet
    krita_with_document(backend.url)
    dock = docker_mod.LanguageColorizeDocker()
    created = {}

    class Window:
        def createAction(self, action_id: str, text: str, menu: str) -> qt.QAction:  # noqa: N802
            action = qt.QAction(text, None)
            created[action_id] = action
            return action

        def qwindow(self) -> None:
            return None

    fk.Krita.activeWindow = lambda self: None
    ext = extension.LanguageColorizeExtension(None)
    ext.createActions(Window())
    assert set(created) == {a[0] for a in extension.ACTIONS}
    dock.input.setText("the sun is orange")
    created["language_colorize_apply"].trigger()
    spin(lambda: not dock.controller.busy)
    assert dock.history_texts() == ["the sun is orange"]
    created["language_colorize_undo"].trigger()
    assert dock.history_texts() == []
    created["language_colorize_repeat"].trigger()
    spin(lambda: not dock.controller.busy)
    assert dock.history_texts() == ["the sun is orange"]
    dock.deleteLater()
