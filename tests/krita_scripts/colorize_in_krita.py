"""Drives the plugin's own code inside real Krita (kritarunner, no window) against a v2 backend.

    LANGCOLORIZE_TEST_CONFIG=cfg.json LANGCOLORIZE_NO_REGISTER=1 QT_QPA_PLATFORM=offscreen \
        PYTHONPATH=<repo>/plugin:<repo>/tests/krita_scripts kritarunner -s colorize_in_krita -f main

cfg.json: {"backend_url", "sketch", "verdict", "workdir"}. kritarunner's exit code does not follow the
script, so every check lands in the verdict JSON: {"ok": bool, "checks": [{"name", "ok", "detail"}]}.

The HTTP goes through the plugin's real QNetworkAccessManager client; kritarunner runs no event loop,
so this script spins a QEventLoop until the controller is idle again. The server is stateless: the
document's own record (a .kra annotation) is what makes re-colouring and undo work, also after saving
and reopening.
"""

import base64
import json
import os
import time
import traceback

from krita import InfoObject, Krita
from language_colorize import controller as controller_mod
from language_colorize import images, qt
from language_colorize.core import pixels, theme
from language_colorize.core.document import Document

CHECKS = []
SIDE = 750


def check(name, ok, detail=""):
    CHECKS.append({"name": name, "ok": bool(ok), "detail": str(detail)[:2000]})
    return bool(ok)


class RecordingUi:
    def __init__(self):
        self.messages = []

    def on_busy(self, text):
        pass

    def on_idle(self):
        pass

    def on_message(self, text, level):
        self.messages.append((level, text))

    def on_history_changed(self, doc):
        pass


def spin(predicate, timeout_s=300):
    loop = qt.QEventLoop()
    deadline = time.monotonic() + timeout_s
    while not predicate() and time.monotonic() < deadline:
        qt.QTimer.singleShot(50, loop.quit)
        qt.exec_(loop)
    return predicate()


class Harness:
    """The plugin's Controller with in-memory settings, recording every HTTP answer."""

    def __init__(self, backend_url):
        self.settings = {
            ("language_colorize", "backend_url"): backend_url,
            ("language_colorize", "autostart"): "false",
        }
        self.ui = RecordingUi()
        self.ctl = controller_mod.Controller(self._read, self._write, "/nonexistent", self.ui)
        self.answers = []
        post = self.ctl.client.post

        def recording_post(url, body, timeout_s, callback, token=""):
            def wrapped(answer):
                self.answers.append((url, answer.status, answer.body, answer.error))
                callback(answer)

            return post(url, body, timeout_s, wrapped, token)

        self.ctl.client.post = recording_post

    def _read(self, group, key, default):
        return self.settings.get((group, key), default)

    def _write(self, group, key, value):
        self.settings[(group, key)] = value

    def run(self, doc, instruction, layer):
        before = len(self.ui.messages)
        if self.ctl.colorize(doc, instruction, layer):
            spin(lambda: not self.ctl.busy)
        return self.ui.messages[before:]

    def undo(self, doc):
        before = len(self.ui.messages)
        self.ctl.undo_last(doc)
        return self.ui.messages[before:]

    def last_json(self):
        return json.loads(self.answers[-1][2].decode("utf-8"))


def newest_layer(doc, line, key):
    versions = doc.load_record().versions(line.id, key)
    return doc.find(versions[-1].layer_id) if versions else None


def names(layer):
    return [child.name for child in layer.children]


