"""The Krita plugin's Qt-free logic: pixel buffers, the v2 HTTP contract, the document's record,
settings, backend.json, the .action and .desktop files, install.py and the zip for Krita's importer.

The plugin's Qt code (requests, applying answers, undo, the controller, the docker) runs against
tests/fake_krita.py under PyQt5 and PyQt6 in tests/test_plugin_qt.py.
"""

from __future__ import annotations

import ast
import base64
import json
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
from language_colorize.core import api, config, errors, pixels, record, settings, theme  # noqa: E402
from language_colorize.core.errors import PluginError  # noqa: E402

import install  # noqa: E402

W, H = 40, 30


# --- pixels ---------------------------------------------------------------------------------------------


def test_bgra_rgba_swap_grey_and_masks() -> None:
    assert pixels.bgra_to_rgba(bytes([1, 2, 3, 4, 5, 6, 7, 8])) == bytes([3, 2, 1, 4, 7, 6, 5, 8])
    assert pixels.rgba_to_bgra(pixels.bgra_to_rgba(b"abcdefgh")) == b"abcdefgh"
    assert pixels.graya_to_bgra(bytes([10, 200, 0, 255])) == bytes([10, 10, 10, 200, 0, 0, 0, 255])
    assert pixels.is_blank(bytes(16)) and not pixels.is_blank(bytes([0, 0, 0, 1]))
    assert pixels.opaque_share(b"\xff" * 16) == 1.0 and pixels.opaque_share(bytes(16)) == 0.0
    assert pixels.is_uniform(b"\xff" * 16) and not pixels.is_uniform(b"\xff" * 12 + bytes(4))
    assert pixels.mask_from_selection(bytes(10)) is None
    assert pixels.mask_from_selection(b"\0\x80") == b"\0\x80"
    assert pixels.clip_to_canvas([-5, -5, 10, 10], 20, 20) == ((0, 0, 5, 5), (5, 5))
    assert pixels.clip_to_canvas([30, 0, 5, 5], 20, 20) is None
    data = bytes(range(4 * 3 * 2))  # 3x2 pixels of 4 bytes
    assert pixels.crop(data, 3, 2, 4, 1, 1, 2, 1) == data[16:24]


# --- the v2 contract ------------------------------------------------------------------------------------


def test_colorize_body_is_stateless() -> None:
    body = json.loads(api.colorize_body(b"png", "the sky is blue"))
    assert body == {"image": base64.b64encode(b"png").decode(), "instruction": "the sky is blue"}
    body = json.loads(api.colorize_body(b"png", "x", b"mask"))
    assert set(body) == {"image", "instruction", "mask"} and base64.b64decode(body["mask"]) == b"mask"
    assert api.COLORIZE == "/v2/colorize" and api.HEALTH == "/v2/health"


def test_answers_are_read_into_layers() -> None:
    item = {
        "key": "fg:car:3",
        "name": "car: red",
        "kind": "foreground",
        "category": "car",
        "instances": [3],
        "bbox": [1, 2, 3, 4],
        "png": base64.b64encode(b"PNG").decode(),
    }
    answer = {
        "status": "ok",
        "message": "Coloured 1 car.",
        "parse": {"x": 1},
        "width": W,
        "height": H,
        "layers": [item, dict(item, key="bg:sky", kind=None)],
    }
    result = api.parse_colorize(200, json.dumps(answer).encode())
    car, sky = result.layers
    assert (result.message, result.width, result.height, result.parse) == ("Coloured 1 car.", W, H, {"x": 1})
    assert (car.key, car.name, car.bbox, car.png, car.instances, car.is_background) == (
        "fg:car:3",
        "car: red",
        [1, 2, 3, 4],
        b"PNG",
        [3],
        False,
    )
    assert sky.is_background  # kind falls back to the key's prefix


