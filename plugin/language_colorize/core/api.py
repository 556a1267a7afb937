"""The backend's HTTP contract, v2 (docs/API.md), with no transport: bodies in, results or errors out.

The server is stateless: every request carries the line art (and the selection), every answer carries
the finished layers, each with a `key` naming its target ("fg:car:3", "bg:sky"). Which layer of the
document holds which key, re-colouring and undo are the plugin's business (see record.py).
The Qt client (../client.py) moves the bytes; what they mean lives here, testable without Qt.
"""

import base64
import binascii
import json
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from . import errors
from .errors import PluginError

DEFAULT_URL = "http://127.0.0.1:8765"
START_HINT = "python -m backend serve"
PREFIX = "/v2"
COLORIZE = PREFIX + "/colorize"
HEALTH = PREFIX + "/health"
OBJECTS = PREFIX + "/objects"
PARSE = PREFIX + "/parse"
VOCABULARY = PREFIX + "/vocabulary"


class LayerResult(object):
    """One layer of an answer: `png` is exactly bbox w x h, placed at bbox x, y of the image."""

    __slots__ = ("key", "name", "kind", "category", "instances", "bbox", "png")

    def __init__(
        self,
        key: str,
        name: str,
        kind: str,
        category: Optional[str],
        instances: List[int],
        bbox: List[int],
        png: bytes,
    ) -> None:
        self.key = key
        self.name = name
        self.kind = kind
        self.category = category
        self.instances = instances
        self.bbox = bbox
        self.png = png

    @property
    def is_background(self) -> bool:
        return self.kind == "background"

    def __repr__(self) -> str:
        return "LayerResult(%r, %r, %r, bbox=%r)" % (self.key, self.name, self.kind, self.bbox)


class ColorizeResult(object):
    def __init__(
        self,
        status: str,
        message: str,
        width: int,
        height: int,
        layers: List[LayerResult],
        parse: Any = None,
        taught: Optional[List[Dict[str, Any]]] = None,
        forget: Optional[List[str]] = None,
    ) -> None:
        self.status = status
        self.message = message
        self.width = width
        self.height = height
        self.layers = layers
        self.parse = parse
        # Objects the artist taught (the document keeps them and sends them back with every request)
        # and names whose taught objects it drops: the backend is stateless, so it hands them out.
        self.taught = taught or []
        self.forget = forget or []


class SeenObject(object):
    __slots__ = ("category", "bbox", "source")

    def __init__(self, category: str, bbox: List[int], source: str) -> None:
        self.category = category
        self.bbox = bbox
        self.source = source  # "recognised" or "taught"


class ObjectsResult(object):
    """What the backend sees: the objects, a sentence ("3 trees, a house") and, when there is
    anything to draw, the outlines with their names as one RGBA image at `overlay_bbox`."""

    def __init__(
        self,
        objects: List[SeenObject],
        inventory: str,
        overlay_bbox: Optional[List[int]] = None,
        overlay_png: bytes = b"",
    ) -> None:
        self.objects = objects
        self.inventory = inventory
        self.overlay_bbox = overlay_bbox
        self.overlay_png = overlay_png


# --- addresses -------------------------------------------------------------------------------------


def normalise_url(url: str) -> str:
    url = (url or "").strip() or DEFAULT_URL
    if "://" not in url:
        url = "http://" + url
    return url.rstrip("/")


def split_host_port(url: str) -> Tuple[str, int]:
    """('127.0.0.1', 8765) from 'http://127.0.0.1:8765/'."""
    parts = urlsplit(normalise_url(url))
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return parts.hostname or "", port


def host_port(url: str) -> str:
    """'127.0.0.1:8765' from 'http://127.0.0.1:8765/', as the artist typed the address."""
    host, port = split_host_port(url)
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


def is_local(url: str) -> bool:
    host = split_host_port(url)[0].lower()
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


# --- requests --------------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


