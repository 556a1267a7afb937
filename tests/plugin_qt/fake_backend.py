"""A small stand-in for the v2 backend (docs/API.md): stateless, http.server in a thread.

Understands "the <target> is <colour>" clauses joined by "and" for the targets sky, ground, sun and
car, with boxes relative to the image's size, so it also serves real Krita on a real sketch:

    python tests/plugin_qt/fake_backend.py --port 8765     # for tests/test_krita_gui.py by hand

Errors as the real one answers them: unknown colour 422, unknown target 404, "busy" 503 with
Retry-After. `FakeBackend.delay` slows every answer (cancel and timeout tests).
"""

import argparse
import base64
import json
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RGB = {
    "blue": (0, 0, 255),
    "green": (0, 255, 0),
    "orange": (255, 128, 0),
    "black": (0, 0, 0),
    "red": (255, 0, 0),
    "white": (255, 255, 255),
}
# target -> (key, kind, box as fractions of the image: x, y, w, h)
TARGETS = {
    "sky": ("bg:sky", "background", (0.0, 0.0, 1.0, 0.5)),
    "ground": ("bg:ground", "background", (0.0, 0.5, 1.0, 0.5)),
    "sun": ("fg:sun:1", "foreground", (0.05, 0.05, 0.15, 0.15)),
    "car": ("fg:car:3", "foreground", (0.25, 0.6, 0.3, 0.2)),
}


def encode_png(width: int, height: int, rgba: bytes) -> bytes:
    """RGBA PNG, filter 0 (the fake server runs outside Qt's main thread, so no QImage here)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + rgba[y * width * 4 : (y + 1) * width * 4] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _error(status: int, kind: str, message: str) -> tuple[int, dict]:
    return status, {"detail": {"status": kind, "message": message}}


def colorize(body: dict) -> tuple[int, dict]:
    image = base64.b64decode(body["image"])
    width, height = png_size(image)
    if "busy" in body["instruction"]:
        return _error(503, "busy", "The backend is busy")
    words = body["instruction"].split()
    if words[:3] == ["this", "is", "a"] and body.get("mask"):  # teaching: handed out, never kept here
        taught = {"category": words[3], "mask": body["mask"]}
        return 200, {
            "status": "ok",
            "message": f"Taught {words[3]}.",
            "parse": {},
            "width": width,
            "height": height,
            "layers": [],
            "taught": [taught],
        }
    if words[:2] == ["forget", "the"]:
        return 200, {
            "status": "ok",
            "message": f"Forgot {words[2]}.",
            "parse": {},
            "width": width,
            "height": height,
            "layers": [],
            "forget": [words[2]],
        }
    layers = []  # type: List[Dict]
    for clause in body["instruction"].split(" and "):
        words = clause.replace("the ", "").split()
        target, colour = words[0], words[-1]
        if colour not in RGB:
            return _error(422, "not_understood", f"Unknown colour '{colour}'")
        if target not in TARGETS:
            return _error(404, "no_match", f"No {target} found in this sketch.")
        key, kind, (fx, fy, fw, fh) = TARGETS[target]
        x, y = int(fx * width), int(fy * height)
        w, h = max(1, int(fw * width)), max(1, int(fh * height))
        png = encode_png(w, h, bytes(RGB[colour] + (255,)) * (w * h))
        layers.append(
            {
                "key": key,
                "name": f"{target}: {colour}",
                "kind": kind,
                "category": target,
                "instances": [],
                "bbox": [x, y, w, h],
                "png": base64.b64encode(png).decode(),
            }
        )
    return 200, {
        "status": "ok",
        "message": "Coloured {}.".format(", ".join(la["name"] for la in layers)),
        "parse": {},
        "width": width,
        "height": height,
        "layers": layers,
    }


class FakeBackend:
    """The server in a thread; `requests` keeps every decoded /v2/colorize body."""

    delay = 0.0

    def __init__(self, port: int = 0, token: str = "") -> None:
        self.requests = []  # type: List[Dict]
        self.authorizations = []  # type: List[Optional[str]]
        self.token = token  # when set, POSTs need "Authorization: Bearer <token>" (as the real server)
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, obj: dict, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/v2/health":
                    self._send(200, {"status": "ok", "version": "fake"})
                else:
                    self._send(404, {"detail": "Not Found"})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(FakeBackend.delay)
                backend.authorizations.append(self.headers.get("Authorization"))
                if backend.token and self.headers.get("Authorization") != f"Bearer {backend.token}":
                    message = "Missing or wrong token: send 'Authorization: Bearer <token>'."
                    self._send(401, {"detail": {"status": "error", "message": message}})
                    return
                if self.path != "/v2/colorize":
                    self._send(404, {"detail": "Not Found"})
                    return
                backend.requests.append(body)
                status, answer = colorize(body)
                self._send(status, answer, {"Retry-After": "3"} if status == 503 else None)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # cancelled requests break the pipe on purpose

        self.server = Server(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> "FakeBackend":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", help="comma-separated targets to know (others: no match)")
    args = parser.parse_args()
    port = args.port
    if args.only:
        for name in set(TARGETS) - set(args.only.split(",")):
            del TARGETS[name]
    with FakeBackend(port) as fake:
        print("fake v2 backend at", fake.url, flush=True)
        fake.thread.join()
