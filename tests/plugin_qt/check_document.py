"""Requests, applying answers, re-colouring and undo against the fake Krita, with the plugin's QImage
codec. The backend is tests/plugin_qt/fake_backend.py's `colorize`, called directly (no HTTP)."""

from __future__ import annotations

import base64
import io
import json

import fake_krita as fk
import pytest
from fake_backend import colorize, encode_png
from language_colorize import apply, history, images, request, undo
from language_colorize.core import api, pixels, settings
from language_colorize.core.document import Document
from language_colorize.core.errors import PluginError

W, H = 40, 30
WHITE = b"\xff\xff\xff\xff"
BLUE, BLACK, GREEN = bytes([255, 0, 0, 255]), bytes([0, 0, 0, 255]), bytes([0, 255, 0, 255])


def lines_on_white(w: int = W, h: int = H) -> bytes:
    data = bytearray(WHITE * (w * h))
    row = (h // 2) * w * 4
    data[row : row + w * 4] = b"\0\0\0\xff" * w
    return bytes(data)


def transparent_lines(w: int, h: int) -> bytes:
    data = bytearray(w * h * 4)
    for y in range(h):
        for x in range(w):
            if x in (0, w - 1) or y in (0, h - 1):
                data[(y * w + x) * 4 + 3] = 255
    return bytes(data)


def make_doc(model: str = "RGBA", depth: str = "U8", opaque: bool = True) -> tuple[fk.Document, Document]:
    raw = fk.Document(W, H, "sketch", model, depth)
    line = raw.find("Background")
    bgra = lines_on_white() if opaque else transparent_lines(W, H)
    line.setPixelData(fk.convert_pixels(bgra, ("RGBA", "U8"), (model, depth)), 0, 0, W, H)
    raw.undo_log.clear()
    return raw, Document(raw)


def answer_for(req: request.Request) -> api.ColorizeResult:
    status, body = colorize(json.loads(req.body))
    return api.parse_colorize(status, json.dumps(body).encode())


def run(doc: Document, instruction: str, opts: settings.Settings | None = None, layer=None) -> apply.Applied:
    opts = opts or settings.Settings()
    req = request.build(doc, instruction, opts, layer)
    return apply.apply(req, answer_for(req), opts)


def group_names(raw: fk.Document) -> list:
    for entry in raw.layer_names():
        if isinstance(entry, tuple) and entry[0] == "Colorization":
            return entry[1]
    return []


def top_names(raw: fk.Document) -> list:
    return [e[0] if isinstance(e, tuple) else e for e in raw.layer_names()]


# --- images ---------------------------------------------------------------------------------------------


def test_qimage_codec_roundtrip_and_other_png_types() -> None:
    pil = pytest.importorskip("PIL.Image")
    bgra = bytes((i * 7) % 256 for i in range(13 * 9 * 4))
    png = images.encode_bgra(bgra, 13, 9)
    rgba = pixels.bgra_to_rgba(bgra)
    assert pil.open(io.BytesIO(png)).convert("RGBA").tobytes() == rgba
    assert images.decode_to_bgra(png) == (13, 9, bgra)
    for mode in ("RGBA", "RGB", "L", "LA", "P"):  # whatever a backend may send
        image = pil.frombytes("RGBA", (13, 9), rgba).convert(mode)
        buf = io.BytesIO()
        image.save(buf, "PNG")
        assert images.decode_to_bgra(buf.getvalue())[2] == pixels.rgba_to_bgra(
            image.convert("RGBA").tobytes()
        )
    gray = images.encode_gray(bytes(range(13 * 9)), 13, 9)
    assert pil.open(io.BytesIO(gray)).mode == "L" and pil.open(io.BytesIO(gray)).tobytes() == bytes(
        range(13 * 9)
    )
    with pytest.raises(PluginError, match="unreadable image for 'x'"):
        images.decode_to_bgra(b"not a png", "'x'")


# --- requests -------------------------------------------------------------------------------------------


def test_request_sends_the_document_rect_whatever_the_layer_offset() -> None:
    raw = fk.Document(W, H, "offsets", background=False)
    line = raw.createNode("Lines", "paintlayer")
    line.setPixelData(transparent_lines(10, 8), -3, 25, 10, 8)  # partly outside the canvas
    raw.rootNode().addChildNode(line, None)
    raw.setActiveNode(line)
    req = request.build(Document(raw), "  the sky   is blue ", settings.Settings())
    body = json.loads(req.body)
    assert body["instruction"] == "the sky is blue" and set(body) == {"image", "instruction"}
    w, h, bgra = images.decode_to_bgra(base64.b64decode(body["image"]))
    alpha = bgra[3::4]
    assert (w, h) == (W, H)
    assert alpha[25 * W + 0] == 255 and alpha[25 * W + 6] == 255 and alpha[25 * W + 7] == 0
    assert alpha[24 * W + 0] == 0 and not req.opaque


def test_request_sends_the_selection_as_mask() -> None:
    raw, doc = make_doc()
    sel = fk.Selection(W, H)
    sel.select(5, 6, 4, 3, 255)
    raw.setSelection(sel)
    body = json.loads(request.build(doc, "the sky is blue", settings.Settings()).body)
    w, h, mask = images.decode_to_bgra(base64.b64decode(body["mask"]))
    grey = mask[0::4]
    assert (w, h) == (W, H)
    assert grey[6 * W + 5] == 255 and grey[8 * W + 8] == 255 and grey[9 * W + 8] == 0 and grey[0] == 0
    raw.setSelection(fk.Selection(W, H))  # an empty selection is no mask
    assert "mask" not in json.loads(request.build(doc, "the sky is blue", settings.Settings()).body)


def test_lines_on_white_are_sent_as_they_are() -> None:
    _raw, doc = make_doc()
    req = request.build(doc, "the sky is blue", settings.Settings())
    assert req.opaque and images.decode_to_bgra(req.image_png)[2] == lines_on_white()


def test_user_errors_are_plain_sentences() -> None:
    opts = settings.Settings()
    with pytest.raises(PluginError, match="Open a document"):
        request.build(None, "the sky is blue", opts)
    raw, doc = make_doc()
    with pytest.raises(PluginError, match="Type what to colour"):
        request.build(doc, "   ", opts)
    empty = raw.createNode("Empty", "paintlayer")
    raw.rootNode().addChildNode(empty, None)
    raw.setActiveNode(empty)
    with pytest.raises(PluginError, match="'Empty' is empty"):
        request.build(doc, "the sky is blue", opts)
    raw._active = None
    with pytest.raises(PluginError, match="Select your line-art layer"):
        request.build(doc, "the sky is blue", opts)


def test_grayscale_is_sent_as_rgb_and_converted_only_when_layers_come() -> None:
    raw, doc = make_doc("GRAYA", "U8")
    gray = bytes(raw.find("Background").pixelData(0, 0, W, H))
    req = request.build(doc, "the car is blurple", settings.Settings())
    assert req.convert_gray and images.decode_to_bgra(req.image_png)[2] == pixels.graya_to_bgra(gray)
    with pytest.raises(PluginError, match="Unknown colour 'blurple'"):
        answer_for(req)
    assert raw.colorModel() == "GRAYA" and raw.undo_log == []
    applied = run(doc, "the sky is blue")
    assert raw.colorModel() == "RGBA" and any("grayscale" in n for n in applied.report.notes)
    assert bytes(raw.find("Background").pixelData(0, 0, W, H)) == pixels.graya_to_bgra(gray)
    with pytest.raises(PluginError, match="Grayscale 8-bit.*Convert Image Color Space"):
        request.build(make_doc("GRAYA", "U8")[1], "the sky is blue", settings.Settings(convert_gray=False))


def test_float_document_sends_a_converted_copy_and_gets_rgb8_layers() -> None:
    raw, doc = make_doc("RGBA", "F32", opaque=False)
    before = bytes(raw.find("Background").pixelData(0, 0, W, H))
    applied = run(doc, "the sun is orange")
    assert raw.closed_clones == 1 and any("copy" in n for n in applied.report.notes)
    sun = raw.find("sun: orange")
    assert (sun.colorModel(), sun.colorDepth()) == ("RGBA", "U8")
    assert sun.pixelData(2, 1, 1, 1) == bytes([0, 128, 255, 255])
    assert bytes(raw.find("Background").pixelData(0, 0, W, H)) == before


def test_a_result_layer_or_its_group_resolves_to_the_line_art() -> None:
    raw, doc = make_doc()
    run(doc, "the sun is orange")
    line = doc.find(raw.find("Background").uniqueId().toString())
    for name in ("sun: orange", "Colorization"):
        raw.setActiveNode(raw.find(name))
        assert request.build(doc, "the sky is blue", settings.Settings()).line == line


# --- applying -------------------------------------------------------------------------------------------


def test_broken_or_stale_answers_change_nothing() -> None:
    opts = settings.Settings()
    raw, doc = make_doc()
    req = request.build(doc, "the sky is blue", opts)
    layer = {
        "key": "bg:sky",
        "name": "sky",
        "kind": "background",
        "bbox": [0, 0, 6, 5],
        "png": base64.b64encode(encode_png(5, 5, bytes(100))).decode(),
    }
    wrong_size = api.parse_colorize(200, json.dumps({"layers": [layer], "width": W, "height": H}).encode())
    with pytest.raises(PluginError, match="5x5 image for 'sky', whose box is 6x5"):
        apply.apply(req, wrong_size, opts)
    other = api.parse_colorize(200, json.dumps({"layers": [], "width": W + 1, "height": H}).encode())
    with pytest.raises(PluginError, match=f"{W + 1}x{H}"):
        apply.apply(req, other, opts)
    assert top_names(raw) == ["Background"] and raw.undo_log == []
    for change, message in (("close", "closed"), ("resize", "resized"), ("delete", "removed")):
        raw, doc = make_doc()
        req = request.build(doc, "the sky is blue", opts)
        result = answer_for(req)
        if change == "close":
            raw.close()
        elif change == "resize":
            raw._w += 10
        else:
            raw.find("Background").remove()
        with pytest.raises(PluginError, match=message):
            apply.apply(req, result, opts)


def test_layers_go_into_a_group_under_the_line_art_backgrounds_at_the_bottom() -> None:
    raw, doc = make_doc()
    line = raw.find("Background")
    before = bytes(line.pixelData(-5, -5, W + 10, H + 10))
    applied = run(doc, "the sky is blue and the ground is green")
    assert applied.report.added == ["sky: blue", "ground: green"]
    assert [layer.name for layer in applied.added] == ["sky: blue", "ground: green"]
    assert raw.layer_names() == [("Colorization", ["sky: blue", "ground: green"]), "Background"]
    assert any("Moved 'Background' up" in n for n in applied.report.notes)
    assert line.blendingMode() == "multiply"  # opaque lines on white: colours must show through
    run(doc, "the sun is orange")
    run(doc, "the car is red")
    assert group_names(raw) == ["sky: blue", "ground: green", "sun: orange", "car: red"]
    assert bytes(line.pixelData(-5, -5, W + 10, H + 10)) == before
    sky = raw.find("sky: blue")
    assert sky.pixelData(0, 0, 1, 1) == BLUE and sky.pixelData(0, H // 2, 1, 1) == bytes(4)
    car = raw.find("car: red")
    assert car.pixelData(10, 18, 1, 1) == bytes([0, 0, 255, 255]) and car.pixelData(9, 18, 1, 1) == bytes(4)
    # pixels were written before each layer was added: Krita's undo of "add layer" carries them
    assert [e for e in raw.undo_log if e[0] == "pixels-no-undo"] == []


def test_group_goes_directly_under_line_art_in_a_stack_and_nothing_moves() -> None:
    raw, doc = make_doc()
    paper = raw.find("Background")
    paper.setName("Paper")
    lines = raw.createNode("Lines", "paintlayer")
    lines.setPixelData(transparent_lines(W, H), 0, 0, W, H)
    raw.rootNode().addChildNode(lines, paper)
    raw.rootNode().addChildNode(raw.createNode("Notes", "paintlayer"), lines)
    raw.setActiveNode(lines)
    raw.undo_log.clear()
    applied = run(doc, "the sky is blue")
    assert top_names(raw) == ["Paper", "Colorization", "Lines", "Notes"]
    assert not any(e[0] == "remove" for e in raw.undo_log)
    assert lines.blendingMode() == "normal" and not applied.report.notes


def test_placement_above_leaves_the_line_art_untouched() -> None:
    raw, doc = make_doc()
    run(doc, "the sky is blue", settings.Settings(placement=settings.PLACE_ABOVE))
    assert top_names(raw) == ["Background", "Colorization"]
    assert raw.find("Background").blendingMode() == "normal"
    assert raw.find("Colorization").blendingMode() == "multiply"


def test_a_background_after_foregrounds_goes_below_them() -> None:
    raw, doc = make_doc(opaque=False)
    run(doc, "the sun is orange")
    run(doc, "the car is red")
    run(doc, "the sky is blue")
    assert group_names(raw) == ["sky: blue", "sun: orange", "car: red"]
    run(doc, "the ground is green")
    assert group_names(raw) == ["sky: blue", "ground: green", "sun: orange", "car: red"]


def replaced(raw: fk.Document) -> list:
    """Names in the Colorization group's hidden Replaced group."""
    for entry in group_names(raw):
        if isinstance(entry, tuple) and entry[0] == "Replaced":
            assert not raw.find("Replaced").visible()
            return entry[1]
    return []


def shown(raw: fk.Document) -> list:
    """The Colorization group's layers outside the Replaced group."""
    return [e for e in group_names(raw) if not isinstance(e, tuple)]


def test_recolouring_puts_the_new_layer_in_the_old_ones_place_and_keeps_the_old_one() -> None:
    raw, doc = make_doc()
    run(doc, "the sky is blue and the ground is green")
    run(doc, "the sun is orange")
    ground = raw.find("ground: green").uniqueId()
    raw.undo_log.clear()
    applied = run(doc, "the sky is black")
    assert applied.report.replaced == ["sky: blue"] and "Replaced 'sky: blue'" in applied.report.summary()
    assert shown(raw) == ["sky: black", "ground: green", "sun: orange"] and replaced(raw) == ["sky: blue"]
    assert raw.find("ground: green").uniqueId() == ground
    run(doc, "the sky is orange")  # replaces the newest sky, not the one kept
    assert shown(raw) == ["sky: orange", "ground: green", "sun: orange"]
    assert replaced(raw) == ["sky: blue", "sky: black"]


def sky_pixel(raw: fk.Document) -> bytes:
    """What the Colorization group shows at the sky's first pixel."""
    return raw.find("Colorization").projectionPixelData(0, 0, 1, 1)


def test_every_krita_undo_step_of_a_recolouring_leaves_a_coloured_sky() -> None:
    """Krita undoes layer by layer: after each step the sky is black or blue, never gone."""
    raw, doc = make_doc()
    run(doc, "the sky is blue")
    steps_before = len(raw._undo_stack)
    run(doc, "the sky is black")
    seen = [sky_pixel(raw)]
    while len(raw._undo_stack) > steps_before:
        raw.undo()
        seen.append(sky_pixel(raw))
    assert seen[0] == BLACK and seen[-1] == BLUE and set(seen) <= {BLACK, BLUE}, seen
    assert shown(raw) == ["sky: blue"]


def test_krita_undo_of_a_whole_instruction_returns_to_the_picture_before() -> None:
    raw, doc = make_doc(opaque=False)
    run(doc, "the sky is blue")
    before = raw.layer_names()
    steps = len(raw._undo_stack)
    run(doc, "the sky is black and the sun is orange")
    while len(raw._undo_stack) > steps:
        raw.undo()
    names = raw.layer_names()
    assert [n for n in names[0][1] if not isinstance(n, tuple) or n[1]] == before[0][1], names


def test_the_record_travels_with_the_document_not_the_plugin() -> None:
    raw, doc = make_doc()
    run(doc, "the sky is blue")
    again = Document(raw)  # e.g. after reopening: a new wrapper, nothing in memory
    run(again, "the sky is black")
    assert shown(raw) == ["sky: black"] and replaced(raw) == ["sky: blue"]
    assert "language_colorize/record" in raw.annotationTypes()
    assert [s.instruction for s in again.load_record().steps] == ["the sky is blue", "the sky is black"]


def test_what_the_artist_taught_is_kept_by_the_document_and_sent_back() -> None:
    raw, doc = make_doc()
    sel = fk.Selection(W, H)
    sel.select(2, 2, 5, 5, 255)
    raw.setSelection(sel)
    applied = run(doc, "this is a giraffe")
    assert applied.report.message.startswith("Learnt: giraffe.") and applied.added == []
    raw.setSelection(None)
    req = request.build(doc, "the giraffe is red", settings.Settings())
    sent = json.loads(req.body)["taught"]
    assert [t["category"] for t in sent] == ["giraffe"] and sent[0]["mask"]
    raw.setSelection(sel)
    run(doc, "this is a giraffe")  # taught again: the newer one replaces the older
    assert [t["category"] for t in doc.load_record().taught] == ["giraffe"]
    run(doc, "forget the giraffe")
    assert doc.load_record().taught == []
    assert "taught" not in json.loads(request.build(doc, "the sky is blue", settings.Settings()).body)
    rec = doc.load_record()
    rec.taught.append({"category": "giraffe", "mask": "iVBOR"})  # no box: an older record's item
    doc.save_record(rec)
    assert "taught" not in json.loads(request.build(doc, "the sky is blue", settings.Settings()).body)


# --- undo -----------------------------------------------------------------------------------------------


def test_undo_last_removes_the_instructions_layers_and_shows_what_they_replaced() -> None:
    raw, doc = make_doc()
    run(doc, "the sky is blue and the ground is green")
    run(doc, "the sky is black")
    report = undo.undo_last(doc)
    assert "Undid 'the sky is black'" in report.summary() and report.restored == ["sky: blue"]
    assert shown(raw) == ["sky: blue", "ground: green"] and replaced(raw) == []
    assert raw.find("sky: blue").pixelData(0, 0, 1, 1) == BLUE
    assert len(doc.load_record().steps) == 1
    undo.undo_last(doc)
    assert shown(raw) == []
    with pytest.raises(PluginError, match="no colorization to undo"):
        undo.undo_last(doc)


def test_after_krita_undid_an_instruction_the_records_catch_up() -> None:
    raw, doc = make_doc()
    run(doc, "the sky is blue")
    steps = len(raw._undo_stack)
    run(doc, "the sky is black")
    while len(raw._undo_stack) > steps:  # Krita's Ctrl+Z, as often as the instruction took
        raw.undo()
    run(doc, "the sky is green")  # replaces the blue sky Krita brought back
    assert shown(raw) == ["sky: green"] and replaced(raw) == ["sky: blue"]
    undo.undo_last(doc)
    assert shown(raw) == ["sky: blue"] and replaced(raw) == []
    report = undo.undo_last(doc)  # the black sky's step: its layers are gone already
    assert report.message == "Undid 'the sky is black'." and shown(raw) == ["sky: blue"]


def test_history_rows_name_each_instructions_layers() -> None:
    raw, doc = make_doc()
    run(doc, "the sky is blue and the ground is green")
    run(doc, "the sun is orange")
    raw.find("sun: orange").remove()
    rows = history.rows(doc)
    assert [r[0] for r in rows] == ["the sun is orange", "the sky is blue and the ground is green"]
    assert [(name, layer is None) for name, layer, _kind in rows[0][2]] == [("sun: orange", True)]
    assert [layer.name for _name, layer, _kind in rows[1][2]] == ["sky: blue", "ground: green"]
