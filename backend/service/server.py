"""The local HTTP server: the Krita plugin's only way into the pipeline.

Work runs in a small bounded pool: a 2-core laptop gains nothing from more parallel colourings,
and a queue that cannot grow without bound is what keeps memory bounded under load.
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import logging
import os
import threading
import uuid
from collections import OrderedDict
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend import __version__
from backend.categories import BACKGROUND, FOREGROUND, PARTS
from backend.colouring import Layer
from backend.language import InstructionError, ParsedInstruction, parse_instruction
from backend.language.colours import names as colour_names
from backend.pipeline import Colorizer, Session
from backend.understanding import default_recognizer
from backend.understanding.device import device

from .images import ImageError, decode_base64, decode_mask, decode_rgba, encode_png

log = logging.getLogger("backend.service.server")

MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_SESSIONS = 64
WORKERS = 2
QUEUE_WAIT_SECONDS = 30.0
MAX_INSTRUCTION = 500


class ColorizeRequest(BaseModel):
    image: str = Field(description="base64 PNG of the line art at document size")
    instruction: str = Field(max_length=MAX_INSTRUCTION)
    mask: str | None = Field(
        default=None, description="base64 PNG selection mask, same size; non-zero = selected"
    )
    session_id: str | None = Field(default=None, max_length=128)


class UndoRequest(BaseModel):
    session_id: str = Field(max_length=128)


class ParseRequest(BaseModel):
    instruction: str = Field(max_length=MAX_INSTRUCTION)


# Response models: they put the answers and the 4xx errors of docs/API.md into /openapi.json, so
# that a client (and the schema fuzz test) can check every answer against the published contract.


class Problem(BaseModel):
    status: str = Field(description="error | not_understood | no_match")
    message: str = Field(description="a plain sentence for the user")


class ProblemResponse(BaseModel):
    detail: Problem


class UnprocessableResponse(BaseModel):
    detail: Problem | list[dict[str, Any]] = Field(
        description="not_understood instruction, or FastAPI's own schema-validation errors (a list)"
    )


class LayerOut(BaseModel):
    key: str
    name: str
    kind: Literal["foreground", "background"]
    category: str | None
    instances: list[int]
    bbox: tuple[int, int, int, int] = Field(description="x, y, w, h on the image")
    png: str = Field(description="base64 RGBA PNG, exactly w x h")


class ColorizeResponse(BaseModel):
    session_id: str
    status: Literal["ok"]
    message: str
    parse: ParsedInstruction
    width: int
    height: int
    layers: list[LayerOut]
    replaced: list[str]
    timings: dict[str, float]


class UndoResponse(BaseModel):
    session_id: str
    removed: list[str]
    restored: list[LayerOut]


class ParseResponse(BaseModel):
    status: Literal["ok"]
    parse: ParsedInstruction


class RecognizerInfo(BaseModel):
    name: str
    version: str


class HealthResponse(BaseModel):
    status: Literal["ok"]
    version: str
    device: str
    recognizer: RecognizerInfo


class VocabularyResponse(BaseModel):
    categories: list[str]
    background: list[str]
    parts: dict[str, list[str]]
    colours: list[str]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: its documented error codes with their bodies."""
    out: dict[int | str, dict[str, Any]] = {code: {"model": ProblemResponse} for code in codes}
    out[422] = {"model": UnprocessableResponse}
    return out


def _problem(code: int, status: str, message: str) -> HTTPException:
    return HTTPException(code, detail={"status": status, "message": message})


def layer_json(layer: Layer) -> dict[str, Any]:
    return {**layer.describe(), "png": base64.b64encode(encode_png(layer.rgba)).decode("ascii")}


class Sessions:
    """Per-document sessions, least recently used dropped first."""

    def __init__(self, limit: int = MAX_SESSIONS) -> None:
        self._items: OrderedDict[str, tuple[Session, threading.Lock]] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, session_id: str, create: bool) -> tuple[Session, threading.Lock] | None:
        with self._lock:
            if session_id in self._items:
                self._items.move_to_end(session_id)
                return self._items[session_id]
            if not create:
                return None
            item = (Session(), threading.Lock())
            self._items[session_id] = item
            while len(self._items) > self._limit:
                self._items.popitem(last=False)
            return item


