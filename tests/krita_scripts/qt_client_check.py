"""The plugin's Qt networking (client.py, controller.py) in a plain PyQt5 process, no Krita needed.

    /usr/bin/python3 tests/krita_scripts/qt_client_check.py VERDICT.json

Runs with the system Python (which has PyQt5, like Krita's). A stdlib HTTP server in a thread plays
the backend; tests/fake_krita.py plays the document. Checks: GET/POST with QNetworkAccessManager,
HTTP errors with the backend's message, timeout, cancel, connection refused, the UI never blocks
(events keep flowing while a slow request runs), a closed document, and auto-start: a refused
connection makes the launcher start `<python> -m backend serve` from backend.json with QProcess, wait
for /v1/health and send the request again.
"""

import base64
import json
import os
import socket
import sys
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "plugin"))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import fake_krita as fk  # noqa: E402
from language_colorize import controller as controller_mod  # noqa: E402
from language_colorize.client import BackendLauncher, HttpClient  # noqa: E402
from language_colorize.core import api, png, state  # noqa: E402
from PyQt5.QtCore import QCoreApplication, QEventLoop, QTimer  # noqa: E402

CHECKS = []
W, H = 32, 24


def check(name, ok, detail=""):
    CHECKS.append({"name": name, "ok": bool(ok), "detail": str(detail)[:1500]})


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sky_answer(session_id):
    layer = {
        "key": "bg:sky",
        "name": "sky: blue",
        "kind": "background",
        "category": "sky",
        "instances": [],
        "bbox": [0, 0, W, H // 2],
        "png": base64.b64encode(png.encode(W, H // 2, bytes([0, 0, 255, 255]) * (W * (H // 2)))).decode(),
    }
    return {
        "session_id": session_id or "s1",
        "status": "ok",
        "message": "Coloured sky: blue.",
        "parse": {},
        "width": W,
        "height": H,
        "layers": [layer],
        "replaced": [],
    }


class Handler(BaseHTTPRequestHandler):
    delay = 0.0

    def _send(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._send(200, {"status": "ok", "version": "test"})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(Handler.delay)
        if "blurple" in body.get("instruction", ""):
            self._send(422, {"detail": {"status": "not_understood", "message": "Unknown colour 'blurple'"}})
        else:
            self._send(200, sky_answer(body.get("session_id")))

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # aborted requests (cancel/timeout checks) break the pipe on purpose


def spin(predicate, timeout_s=30):
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    while not predicate() and time.monotonic() < deadline:
        QTimer.singleShot(20, loop.quit)
        loop.exec_()
    return predicate()


class Ui:
    def __init__(self):
        self.messages = []
        self.busy_texts = []

    def on_busy(self, text):
        self.busy_texts.append(text)

    def on_idle(self):
        pass

    def on_message(self, text, level):
        self.messages.append((level, text))

    def on_history_changed(self, doc):
        pass


def make_doc():
    doc = fk.Document(W, H, "qt")
    line = doc.find("Background")
    data = bytearray(b"\xff" * (W * H * 4))
    data[(H // 2) * W * 4 : (H // 2 + 1) * W * 4] = b"\0\0\0\xff" * W
    line.setPixelData(bytes(data), 0, 0, W, H)
    return doc, line


def settings_store(url, autostart="false", timeout="20"):
    store = {
        ("language_colorize", "backend_url"): url,
        ("language_colorize", "autostart"): autostart,
        ("language_colorize", "timeout"): timeout,
    }
    return (lambda g, k, d: store.get((g, k), d)), (lambda g, k, v: store.__setitem__((g, k), v))


def client_checks(url):
    client = HttpClient()
    got = []
    client.get(url + "/v1/health", 5, lambda *a: got.append(a))
    spin(lambda: got)
    check(
        "GET /v1/health answers 200", got and got[0][0] == 200 and api.parse_health(got[0][0], got[0][1]), got
    )

    got = []
    client.post(
        url + "/v1/colorize",
        b'{"instruction": "the car is blurple", "image": ""}',
        5,
        lambda *a: got.append(a),
    )
    spin(lambda: got)
    err = api.error_from_http(got[0][0], got[0][1]) if got and got[0][0] else None
    check(
        "HTTP 422 gives the backend's message",
        err is not None and err.message == "Unknown colour 'blurple'",
        got,
    )

    got = []
    dead = f"http://127.0.0.1:{free_port()}"
    client.get(dead + "/v1/health", 5, lambda *a: got.append(a))
    spin(lambda: got)
    check("connection refused is a NETWORK error", got and got[0][2] == api.NETWORK, got)

    Handler.delay = 2.0
    got = []
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(50)
    client.post(url + "/v1/colorize", b"{}", 0.5, lambda *a: got.append(a))
    spin(lambda: got)
    check("a slow backend times out", got and got[0][2] == api.TIMEOUT, got)
    got = []
    pending = client.post(url + "/v1/colorize", b"{}", 10, lambda *a: got.append(a))
    QTimer.singleShot(300, pending.abort)
    spin(lambda: got)
    timer.stop()
    check("cancel stops waiting", got and got[0][2] == api.CANCELLED, got)
    check("the event loop keeps running while requests wait (UI never freezes)", len(ticks) >= 8, len(ticks))
    Handler.delay = 0.0


def controller_checks(url):
    read, write = settings_store(url)
    ui = Ui()
    ctl = controller_mod.Controller(read, write, "/nonexistent", ui)
    doc, line = make_doc()
    ctl.colorize(doc, "the sky is blue", line)
    check("controller is busy while the request runs", ctl.busy)
    spin(lambda: not ctl.busy)
    check(
        "controller colorizes a document",
        ui.messages and ui.messages[-1][0] == "ok" and doc.find("sky: blue") is not None,
        ui.messages,
    )
    check(
        "layer pixels are BGRA blue", doc.find("sky: blue").pixelData(0, 0, 1, 1) == bytes([255, 0, 0, 255])
    )

    ctl.colorize(doc, "the car is blurple", line)
    spin(lambda: not ctl.busy)
    check(
        "the backend's error is shown",
        ui.messages[-1] == ("error", "Unknown colour 'blurple'"),
        ui.messages[-1],
    )

    Handler.delay = 2.0
    ctl.colorize(doc, "the sky is blue", line)
    QTimer.singleShot(300, ctl.cancel)
    spin(lambda: not ctl.busy)
    check("Cancel stops waiting and says so", "Cancelled" in ui.messages[-1][1], ui.messages[-1])
    check(
        "after a cancel the document gets a fresh backend session",
        state.load(doc).targets[state.uid_of(line)].session_id is None,
    )
    ctl.colorize(doc, "the sky is blue", line)
    doc.close()
    spin(lambda: not ctl.busy)
    check("a document closed mid-request is reported", "closed" in ui.messages[-1][1], ui.messages[-1])
    Handler.delay = 0.0

    dead_read, dead_write = settings_store(f"http://127.0.0.1:{free_port()}")
    ui2 = Ui()
    ctl2 = controller_mod.Controller(dead_read, dead_write, "/nonexistent", ui2)
    doc2, line2 = make_doc()
    ctl2.colorize(doc2, "the sky is blue", line2)
    spin(lambda: not ctl2.busy)
    check(
        "unreachable backend: plain message",
        ui2.messages and ui2.messages[-1][1].startswith("Cannot reach the backend at 127.0.0.1:"),
        ui2.messages,
    )


STUB = """
import argparse, json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
ANSWER = json.load(open(sys.argv[0].replace("__main__.py", "answer.json")))
class H(BaseHTTPRequestHandler):
    def _send(self, obj):
        data = json.dumps(obj).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        self._send({"status": "ok"})
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self._send(ANSWER)
    def log_message(self, *a):
        pass
p = argparse.ArgumentParser(); sub = p.add_subparsers(dest="cmd"); s = sub.add_parser("serve")
s.add_argument("--host"); s.add_argument("--port", type=int)
a = p.parse_args()
print("stub backend starting", flush=True)
time.sleep(1.0)
ThreadingHTTPServer((a.host, a.port), H).serve_forever()
"""


def autostart_checks():
    tmp = tempfile.mkdtemp(prefix="langcolorize-autostart-")
    os.makedirs(os.path.join(tmp, "repo", "backend"))
    with open(os.path.join(tmp, "repo", "backend", "__init__.py"), "w") as f:
        f.write("")
    with open(os.path.join(tmp, "repo", "backend", "__main__.py"), "w") as f:
        f.write(STUB)
    with open(os.path.join(tmp, "repo", "backend", "answer.json"), "w") as f:
        json.dump(sky_answer("auto"), f)
    pkg = os.path.join(tmp, "pkg")
    os.makedirs(pkg)
    with open(os.path.join(pkg, "backend.json"), "w") as f:
        json.dump({"python": sys.executable, "backend_dir": os.path.join(tmp, "repo")}, f)
    url = f"http://127.0.0.1:{free_port()}"
    read, write = settings_store(url, autostart="true")
    client = HttpClient()
    launcher = BackendLauncher(client, pkg)
    ui = Ui()
    ctl = controller_mod.Controller(read, write, pkg, ui, client=client, launcher=launcher)
    doc, line = make_doc()
    ctl.colorize(doc, "the sky is blue", line)
    spin(lambda: not ctl.busy, 60)
    check("auto-start: the backend was started with QProcess", launcher.running(), launcher.output_tail())
    check(
        "auto-start: the user saw 'Starting the backend'",
        any("Starting the backend" in t for t in ui.busy_texts),
        ui.busy_texts,
    )
    check(
        "auto-start: the request went through afterwards",
        ui.messages and ui.messages[-1][0] == "ok" and doc.find("sky: blue") is not None,
        ui.messages,
    )
    launcher.stop()
    check("auto-start: the started backend is stopped on quit", not launcher.running())

    no_cfg = BackendLauncher(client, os.path.join(tmp, "nothing"))
    ui3 = Ui()
    ctl3 = controller_mod.Controller(read, write, "/x", ui3, client=client, launcher=no_cfg)
    doc3, line3 = make_doc()
    ctl3.colorize(doc3, "the sky is blue", line3)
    spin(lambda: not ctl3.busy, 30)
    check(
        "auto-start without backend.json explains how to start it",
        ui3.messages and "python install.py" in ui3.messages[-1][1],
        ui3.messages,
    )


def main():
    verdict_path = sys.argv[1]
    app = QCoreApplication(sys.argv[:1])
    server = QuietServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    error = None
    try:
        client_checks(url)
        controller_checks(url)
        autostart_checks()
    except Exception:
        error = traceback.format_exc()
    server.shutdown()
    with open(verdict_path, "w") as f:
        json.dump(
            {"ok": error is None and all(c["ok"] for c in CHECKS), "checks": CHECKS, "error": error},
            f,
            indent=1,
        )
    del app


if __name__ == "__main__":
    main()