def check_layers_match_answer(prefix, doc, line, answer):
    """Every layer of the answer is a layer of that name with exactly its pixels at its bbox."""
    for item in answer["layers"]:
        x, y, w, h = item["bbox"]
        layer = newest_layer(doc, line, item["key"])
        if not check("{}: layer for {} exists".format(prefix, item["key"]), layer is not None):
            continue
        check(
            "{}: name is the backend's {!r}".format(prefix, item["name"]),
            layer.name == item["name"],
            layer.name,
        )
        _w, _h, want = images.decode_to_bgra(base64.b64decode(item["png"]))
        got = layer.pixels(x, y, w, h)
        diff = (
            0 if got == want else sum(1 for i in range(0, len(want), 4) if got[i : i + 4] != want[i : i + 4])
        )
        check(
            "{}: {} pixels equal the backend's PNG".format(prefix, item["key"]), diff == 0, f"{diff} differ"
        )
        bx, by, bw, bh = layer.bounds()
        inside = bx >= x and by >= y and bx + bw <= x + w and by + bh <= y + h
        check("{}: {} has nothing outside its bbox".format(prefix, item["key"]), inside, (bx, by, bw, bh))
        check("{}: {} is not empty".format(prefix, item["key"]), pixels.alpha_channel(got).count(255) > 0)


# --- scenario A: the real grayscale sketch as Krita opens it -----------------------------------------


