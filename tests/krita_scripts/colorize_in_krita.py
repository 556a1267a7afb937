"""Drives the plugin's own code inside real Krita (kritarunner, no window) against a real backend.

    LANGCOLORIZE_TEST_CONFIG=cfg.json LANGCOLORIZE_NO_REGISTER=1 QT_QPA_PLATFORM=offscreen \
        PYTHONPATH=<repo>/plugin:<repo>/tests/krita_scripts kritarunner -s colorize_in_krita -f main

cfg.json: {"backend_url", "sketch", "verdict", "workdir"}. kritarunner's exit code does not follow the
script, so every check lands in the verdict JSON: {"ok": bool, "checks": [{"name", "ok", "detail"}]}.

The HTTP goes through the plugin's real QNetworkAccessManager client; kritarunner runs no event loop,
so this script spins a QEventLoop until the controller reports it is idle again.
"""

import json
import os
import time
import traceback

from krita import InfoObject, Krita
from language_colorize import controller as controller_mod
from language_colorize.core import pixels, state, tree
from language_colorize.core.state import uid_of
from language_colorize.qt_codec import QtCodec
from PyQt5.QtCore import QEventLoop, QTimer

CHECKS = []


def check(name, ok, detail=""):
    CHECKS.append({"name": name, "ok": bool(ok), "detail": str(detail)[:2000]})
    return bool(ok)


class RecordingUi:
    def __init__(self):
        self.messages = []
        self.idle = True

    def on_busy(self, text):
        self.idle = False

    def on_idle(self):
        self.idle = True

    def on_message(self, text, level):
        self.messages.append((level, text))

    def on_history_changed(self, doc):
        pass


def spin(predicate, timeout_s=300):
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    while not predicate() and time.monotonic() < deadline:
        QTimer.singleShot(50, loop.quit)
        loop.exec_()
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

        def recording_post(url, body, timeout_s, callback):
            def wrapped(status, data, error_kind, error_text):
                self.answers.append((url, status, data, error_kind))
                callback(status, data, error_kind, error_text)

            return post(url, body, timeout_s, wrapped)

        self.ctl.client.post = recording_post

    def _read(self, group, key, default):
        return self.settings.get((group, key), default)

    def _write(self, group, key, value):
        self.settings[(group, key)] = value

    def run(self, doc, instruction, node):
        before = len(self.ui.messages)
        started = self.ctl.colorize(doc, instruction, node)
        if started:
            spin(lambda: not self.ctl.busy)
        return self.ui.messages[before:]

    def undo(self, doc):
        before = len(self.ui.messages)
        if self.ctl.undo_last(doc):
            spin(lambda: not self.ctl.busy)
        return self.ui.messages[before:]

    def last_json(self):
        return json.loads(self.answers[-1][2].decode("utf-8"))


def layers_of(node):
    return [(c.name(), c.type()) for c in node.childNodes()]


def group_of(doc, line):
    st = state.load(doc)
    target = st.targets.get(uid_of(line))
    return tree.find(doc.rootNode(), target.group) if target and target.group else None


def check_layers_match_answer(prefix, doc, answer, codec):
    """Every layer of the backend's answer is a layer of that name with exactly its pixels at its bbox."""
    st = state.load(doc)
    ok_all = True
    for item in answer["layers"]:
        x, y, w, h = item["bbox"]
        info = None
        for target in st.targets.values():
            info = target.layers.get(item["key"]) or info
        node = tree.find(doc.rootNode(), info["uid"]) if info else None
        if not check("{}: layer for {} exists".format(prefix, item["key"]), node is not None, info):
            ok_all = False
            continue
        check(
            "{}: layer name is the backend's name {!r}".format(prefix, item["name"]),
            node.name() == item["name"],
            node.name(),
        )
        import base64

        pw, ph, want = codec.decode_png(base64.b64decode(item["png"]))
        got = bytes(node.pixelData(x, y, w, h))
        same = got == want
        if not same:
            diff = sum(1 for i in range(0, len(want), 4) if got[i : i + 4] != want[i : i + 4])
        check(
            "{}: {} pixels equal the backend's PNG at bbox {}".format(prefix, item["key"], item["bbox"]),
            same,
            "" if same else f"{diff} of {w * h} pixels differ",
        )
        b = node.bounds()
        inside = b.x() >= x and b.y() >= y and b.x() + b.width() <= x + w and b.y() + b.height() <= y + h
        check(
            "{}: {} has nothing outside its bbox".format(prefix, item["key"]),
            inside,
            (b.x(), b.y(), b.width(), b.height()),
        )
        opaque = pixels.alpha_channel(got).count(255)
        check("{}: {} is not empty".format(prefix, item["key"]), opaque > 0, opaque)
    return ok_all


