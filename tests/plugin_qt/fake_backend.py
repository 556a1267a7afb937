"""A small stand-in for the v2 backend (docs/API.md): stateless, http.server in a thread.

Understands "the <target> is <colour>" clauses joined by "and" for the targets sky, ground, sun and
car, with boxes relative to the image's size, so it also serves real Krita on a real sketch:

    python tests/plugin_qt/fake_backend.py --port 8765     # for tests/test_krita_gui.py by hand

and the artist in the loop as the real one answers it: "this is a <name>" / "these are <names>" with a
selection teaches (the answer's `taught`, box of the selection), "forget the <name>" (`forget`), a
taught name or a selection plus a name colours that box, a miss says what it sees ("No cat found. I
see: a sun, a car. Select the cat and say it again."), "colour everything" (sky, ground, one layer per
object), `POST /v2/objects` (objects, inventory, an overlay with each box outlined). Every answer has a
`parse` like the real one; a request's `parse` (a theme's) is coloured by instead of the text.
Errors: unknown colour 422, unknown target 404, "busy" 503 with Retry-After. `FakeBackend.delay`
slows every answer (cancel and timeout tests).
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
    "pink": (255, 170, 200),
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


def decode_png(png: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, channels, raw bytes) of an 8-bit PNG without palette (what QImage writes)."""
    width, height, depth, kind = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and kind in (0, 2, 4, 6), "the fake reads 8-bit grey/RGB(A) PNGs only"
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[kind]
    pos, data = 8, b""
    while pos < len(png):
        (size,) = struct.unpack(">I", png[pos : pos + 4])
        if png[pos + 4 : pos + 8] == b"IDAT":
            data += png[pos + 8 : pos + 8 + size]
        pos += 12 + size
    raw, stride, out, prev = zlib.decompress(data), width * channels, bytearray(), bytearray(width * channels)
    for y in range(height):
        kind_byte = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if kind_byte == 1:
                row[i] = (row[i] + a) & 255
            elif kind_byte == 2:
                row[i] = (row[i] + b) & 255
            elif kind_byte == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif kind_byte == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += row
        prev = row
    return width, height, channels, bytes(out)


def mask_box(mask_b64: str) -> list[int] | None:
    """[x, y, w, h] around the non-zero pixels of a selection mask (its first channel)."""
    width, height, channels, raw = decode_png(base64.b64decode(mask_b64))
    xs, ys = [], []
    for y in range(height):
        for x in range(width):
            if raw[(y * width + x) * channels]:
                xs.append(x)
                ys.append(y)
    if not xs:
        return None
    return [min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1]


def _error(status: int, kind: str, message: str) -> tuple[int, dict]:
    return status, {"detail": {"status": kind, "message": message}}


def _box(target: str, width: int, height: int) -> list[int]:
    fx, fy, fw, fh = TARGETS[target][2]
    return [int(fx * width), int(fy * height), max(1, int(fw * width)), max(1, int(fh * height))]


def _layer(key: str, name: str, kind: str, category: str, box: list[int], rgb: tuple) -> dict:
    x, y, w, h = box
    png = encode_png(w, h, bytes(tuple(rgb) + (255,)) * (w * h))
    return {
        "key": key,
        "name": name,
        "kind": kind,
        "category": category,
        "instances": [],
        "bbox": box,
        "png": base64.b64encode(png).decode(),
    }


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def parse(text: str) -> tuple[int, dict]:
    """The fake's parser: (200, parse) with clauses like the real ones, or a 422 error."""
    words = text.lower().replace("that's", "this is").split()
    if words in (["colour", "everything"], ["color", "everything"]):
        return 200, {
            "text": text,
            "clauses": [{"kind": "everything", "target": None, "area": None, "colours": {}}],
        }
    if words[:2] in (["this", "is"], ["these", "are"]):
        name = _singular(words[-1])
        clause = {"kind": "teach", "target": {"category": name}, "area": None, "colours": {}}
        return 200, {"text": text, "clauses": [clause]}
    if words[:1] == ["forget"]:
        clause = {"kind": "forget", "target": {"category": words[-1]}, "area": None, "colours": {}}
        return 200, {"text": text, "clauses": [clause]}
    clauses = []
    for part in text.split(" and "):
        words = part.replace("the ", "").split()
        target, colour = words[0], words[-1]
        if colour not in RGB:
            return _error(422, "not_understood", f"Unknown colour '{colour}'")
        paint = {"name": colour, "rgb": list(RGB[colour])}
        if target in ("sky", "ground"):
            clauses.append({"kind": "background", "target": None, "area": target, "colours": {target: paint}})
        else:
            clause = {
                "kind": "foreground",
                "target": {"category": target},
                "area": None,
                "colours": {"body": paint},
            }
            clauses.append(clause)
    return 200, {"text": text, "clauses": clauses}


def objects(taught: list, width: int, height: int) -> list[dict]:
    """What the fake sees: its known foreground targets (left to right as listed) and taught objects."""
    seen = [
        {"category": name, "bbox": _box(name, width, height), "source": "recognised"}
        for name, (_key, kind, _box_) in TARGETS.items()
        if kind == "foreground"
    ]
    return seen + [{"category": t["category"], "bbox": t["bbox"], "source": "taught"} for t in taught]


def inventory(found: list[dict]) -> str:
    names = [o["category"] for o in found]
    return ", ".join(
        f"a {n}" if names.count(n) == 1 else f"{names.count(n)} {n}s" for n in dict.fromkeys(names)
    )