def scenario_gray(cfg, h):
    app = Krita.instance()
    raw = app.openDocument(cfg["sketch"])
    raw.setBatchmode(True)
    doc = Document(raw)
    check("A: sketch opened", doc.is_open and doc.size == (SIDE, SIDE), cfg["sketch"])
    check("A: Krita opens the sketch as GRAYA/U8", doc.color == ("GRAYA", "U8"), doc.color)
    line = doc.root.children[0]
    gray_before = line.pixels(0, 0, SIDE, SIDE)

    msgs = h.run(doc, "the sky is blue and the ground is green", line)
    check("A1: colorize succeeded", msgs and msgs[-1][0] == "ok", msgs)
    first = h.last_json()
    check("A1: the request was stateless (v2)", h.answers[-1][0].endswith("/v2/colorize"), h.answers[-1][0])
    keys = {x["key"] for x in first["layers"]}
    check("A1: backend returned sky and ground", {"bg:sky", "bg:ground"} <= keys, keys)
    check("A1: document converted to RGBA/U8", doc.color == ("RGBA", "U8"), doc.color)
    check("A1: the conversion is reported", any("grayscale" in m[1] for m in msgs), msgs)
    line = doc.find(line.id)
    after_first = line.pixels(0, 0, SIDE, SIDE)
    check("A1: line art unchanged (grey -> B=G=R=grey)", after_first == pixels.graya_to_bgra(gray_before))
    top = names(doc.root)
    check("A1: Colorization group directly under the line art", top == ["Colorization", "Background"], top)
    check("A1: opaque line art set to Multiply", line.blending == "multiply", line.blending)
    check_layers_match_answer("A1", doc, line, first)
    group = doc.root.children[0]

    msgs = h.run(doc, "the sun is orange", line)
    check("A2: colorize succeeded", msgs and msgs[-1][0] == "ok", msgs)
    second = h.last_json()
    check_layers_match_answer("A2", doc, line, second)
    order = names(group)
    names1 = [x["name"] for x in first["layers"]]
    names2 = [x["name"] for x in second["layers"]]
    check(
        "A2: backgrounds at the bottom of the group, the sun above",
        sorted(order[: len(names1)]) == sorted(names1) and order[len(names1) :] == names2,
        order,
    )
    check("A2: line art byte-identical", doc.find(line.id).pixels(0, 0, SIDE, SIDE) == after_first)

    # progressive: only the sky changes; the old sky moves into the hidden Replaced group
    old_sky = newest_layer(doc, line, "bg:sky")
    sky_index = names(group).index(old_sky.name)
    ground = newest_layer(doc, line, "bg:ground")
    ground_px = ground.pixels(0, 0, SIDE, SIDE)
    msgs = h.run(doc, "the sky is black", line)
    check("A3: 'the sky is black' succeeded", msgs and msgs[-1][0] == "ok", msgs)
    third = h.last_json()
    check("A3: backend answered with only the sky", [x["key"] for x in third["layers"]] == ["bg:sky"], third)
    new_sky = newest_layer(doc, line, "bg:sky")
    old_sky = doc.find(old_sky.id)
    check("A3: a new sky layer", new_sky is not None and new_sky != old_sky)
    store = group.children[-1]
    check(
        "A3: a hidden Replaced group on top of the group", store.is_group and not store.visible, names(group)
    )
    check("A3: the old sky is kept in it", old_sky is not None and old_sky in store.children, names(store))
    check(
        "A3: the new sky takes the old sky's place", group.children.index(new_sky) == sky_index, names(group)
    )
    check(
        "A3: ground untouched",
        doc.find(ground.id) is not None and ground.pixels(0, 0, SIDE, SIDE) == ground_px,
    )
    check_layers_match_answer("A3", doc, line, third)

    # the docker's Undo last: the black sky goes, the blue one is back in its place
    msgs = h.undo(doc)
    check("A4: undo succeeded", msgs and msgs[-1][0] == "ok", msgs)
    check("A4: the new sky is gone", doc.find(new_sky.id) is None)
    back = doc.find(old_sky.id)
    check(
        "A4: the first sky is back in its place",
        back is not None and back.parent == group and group.children.index(back) == sky_index,
        names(group),
    )
    check("A4: two instructions left", len(doc.load_record().steps) == 2, doc.load_record().steps)

    # errors, in plain words, changing nothing
    count = len(list(doc.layers()))
    msgs = h.run(doc, "the car is blurple", line)
    check("A5: unknown colour reported", msgs and msgs[-1][0] == "error" and "blurple" in msgs[-1][1], msgs)
    msgs = h.run(doc, "the car is red", line)
    check(
        "A5: missing object reported", msgs and msgs[-1][0] == "error" and "car" in msgs[-1][1].lower(), msgs
    )
    check("A5: errors changed no layer", len(list(doc.layers())) == count)

    # the record travels with the .kra: re-colour and undo after reopening
    kra = os.path.join(cfg["workdir"], "colorized.kra")
    check("A6: saved as .kra", raw.saveAs(kra) and os.path.exists(kra), kra)
    raw.close()
    raw2 = app.openDocument(kra)
    raw2.setBatchmode(True)
    again = Document(raw2)
    line2 = again.find(line.id)
    check("A6: the line art keeps its id in the .kra", line2 is not None)
    sky2 = newest_layer(again, line2, "bg:sky") if line2 is not None else None
    check("A6: the record comes back with the .kra", sky2 is not None and sky2.id == old_sky.id, sky2)
    msgs = h.run(again, "the sky is black", line2)
    check("A6: re-colouring after reopening succeeded", msgs and msgs[-1][0] == "ok", msgs)
    newest = newest_layer(again, line2, "bg:sky")
    kept = again.find(old_sky.id)
    check(
        "A6: ...and replaced the sky from before the save",
        newest is not None and newest.id != old_sky.id and kept is not None and not kept.parent.visible,
    )
    msgs = h.undo(again)
    kept = again.find(old_sky.id)
    check(
        "A6: Undo last after reopening puts the old sky back",
        kept is not None and kept.parent.name == "Colorization" and again.find(newest.id) is None,
        msgs,
    )
    raw2.waitForDone()
    png = os.path.join(cfg["workdir"], "colorized.png")
    check(
        "A6: reopened .kra exports as PNG", raw2.exportImage(png, InfoObject()) and os.path.exists(png), png
    )
    raw2.close()


# --- scenario B: transparent line art at an offset over a white paper layer ---------------------------