def names_bottom_to_top(node):
    return [c.name() for c in node.childNodes()]


# --- scenario A: the real grayscale sketch as Krita opens it -----------------------------------------


def scenario_gray(cfg, h, codec):
    app = Krita.instance()
    doc = app.openDocument(cfg["sketch"])
    doc.setBatchmode(True)
    check("A: sketch opened", doc is not None and doc.width() == 750, cfg["sketch"])
    check(
        "A: Krita opens the sketch as GRAYA/U8",
        (doc.colorModel(), doc.colorDepth()) == ("GRAYA", "U8"),
        (doc.colorModel(), doc.colorDepth()),
    )
    line = doc.rootNode().childNodes()[0]
    line_uid = uid_of(line)
    gray_before = bytes(line.pixelData(0, 0, 750, 750))

    msgs = h.run(doc, "the sky is blue and the ground is green", line)
    check("A1: colorize succeeded", msgs and msgs[-1][0] == "ok", msgs)
    first = h.last_json()
    check(
        "A1: backend returned sky and ground",
        {"bg:sky", "bg:ground"} <= {x["key"] for x in first["layers"]},
        [x["key"] for x in first["layers"]],
    )
    check(
        "A1: document converted to RGBA/U8",
        (doc.colorModel(), doc.colorDepth()) == ("RGBA", "U8"),
        (doc.colorModel(), doc.colorDepth()),
    )
    check("A1: the conversion is reported", any("grayscale" in m[1] for m in msgs), msgs)
    line = tree.find(doc.rootNode(), line_uid)
    after_first = bytes(line.pixelData(0, 0, 750, 750))
    check(
        "A1: line art pixels unchanged by the conversion (grey -> B=G=R=grey)",
        after_first == pixels.graya_to_bgra(gray_before),
    )
    top = names_bottom_to_top(doc.rootNode())
    check("A1: Colorization group directly under the line art", top == ["Colorization", "Background"], top)
    check(
        "A1: opaque line art set to Multiply so colours show",
        line.blendingMode() == "multiply",
        line.blendingMode(),
    )
    group = group_of(doc, line)
    check_layers_match_answer("A1", doc, first, codec)

    msgs = h.run(doc, "the sun is orange", line)
    check("A2: colorize succeeded", msgs and msgs[-1][0] == "ok", msgs)
    second = h.last_json()
    check_layers_match_answer("A2", doc, second, codec)
    order = names_bottom_to_top(group)
    names1 = [x["name"] for x in first["layers"]]
    names2 = [x["name"] for x in second["layers"]]
    check(
        "A2: backgrounds at the bottom of the group, the sun above",
        sorted(order[: len(names1)]) == sorted(names1) and order[len(names1) :] == names2,
        order,
    )
    check(
        "A2: line art byte-identical after two colorizations",
        bytes(tree.find(doc.rootNode(), line_uid).pixelData(0, 0, 750, 750)) == after_first,
    )
    check(
        "A2: session id kept in the document",
        state.load(doc).targets[line_uid].session_id == second["session_id"],
        state.load(doc).targets[line_uid].session_id,
    )

    # progressive: only the sky changes
    st = state.load(doc)
    t = st.targets[line_uid]
    ground_uid = t.layers["bg:ground"]["uid"]
    sky_uid = t.layers["bg:sky"]["uid"]
    ground_px = bytes(tree.find(doc.rootNode(), ground_uid).pixelData(0, 0, 750, 750))
    msgs = h.run(doc, "the sky is black", line)
    check("A3: 'the sky is black' succeeded", msgs and msgs[-1][0] == "ok", msgs)
    third = h.last_json()
    check(
        "A3: backend answered with only the sky",
        [x["key"] for x in third["layers"]] == ["bg:sky"],
        [x["key"] for x in third["layers"]],
    )
    check("A3: backend listed the sky as replaced", "bg:sky" in third["replaced"], third["replaced"])
    t = state.load(doc).targets[line_uid]
    check("A3: old sky layer removed", tree.find(doc.rootNode(), sky_uid) is None)
    check(
        "A3: ground layer untouched",
        t.layers["bg:ground"]["uid"] == ground_uid
        and bytes(tree.find(doc.rootNode(), ground_uid).pixelData(0, 0, 750, 750)) == ground_px,
    )
    check_layers_match_answer("A3", doc, third, codec)
    order3 = names_bottom_to_top(group)
    check(
        "A3: the new sky takes the old sky's place",
        order3.index(third["layers"][0]["name"])
        == order.index(next(x["name"] for x in first["layers"] if x["key"] == "bg:sky")),
        (order, order3),
    )

    # docker's undo: the blue sky comes back
    msgs = h.undo(doc)
    check("A4: undo succeeded", msgs and msgs[-1][0] == "ok", msgs)
    t = state.load(doc).targets[line_uid]
    sky = tree.find(doc.rootNode(), t.layers.get("bg:sky", {}).get("uid"))
    blue_name = next(x["name"] for x in first["layers"] if x["key"] == "bg:sky")
    check(
        "A4: undo brought back the first sky",
        sky is not None and sky.name() == blue_name,
        sky.name() if sky else None,
    )
    check(
        "A4: history has two entries again",
        len(state.load(doc).history) == 2,
        [e["instruction"] for e in state.load(doc).history],
    )

    # errors, in plain words, changing nothing
    count = len(list(tree.walk(doc.rootNode())))
    msgs = h.run(doc, "the car is blurple", line)
    check("A5: unknown colour reported", msgs and msgs[-1][0] == "error" and "blurple" in msgs[-1][1], msgs)
    msgs = h.run(doc, "the car is red", line)
    check(
        "A5: missing object reported", msgs and msgs[-1][0] == "error" and "car" in msgs[-1][1].lower(), msgs
    )
    check("A5: errors changed no layer", len(list(tree.walk(doc.rootNode()))) == count)

    # state survives saving and reopening as .kra
    kra = os.path.join(cfg["workdir"], "colorized.kra")
    saved = doc.saveAs(kra)
    check("A6: saved as .kra", saved and os.path.exists(kra), kra)
    sid = state.load(doc).targets[line_uid].session_id
    doc.close()
    again = app.openDocument(kra)
    st2 = state.load(again)
    t2 = st2.targets.get(line_uid)
    check(
        "A6: session id and layer keys come back with the .kra",
        t2 is not None
        and t2.session_id == sid
        and tree.find(again.rootNode(), t2.layers["bg:ground"]["uid"]) is not None,
        (t2.to_json() if t2 else None),
    )
    again.setBatchmode(True)
    again.waitForDone()
    png = os.path.join(cfg["workdir"], "colorized.png")
    check(
        "A6: reopened .kra exports as PNG", again.exportImage(png, InfoObject()) and os.path.exists(png), png
    )
    again.close()