def test_error_answers_show_the_backends_sentence() -> None:
    def err(status: int, detail: object, retry: str | None = None) -> PluginError:
        return api.error_from_http(status, json.dumps({"detail": detail}).encode(), retry)

    e = err(404, {"status": "no_match", "message": "No car found in this sketch"})
    assert (e.kind, e.message, e.http_status) == ("no_match", "No car found in this sketch", 404)
    e = err(422, {"status": "not_understood", "message": "Unknown colour 'blurple'"})
    assert (e.kind, e.message) == ("not_understood", "Unknown colour 'blurple'")
    e = err(413, {"status": "error", "message": "The image is larger than 64 MB."})
    assert e.message == "The image is larger than 64 MB."
    e = err(503, {"status": "busy", "message": "The backend is busy."}, "7")
    assert (
        e.kind == errors.BUSY
        and e.message == "The backend is busy (it asks to wait 7 s); try again in a moment."
    )
    assert "busy; try again" in api.error_from_http(503, b"", None).message
    e = err(422, [{"loc": ["body", "instruction"], "msg": "Field required", "type": "missing"}])
    assert "instruction: Field required" in e.message
    assert "HTTP 500" in api.error_from_http(500, b"Internal Server Error").message
    old = api.error_from_http(404, b'{"detail":"Not Found"}')  # a v1 backend has no /v2 routes
    assert old.kind == errors.PROTOCOL and "API v2" in old.message
    with pytest.raises(PluginError, match="does not understand"):
        api.parse_colorize(200, b"<html>")
    with pytest.raises(PluginError, match="broken image for n"):
        api.parse_colorize(
            200,
            json.dumps({"layers": [{"key": "k", "name": "n", "bbox": [0, 0, 1, 1], "png": "!!"}]}).encode(),
        )
    with pytest.raises(PluginError, match="without a key or bounding box"):
        api.parse_colorize(200, json.dumps({"layers": [{"key": "k", "bbox": [0, 0]}]}).encode())


def test_network_errors_and_addresses_are_plain_words() -> None:
    e = api.network_error(errors.NETWORK, "http://127.0.0.1:8765", autostart=False)
    assert e.message.startswith(
        "Cannot reach the backend at 127.0.0.1:8765 - start it with 'python -m backend serve'"
    )
    assert "Start the backend automatically" in e.message
    assert "within 30 s" in api.network_error(errors.TIMEOUT, "http://127.0.0.1:8765", timeout_s=30).message
    assert (
        api.host_port("localhost:9000/") == "localhost:9000" and api.host_port("http://[::1]:1") == "[::1]:1"
    )
    assert api.is_local("http://127.0.0.1:1") and api.is_local("http://[::1]:8765")
    assert not api.is_local("https://example.org")
    assert api.parse_health(200, b'{"status": "ok"}') and not api.parse_health(500, b"")


# --- the document's record ------------------------------------------------------------------------------


def test_record_roundtrip_steps_and_garbage() -> None:
    rec = record.Record()
    step = record.new_step(rec, "the sky is blue", "{line}", "Lines")
    step.added.append("{1}")
    rec.groups["{line}"] = "{g}"
    rec.stores["{line}"] = "{s}"
    rec.add_step(step, [record.LayerInfo("{1}", "bg:sky", "sky: blue", "background", "{line}", step.step_id)])
    step2 = record.new_step(rec, "the sky is black", "{line}", "Lines")
    step2.added.append("{2}")
    step2.replaced.append("{1}")
    rec.add_step(
        step2, [record.LayerInfo("{2}", "bg:sky", "sky: black", "background", "{line}", step2.step_id)]
    )
    again = record.Record.from_bytes(rec.to_bytes())
    assert [i.layer_id for i in again.versions("{line}", "bg:sky")] == ["{1}", "{2}"]
    assert again.last_instruction() == "the sky is black" and again.last_step().replaced == ["{1}"]
    assert again.line_art_of("{2}") == "{line}" and again.line_art_of("{g}") == "{line}"
    assert again.line_art_of("{s}") == "{line}" and again.owned_ids() == {"{1}", "{2}", "{g}", "{s}"}
    assert again.pop_step().step_id == 2 and set(again.layers) == {"{1}"}
    again.forget_missing({"{g}"})
    assert again.layers == {} and again.groups == {"{line}": "{g}"} and again.stores == {}
    assert record.Record.from_bytes(b"\xff not json").steps == []
    assert record.Record.from_bytes(b'{"version": 1, "targets": {}}').layers == {}  # v1 state is not v2
    doc = fk.Document(W, H)
    doc.setAnnotation(record.ANNOTATION, record.DESCRIPTION, rec.to_bytes())
    assert (
        record.Record.from_bytes(doc.annotation(record.ANNOTATION)).last_instruction() == "the sky is black"
    )


def _cat(x: int, y: int, name: str = "cat") -> dict:
    return {"category": name, "bbox": [x, y, 10, 10], "mask": "iVBOR"}


