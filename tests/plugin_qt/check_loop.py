"""The artist in the loop through the docker, under this binding, against the fake v2 backend over HTTP:
teaching with a selection (kept in the document, listed, undone, forgotten), a miss's guide shown in
full, "Show what I see" (a locked overlay that no step counts, refreshed after each instruction) and
"Colour everything" (one layer per object, one Undo last)."""

from __future__ import annotations

import fake_krita as fk
from check_docker import krita_with_document
from conftest import settle, spin
from fake_backend import FakeBackend
from language_colorize import docker as docker_mod
from language_colorize import seen
from language_colorize.core.document import Document

RED = bytes([0, 0, 255, 255])


def make_docker(backend: FakeBackend) -> tuple[docker_mod.LanguageColorizeDocker, fk.Document]:
    docker_mod._dockers.clear()
    raw = krita_with_document(backend.url)
    return docker_mod.LanguageColorizeDocker(), raw


def say(dock: docker_mod.LanguageColorizeDocker, text: str) -> None:
    dock.input.setText(text)
    dock.colorize_button.click()
    assert spin(lambda: not dock.controller.busy), "the docker never finished"


def select(raw: fk.Document, x: int, y: int, w: int, h: int) -> None:
    sel = fk.Selection(raw.width(), raw.height())
    sel.select(x, y, w, h, 255)
    raw.setSelection(sel)


def results(raw: fk.Document) -> list:
    for entry in raw.layer_names():
        if isinstance(entry, tuple) and entry[0] == "Colorization":
            return [n for n in entry[1] if not isinstance(n, tuple)]
    return []


def test_teaching_with_a_selection_is_kept_listed_used_undone_and_forgotten(backend: FakeBackend) -> None:
    dock, raw = make_docker(backend)
    doc = Document(raw)
    select(raw, 2, 2, 6, 6)
    say(dock, "this is a rabbit")
    assert dock.status_level == "ok" and dock.status.text().startswith("Learnt: rabbit."), dock.status.text()
    assert dock.history_texts() == ["this is a rabbit"] and dock.history_children(0) == ["Learnt: rabbit"]
    assert raw.layer_names() == ["Background"]  # teaching adds no layer
    select(raw, 20, 12, 5, 5)
    say(dock, "this is a rabbit")  # a second rabbit, elsewhere: both are kept
    assert [t["bbox"] for t in doc.load_record().taught] == [[2, 2, 6, 6], [20, 12, 5, 5]]
    raw.setSelection(None)
    say(dock, "the rabbit is red")
    assert [t["bbox"] for t in backend.requests[-1]["taught"]] == [[2, 2, 6, 6], [20, 12, 5, 5]]
    assert results(raw) == ["rabbit: red", "rabbit: red"], raw.layer_names()
    boxes = sorted(str(n.bounds()) for n in raw.find("Colorization").childNodes())
    assert boxes == ["QRect(2, 2, 6, 6)", "QRect(20, 12, 5, 5)"], boxes
    select(raw, 3, 3, 4, 4)
    say(dock, "this is a rabbit")  # the first rabbit taught again (boxes overlap): it replaces the old
    assert [t["bbox"] for t in doc.load_record().taught] == [[20, 12, 5, 5], [3, 3, 4, 4]]

    dock.undo_button.click()  # un-teaches: the first rabbit's old box is back
    assert [t["bbox"] for t in doc.load_record().taught] == [[20, 12, 5, 5], [2, 2, 6, 6]]
    assert (
        dock.status.text() == ("Undid 'this is a rabbit'. What you taught is as it was before (rabbit).")
        and dock.status_level == "ok"
    )
    dock.undo_button.click()  # the red rabbits go
    assert results(raw) == [] and len(doc.load_record().taught) == 2

    dock._fill_forget_menu()
    entries = [a for a in dock.forget_menu.actions() if a.text() == "Forget the rabbit"]
    assert len(entries) == 1
    entries[0].trigger()
    assert spin(lambda: not dock.controller.busy)
    assert backend.requests[-1]["instruction"] == "forget the rabbit" and doc.load_record().taught == []
    assert dock.history_texts()[0] == "forget the rabbit" and dock.history_children(0) == ["Forgot: rabbit"]
    dock._fill_forget_menu()
    assert [a.isEnabled() for a in dock.forget_menu.actions()] == [False]  # nothing taught now
    dock.deleteLater()


def test_a_miss_shows_the_backends_guide_in_full_and_a_selection_names_the_object(backend) -> None:
    dock, raw = make_docker(backend)
    say(dock, "the cat is red")
    guide = "No cat found. I see: a sun, a car. Select the cat and say it again."
    assert dock.status_level == "error" and dock.status.text() == guide and dock.status.wordWrap()
    select(raw, 4, 4, 8, 6)
    say(dock, "the cat is red")
    assert dock.status_level == "ok" and results(raw) == ["cat: red"]
    assert raw.find("cat: red").bounds().width() == 8 and raw.find("cat: red").pixelData(4, 4, 1, 1) == RED
    dock.deleteLater()