def create_app(colorizer: Colorizer | None = None, token: str | None = None) -> FastAPI:
    app = FastAPI(
        title="Language colorization backend",
        version=__version__,
        description="Colours line-art sketches from English instructions. Images are base64 PNG.",
    )
    state: dict[str, Any] = {"colorizer": colorizer}
    sessions = Sessions()
    pool = threading.BoundedSemaphore(WORKERS)

    def get_colorizer() -> Colorizer:
        if state["colorizer"] is None:
            state["colorizer"] = Colorizer(default_recognizer())
        return state["colorizer"]

    @app.exception_handler(StarletteHTTPException)
    async def problem_body(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Error bodies of the API's routes in the documented {"status", "message"} shape.

        FastAPI answers a body that is not UTF-8 JSON with a bare string detail (400 "There was an
        error parsing the body"), outside docs/API.md and the OpenAPI schema. Routing answers (404,
        405 for a path or method the API does not have) keep FastAPI's bare string: the Krita plugin
        reads that as "this server is not the colorization backend".
        """
        detail = exc.detail
        if not isinstance(detail, dict) and exc.status_code not in (404, 405):
            detail = {"status": "error", "message": str(detail)}
        return JSONResponse({"detail": detail}, exc.status_code, headers=exc.headers)

    @app.middleware("http")
    async def guard(request: Request, call_next):  # type: ignore[no-untyped-def]
        if token is not None:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return JSONResponse(
                    {"detail": {"status": "error", "message": "Missing or wrong token."}}, 401
                )
        length = request.headers.get("content-length")
        if request.method == "POST" and length is None:
            # A chunked body could grow past any limit before it is seen whole: ask for its length.
            message = "Send the request with a Content-Length header."
            return JSONResponse({"detail": {"status": "error", "message": message}}, 411)
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            message = f"The request is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB."
            return JSONResponse({"detail": {"status": "error", "message": message}}, 413)
        return await call_next(request)

    @app.get("/v1/health", response_model=HealthResponse)
    def health() -> dict[str, Any]:
        rec = get_colorizer().recognizer
        return {
            "status": "ok",
            "version": __version__,
            "device": device(),
            "recognizer": {"name": rec.name, "version": rec.version},
        }

    @app.get("/v1/vocabulary", response_model=VocabularyResponse)
    def vocabulary() -> dict[str, Any]:
        return {
            "categories": list(FOREGROUND),
            "background": list(BACKGROUND),
            "parts": {k: list(v) for k, v in PARTS.items()},
            "colours": colour_names(),
        }

    @app.post("/v1/parse", response_model=ParseResponse, responses=_errors(400, 411, 413))
    def parse(req: ParseRequest) -> dict[str, Any]:
        try:
            return {"status": "ok", "parse": parse_instruction(req.instruction).model_dump(mode="json")}
        except InstructionError as exc:
            raise _problem(422, "not_understood", str(exc)) from exc

    @app.post("/v1/colorize", response_model=ColorizeResponse, responses=_errors(400, 404, 411, 413, 503))
    def colorize(req: ColorizeRequest) -> dict[str, Any]:
        # The instruction first: a typo is refused in microseconds, without decoding the canvas.
        try:
            parse_instruction(req.instruction)
        except InstructionError as exc:
            raise _problem(422, "not_understood", str(exc)) from exc
        if not pool.acquire(timeout=QUEUE_WAIT_SECONDS):
            raise HTTPException(
                503,
                detail={"status": "error", "message": "The backend is busy; try again."},
                headers={"Retry-After": "2"},
            )
        try:
            # Decoding inside the pool: a decoded image costs up to 4 bytes per pixel (256 MB at the
            # size limit) and transient copies on top; decoded outside, every waiting request held
            # one, so memory grew with the number of clients instead of the number of workers.
            try:
                rgba = decode_rgba(decode_base64(req.image, "image"), "image")
                mask = decode_mask(decode_base64(req.mask, "mask"), rgba.shape[:2]) if req.mask else None
            except ImageError as exc:
                raise _problem(413 if exc.too_large else 400, "error", str(exc)) from exc
            session_id = req.session_id or uuid.uuid4().hex
            session, session_lock = sessions.get(session_id, create=True)  # type: ignore[misc]
            with session_lock:
                step = get_colorizer().apply(session, rgba, req.instruction, mask)
        finally:
            pool.release()
        if step.status == "not_understood":
            raise _problem(422, step.status, step.message)
        if step.status == "no_match":
            raise _problem(404, step.status, step.message)
        h, w = rgba.shape[:2]
        return {
            "session_id": session_id,
            "status": step.status,
            "message": step.message,
            "parse": step.parse,
            "width": w,
            "height": h,
            "layers": [layer_json(layer) for layer in step.layers],
            "replaced": step.replaced,
            "timings": step.timings,
        }

    @app.post("/v1/undo", response_model=UndoResponse, responses=_errors(400, 404, 411, 413))
    def undo(req: UndoRequest) -> dict[str, Any]:
        item = sessions.get(req.session_id, create=False)
        if item is None:
            raise _problem(404, "error", "This document has no colorization to undo on the backend.")
        session, session_lock = item
        with session_lock:
            try:
                removed, restored = session.undo()
            except LookupError as exc:
                raise _problem(404, "error", str(exc)) from exc
        restored_json = [layer_json(layer) for layer in restored]
        return {"session_id": req.session_id, "removed": removed, "restored": restored_json}

    return app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(host: str, port: int, token: str | None) -> int:
    token = token or os.environ.get("LANGCOLOR_TOKEN") or None
    if not _is_loopback(host) and not token:
        log.error("binding to %s exposes the backend to the network: give --token or LANGCOLOR_TOKEN", host)
        return 2
    app = create_app(token=token)
    log.info("device %s; listening on http://%s:%d", device(), host, port)
    uvicorn.run(app, host=host, port=port, log_level="info")
    return 0
