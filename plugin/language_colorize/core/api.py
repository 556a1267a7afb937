"""The HTTP contract of the backend (docs/API.md), with no transport: bodies in, results or errors out.

The Qt client in ../client.py moves the bytes; everything about what they mean lives here so it can be
tested without Qt and without a server.
"""

import base64
import binascii
import json
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8765"
START_HINT = "python -m backend serve"

# Error kinds, as the docker shows them.
NETWORK = "network"       # nothing answered (refused, unknown host, ...)
TIMEOUT = "timeout"
CANCELLED = "cancelled"
NO_MATCH = "no_match"
NOT_UNDERSTOOD = "not_understood"
BAD_REQUEST = "error"
SERVER = "server"
PROTOCOL = "protocol"     # an answer this client cannot read


class BackendError(Exception):
    """A failure with a sentence meant for the artist."""

    def __init__(self, kind, message, http_status=None):
        Exception.__init__(self, message)
        self.kind = kind
        self.message = message
        self.http_status = http_status


class LayerResult(object):
    __slots__ = ("key", "name", "kind", "category", "instances", "bbox", "png")

    def __init__(self, key, name, kind, category, instances, bbox, png):
        self.key = key
        self.name = name
        self.kind = kind
        self.category = category
        self.instances = instances
        self.bbox = bbox
        self.png = png

    @property
    def is_background(self):
        return self.kind == "background"

    def __repr__(self):
        return "LayerResult(%r, %r, %r, bbox=%r)" % (self.key, self.name, self.kind, self.bbox)


class ColorizeResult(object):
    def __init__(self, session_id, status, message, width, height, layers, replaced, parse=None):
        self.session_id = session_id
        self.status = status
        self.message = message
        self.width = width
        self.height = height
        self.layers = layers
        self.replaced = replaced
        self.parse = parse


class UndoResult(object):
    def __init__(self, session_id, removed, restored):
        self.session_id = session_id
        self.removed = removed
        self.restored = restored


def normalise_url(url):
    url = (url or "").strip() or DEFAULT_URL
    if "://" not in url:
        url = "http://" + url
    return url.rstrip("/")


def split_host_port(url):
    """('127.0.0.1', 8765) from 'http://127.0.0.1:8765/'."""
    parts = urlsplit(normalise_url(url))
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return parts.hostname or "", port


def host_port(url):
    """'127.0.0.1:8765' from 'http://127.0.0.1:8765/', as the artist typed the address."""
    host, port = split_host_port(url)
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


def is_local(url):
    host = split_host_port(url)[0].lower()
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def b64(data):
    return base64.b64encode(bytes(data)).decode("ascii")


def colorize_body(image_png, instruction, mask_png=None, session_id=None):
    """The JSON body (bytes) of POST /v1/colorize."""
    body = {"image": b64(image_png), "instruction": instruction}
    if mask_png is not None:
        body["mask"] = b64(mask_png)
    if session_id:
        body["session_id"] = session_id
    return json.dumps(body).encode("utf-8")


def undo_body(session_id):
    return json.dumps({"session_id": session_id}).encode("utf-8")