def test_show_what_i_see_is_a_locked_overlay_no_step_counts_refreshed_after_each_instruction(
    backend: FakeBackend,
) -> None:
    dock, raw = make_docker(backend)
    raw.window = True  # Krita with a window activates inserted layers a moment later
    doc = Document(raw)
    dock.seen_button.setChecked(True)
    assert spin(lambda: not dock.controller.busy)
    assert dock.status.text() == "I see: a sun, a car.", dock.status.text()
    top = raw.rootNode().childNodes()[-1]
    assert (
        top.name() == seen.OVERLAY_NAME
        and top.locked()
        and doc.load_record().overlay == doc.root.children[-1].id
    )
    assert bytes(top.pixelData(0, 0, 1, 1))[3] == 0 and dock.history_texts() == []
    settle(300)
    assert raw.activeNode().name() == "Background"  # Krita's activation of the overlay is undone
    first = doc.load_record().overlay

    say(dock, "the sun is orange")
    assert backend.paths[-2:] == ["/v2/colorize", "/v2/objects"]
    assert dock.status.text().startswith("Coloured sun: orange. Moved") and dock.status_level == "ok"
    names = [n.name() for n in raw.rootNode().childNodes()]
    assert names == ["Colorization", "Background", seen.OVERLAY_NAME], names
    assert doc.load_record().overlay not in ("", first) and dock.history_texts() == ["the sun is orange"]
    select(raw, 2, 2, 6, 6)
    say(dock, "this is a rabbit")
    assert backend.requests[-1]["taught"][0]["category"] == "rabbit"  # the overlay shows what was taught
    raw.setSelection(None)
    dock.undo_button.click()  # un-teach: the overlay stays, refreshed
    assert spin(lambda: not dock.controller.busy)
    dock.undo_button.click()
    assert spin(lambda: not dock.controller.busy)
    assert [n.name() for n in raw.rootNode().childNodes()][-1] == seen.OVERLAY_NAME and results(raw) == []
    assert "taught" not in backend.requests[-1]
    settle(300)

    doc.set_active(doc.find(doc.load_record().overlay))
    say(dock, "the sky is blue")
    assert dock.status_level == "error" and "'What I see' shows what the backend sees" in dock.status.text()

    dock.seen_button.setChecked(False)
    assert raw.find(seen.OVERLAY_NAME) is None and doc.load_record().overlay == ""
    assert not dock.controller.busy and dock.status.text() == "The overlay is hidden."
    backend.objects = False  # a backend from before /v2/objects
    dock.seen_button.setChecked(True)
    assert spin(lambda: not dock.controller.busy)
    assert dock.status_level == "error" and "cannot show what it sees" in dock.status.text()
    assert raw.find(seen.OVERLAY_NAME) is None
    dock.seen_button.setChecked(False)
    dock.deleteLater()


def test_colour_everything_adds_one_layer_per_object_and_one_undo_takes_them_all(backend) -> None:
    dock, raw = make_docker(backend)
    dock.everything_button.click()
    assert spin(lambda: not dock.controller.busy)
    assert backend.requests[-1]["instruction"] == "colour everything"
    assert results(raw) == ["sky", "ground", "sun", "car"], raw.layer_names()  # bottom to top
    assert dock.history_texts() == ["colour everything"] and len(dock.history_children(0)) == 4
    say(dock, "the car is black")  # an object's instruction afterwards replaces just that layer
    assert results(raw) == ["sky", "ground", "sun", "car: black"]
    dock.undo_button.click()
    dock.undo_button.click()
    assert results(raw) == [] and dock.history_texts() == []
    dock.deleteLater()


def test_the_status_line_shows_a_guide_whole_and_scrolls_a_long_report(backend: FakeBackend) -> None:
    dock, _raw = make_docker(backend)
    dock.resize(300, 600)
    dock.show()
    guide = "No rabbit found. I see: 3 trees, 4 clouds, a bus, 2 birds, a sun, 4 grass, a pig, 3 houses. "
    dock.on_message(guide + "Select the rabbit and say it again.", "error")
    settle(100)
    line = dock.status.fontMetrics().lineSpacing()
    assert dock.status.height() >= 2 * line and dock.status_area.height() >= dock.status.height()
    assert dock.status_area.verticalScrollBar().maximum() == 0  # all of it in view
    dock.on_message("Coloured " + ", ".join("cloud: white" for _ in range(60)) + ".", "ok")
    settle(100)
    assert dock.status_area.height() <= line * docker_mod.STATUS_LINES + 6
    assert dock.status_area.verticalScrollBar().maximum() > 0 and dock.history.height() > 4 * line
    dock.hide()
    dock.deleteLater()
