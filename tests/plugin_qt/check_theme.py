"""Themes through the docker, under this binding, against the fake v2 backend over HTTP: save the
document's colouring instructions (their parses) as a theme file, apply it to this or every open
document (each instruction sent with its stored parse, whose RGB wins), one Undo last per document."""

from __future__ import annotations

import json
from pathlib import Path

import fake_krita as fk
from check_docker import H, W, krita_with_document
from check_document import lines_on_white
from check_loop import make_docker, results, say, select
from conftest import spin
from fake_backend import FakeBackend
from language_colorize.core.document import Document


def new_page(name: str) -> fk.Document:
    raw = fk.Krita.instance().createDocument(W, H, name, "RGBA", "U8", "", 72.0)
    raw.find("Background").setPixelData(lines_on_white(W, H), 0, 0, W, H)
    return raw


def test_save_a_theme_and_apply_it_to_every_open_document(backend: FakeBackend, tmp_path: Path) -> None:
    dock, first = make_docker(backend)
    say(dock, "the sky is blue and the ground is green")
    select(first, 2, 2, 6, 6)
    say(dock, "this is a rabbit")  # teaching is no part of a theme
    first.setSelection(None)
    say(dock, "the sun is orange")
    path = tmp_path / "evening.theme.json"
    assert dock.save_theme(str(path))
    assert dock.status_level == "ok" and "Saved 2 instructions" in dock.status.text()
    assert "left out 1" in dock.status.text()
    data = json.loads(path.read_text())
    assert data["format"] == "language-colorize-theme" and data["version"] == 1 and data["name"] == "sketch"
    texts = [p["text"] for p in data["instructions"]]
    assert texts == ["the sky is blue and the ground is green", "the sun is orange"]
    data["instructions"][1]["clauses"][0]["colours"]["body"]["rgb"] = [1, 2, 3]  # fine-tuned by hand
    data["name"] = "evening"
    path.write_text(json.dumps(data))
    before = [n.uniqueId() for n in first.find("Colorization").childNodes()]

    second, third = new_page("page 2"), new_page("page 3")
    sent = len(backend.requests)
    assert dock.apply_theme_to_all(str(path))
    assert spin(lambda: not dock.controller.busy)
    assert dock.status_level == "ok", dock.status.text()
    assert dock.status.text() == "Applied 'evening' to 3 documents: 6 of 6 instructions coloured."
    bodies = backend.requests[sent:]
    assert [b["instruction"] for b in bodies] == texts * 3
    assert [b["parse"] for b in bodies] == data["instructions"] * 3  # the stored parse goes along
    for raw in (second, third):
        assert results(raw) == ["sky: blue", "ground: green", "sun: orange"], raw.layer_names()
        assert raw.find("sun: orange").pixelData(2, 2, 1, 1) == bytes([3, 2, 1, 255])  # the theme's RGB
        steps = Document(raw).load_record().steps
        assert [s.instruction for s in steps] == ["Theme 'evening' (2 instructions)"]
        assert [p["text"] for p in steps[0].parses] == texts
    assert dock.history_texts() == ["Theme 'evening' (2 instructions)"]  # page 3 is the active one

    # one Undo last per document takes the whole theme back (on page 1, what it replaced returns)
    dock.undo_button.click()
    assert results(third) == [] and dock.history_texts() == []
    assert dock.controller.undo_last(Document(first))
    assert [n.uniqueId() for n in first.find("Colorization").childNodes()][:3] == before  # the same layers
    assert results(first) == ["sky: blue", "ground: green", "sun: orange"]
    assert first.find("sun: orange").pixelData(2, 2, 1, 1) == bytes([0, 128, 255, 255])
    assert [s.instruction for s in Document(first).load_record().steps][-1] == "the sun is orange"
    dock.deleteLater()