def test_a_taught_object_replaces_one_of_its_name_only_where_their_boxes_overlap() -> None:
    rec = record.Record()
    assert rec.learn([_cat(0, 0)], []) == ([_cat(0, 0)], [])
    rec.learn([_cat(50, 50)], [])  # a second cat, elsewhere: both kept
    assert [t["bbox"][:2] for t in rec.taught] == [[0, 0], [50, 50]]
    learnt, dropped = rec.learn([_cat(5, 5)], [])  # the first cat taught again (boxes overlap)
    assert dropped == [_cat(0, 0)] and [t["bbox"][:2] for t in rec.taught] == [[50, 50], [5, 5]]
    rec.learn([_cat(0, 0, "dog")], [])  # another name at the same place: kept
    assert [t["category"] for t in rec.taught] == ["cat", "cat", "dog"]
    step = record.new_step(rec, "forget the cat", "{l}", "Lines")
    step.learnt, step.forgot = rec.learn([], ["cat"])
    assert [t["category"] for t in rec.taught] == ["dog"] and len(step.forgot) == 2
    rec.unlearn(step)  # "Undo last" of the forgetting
    assert sorted(t["bbox"][0] for t in rec.taught if t["category"] == "cat") == [5, 50]
    rec.learn([{"category": "cat", "mask": "x"}], [])  # no box: taken as the same object
    assert [t["category"] for t in rec.taught] == ["dog", "cat"]
    again = record.Record.from_bytes(rec.to_bytes())
    assert again.taught == rec.taught


def test_merged_steps_undo_as_one_and_keep_every_parse() -> None:
    rec = record.Record()
    first = record.new_step(
        rec, "the sky is green", "{l}", "Lines", {"text": "the sky is green", "clauses": []}
    )
    first.added.append("{0}")
    rec.add_step(first, [record.LayerInfo("{0}", "bg:sky", "sky", "background", "{l}", 1)])
    for n, (text, replaced) in enumerate((("the sky is blue", "{0}"), ("the sky is black", "{1}")), 1):
        step = record.new_step(rec, text, "{l}", "Lines", {"text": text, "clauses": []})
        step.added.append(f"{{{n}}}")
        step.replaced.append(replaced)
        rec.add_step(step, [record.LayerInfo(f"{{{n}}}", "bg:sky", "sky", "background", "{l}", step.step_id)])
    merged = rec.merge_steps(1, "Theme 'evening' (2 instructions)")
    assert merged is not None and [s.instruction for s in rec.steps] == [
        "the sky is green",
        merged.instruction,
    ]
    assert merged.added == ["{1}", "{2}"] and merged.replaced == ["{0}"]  # {1} is the theme's own
    assert [p["text"] for p in merged.parses] == ["the sky is blue", "the sky is black"]
    assert merged.step_id == 3 and rec.next_step_id() == 4
    assert rec.merge_steps(3, "nothing") is None and rec.merge_steps(2, "one").instruction.startswith("Theme")
    again = record.Record.from_bytes(rec.to_bytes())
    assert again.last_step().parses == merged.parses and again.last_step().added == ["{1}", "{2}"]


def _parse(text: str, kind: str = "foreground", category: str | None = "tree") -> dict:
    target = {"category": category} if kind in ("foreground", "teach", "forget") else None
    colours = {"leaves": {"name": "green", "rgb": [0, 128, 0]}} if kind == "foreground" else {}
    return {"text": text, "clauses": [{"kind": kind, "target": target, "area": None, "colours": colours}]}


