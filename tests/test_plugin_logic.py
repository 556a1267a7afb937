"""The Krita plugin's logic against tests/fake_krita.py: no Krita, no PyQt5, no server needed.

Covers pixel formats (BGRA <-> RGBA, grey, offsets, other colour spaces), request building, the
backend's answers and errors, layer placement and replacement, undo, per-document state, settings,
the .action file, install.py and the zip for Krita's importer.
"""

from __future__ import annotations

import ast
import base64
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugin"))
sys.path.insert(0, str(ROOT))

import fake_krita as fk  # noqa: E402
from language_colorize.core import api, config, document, pixels, png, settings, state  # noqa: E402
from language_colorize.core.codec import PureCodec  # noqa: E402

import install  # noqa: E402

CODEC = PureCodec()
W, H = 40, 30
WHITE = b"\xff\xff\xff\xff"


# --- helpers -------------------------------------------------------------------------------------------


def lines_on_white(w: int = W, h: int = H) -> bytes:
    """An opaque white layer with a black horizontal line at y = h // 2 (BGRA)."""
    data = bytearray(WHITE * (w * h))
    for x in range(w):
        i = ((h // 2) * w + x) * 4
        data[i : i + 3] = b"\0\0\0"
    return bytes(data)


def transparent_lines(w: int, h: int) -> bytes:
    """Black lines in alpha: a frame around the area, transparent elsewhere (BGRA)."""
    data = bytearray(w * h * 4)
    for y in range(h):
        for x in range(w):
            if x in (0, w - 1) or y in (0, h - 1):
                data[(y * w + x) * 4 + 3] = 255
    return bytes(data)


def rgba_png(w: int, h: int, rgb: tuple[int, int, int]) -> str:
    return base64.b64encode(png.encode(w, h, bytes([*rgb, 255]) * (w * h))).decode()


def layer_json(key: str, name: str, kind: str, bbox: list[int], rgb: tuple[int, int, int]) -> dict:
    return {
        "key": key,
        "name": name,
        "kind": kind,
        "category": key.split(":")[1],
        "instances": [],
        "bbox": bbox,
        "png": rgba_png(bbox[2], bbox[3], rgb),
    }


class FakeBackend:
    """Answers like docs/API.md: sessions, keys, `replaced`, undo with restored layers."""

    LAYERS = {
        "sky": ("bg:sky", "background", [0, 0, W, H // 2]),
        "ground": ("bg:ground", "background", [0, H // 2, W, H - H // 2]),
        "sun": ("fg:sun:1", "foreground", [2, 2, 5, 4]),
        "car": ("fg:car:3", "foreground", [10, 18, 12, 6]),
    }
    RGB = {
        "blue": (0, 0, 255),
        "green": (0, 255, 0),
        "orange": (255, 128, 0),
        "black": (0, 0, 0),
        "red": (255, 0, 0),
    }

    def __init__(self) -> None:
        self.sessions: dict[str, dict] = {}
        self.requests: list[dict] = []

    def colorize(self, body: bytes) -> tuple[int, bytes]:
        req = json.loads(body)
        self.requests.append(req)
        layers = []
        for clause in req["instruction"].split(" and "):
            words = clause.replace("the ", "").split()
            target, colour = words[0], words[-1]
            if colour not in self.RGB:
                return 422, json.dumps(
                    {"detail": {"status": "not_understood", "message": f"Unknown colour '{colour}'"}}
                ).encode()
            if target not in self.LAYERS:
                return 404, json.dumps(
                    {"detail": {"status": "no_match", "message": f"No {target} found in this sketch."}}
                ).encode()
            key, kind, bbox = self.LAYERS[target]
            layers.append(layer_json(key, f"{target}: {colour}", kind, bbox, self.RGB[colour]))
        sid = req.get("session_id") or f"s{len(self.sessions) + 1}"
        session = self.sessions.setdefault(sid, {"layers": {}, "history": []})
        replaced = [la["key"] for la in layers if la["key"] in session["layers"]]
        old = [session["layers"].pop(k) for k in replaced]
        for la in layers:
            session["layers"][la["key"]] = la
        session["history"].append(([la["key"] for la in layers], old))
        return 200, json.dumps(
            {
                "session_id": sid,
                "status": "ok",
                "message": "Coloured.",
                "parse": {},
                "width": W,
                "height": H,
                "layers": layers,
                "replaced": replaced,
            }
        ).encode()

    def undo(self, session_id: str) -> tuple[int, bytes]:
        session = self.sessions.get(session_id)
        if not session or not session["history"]:
            return 404, json.dumps(
                {"detail": {"status": "error", "message": "There is nothing to undo."}}
            ).encode()
        added, old = session["history"].pop()
        for key in added:
            session["layers"].pop(key, None)
        for la in old:
            session["layers"][la["key"]] = la
        return 200, json.dumps({"session_id": session_id, "removed": added, "restored": old}).encode()


def make_doc(model: str = "RGBA", depth: str = "U8", opaque: bool = True) -> tuple[fk.Document, fk.Node]:
    doc = fk.Document(W, H, "sketch", model, depth)
    line = doc.find("Background")
    bgra = lines_on_white() if opaque else transparent_lines(W, H)
    line.setPixelData(fk.convert_pixels(bgra, ("RGBA", "U8"), (model, depth)), 0, 0, W, H)
    doc.undo_log.clear()
    return doc, line


def run(doc, backend: FakeBackend, instruction: str, opts=None, node=None):
    opts = opts or settings.Settings()
    prepared = document.prepare(doc, instruction, opts, CODEC, node)
    status, body = backend.colorize(prepared.body)
    return document.apply_result(doc, prepared, api.parse_colorize(status, body), opts, CODEC)


def group_names(doc) -> list[str]:
    for name, children in doc.layer_names():
        if isinstance(children, list) and name == "Colorization":
            return children
    return []


def top_names(doc) -> list[str]:
    return [entry[0] if isinstance(entry, tuple) else entry for entry in doc.layer_names()]


# --- pixels and PNG -------------------------------------------------------------------------------------


def test_bgra_rgba_swap_and_grey() -> None:
    assert pixels.bgra_to_rgba(bytes([1, 2, 3, 4, 5, 6, 7, 8])) == bytes([3, 2, 1, 4, 7, 6, 5, 8])
    assert pixels.rgba_to_bgra(pixels.bgra_to_rgba(b"abcdefgh")) == b"abcdefgh"
    assert pixels.graya_to_bgra(bytes([10, 200, 0, 255])) == bytes([10, 10, 10, 200, 0, 0, 0, 255])
    assert pixels.is_blank(bytes(16)) and not pixels.is_blank(bytes([0, 0, 0, 1]))
    assert pixels.opaque_share(lines_on_white()) == 1.0
    assert pixels.opaque_share(transparent_lines(W, H)) < 0.5
    assert pixels.mask_from_selection(bytes(10)) is None
    assert pixels.clip_to_canvas([-5, -5, 10, 10], 20, 20) == ((0, 0, 5, 5), (5, 5))
    assert pixels.clip_to_canvas([30, 0, 5, 5], 20, 20) is None
    data = bytes(range(4 * 3 * 2))  # 3x2 pixels of 4 bytes
    assert pixels.crop(data, 3, 2, 4, 1, 1, 2, 1) == data[16:24]


def test_png_roundtrip_and_pillow_compatibility() -> None:
    pil = pytest.importorskip("PIL.Image")
    rgba = bytes((i * 7) % 256 for i in range(13 * 9 * 4))
    encoded = png.encode(13, 9, rgba)
    assert png.decode(encoded) == (13, 9, rgba)
    assert pil.open(io.BytesIO(encoded)).tobytes() == rgba
    for mode in ("RGBA", "RGB", "L", "LA", "P"):  # what a backend might send, with Pillow's filters
        image = pil.frombytes("RGBA", (13, 9), rgba).convert(mode)
        buf = io.BytesIO()
        image.save(buf, "PNG")
        assert png.decode(buf.getvalue())[2] == image.convert("RGBA").tobytes(), mode
    with pytest.raises(png.PngError):
        png.decode(b"not a png")
    with pytest.raises(png.PngError):
        png.decode(encoded[:40])


# --- requests -------------------------------------------------------------------------------------------


def test_request_has_layer_over_full_document_rect_with_any_offset() -> None:
    doc = fk.Document(W, H, "offsets", background=False)
    root = doc.rootNode()
    line = doc.createNode("Lines", "paintlayer")
    # a 10x8 frame drawn at (-3, 25): partly outside the canvas (left and bottom)
    line.setPixelData(transparent_lines(10, 8), -3, 25, 10, 8)
    root.addChildNode(line, None)
    doc.setActiveNode(line)
    prepared = document.prepare(doc, "  the sky   is blue ", settings.Settings(), CODEC)
    body = json.loads(prepared.body)
    assert body["instruction"] == "the sky is blue"
    assert "mask" not in body and "session_id" not in body
    w, h, rgba = png.decode(base64.b64decode(body["image"]))
    assert (w, h) == (W, H)  # the document's rect, not the layer's bounds
    alpha = rgba[3::4]
    assert alpha[25 * W + 0] == 255  # the frame's top edge at y=25 appears at document coordinates
    assert alpha[25 * W + 6] == 255 and alpha[25 * W + 7] == 0  # frame is x=-3..6
    assert alpha[24 * W + 0] == 0
    assert not prepared.opaque


def test_request_sends_selection_as_mask() -> None:
    doc, _line = make_doc()
    sel = fk.Selection(W, H)
    sel.select(5, 6, 4, 3, 255)
    doc.setSelection(sel)
    body = json.loads(document.prepare(doc, "the sky is blue", settings.Settings(), CODEC).body)
    w, h, mask = png.decode(base64.b64decode(body["mask"]))
    assert (w, h) == (W, H)
    red = mask[0::4]
    assert red[6 * W + 5] == 255 and red[8 * W + 8] == 255 and red[9 * W + 8] == 0 and red[0] == 0
    doc.setSelection(fk.Selection(W, H))  # an empty selection is no mask
    assert "mask" not in json.loads(document.prepare(doc, "the sky is blue", settings.Settings(), CODEC).body)


def test_lines_on_white_are_sent_as_they_are() -> None:
    doc, _line = make_doc()
    prepared = document.prepare(doc, "the sky is blue", settings.Settings(), CODEC)
    assert prepared.opaque
    assert png.decode(prepared.image_png)[2] == pixels.bgra_to_rgba(lines_on_white())


def test_user_errors_are_plain_sentences() -> None:
    opts = settings.Settings()
    with pytest.raises(document.UserError, match="Open a document"):
        document.prepare(None, "the sky is blue", opts, CODEC)
    doc, _line = make_doc()
    with pytest.raises(document.UserError, match="Type what to colour"):
        document.prepare(doc, "   ", opts, CODEC)
    empty = doc.createNode("Empty", "paintlayer")
    doc.rootNode().addChildNode(empty, None)
    doc.setActiveNode(empty)
    with pytest.raises(document.UserError, match="'Empty' is empty"):
        document.prepare(doc, "the sky is blue", opts, CODEC)
    doc._active = None
    with pytest.raises(document.UserError, match="Select your line-art layer"):
        document.prepare(doc, "the sky is blue", opts, CODEC)


def test_grayscale_document_is_sent_as_rgb_and_converted_only_on_success() -> None:
    doc, line = make_doc("GRAYA", "U8")
    gray = bytes(line.pixelData(0, 0, W, H))
    backend = FakeBackend()
    prepared = document.prepare(doc, "the car is blurple", settings.Settings(), CODEC)
    assert prepared.convert_gray
    assert png.decode(prepared.image_png)[2] == pixels.bgra_to_rgba(pixels.graya_to_bgra(gray))
    with pytest.raises(api.BackendError, match="Unknown colour 'blurple'"):
        api.parse_colorize(*backend.colorize(prepared.body))
    assert doc.colorModel() == "GRAYA" and doc.undo_log == []  # a failed request changes nothing
    report = run(doc, backend, "the sky is blue")
    assert doc.colorModel() == "RGBA"
    assert any("grayscale" in note for note in report.notes)
    assert bytes(doc.find("Background").pixelData(0, 0, W, H)) == pixels.graya_to_bgra(gray)


def test_grayscale_document_without_conversion_gives_a_message() -> None:
    doc, _line = make_doc("GRAYA", "U8")
    with pytest.raises(document.UserError, match="Grayscale 8-bit.*Convert Image Color Space"):
        document.prepare(doc, "the sky is blue", settings.Settings(convert_gray=False), CODEC)


def test_float_document_sends_a_converted_copy_and_gets_rgb8_layers() -> None:
    doc, line = make_doc("RGBA", "F32", opaque=False)
    before = bytes(line.pixelData(0, 0, W, H))
    report = run(doc, FakeBackend(), "the sun is orange")
    assert doc.closed_clones == 1  # the throw-away copy was closed
    assert any("copy" in note for note in report.notes)
    sun = doc.find("sun: orange")
    assert (sun.colorModel(), sun.colorDepth()) == ("RGBA", "U8")
    assert sun.pixelData(2, 2, 1, 1) == bytes([0, 128, 255, 255])
    assert bytes(line.pixelData(0, 0, W, H)) == before


def test_active_mask_or_result_layer_resolves_to_the_line_art() -> None:
    doc, line = make_doc()
    backend = FakeBackend()
    run(doc, backend, "the sun is orange")
    doc.setActiveNode(doc.find("sun: orange"))
    prepared = document.prepare(doc, "the sky is blue", settings.Settings(), CODEC)
    assert prepared.line_uid == state.uid_of(line)
    doc.setActiveNode(doc.find("Colorization"))
    assert document.prepare(doc, "x is blue", settings.Settings(), CODEC).line_uid == state.uid_of(line)


# --- answers and errors -----------------------------------------------------------------------------------


def test_error_answers_show_the_backends_message() -> None:
    def err(status, detail):
        return api.error_from_http(status, json.dumps({"detail": detail}).encode())

    e = err(404, {"status": "no_match", "message": "No car found in this sketch"})
    assert (e.kind, e.message) == ("no_match", "No car found in this sketch")
    e = err(422, {"status": "not_understood", "message": "Unknown colour 'blurple'"})
    assert (e.kind, e.message) == ("not_understood", "Unknown colour 'blurple'")
    e = err(413, {"status": "error", "message": "The image is larger than 64 MB."})
    assert e.message == "The image is larger than 64 MB."
    e = err(422, [{"loc": ["body", "instruction"], "msg": "Field required", "type": "missing"}])
    assert "instruction: Field required" in e.message
    assert "HTTP 500" in api.error_from_http(500, b"Internal Server Error").message
    assert (
        "does not look like the colorization backend"
        in api.error_from_http(404, b'{"detail":"Not Found"}').message
    )
    with pytest.raises(api.BackendError, match="does not understand"):
        api.parse_colorize(200, b"<html>")
    with pytest.raises(api.BackendError, match="broken image"):
        api.parse_colorize(
            200,
            json.dumps({"layers": [{"key": "k", "name": "n", "bbox": [0, 0, 1, 1], "png": "!!"}]}).encode(),
        )


def test_network_errors_are_plain_words() -> None:
    e = api.network_error(api.NETWORK, "http://127.0.0.1:8765", autostart=False)
    assert e.message.startswith(
        "Cannot reach the backend at 127.0.0.1:8765 - start it with 'python -m backend serve'"
    )
    assert "Start the backend automatically" in e.message
    assert "within 30 s" in api.network_error(api.TIMEOUT, "http://127.0.0.1:8765", timeout_s=30).message
    assert api.host_port("localhost:9000/") == "localhost:9000"
    assert api.is_local("http://127.0.0.1:1") and api.is_local("http://[::1]:8765")
    assert not api.is_local("https://example.org")
    assert api.parse_health(200, b'{"status": "ok"}') and not api.parse_health(500, b"")


def test_broken_answers_change_nothing() -> None:
    doc, _line = make_doc()
    opts = settings.Settings()
    prepared = document.prepare(doc, "the sky is blue", opts, CODEC)
    bad_size = {
        "session_id": "s",
        "layers": [layer_json("bg:sky", "sky", "background", [0, 0, 5, 5], (1, 2, 3))],
        "replaced": [],
        "width": W,
        "height": H,
    }
    bad_size["layers"][0]["bbox"] = [0, 0, 6, 5]
    with pytest.raises(api.BackendError, match="6x5"):
        document.apply_result(
            doc, prepared, api.parse_colorize(200, json.dumps(bad_size).encode()), opts, CODEC
        )
    other_image = dict(bad_size, layers=[], width=W + 1)
    with pytest.raises(api.BackendError, match=f"another|{W + 1}x{H}"):
        document.apply_result(
            doc, prepared, api.parse_colorize(200, json.dumps(other_image).encode()), opts, CODEC
        )
    assert top_names(doc) == ["Background"] and doc.undo_log == []


def test_closed_resized_or_deleted_while_waiting() -> None:
    backend = FakeBackend()
    opts = settings.Settings()
    for change, message in (("close", "closed"), ("resize", "resized"), ("delete", "removed")):
        doc, line = make_doc()
        prepared = document.prepare(doc, "the sky is blue", opts, CODEC)
        status, body = backend.colorize(prepared.body)
        if change == "close":
            doc.close()
        elif change == "resize":
            doc._w += 10
        else:
            line.remove()
        with pytest.raises(document.UserError, match=message):
            document.apply_result(doc, prepared, api.parse_colorize(status, body), opts, CODEC)


# --- layers ---------------------------------------------------------------------------------------------


def test_layers_go_into_a_group_under_the_line_art_backgrounds_at_the_bottom() -> None:
    doc, line = make_doc()
    before = bytes(line.pixelData(-5, -5, W + 10, H + 10))
    backend = FakeBackend()
    report = run(doc, backend, "the sky is blue and the ground is green")
    assert [c["name"] for c in report.created] == ["sky: blue", "ground: green"]
    # the line art was the bottom layer: the group goes under it by moving it up one place (reported)
    assert doc.layer_names() == [("Colorization", ["sky: blue", "ground: green"]), "Background"]
    assert any("Moved 'Background' up" in n for n in report.notes)
    assert line.blendingMode() == "multiply"  # opaque lines on white: colours must show through
    run(doc, backend, "the sun is orange")
    run(doc, backend, "the car is red")
    assert group_names(doc) == ["sky: blue", "ground: green", "sun: orange", "car: red"]
    assert bytes(line.pixelData(-5, -5, W + 10, H + 10)) == before
    sky = doc.find("sky: blue")
    assert sky.pixelData(0, 0, 1, 1) == bytes([255, 0, 0, 255])  # BGRA of blue, at the bbox position
    assert sky.pixelData(0, H // 2, 1, 1) == bytes(4)  # nothing outside the bbox
    car = doc.find("car: red")
    assert car.pixelData(10, 18, 1, 1) == bytes([0, 0, 255, 255]) and car.pixelData(9, 18, 1, 1) == bytes(4)
    # pixels were written before each layer was added: Krita's undo of "add layer" carries them
    assert ("pixels-no-undo", "sky: blue") not in doc.undo_log
    assert [e for e in doc.undo_log if e[0] == "pixels-no-undo"] == []


def test_group_goes_directly_under_line_art_in_a_stack() -> None:
    doc, paper = make_doc()
    paper.setName("Paper")
    lines = doc.createNode("Lines", "paintlayer")
    lines.setPixelData(transparent_lines(W, H), 0, 0, W, H)
    doc.rootNode().addChildNode(lines, paper)
    top = doc.createNode("Notes", "paintlayer")
    doc.rootNode().addChildNode(top, lines)
    doc.setActiveNode(lines)
    doc.undo_log.clear()
    report = run(doc, FakeBackend(), "the sky is blue")
    assert top_names(doc) == ["Paper", "Colorization", "Lines", "Notes"]
    assert not any(e[0] == "remove" for e in doc.undo_log)  # nothing of the artist's moved
    assert lines.blendingMode() == "normal"  # transparent line art needs no Multiply
    assert not report.notes
    assert doc.activeNode().name() == "Lines"  # the active layer is restored


def test_placement_above_leaves_the_line_art_untouched() -> None:
    doc, line = make_doc()
    run(doc, FakeBackend(), "the sky is blue", settings.Settings(placement=settings.PLACE_ABOVE))
    assert top_names(doc) == ["Background", "Colorization"]
    assert line.blendingMode() == "normal"
    assert doc.find("Colorization").blendingMode() == "multiply"
    assert not any(e[0] == "remove" for e in doc.undo_log)


def test_background_after_foregrounds_goes_below_them() -> None:
    doc, _line = make_doc(opaque=False)
    backend = FakeBackend()
    run(doc, backend, "the sun is orange")
    run(doc, backend, "the car is red")
    run(doc, backend, "the sky is blue")
    assert group_names(doc) == ["sky: blue", "sun: orange", "car: red"]
    run(doc, backend, "the ground is green")
    assert group_names(doc) == ["sky: blue", "ground: green", "sun: orange", "car: red"]


def test_recolouring_replaces_only_that_target_in_place() -> None:
    doc, line = make_doc()
    backend = FakeBackend()
    run(doc, backend, "the sky is blue and the ground is green")
    run(doc, backend, "the sun is orange")
    ground_uid = state.uid_of(doc.find("ground: green"))
    report = run(doc, backend, "the sky is black")
    assert backend.requests[-1]["session_id"] == "s1"  # the document's session is sent again
    assert [r["name"] for r in report.replaced] == ["sky: blue"]
    assert group_names(doc) == ["sky: black", "ground: green", "sun: orange"]
    assert state.uid_of(doc.find("ground: green")) == ground_uid
    assert doc.find("sky: blue") is None
    st = state.load(doc)
    target = st.targets[state.uid_of(line)]
    assert target.session_id == "s1"
    assert set(target.layers) == {"bg:sky", "bg:ground", "fg:sun:1"}
    assert [e["instruction"] for e in st.history] == [
        "the sky is blue and the ground is green",
        "the sun is orange",
        "the sky is black",
    ]


def test_replaced_keys_without_a_new_layer_are_removed() -> None:
    doc, _line = make_doc()
    opts = settings.Settings()
    run(doc, FakeBackend(), "the sun is orange")
    prepared = document.prepare(doc, "the sun is gone", opts, CODEC)
    answer = {"session_id": "s1", "layers": [], "replaced": ["fg:sun:1"], "width": W, "height": H}
    report = document.apply_result(
        doc, prepared, api.parse_colorize(200, json.dumps(answer).encode()), opts, CODEC
    )
    assert doc.find("sun: orange") is None and [r["key"] for r in report.removed] == ["fg:sun:1"]


def test_user_deleted_group_is_recreated() -> None:
    doc, _line = make_doc()
    backend = FakeBackend()
    run(doc, backend, "the sun is orange")
    doc.find("Colorization").remove()
    run(doc, backend, "the sky is blue")
    assert group_names(doc) == ["sky: blue"]


# --- undo -----------------------------------------------------------------------------------------------


def test_undo_with_the_backend_restores_what_was_replaced() -> None:
    doc, _line = make_doc()
    backend = FakeBackend()
    opts = settings.Settings()
    run(doc, backend, "the sky is blue and the ground is green")
    run(doc, backend, "the sky is black")
    entry, session_id = document.last_undo_request(doc)
    assert entry["instruction"] == "the sky is black" and session_id == "s1"
    undo = api.parse_undo(*backend.undo(session_id))
    report = document.apply_undo(doc, entry, undo, opts, CODEC)
    assert "Undid 'the sky is black'" in report.summary()
    assert group_names(doc) == ["sky: blue", "ground: green"]
    assert doc.find("sky: blue").pixelData(0, 0, 1, 1) == bytes([255, 0, 0, 255])
    assert len(state.load(doc).history) == 1
    entry, session_id = document.last_undo_request(doc)
    document.apply_undo(doc, entry, api.parse_undo(*backend.undo(session_id)), opts, CODEC)
    assert group_names(doc) == []
    with pytest.raises(document.UserError, match="no colorization to undo"):
        document.last_undo_request(doc)


def test_local_undo_removes_the_last_steps_layers() -> None:
    doc, _line = make_doc()
    backend = FakeBackend()
    run(doc, backend, "the sky is blue")
    run(doc, backend, "the sky is black")
    entry, _sid = document.last_undo_request(doc)
    report = document.local_undo(doc, entry, "the backend could not be reached")
    assert group_names(doc) == []
    assert "could not be brought back" in report.summary()


def test_history_rows_and_selecting_layers() -> None:
    doc, _line = make_doc()
    backend = FakeBackend()
    run(doc, backend, "the sky is blue and the ground is green")
    run(doc, backend, "the sun is orange")
    doc.find("sun: orange").remove()  # e.g. Krita's own undo
    rows = document.history_rows(doc)
    assert [entry["instruction"] for entry, _ in rows] == [
        "the sun is orange",
        "the sky is blue and the ground is green",
    ]
    assert [present for _info, present in rows[0][1]] == [False]
    sky_uid = rows[1][1][0][0]["uid"]
    assert document.select_layer(doc, sky_uid) and doc.activeNode().name() == "sky: blue"
    assert not document.select_layer(doc, "{missing}")


# --- state, settings, config ------------------------------------------------------------------------------


def test_state_roundtrip_and_garbage() -> None:
    st = state.DocState()
    target = st.target("{line}")
    target.session_id = "abc"
    target.layers["bg:sky"] = {"uid": "{1}", "name": "sky: blue", "kind": "background"}
    st.add_history("the sky is blue", "{line}", "Lines", [{"key": "bg:sky", "uid": "{1}"}], [])
    again = state.DocState.from_bytes(st.to_bytes())
    assert again.targets["{line}"].session_id == "abc" and again.last_instruction() == "the sky is blue"
    assert state.DocState.from_bytes(b"\xff not json").targets == {}
    doc, _line = make_doc()
    state.save(doc, st)
    assert state.ANNOTATION in doc.annotationTypes()
    assert state.load(doc).targets["{line}"].layers["bg:sky"]["name"] == "sky: blue"


def test_settings_persist_through_krita_settings() -> None:
    app = fk.Krita()
    s = settings.Settings.read(app.readSetting)
    assert (s.backend_url, s.autostart, s.placement, s.convert_gray) == (api.DEFAULT_URL, True, "under", True)
    settings.Settings("localhost:9000/", False, "above", False, 30).write(app.writeSetting)
    assert app.settings[("language_colorize", "backend_url")] == "http://localhost:9000"
    s = settings.Settings.read(app.readSetting)
    assert (s.backend_url, s.autostart, s.placement, s.convert_gray, s.timeout) == (
        "http://localhost:9000",
        False,
        "above",
        False,
        30,
    )
    app.writeSetting("language_colorize", "placement", "sideways")
    app.writeSetting("language_colorize", "timeout", "soon")
    s = settings.Settings.read(app.readSetting)
    assert s.placement == "under" and s.timeout == 180


def test_backend_config_gives_the_serve_command(tmp_path: Path) -> None:
    assert config.server_command({}, "127.0.0.1", 8765) is None
    (tmp_path / "backend.json").write_text(
        json.dumps({"python": "/usr/bin/python3", "backend_dir": str(ROOT)})
    )
    cfg = config.load(str(tmp_path))
    assert config.server_command(cfg, "127.0.0.1", 8765) == (
        "/usr/bin/python3",
        ["-m", "backend", "serve", "--host", "127.0.0.1", "--port", "8765"],
        str(ROOT),
    )


# --- packaging --------------------------------------------------------------------------------------------

PLUGIN = ROOT / "plugin" / "language_colorize"


def test_plugin_code_is_python38_and_core_imports_no_qt_or_krita() -> None:
    for path in (ROOT / "plugin").rglob("*.py"):
        ast.parse(path.read_text(), str(path), feature_version=(3, 8))
    for path in (PLUGIN / "core").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            assert not any(n.split(".")[0] in ("PyQt5", "PyQt6", "krita") for n in names), path
    code = (
        "import sys; sys.modules['PyQt5'] = None; sys.modules['krita'] = None; "
        "sys.path.insert(0, 'plugin'); import language_colorize.core.document, language_colorize.core.api"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_action_file_declares_every_action_with_free_shortcuts() -> None:
    tree_ = ElementTree.parse(ROOT / "plugin" / "actions" / "language_colorize.action")
    root = tree_.getroot()
    assert root.tag == "ActionCollection" and root.get("version") == "2"
    actions = {a.get("name"): a.findtext("shortcut") for a in root.iter("Action")}
    source = (PLUGIN / "extension.py").read_text()
    assert set(actions) == {
        "language_colorize_focus",
        "language_colorize_apply",
        "language_colorize_repeat",
        "language_colorize_undo",
    }
    assert all(f'"{name}"' in source for name in actions)
    assert len(set(actions.values())) == len(actions)
    krita_actions = Path("/usr/share/krita/actions")
    if krita_actions.is_dir():  # none of Krita's own default shortcuts is taken
        taken = set()
        for path in krita_actions.glob("*.action"):
            for action in ElementTree.parse(path).getroot().iter("Action"):
                taken.update(
                    s.strip().lower() for s in (action.findtext("shortcut") or "").split(";") if s.strip()
                )
        assert not {s.lower() for s in actions.values()} & taken


def test_desktop_file_matches_the_package() -> None:
    text = (ROOT / "plugin" / "language_colorize.desktop").read_text()
    assert "X-KDE-Library=language_colorize" in text and "ServiceTypes=Krita/PythonPlugin" in text
    assert (PLUGIN / "__init__.py").is_file() and (PLUGIN / "manual.html").is_file()


def test_resource_folders_per_platform() -> None:
    home = "/home/a"
    assert install.resource_dirs("linux", {}, home)[0] == (
        "linux",
        "/home/a/.local/share/krita",
        "/home/a/.config/kritarc",
    )
    assert install.resource_dirs("linux", {"XDG_DATA_HOME": "/d", "XDG_CONFIG_HOME": "/c"}, home)[0][1:] == (
        "/d/krita",
        "/c/kritarc",
    )
    assert install.resource_dirs("linux", {}, home)[1] == (
        "flatpak",
        "/home/a/.var/app/org.kde.krita/data/krita",
        "/home/a/.var/app/org.kde.krita/config/kritarc",
    )
    win = install.resource_dirs(
        "win32", {"APPDATA": "C:/U/AppData/Roaming", "LOCALAPPDATA": "C:/U/AppData/Local"}, home
    )[0]
    assert win[1].replace("\\", "/") == "C:/U/AppData/Roaming/krita"
    assert win[2].replace("\\", "/") == "C:/U/AppData/Local/kritarc"
    mac = install.resource_dirs("darwin", {}, home)[0]
    assert mac[1] == "/home/a/Library/Application Support/krita" and mac[2].endswith("Preferences/kritarc")


def test_flatpak_is_chosen_when_only_flatpak_krita_exists(tmp_path: Path) -> None:
    (tmp_path / ".var" / "app" / "org.kde.krita" / "data" / "krita").mkdir(parents=True)
    args = install.main.__globals__["argparse"].Namespace(pykrita=None, kritarc=None, flatpak=False)
    resources, pykrita, kritarc = install.choose_target(args, "linux", {}, str(tmp_path))
    assert ".var/app/org.kde.krita" in resources and pykrita.endswith("krita/pykrita")
    args.pykrita = str(tmp_path / "custom" / "pykrita")
    resources, pykrita, _ = install.choose_target(args, "linux", {}, str(tmp_path))
    assert resources == str(tmp_path / "custom") and pykrita == args.pykrita


def test_kritarc_edits_keep_everything_else(tmp_path: Path) -> None:
    rc = tmp_path / "kritarc"
    original = "[General]\nfoo=1\n\n[python]\nenable_scripter=true\n\n[Other]\nbar=2\n"
    rc.write_text(original)
    install.set_kritarc_entry(str(rc), "python", "enable_language_colorize", "true")
    text = rc.read_text()
    assert "[python]\nenable_scripter=true\nenable_language_colorize=true\n" in text
    assert "[General]\nfoo=1" in text and "[Other]\nbar=2" in text
    install.set_kritarc_entry(str(rc), "python", "enable_language_colorize", None)
    assert rc.read_text().replace("\n\n", "\n") == original.replace("\n\n", "\n")
    install.set_kritarc_entry(str(tmp_path / "new" / "kritarc"), "python", "enable_x", "true")
    assert (tmp_path / "new" / "kritarc").read_text() == "[python]\nenable_x=true\n"


def test_install_uninstall_and_zip(tmp_path: Path) -> None:
    pykrita = tmp_path / "res" / "pykrita"
    rc = tmp_path / "kritarc"
    rc.write_text("[General]\nkeep=1\n")
    cmd = [
        sys.executable,
        str(ROOT / "install.py"),
        "--pykrita",
        str(pykrita),
        "--kritarc",
        str(rc),
        "--no-deps",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert "Installed the plugin" in out
    assert (pykrita / "language_colorize" / "core" / "document.py").is_file()
    assert not list(pykrita.rglob("__pycache__"))
    cfg = json.loads((pykrita / "language_colorize" / "backend.json").read_text())
    assert cfg["python"] == sys.executable and Path(cfg["backend_dir"]) == ROOT
    assert (tmp_path / "res" / "actions" / "language_colorize.action").is_file()
    assert install.read_kritarc_entry(str(rc), "python", "enable_language_colorize") == "true"
    subprocess.run(cmd + ["--uninstall"], capture_output=True, text=True, check=True)
    assert (
        not (pykrita / "language_colorize").exists() and not (pykrita / "language_colorize.desktop").exists()
    )
    assert not (tmp_path / "res" / "actions" / "language_colorize.action").exists()
    assert rc.read_text().strip() == "[General]\nkeep=1"

    out_zip = tmp_path / "language_colorize.zip"
    subprocess.run(
        [sys.executable, str(ROOT / "install.py"), "--zip", str(out_zip)], check=True, capture_output=True
    )
    names = zipfile.ZipFile(out_zip).namelist()
    # what Krita's Tools > Scripts > Import Python Plugin from File looks for
    assert "language_colorize.desktop" in names and "language_colorize/__init__.py" in names
    assert "language_colorize.action" in names and "language_colorize/core/document.py" in names
    assert not any("__pycache__" in n or n.endswith("backend.json") for n in names)
    assert "language_colorize/" in names  # the directory entry Krita's importer looks for

    importer_dir = Path("/usr/share/krita/pykrita/plugin_importer")
    if importer_dir.is_dir():  # run Krita's own importer logic (plain Python) on the zip
        code = (
            "import builtins, sys; builtins.i18n = lambda s: s; sys.path.insert(0, sys.argv[1]); "
            "from plugin_importer import PluginImporter; "
            "imp = PluginImporter(sys.argv[2], sys.argv[3], lambda p: True); "
            "print([p['name'] for p in imp.import_all()])"
        )
        res = tmp_path / "krita-resources"
        res.mkdir()
        out = subprocess.run(
            [sys.executable, "-c", code, str(importer_dir), str(out_zip), str(res)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "language_colorize" in out
        assert (res / "pykrita" / "language_colorize" / "core" / "document.py").is_file()
        assert (res / "pykrita" / "language_colorize.desktop").is_file()
        assert (res / "actions" / "language_colorize.action").is_file()


# --- the Qt side, in the system Python that has PyQt5 (as Krita's does) -----------------------------------


def _system_python_with_pyqt5() -> str | None:
    for candidate in ("/usr/bin/python3", shutil.which("python3") or ""):
        if candidate and Path(candidate).exists():
            ok = (
                subprocess.run([candidate, "-c", "import PyQt5.QtNetwork"], capture_output=True).returncode
                == 0
            )
            if ok:
                return candidate
    return None


def test_qt_client_controller_and_autostart(tmp_path: Path) -> None:
    """client.py + controller.py with real QNetworkAccessManager/QProcess in a PyQt5 process."""
    python = _system_python_with_pyqt5()
    if python is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no Python with PyQt5 (apt-get install python3-pyqt5)")
        pytest.skip("no Python with PyQt5 on this machine")
    verdict = tmp_path / "verdict.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run(
        [python, str(ROOT / "tests" / "krita_scripts" / "qt_client_check.py"), str(verdict)],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert verdict.exists(), proc.stdout + proc.stderr
    data = json.loads(verdict.read_text())
    report = "\n".join(
        f"{'ok ' if c['ok'] else 'FAIL'} {c['name']} {'' if c['ok'] else c['detail']}" for c in data["checks"]
    )
    assert data["error"] is None, data["error"]
    assert len(data["checks"]) >= 19 and data["ok"], report
