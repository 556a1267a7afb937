"""The controller with real QNetworkAccessManager requests to the fake v2 backend: colouring, errors
in words, cancel, timeout, busy, a document closed meanwhile, the active layer kept, and auto-start."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import fake_krita as fk
from check_document import lines_on_white
from conftest import settle, spin
from fake_backend import FakeBackend
from language_colorize import controller as controller_mod
from language_colorize import qt
from language_colorize.client import BackendLauncher, HttpClient
from language_colorize.core import api, config, settings
from language_colorize.core.document import Document

W, H = 32, 24


class Ui:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self.busy_texts: list[str] = []
        self.idle = 0

    def on_busy(self, text: str) -> None:
        self.busy_texts.append(text)

    def on_idle(self) -> None:
        self.idle += 1

    def on_message(self, text: str, level: str) -> None:
        self.messages.append((level, text))

    def on_history_changed(self, doc: object) -> None:
        pass

    @property
    def last(self) -> tuple[str, str]:
        return self.messages[-1] if self.messages else ("", "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_controller(
    url: str,
    autostart: bool = False,
    timeout: int = 20,
    package_dir: str = "/nonexistent",
    client=None,
    launcher=None,
) -> tuple[controller_mod.Controller, Ui]:
    store = {
        ("language_colorize", "backend_url"): url,
        ("language_colorize", "autostart"): str(autostart).lower(),
        ("language_colorize", "timeout"): str(timeout),
    }
    ui = Ui()
    client = client or HttpClient()
    launcher = launcher or BackendLauncher(client, package_dir)
    ctl = controller_mod.Controller(
        lambda g, k, d: store.get((g, k), d),
        lambda g, k, v: store.__setitem__((g, k), v),
        package_dir,
        ui,
        client=client,
        launcher=launcher,
    )
    return ctl, ui


def make_doc(window: bool = False) -> tuple[fk.Document, Document]:
    raw = fk.Document(W, H, "qt")
    raw.window = window
    raw.find("Background").setPixelData(lines_on_white(W, H), 0, 0, W, H)
    return raw, Document(raw)


def colorize(ctl: controller_mod.Controller, doc: Document, text: str) -> bool:
    started = ctl.colorize(doc, text)
    assert spin(lambda: not ctl.busy), "the controller never finished"
    return started


def test_binding_is_the_one_asked_for() -> None:
    assert qt.BINDING == os.environ["LANGCOLORIZE_QT"]
    assert qt.BINDING in sys.modules and ({"PyQt5", "PyQt6"} - {qt.BINDING}).isdisjoint(sys.modules)


def test_colorize_undo_and_repeat_through_the_controller(backend: FakeBackend) -> None:
    ctl, ui = make_controller(backend.url)
    raw, doc = make_doc()
    assert colorize(ctl, doc, "the sky is blue")
    assert ui.last[0] == "ok" and ui.last[1].startswith("Coloured sky: blue. Moved 'Background' up one place")
    assert ui.busy_texts == ["Colouring: the sky is blue"]
    assert raw.find("sky: blue").pixelData(0, 0, 1, 1) == bytes([255, 0, 0, 255])
    assert set(backend.requests[-1]) == {"image", "instruction"}  # stateless: no session, no history
    assert colorize(ctl, doc, "the sky is black")
    assert "Replaced 'sky: blue'" in ui.last[1]
    assert ctl.undo_last(doc) and ui.last[0] == "ok" and "Undid 'the sky is black'" in ui.last[1]
    assert raw.find("sky: black") is None and raw.find("sky: blue").visible()
    assert colorize(ctl, doc, "") is False and "Type what to colour" in ui.last[1]
    ctl.repeat_last(doc)
    spin(lambda: not ctl.busy)
    assert backend.requests[-1]["instruction"] == "the sky is blue"


def test_errors_are_the_backends_sentences_and_change_nothing(backend: FakeBackend) -> None:
    ctl, ui = make_controller(backend.url)
    raw, doc = make_doc()
    colorize(ctl, doc, "the car is blurple")
    assert ui.last == ("error", "Unknown colour 'blurple'")
    colorize(ctl, doc, "the boat is red")
    assert ui.last == ("error", "No boat found. I see: a sun, a car. Select the boat and say it again.")
    colorize(ctl, doc, "the sky is busy")
    assert ui.last[0] == "error" and "busy (it asks to wait 3 s); try again" in ui.last[1]
    assert raw.layer_names() == ["Background"] and ui.idle == 3


def test_cancel_and_timeout_stop_waiting_and_change_nothing(backend: FakeBackend) -> None:
    ctl, ui = make_controller(backend.url)
    raw, doc = make_doc()
    FakeBackend.delay = 1.5
    ticks = []
    timer = qt.QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    ctl.colorize(doc, "the sky is blue")
    assert ctl.busy
    qt.single_shot(200, ctl.cancel)
    spin(lambda: not ctl.busy)
    assert ui.last == ("info", "Cancelled; nothing was changed.")
    assert len(ticks) >= 5  # Krita's event loop kept running while the request waited
    timer.stop()
    FakeBackend.delay = 0.0
    raw.close()
    colorize(ctl, doc, "the sky is blue")
    assert ui.last[0] == "error" and "Open a document" in ui.last[1]


def test_a_document_closed_while_waiting_is_reported(backend: FakeBackend) -> None:
    ctl, ui = make_controller(backend.url)
    raw, doc = make_doc()
    FakeBackend.delay = 0.2
    ctl.colorize(doc, "the sky is blue")
    raw.close()
    spin(lambda: not ctl.busy)
    assert ui.last[0] == "error" and "closed before the backend answered" in ui.last[1]


def test_timeout_is_reported_in_words(backend: FakeBackend) -> None:
    ctl, ui = make_controller(backend.url)
    raw, doc = make_doc()
    FakeBackend.delay = 1.5
    real_post = ctl.client.post
    ctl.client.post = lambda url, body, timeout_s, cb, token="": real_post(url, body, 0.3, cb, token)
    colorize(ctl, doc, "the sky is blue")
    assert ui.last[0] == "error" and "did not answer within" in ui.last[1]
    assert raw.layer_names() == ["Background"]


def test_a_token_is_sent_when_set_and_a_missing_one_is_explained() -> None:
    with FakeBackend(token="s3cret") as backend:
        ctl, ui = make_controller(backend.url)
        raw, doc = make_doc()
        colorize(ctl, doc, "the sky is blue")
        assert (
            ui.last[0] == "error"
            and "Settings > Token" in ui.last[1]
            and "Missing or wrong token" in ui.last[1]
        )
        assert backend.authorizations == [None] and raw.layer_names() == ["Background"]
        ctl.save_settings(settings.Settings(backend.url, False, token="s3cret"))
        colorize(ctl, doc, "the sky is blue")
        assert ui.last[0] == "ok" and backend.authorizations[-1] == "Bearer s3cret"


def test_unreachable_backend_without_autostart_says_how_to_start_it() -> None:
    ctl, ui = make_controller(f"http://127.0.0.1:{free_port()}")
    colorize(ctl, make_doc()[1], "the sky is blue")
    assert ui.last[0] == "error" and ui.last[1].startswith("Cannot reach the backend at 127.0.0.1:")
    assert "python -m backend serve" in ui.last[1]


def test_the_active_layer_comes_back_after_krita_moves_it(backend: FakeBackend) -> None:
    """Krita (with a window) activates the newest inserted layer a moment later; the plugin must put the
    artist's layer back then. Without the restore this test fails: the active layer ends on 'ground'."""
    ctl, ui = make_controller(backend.url)
    raw, doc = make_doc(window=True)
    colorize(ctl, doc, "the sky is blue and the ground is green")
    settle(fk.ACTIVATION_DELAY_MS + 250)
    assert raw.activeNode().name() == "Background"
    colorize(ctl, doc, "the sun is orange")
    settle(fk.ACTIVATION_DELAY_MS + 250)
    assert raw.activeNode().name() == "Background"  # Krita moved it to the sun; the plugin restored it
    raw.setActiveNode(raw.find("sky: blue"))
    settle(300)
    assert raw.activeNode().name() == "sky: blue"  # once restored, the artist's own choice is kept
    colorize(ctl, doc, "the sky is black")  # the last layer inserted is the old sky, moved to Replaced
    settle(fk.ACTIVATION_DELAY_MS + 250)
    assert raw.activeNode().name() == "sky: blue"
    raw.setActiveNode(raw.find("Background"))
    assert ctl.undo_last(doc)  # puts the blue sky back: an insertion too
    settle(fk.ACTIVATION_DELAY_MS + 250)
    assert raw.activeNode().name() == "Background"