def _load(body):
    try:
        return json.loads(bytes(body).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _detail_message(data):
    """The artist-facing sentence of an error body, or None."""
    if not isinstance(data, dict):
        return None
    detail = data.get("detail")
    if isinstance(detail, dict) and detail.get("message"):
        return str(detail["message"]), detail.get("status")
    if isinstance(detail, str) and detail:
        return detail, None
    if isinstance(detail, list) and detail:  # FastAPI's own validation errors
        parts = []
        for item in detail[:3]:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(("%s: %s" % (where, item.get("msg", ""))).strip(": "))
        return "The backend rejected the request (" + "; ".join(parts) + ").", None
    return None


def error_from_http(status, body):
    """BackendError for a non-2xx answer, with the backend's detail.message when there is one."""
    data = _load(body)
    found = _detail_message(data)
    if status == 404 and found is not None and found[1] is None:
        found = None  # FastAPI's own {"detail": "Not Found"}: no such route, so not our backend
    if found is not None:
        message, kind = found
        if not kind:
            kind = {404: NO_MATCH, 422: NOT_UNDERSTOOD}.get(status, SERVER if status >= 500 else BAD_REQUEST)
        return BackendError(kind, message, status)
    if status == 413:
        return BackendError(BAD_REQUEST, "The image is too large for the backend.", status)
    if status >= 500:
        return BackendError(SERVER, "The backend failed (HTTP %d); see its log for details." % status, status)
    if status == 404:
        return BackendError(PROTOCOL, "The server at this address does not look like the colorization "
                                      "backend (HTTP 404).", status)
    return BackendError(BAD_REQUEST, "The backend answered HTTP %d." % status, status)


def network_error(kind, url, detail="", timeout_s=None, autostart=False):
    where = host_port(url)
    if kind == TIMEOUT:
        return BackendError(TIMEOUT, "The backend at %s did not answer within %d s. It may still be loading; "
                            "try again, or raise the timeout in the settings." % (where, timeout_s or 0))
    if kind == CANCELLED:
        return BackendError(CANCELLED, "Cancelled.")
    hint = "start it with '%s' in the project folder" % START_HINT
    if not autostart:
        hint += ", or tick 'Start the backend automatically' in the settings"
    message = "Cannot reach the backend at %s - %s." % (where, hint)
    if detail:
        message += " (%s)" % detail
    return BackendError(NETWORK, message)


def _decode_png_field(value, what):
    try:
        return base64.b64decode(value.encode("ascii") if isinstance(value, str) else value, validate=True)
    except (binascii.Error, ValueError, AttributeError):
        raise BackendError(PROTOCOL, "The backend sent a broken image for %s." % what) from None


def _layer(item):
    if not isinstance(item, dict):
        raise BackendError(PROTOCOL, "The backend sent a layer this plugin does not understand.")
    try:
        bbox = [int(v) for v in item["bbox"]]
        if len(bbox) != 4:
            raise ValueError
        key = str(item["key"])
        name = str(item.get("name") or key)
    except (KeyError, TypeError, ValueError):
        raise BackendError(PROTOCOL, "The backend sent a layer without a key or bounding box.") from None
    kind = item.get("kind") or ("background" if key.startswith("bg:") else "foreground")
    png = _decode_png_field(item.get("png", ""), name)
    return LayerResult(key, name, kind, item.get("category"), item.get("instances") or [], bbox, png)


def parse_colorize(status, body):
    """ColorizeResult from a /v1/colorize answer; raises BackendError."""
    if status is None or status < 200 or status >= 300:
        raise error_from_http(status or 0, body)
    data = _load(body)
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        raise BackendError(PROTOCOL, "The backend sent an answer this plugin does not understand.")
    layers = [_layer(item) for item in data["layers"]]
    try:
        width, height = int(data.get("width") or 0), int(data.get("height") or 0)
    except (TypeError, ValueError):
        width = height = 0
    return ColorizeResult(
        session_id=data.get("session_id"),
        status=data.get("status", "ok"),
        message=str(data.get("message") or ""),
        width=width,
        height=height,
        layers=layers,
        replaced=[str(k) for k in data.get("replaced") or []],
        parse=data.get("parse"),
    )


def parse_undo(status, body):
    if status is None or status < 200 or status >= 300:
        raise error_from_http(status or 0, body)
    data = _load(body)
    if not isinstance(data, dict):
        raise BackendError(PROTOCOL, "The backend sent an answer this plugin does not understand.")
    return UndoResult(
        data.get("session_id"),
        [str(k) for k in data.get("removed") or []],
        [_layer(item) for item in data.get("restored") or []],
    )


def parse_health(status, body):
    data = _load(body)
    return status == 200 and isinstance(data, dict) and data.get("status") == "ok"