def scenario_transparent(cfg, h):
    app = Krita.instance()
    gray_doc = app.openDocument(cfg["sketch"])
    gray = bytes(gray_doc.rootNode().childNodes()[0].pixelData(0, 0, SIDE, SIDE))
    gray_doc.close()
    raw = app.createDocument(SIDE, SIDE, "transparent", "RGBA", "U8", "", 72.0)
    raw.setBatchmode(True)
    root = raw.rootNode()
    paper = root.childNodes()[0]
    paper.setName("Paper")
    paper.setPixelData(b"\xff\xff\xff\xff" * (SIDE * SIDE), 0, 0, SIDE, SIDE)
    lines_node = raw.createNode("Lines", "paintlayer")
    bgra = bytearray(SIDE * SIDE * 4)
    bgra[3::4] = bytes(255 - g for g in gray[0::2])  # black lines, alpha = darkness
    lines_node.setPixelData(bytes(bgra), 0, 0, SIDE, SIDE)
    root.addChildNode(lines_node, paper)
    lines_node.move(-10, -10)
    raw.waitForDone()
    doc = Document(raw)
    lines = doc.find(doc.root.children[1].id)
    bx, by, _bw, _bh = lines.bounds()
    check("B: line art layer has a negative offset", bx < 0 or by < 0, lines.bounds())
    before = lines.pixels(-20, -20, SIDE + 40, SIDE + 40)
    msgs = h.run(doc, "the sky is blue and the ground is green", lines)
    check("B1: colorize succeeded", msgs and msgs[-1][0] == "ok", msgs)
    check_layers_match_answer("B1", doc, lines, h.last_json())
    msgs = h.run(doc, "the sun is orange", lines)
    check("B2: colorize succeeded", msgs and msgs[-1][0] == "ok", msgs)
    check_layers_match_answer("B2", doc, lines, h.last_json())
    order = names(doc.root)
    check(
        "B2: order Paper, Colorization, Lines (nothing moved)",
        order == ["Paper", "Colorization", "Lines"],
        order,
    )
    check("B2: transparent line art keeps Normal blending", lines.blending == "normal", lines.blending)
    check("B2: line art byte-identical", lines.pixels(-20, -20, SIDE + 40, SIDE + 40) == before)
    check(
        "B2: paper untouched",
        doc.root.children[0].pixels(0, 0, SIDE, SIDE) == b"\xff\xff\xff\xff" * (SIDE * SIDE),
    )
    raw.close()


# --- scenario C: a 32-bit float document (converted copy sent, RGB 8-bit result layers) -----------------


def scenario_float(cfg, h):
    raw = Krita.instance().openDocument(cfg["sketch"])
    raw.setBatchmode(True)
    raw.setColorSpace("RGBA", "F32", "sRGB-elle-V2-g10.icc")
    raw.waitForDone()
    doc = Document(raw)
    line = doc.root.children[0]
    check("C: document is RGBA/F32", doc.color == ("RGBA", "F32"), doc.color)
    before = line.pixels(0, 0, SIDE, SIDE)
    msgs = h.run(doc, "the sun is orange", line)
    check("C1: colorize succeeded on a float document", msgs and msgs[-1][0] == "ok", msgs)
    check("C1: the converted copy is reported", any("copy" in m[1] for m in msgs), msgs)
    answer = h.last_json()
    layer = newest_layer(doc, line, answer["layers"][0]["key"]) if answer.get("layers") else None
    check(
        "C1: result layer is RGBA/U8 inside the float document",
        layer is not None and layer.color == ("RGBA", "U8"),
        layer.color if layer else None,
    )
    check_layers_match_answer("C1", doc, line, answer)
    check("C1: float line art byte-identical", line.pixels(0, 0, SIDE, SIDE) == before)
    raw.close()


# --- scenario T: a theme saved from one document and applied to another -------------------------------