# --- scenario B: transparent line art at an offset over a white paper layer ---------------------------


def scenario_transparent(cfg, h, codec):
    app = Krita.instance()
    gray_doc = app.openDocument(cfg["sketch"])
    gray = bytes(gray_doc.rootNode().childNodes()[0].pixelData(0, 0, 750, 750))
    gray_doc.close()
    doc = app.createDocument(750, 750, "transparent", "RGBA", "U8", "", 72.0)
    doc.setBatchmode(True)
    root = doc.rootNode()
    paper = root.childNodes()[0]
    paper.setName("Paper")
    paper.setPixelData(b"\xff\xff\xff\xff" * (750 * 750), 0, 0, 750, 750)
    lines = doc.createNode("Lines", "paintlayer")
    # lines as alpha (black, alpha = darkness), drawn 0..750 but stored from -10,-10 (a moved layer)
    dark = bytes(255 - g for g in gray[0::2])
    bgra = bytearray(750 * 750 * 4)
    bgra[3::4] = dark
    lines.setPixelData(bytes(bgra), 0, 0, 750, 750)
    root.addChildNode(lines, paper)
    lines.move(-10, -10)
    doc.waitForDone()
    b = lines.bounds()
    check(
        "B: line art layer has a negative offset",
        b.x() < 0 or b.y() < 0,
        (b.x(), b.y(), b.width(), b.height()),
    )
    before = bytes(lines.pixelData(-20, -20, 790, 790))
    msgs = h.run(doc, "the sky is blue and the ground is green", lines)
    check("B1: colorize succeeded", msgs and msgs[-1][0] == "ok", msgs)
    sent = h.answers[-1]
    check_layers_match_answer("B1", doc, h.last_json(), codec)
    msgs = h.run(doc, "the sun is orange", lines)
    check("B2: colorize succeeded", msgs and msgs[-1][0] == "ok", msgs)
    check_layers_match_answer("B2", doc, h.last_json(), codec)
    order = names_bottom_to_top(root)
    check(
        "B2: order Paper, Colorization, Lines (nothing moved)",
        order == ["Paper", "Colorization", "Lines"],
        order,
    )
    check(
        "B2: transparent line art keeps Normal blending",
        lines.blendingMode() == "normal",
        lines.blendingMode(),
    )
    check(
        "B2: line art byte-identical (including its offset part)",
        bytes(lines.pixelData(-20, -20, 790, 790)) == before,
    )
    check("B2: paper untouched", bytes(paper.pixelData(0, 0, 750, 750)) == b"\xff\xff\xff\xff" * (750 * 750))
    del sent
    doc.close()