def test_fake_krita_really_moves_the_active_layer() -> None:
    """The fake behaves as described: without the plugin's restore the newest layer ends up active."""
    raw, _doc = make_doc(window=True)
    for name in ("a", "b"):
        raw.rootNode().addChildNode(raw.createNode(name, "paintlayer"), None)
    assert raw.activeNode().name() == "Background"  # not during addChildNode
    settle(fk.ACTIVATION_DELAY_MS + 200)
    assert raw.activeNode().name() == "b"


STUB = r"""
import argparse, base64, json, struct, sys, time, zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
sys.path.insert(0, sys.argv[0].rsplit("/repo/backend/", 1)[0] + "/fake")
from fake_backend import colorize
class H(BaseHTTPRequestHandler):
    def _send(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status); self.send_header("Content-Length", str(len(data))); self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        self._send(200, {"status": "ok", "python": sys.executable})
    def do_POST(self):
        self._send(*colorize(json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
    def log_message(self, *a):
        pass
p = argparse.ArgumentParser(); sub = p.add_subparsers(dest="cmd"); s = sub.add_parser("serve")
s.add_argument("--host"); s.add_argument("--port", type=int)
a = p.parse_args()
print("stub backend starting with", sys.executable, flush=True)
time.sleep(0.5)
ThreadingHTTPServer((a.host, a.port), H).serve_forever()
"""