def colorize_body(
    image_png: bytes,
    instruction: str,
    mask_png: Optional[bytes] = None,
    taught: Optional[List[Any]] = None,
    parse: Any = None,
) -> bytes:
    """The JSON body (bytes) of POST /v2/colorize. `taught`: what the artist taught this document,
    exactly as the backend handed it out (see ColorizeResult.taught). `parse`: a theme's stored parse
    of `instruction` (its colours resolved), for a server that colours by it instead of parsing the
    text again; a server that does not know the field ignores it and parses the text."""
    body = {"image": b64(image_png), "instruction": instruction}  # type: Dict[str, Any]
    if mask_png is not None:
        body["mask"] = b64(mask_png)
    if taught:
        body["taught"] = taught
    if parse:
        body["parse"] = parse
    return json.dumps(body).encode("utf-8")


def objects_body(image_png: bytes, taught: Optional[List[Any]] = None) -> bytes:
    """The JSON body of POST /v2/objects: what the backend sees in the line art, taught objects
    included."""
    body = {"image": b64(image_png)}  # type: Dict[str, Any]
    if taught:
        body["taught"] = taught
    return json.dumps(body).encode("utf-8")


# --- answers ---------------------------------------------------------------------------------------


def _load(body: bytes) -> Any:
    try:
        return json.loads(bytes(body).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _detail(data: Any) -> Optional[Tuple[str, Optional[str]]]:
    """(sentence, status) of an error body, or None."""
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


def error_from_http(status: int, body: bytes, retry_after: Optional[str] = None) -> PluginError:
    """PluginError for a non-2xx answer, with the backend's detail.message when there is one."""
    found = _detail(_load(body))
    if status == 404 and found is not None and found[1] is None:
        found = None  # FastAPI's own {"detail": "Not Found"}: no such route, so not a v2 backend
    if status == 503:
        wait = " (it asks to wait %s s)" % retry_after if retry_after else ""
        message = found[0] if found else "The backend is busy"
        return PluginError("%s%s; try again in a moment." % (message.rstrip("."), wait), errors.BUSY, status)
    if status == 401:
        said = found[0].rstrip(".") + ". " if found else ""
        return PluginError(
            "%sThe backend wants a token: enter it under Settings > Token in the docker." % said,
            errors.BAD_REQUEST,
            status,
        )
    if found is not None:
        message, kind = found
        if not kind:
            kind = {404: errors.NO_MATCH, 422: errors.NOT_UNDERSTOOD}.get(
                status, errors.SERVER if status >= 500 else errors.BAD_REQUEST
            )
        return PluginError(message, kind, status)
    if status == 413:
        return PluginError("The image is too large for the backend.", errors.BAD_REQUEST, status)
    if status >= 500:
        return PluginError(
            "The backend failed (HTTP %d); see its log for details." % status, errors.SERVER, status
        )
    if status in (404, 405):
        return PluginError(
            "The server at this address is not a colorization backend that speaks API v2 "
            "(HTTP %d); update or restart the backend." % status,
            errors.PROTOCOL,
            status,
        )
    return PluginError("The backend answered HTTP %d." % status, errors.BAD_REQUEST, status)


def network_error(
    kind: str, url: str, detail: str = "", timeout_s: Optional[float] = None, autostart: bool = False
) -> PluginError:
    where = host_port(url)
    if kind == errors.TIMEOUT:
        return PluginError(
            "The backend at %s did not answer within %d s. It may still be loading; try "
            "again, or raise the timeout in the settings." % (where, timeout_s or 0),
            kind,
        )
    if kind == errors.CANCELLED:
        return PluginError("Cancelled; nothing was changed.", kind)
    hint = "start it with '%s' in the project folder" % START_HINT
    if not autostart:
        hint += ", or tick 'Start the backend automatically' in the settings"
    message = "Cannot reach the backend at %s - %s." % (where, hint)
    if detail:
        message += " (%s)" % detail
    return PluginError(message, errors.NETWORK)


def _png_field(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(value.encode("ascii") if isinstance(value, str) else value, validate=True)
    except (binascii.Error, ValueError, AttributeError, TypeError):
        raise PluginError("The backend sent a broken image for %s." % what, errors.PROTOCOL) from None


def _layer(item: Any) -> LayerResult:
    if not isinstance(item, dict):
        raise PluginError("The backend sent a layer this plugin does not understand.", errors.PROTOCOL)
    try:
        bbox = [int(v) for v in item["bbox"]]
        if len(bbox) != 4:
            raise ValueError
        key = str(item["key"])
        name = str(item.get("name") or key)
    except (KeyError, TypeError, ValueError):
        raise PluginError(
            "The backend sent a layer without a key or bounding box.", errors.PROTOCOL
        ) from None
    kind = item.get("kind") or ("background" if key.startswith("bg:") else "foreground")
    instances = [int(i) for i in item.get("instances") or [] if isinstance(i, int)]
    return LayerResult(
        key, name, kind, item.get("category"), instances, bbox, _png_field(item.get("png", ""), name)
    )


def parse_colorize(status: Optional[int], body: bytes, retry_after: Optional[str] = None) -> ColorizeResult:
    """ColorizeResult from a /v2/colorize answer; raises PluginError."""
    if status is None or status < 200 or status >= 300:
        raise error_from_http(status or 0, body, retry_after)
    data = _load(body)
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        raise PluginError("The backend sent an answer this plugin does not understand.", errors.PROTOCOL)
    layers = [_layer(item) for item in data["layers"]]
    try:
        width, height = int(data.get("width") or 0), int(data.get("height") or 0)
    except (TypeError, ValueError):
        width = height = 0
    taught = [t for t in data.get("taught") or [] if isinstance(t, dict) and t.get("category")]
    forget = [str(name) for name in data.get("forget") or [] if isinstance(name, str)]
    return ColorizeResult(
        str(data.get("status", "ok")),
        str(data.get("message") or ""),
        width,
        height,
        layers,
        data.get("parse"),
        taught,
        forget,
    )


def _bbox(value: Any) -> List[int]:
    bbox = [int(v) for v in value]
    if len(bbox) != 4:
        raise ValueError("a box has four numbers")
    return bbox


def parse_objects(status: Optional[int], body: bytes, retry_after: Optional[str] = None) -> ObjectsResult:
    """ObjectsResult from a /v2/objects answer; raises PluginError."""
    if status in (404, 405):
        found = _detail(_load(body))
        if found is None or found[1] is None:  # no such route: a backend from before "what I see"
            raise PluginError(
                "The backend at this address cannot show what it sees (no %s); update the project and "
                "restart the backend." % OBJECTS,
                errors.PROTOCOL,
                status,
            )
    if status is None or status < 200 or status >= 300:
        raise error_from_http(status or 0, body, retry_after)
    data = _load(body)
    if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
        raise PluginError("The backend sent an answer this plugin does not understand.", errors.PROTOCOL)
    try:
        objects = [
            SeenObject(str(item["category"]), _bbox(item["bbox"]), str(item.get("source") or "recognised"))
            for item in data["objects"]
        ]
        overlay = data.get("overlay")
        bbox = _bbox(overlay["bbox"]) if isinstance(overlay, dict) else None
    except (KeyError, TypeError, ValueError):
        raise PluginError("The backend described an object without a name or box.", errors.PROTOCOL) from None
    png = _png_field(overlay.get("png", ""), "what it sees") if bbox is not None else b""
    return ObjectsResult(objects, str(data.get("inventory") or ""), bbox, png)


def parse_health(status: Optional[int], body: bytes) -> bool:
    data = _load(body)
    return status == 200 and isinstance(data, dict) and data.get("status") == "ok"