# --- scenario C: a 32-bit float document (converted copy sent, RGB 8-bit result layers) -----------------


def scenario_float(cfg, h, codec):
    app = Krita.instance()
    doc = app.openDocument(cfg["sketch"])
    doc.setBatchmode(True)
    doc.setColorSpace("RGBA", "F32", "sRGB-elle-V2-g10.icc")
    doc.waitForDone()
    line = doc.rootNode().childNodes()[0]
    check(
        "C: document is RGBA/F32",
        (doc.colorModel(), doc.colorDepth()) == ("RGBA", "F32"),
        (doc.colorModel(), doc.colorDepth()),
    )
    before = bytes(line.pixelData(0, 0, 750, 750))
    msgs = h.run(doc, "the sun is orange", line)
    check("C1: colorize succeeded on a float document", msgs and msgs[-1][0] == "ok", msgs)
    check("C1: the converted copy is reported", any("copy" in m[1] for m in msgs), msgs)
    answer = h.last_json()
    st = state.load(doc)
    info = st.targets[uid_of(line)].layers.get(answer["layers"][0]["key"]) if answer.get("layers") else None
    node = tree.find(doc.rootNode(), info["uid"]) if info else None
    check(
        "C1: result layer is RGBA/U8 inside the float document",
        node is not None and (node.colorModel(), node.colorDepth()) == ("RGBA", "U8"),
        (node.colorModel(), node.colorDepth()) if node else None,
    )
    check_layers_match_answer("C1", doc, answer, codec)
    check("C1: float line art byte-identical", bytes(line.pixelData(0, 0, 750, 750)) == before)
    doc.close()


# --- scenario D: the document is closed while the backend works -------------------------------------


def scenario_closed(cfg, h, codec):
    app = Krita.instance()
    doc = app.openDocument(cfg["sketch"])
    doc.setBatchmode(True)
    line = doc.rootNode().childNodes()[0]
    started = h.ctl.colorize(doc, "the sky is blue", line)
    doc.close()  # before the answer arrives
    spin(lambda: not h.ctl.busy)
    msgs = h.ui.messages[-1:]
    check(
        "D: closing the document mid-request is reported, no crash",
        started and msgs and msgs[-1][0] == "error" and "closed" in msgs[-1][1],
        msgs,
    )


def main(*_args):
    cfg = json.load(open(os.environ["LANGCOLORIZE_TEST_CONFIG"], encoding="utf-8"))
    verdict = {"ok": False, "checks": CHECKS, "error": None}
    try:
        codec = QtCodec()
        h = Harness(cfg["backend_url"])
        for scenario in (scenario_gray, scenario_transparent, scenario_float, scenario_closed):
            try:
                scenario(cfg, h, codec)
            except Exception:
                check(f"{scenario.__name__} ran without an exception", False, traceback.format_exc())
        verdict["messages"] = h.ui.messages
        verdict["ok"] = bool(CHECKS) and all(c["ok"] for c in CHECKS)
    except Exception:
        verdict["error"] = traceback.format_exc()
    with open(cfg["verdict"], "w", encoding="utf-8") as handle:
        json.dump(verdict, handle, indent=1)