def colorize(body: dict) -> tuple[int, dict]:
    image = base64.b64decode(body["image"])
    width, height = png_size(image)
    if "busy" in body["instruction"]:
        return _error(503, "busy", "The backend is busy")
    if isinstance(body.get("parse"), dict):  # a theme's parse: its colours win over the text's
        status, parsed = 200, body["parse"]
    else:
        status, parsed = parse(body["instruction"])
    if status != 200:
        return status, parsed
    taught_in = [t for t in body.get("taught") or [] if isinstance(t, dict)]
    mask = mask_box(body["mask"]) if body.get("mask") else None
    layers, taught, forget, said = [], [], [], []
    for clause in parsed["clauses"]:
        kind, target = clause["kind"], clause.get("target") or {}
        name = target.get("category")
        if kind == "everything":
            for area, colour in (("sky", "blue"), ("ground", "green")):
                key, kind_, _ = TARGETS.get(area, (f"bg:{area}", "background", None))
                if area in TARGETS:
                    layers.append(
                        _layer(key, area, "background", area, _box(area, width, height), RGB[colour])
                    )
            for i, obj in enumerate(objects(taught_in, width, height)):
                key = (
                    TARGETS[obj["category"]][0]
                    if obj["source"] == "recognised"
                    else f"fg:{obj['category']}:t{i}"
                )
                rgb = (255, 200 - 40 * (i % 4), 40 * (i % 5))
                layers.append(_layer(key, obj["category"], "foreground", obj["category"], obj["bbox"], rgb))
            continue
        if kind == "teach":
            if mask is None:
                return _error(404, "no_match", f"Select the {name} first, then say it again.")
            x, y, w, h = mask
            crop = encode_png(w, h, b"\xff\xff\xff\xff" * (w * h))
            taught.append({"category": name, "bbox": mask, "mask": base64.b64encode(crop).decode()})
            said.append(f"Learnt: {name}. Later instructions will find it.")
            continue
        if kind == "forget":
            forget.append(name)
            said.append(f"Forgot what you taught about: {name}.")
            continue
        ((part, paint),) = clause["colours"].items()
        rgb, colour = tuple(paint["rgb"]), paint["name"]
        if kind == "background":
            area = clause["area"]
            if area not in TARGETS:
                return _error(404, "no_match", f"No {area} found in this sketch.")
            layers.append(
                _layer(
                    TARGETS[area][0], f"{area}: {colour}", "background", area, _box(area, width, height), rgb
                )
            )
            continue
        mine = [(i, t) for i, t in enumerate(taught_in) if t.get("category") == name]
        if name in TARGETS:
            key, kind_, _ = TARGETS[name]
            layers.append(_layer(key, f"{name}: {colour}", kind_, name, _box(name, width, height), rgb))
        elif mine:
            for i, t in mine:
                layers.append(
                    _layer(f"fg:{name}:t{i}", f"{name}: {colour}", "foreground", name, t["bbox"], rgb)
                )
        elif mask is not None:  # the selection plus a name: the selected regions are that object
            key = f"fg:{name}:sel-{mask[0]}-{mask[1]}"
            layers.append(_layer(key, f"{name}: {colour}", "foreground", name, mask, rgb))
        else:
            seen = inventory(objects(taught_in, width, height))
            return _error(
                404, "no_match", f"No {name} found. I see: {seen}. Select the {name} and say it again."
            )
    if layers:
        said.insert(0, "Coloured {}.".format(", ".join(la["name"] for la in layers)))
    answer = {
        "status": "ok",
        "message": " ".join(said),
        "parse": parsed,
        "width": width,
        "height": height,
        "layers": layers,
    }
    if taught:
        answer["taught"] = taught
    if forget:
        answer["forget"] = forget
    return 200, answer


def look(body: dict) -> tuple[int, dict]:
    """POST /v2/objects: the objects, the sentence, and an overlay (each object's box outlined)."""
    width, height = png_size(base64.b64decode(body["image"]))
    found = objects([t for t in body.get("taught") or [] if isinstance(t, dict)], width, height)
    overlay = None
    if found:
        canvas = bytearray(width * height * 4)
        for obj in found:
            x, y, w, h = obj["bbox"]
            for yy in range(max(y, 0), min(y + h, height)):
                for xx in range(max(x, 0), min(x + w, width)):
                    if yy in (y, y + h - 1) or xx in (x, x + w - 1):
                        canvas[(yy * width + xx) * 4 : (yy * width + xx + 1) * 4] = bytes((255, 0, 255, 255))
        overlay = {
            "bbox": [0, 0, width, height],
            "png": base64.b64encode(encode_png(width, height, bytes(canvas))).decode(),
        }
    return 200, {"objects": found, "inventory": inventory(found), "overlay": overlay}


class FakeBackend:
    """The server in a thread; `requests` keeps every decoded /v2/colorize body."""

    delay = 0.0

    def __init__(self, port: int = 0, token: str = "") -> None:
        self.requests = []  # type: List[Dict]
        self.paths = []  # type: List[str]
        self.objects = True  # False: a server from before /v2/objects
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
                routes = (
                    {"/v2/colorize": colorize, "/v2/objects": look}
                    if backend.objects
                    else {"/v2/colorize": colorize}
                )
                if self.path not in routes:
                    self._send(404, {"detail": "Not Found"})
                    return
                backend.requests.append(body)
                backend.paths.append(self.path)
                status, answer = routes[self.path](body)
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