def test_a_theme_is_the_documents_colouring_parses_in_the_backends_format() -> None:
    rec = record.Record()
    for parse in (
        _parse("the tree is green"),
        _parse("this is a cat", "teach", "cat"),
        _parse("make it green", category=None),
        _parse("colour everything", "everything", None),
    ):
        rec.add_step(record.new_step(rec, parse["text"], "{l}", "Lines", parse), [])
    rec.add_step(record.new_step(rec, "from an older plugin", "{l}", "Lines"), [])
    data, left_out = theme.from_record(rec, "ch3")
    assert data["format"] == "language-colorize-theme" and data["version"] == 1 and data["name"] == "ch3"
    assert [p["text"] for p in data["instructions"]] == ["the tree is green", "colour everything"]
    assert left_out == 3
    name, items = theme.loads(theme.dumps(data).encode(), "ch3.theme.json")
    assert name == "ch3" and items == [(p["text"], p) for p in data["instructions"]]
    for raw, words in (
        (b"not json", "not a theme .not JSON"),
        (b'{"format": "other"}', "not a theme"),
        (b'{"format": "language-colorize-theme", "version": 2, "instructions": []}', "version 2"),
        (b'{"format": "language-colorize-theme", "version": 1, "instructions": []}', "no instructions"),
        (json.dumps({**data, "instructions": [_parse("this is a cat", "teach")]}).encode(), "teaches"),
        (json.dumps({**data, "instructions": [{"clauses": []}]}).encode(), "parse of it is missing"),
    ):
        with pytest.raises(PluginError, match=words):
            theme.loads(raw, "t.json")
    backend_theme = ROOT / "backend" / "service" / "theme.py"
    if backend_theme.is_file():  # the backend reads what the plugin writes, and the reverse
        from backend.service.theme import dumps_theme, loads_theme

        real = _parse("the tree is green")
        real["clauses"][0]["target"] = {
            "category": "tree", "known": True, "quantity": "one", "position": None, "in_sky": False,
            "relation": None, "relation_side": None, "anchor": None,
        }  # fmt: skip
        loaded = loads_theme(theme.dumps({**data, "instructions": [real]}), "plugin.json")
        assert theme.loads(dumps_theme(loaded).encode())[1][0][0] == "the tree is green"


def test_objects_answers_and_theme_parses_in_the_request() -> None:
    body = json.loads(api.colorize_body(b"png", "the sky is blue", parse={"text": "the sky is blue"}))
    assert body["parse"] == {"text": "the sky is blue"}
    assert json.loads(api.objects_body(b"png", [_cat(0, 0)])) == {"image": "cG5n", "taught": [_cat(0, 0)]}
    png = base64.b64encode(b"\x89PNG").decode()
    answer = {
        "objects": [{"category": "tree", "bbox": [1, 2, 3, 4], "source": "recognised"}],
        "inventory": "a tree",
        "overlay": {"bbox": [0, 0, 5, 5], "png": png},
    }
    got = api.parse_objects(200, json.dumps(answer).encode())
    assert got.inventory == "a tree" and got.overlay_bbox == [0, 0, 5, 5] and got.overlay_png == b"\x89PNG"
    assert got.objects[0].category == "tree" and got.objects[0].bbox == [1, 2, 3, 4]
    assert api.parse_objects(200, json.dumps({**answer, "overlay": None}).encode()).overlay_bbox is None
    with pytest.raises(PluginError, match="cannot show what it sees"):
        api.parse_objects(404, b'{"detail": "Not Found"}')
    with pytest.raises(PluginError, match="without a name or box"):
        api.parse_objects(200, json.dumps({"objects": [{"bbox": [1]}]}).encode())


# --- settings and backend.json --------------------------------------------------------------------------


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


def test_backend_json_gives_the_serve_command(tmp_path: Path) -> None:
    assert config.server_command({}, "127.0.0.1", 8765) is None
    (tmp_path / "backend.json").write_text(
        json.dumps({"python": "/usr/bin/python3", "backend_dir": str(ROOT)})
    )
    program, args, cwd = config.server_command(config.load(str(tmp_path)), "127.0.0.1", 8765)
    venv = ROOT / ".venv" / "bin" / "python"
    assert program == (str(venv) if venv.is_file() else "/usr/bin/python3")
    assert (args, cwd) == (["-m", "backend", "serve", "--host", "127.0.0.1", "--port", "8765"], str(ROOT))


# --- packaging --------------------------------------------------------------------------------------------

PLUGIN = ROOT / "plugin" / "language_colorize"


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_plugin_code_is_python38_qt_comes_only_from_qt_py_and_core_needs_neither() -> None:
    for path in (ROOT / "plugin").rglob("*.py"):
        ast.parse(path.read_text(), str(path), feature_version=(3, 8))
        if path.name != "qt.py":  # Krita 5 and 6 differ in binding: one module decides
            assert not _imported(path) & {"PyQt5", "PyQt6"}, path
    for path in (PLUGIN / "core").glob("*.py"):
        assert not _imported(path) & {"PyQt5", "PyQt6", "krita"}, path
    code = (
        "import sys; sys.modules['PyQt5'] = None; sys.modules['PyQt6'] = None; sys.modules['krita'] = None; "
        "sys.path.insert(0, 'plugin'); import language_colorize.core.document, language_colorize.core.api, "
        "language_colorize.core.record"
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