def test_a_theme_goes_on_past_a_page_it_does_not_fit_and_bad_files_are_refused(
    backend: FakeBackend, tmp_path: Path
) -> None:
    dock, raw = make_docker(backend)
    sky = {"name": "blue", "rgb": [0, 0, 255]}
    theme = {
        "format": "language-colorize-theme",
        "version": 1,
        "name": "boats",
        "instructions": [
            {"text": "the boat is red", "clauses": [{"kind": "foreground", "target": {"category": "boat"},
                                                      "area": None, "colours": {"body": sky}}]},
            {"text": "the sky is blue", "clauses": [{"kind": "background", "target": None, "area": "sky",
                                                      "colours": {"sky": sky}}]},
        ],
    }  # fmt: skip
    path = tmp_path / "boats.theme.json"
    path.write_text(json.dumps(theme))
    assert dock.apply_theme(str(path))
    assert spin(lambda: not dock.controller.busy)
    assert dock.status_level == "error"
    assert dock.status.text().startswith("Applied 'boats' to the document: 1 of 2 instructions coloured.")
    assert "sketch: No boat found. I see: a sun, a car." in dock.status.text()
    assert results(raw) == ["sky: blue"] and dock.history_texts() == ["the sky is blue"]

    for text, words in (
        ("{}", "not a theme"),
        (json.dumps({**theme, "version": 7}), "theme version 7"),
        (json.dumps({**theme, "instructions": [{"text": "this is a cat", "clauses": [
            {"kind": "teach", "target": {"category": "cat"}, "area": None, "colours": {}}]}]}), "teaches"),
    ):  # fmt: skip
        path.write_text(text)
        assert not dock.apply_theme(str(path))
        assert dock.status_level == "error" and words in dock.status.text(), dock.status.text()
    assert not dock.apply_theme(str(tmp_path / "missing.json")) and "Could not read" in dock.status.text()
    fresh, _ = make_docker(backend)
    assert not fresh.save_theme(str(tmp_path / "empty.json"))
    assert "no colouring instructions" in fresh.status.text()
    dock.deleteLater()
    fresh.deleteLater()


def test_cancel_stops_the_theme_but_each_document_still_undoes_in_one_step(
    backend: FakeBackend, tmp_path: Path
) -> None:
    dock, raw = make_docker(backend)
    say(dock, "the sky is blue")
    say(dock, "the sun is orange")
    path = tmp_path / "t.theme.json"
    assert dock.save_theme(str(path))
    krita_with_document(backend.url)  # a second page; theme on both
    FakeBackend.delay = 0.3
    assert dock.apply_theme_to_all(str(path))
    assert spin(lambda: len(backend.requests) >= 5)  # 2 + page 1's two; page 2's first is under way
    dock.controller.cancel()
    assert spin(lambda: not dock.controller.busy)
    assert dock.status_level == "info" and "Cancelled; the rest was not sent." in dock.status.text()
    steps = Document(raw).load_record().steps
    assert [s.instruction for s in steps][-1] == "Theme 'sketch' (2 instructions)" and len(steps) == 3


def test_with_show_what_i_see_on_the_overlay_follows_a_theme_and_is_no_part_of_it(
    backend: FakeBackend, tmp_path: Path
) -> None:
    dock, raw = make_docker(backend)
    say(dock, "the sky is blue")
    say(dock, "the sun is orange")
    path = tmp_path / "t.theme.json"
    assert dock.save_theme(str(path))
    page = new_page("page 2")
    dock.seen_button.setChecked(True)
    assert spin(lambda: not dock.controller.busy)
    sent = len(backend.paths)
    assert dock.apply_theme(str(path))
    assert spin(lambda: not dock.controller.busy)
    assert backend.paths[sent:] == ["/v2/colorize", "/v2/colorize", "/v2/objects"]
    assert dock.status.text() == "Applied 'sketch' to the document: 2 of 2 instructions coloured."
    assert [n.name() for n in page.rootNode().childNodes()][-1] == "What I see"
    assert dock.history_texts() == ["Theme 'sketch' (2 instructions)"]
    dock.undo_button.click()
    assert spin(lambda: not dock.controller.busy)
    assert results(page) == [] and page.find("What I see") is not None
    dock.seen_button.setChecked(False)
    assert page.find("What I see") is None and raw.find("What I see") is None
    dock.deleteLater()