def scenario_theme(cfg, h):
    app = Krita.instance()
    raws = [app.openDocument(cfg["sketch"]) for _ in range(2)]
    for raw in raws:
        raw.setBatchmode(True)
    first, second = [Document(raw) for raw in raws]
    line = first.root.children[0]
    texts = ["the sky is blue and the ground is green", "the sun is orange"]
    for text in texts:
        h.run(first, text, line)
    made, left_out = theme.from_record(first.load_record(), "headless")
    check(
        "T1: the theme holds both instructions as the backend parsed them",
        [p.get("text") for p in made["instructions"]] == texts
        and all(p.get("clauses") for p in made["instructions"])
        and left_out == 0,
        made,
    )
    path = os.path.join(cfg["workdir"], "headless.theme.json")
    theme.write(path, made)
    name, items = theme.read(path)
    check("T1: the file reads back", name == "headless" and [t for t, _ in items] == texts, (name, items))
    for clause in items[1][1]["clauses"]:  # the sun fine-tuned by hand in the file: that RGB is painted
        for colour in clause["colours"].values():
            colour["rgb"] = [1, 2, 3]
    sent = len(h.answers)
    started = h.ctl.apply_theme([second], name, items, [second.root.children[0]])  # no active layer here
    spin(lambda: not h.ctl.busy)
    check("T2: the theme was applied", started and h.ui.messages[-1][0] == "ok", h.ui.messages[-3:])
    check("T2: one request per instruction", len(h.answers) - sent == 2, h.answers[sent:])
    steps = second.load_record().steps
    check(
        "T2: one step for the whole theme, with both parses",
        [s.instruction for s in steps] == ["Theme 'headless' (2 instructions)"] and len(steps[0].parses) == 2,
        [(s.instruction, len(s.parses)) for s in steps],
    )
    want = [n for n in names(first.root.children[0]) if n != "Replaced"]
    group = second.root.children[0]
    check("T2: the same layers as on the first page", names(group) == want, (names(group), want))
    sun = [layer for layer in group.children if layer.name.startswith("sun")]
    x, y, w, h_ = sun[0].bounds() if sun else (0, 0, 0, 0)
    data = sun[0].pixels(x, y, w, h_) if sun else b""
    solid = [data[i : i + 3] for i in range(0, len(data), 4) if data[i + 3] == 255]
    share = solid.count(bytes([3, 2, 1])) / max(len(solid), 1)
    check("T2: the theme's stored RGB is painted, not the text's orange", share > 0.5, (len(solid), share))
    h.undo(second)
    check("T3: one Undo last takes the theme back", names(group) in ([], ["Replaced"]), names(group))
    for raw in raws:
        raw.close()


# --- scenario D: the document is closed while the backend works -------------------------------------


def scenario_closed(cfg, h):
    raw = Krita.instance().openDocument(cfg["sketch"])
    raw.setBatchmode(True)
    doc = Document(raw)
    started = h.ctl.colorize(doc, "the sky is blue", doc.root.children[0])
    raw.close()  # before the answer arrives
    spin(lambda: not h.ctl.busy)
    msgs = h.ui.messages[-1:]
    check(
        "D: closing the document mid-request is reported, no crash",
        started and msgs and msgs[-1][0] == "error" and "closed" in msgs[-1][1],
        msgs,
    )


def main(*_args):
    cfg = json.load(open(os.environ["LANGCOLORIZE_TEST_CONFIG"], encoding="utf-8"))
    verdict = {"ok": False, "checks": CHECKS, "error": None, "qt": qt.BINDING}
    try:
        h = Harness(cfg["backend_url"])
        for scenario in (
            scenario_gray,
            scenario_transparent,
            scenario_float,
            scenario_theme,
            scenario_closed,
        ):
            try:
                scenario(cfg, h)
            except Exception:
                check(f"{scenario.__name__} ran without an exception", False, traceback.format_exc())
        verdict["messages"] = h.ui.messages
        verdict["ok"] = bool(CHECKS) and all(c["ok"] for c in CHECKS)
    except Exception:
        verdict["error"] = traceback.format_exc()
    with open(cfg["verdict"], "w", encoding="utf-8") as handle:
        json.dump(verdict, handle, indent=1)