def make_project(tmp_path: Path, with_venv: bool) -> tuple[Path, Path]:
    project = tmp_path / "repo"
    (project / "backend").mkdir(parents=True)
    (project / "backend" / "__init__.py").write_text("")
    (project / "backend" / "__main__.py").write_text(STUB)
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "fake_backend.py").write_text((Path(__file__).parent / "fake_backend.py").read_text())
    if with_venv:  # the project's virtual environment: a link to this interpreter stands in for it
        venv_python = Path(config.venv_python(str(project)))
        venv_python.parent.mkdir(parents=True)
        venv_python.symlink_to(sys.executable)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "backend.json").write_text(
        json.dumps({"python": "/nonexistent/python3", "backend_dir": str(project)})
    )
    return project, pkg


def test_autostart_runs_the_projects_venv_and_retries(tmp_path: Path) -> None:
    project, pkg = make_project(tmp_path, with_venv=True)
    client = HttpClient()
    launcher = BackendLauncher(client, str(pkg))
    ctl, ui = make_controller(
        f"http://127.0.0.1:{free_port()}",
        autostart=True,
        package_dir=str(pkg),
        client=client,
        launcher=launcher,
    )
    raw, doc = make_doc()
    try:
        ctl.colorize(doc, "the sky is blue")
        assert spin(lambda: not ctl.busy, 60)
        assert launcher.running() and launcher.pid() is not None, launcher.output_tail() + ui.last[1]
        assert "stub backend starting with " + config.venv_python(str(project)) in launcher.output_tail()
        assert any("Starting the backend" in t for t in ui.busy_texts)
        assert ui.last[0] == "ok" and raw.find("sky: blue") is not None
    finally:
        launcher.stop()
    assert not launcher.running()


def test_autostart_without_a_project_explains_what_to_do(tmp_path: Path) -> None:
    ctl, ui = make_controller(f"http://127.0.0.1:{free_port()}", autostart=True, package_dir=str(tmp_path))
    colorize(ctl, make_doc()[1], "the sky is blue")
    assert ui.last[0] == "error" and "python install.py" in ui.last[1]


def test_server_command_prefers_the_venv_then_the_configured_python(tmp_path: Path) -> None:
    project, pkg = make_project(tmp_path, with_venv=False)
    cfg = config.load(str(pkg))
    assert config.server_command(cfg, "127.0.0.1", 9)[0] == "/nonexistent/python3"
    win = Path(config.venv_python(str(project), windows=True))
    assert win.parts[-3:] == (".venv", "Scripts", "python.exe")
    win.parent.mkdir(parents=True)
    win.write_text("")
    assert config.server_command(cfg, "127.0.0.1", 9, windows=True)[0] == str(win)
    assert config.server_command({}, "127.0.0.1", 9) is None
    assert api.HEALTH == "/v2/health"
