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
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from . import __version__
from .categories import BACKGROUND, FOREGROUND, PARTS
from .colours import names as colour_names
from .device import device
from .images import ImageError, decode_base64, decode_mask, decode_rgba, encode_png
from .instruction import InstructionError
from .layers import Layer
from .parser import parse_instruction
from .pipeline import Colorizer, Session
from .recognizers import default_recognizer

log = logging.getLogger("backend.server")

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

    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        rec = get_colorizer().recognizer
        return {
            "status": "ok",
            "version": __version__,
            "device": device(),
            "recognizer": {"name": rec.name, "version": rec.version},
        }

    @app.get("/v1/vocabulary")
    def vocabulary() -> dict[str, Any]:
        return {
            "categories": list(FOREGROUND),
            "background": list(BACKGROUND),
            "parts": {k: list(v) for k, v in PARTS.items()},
            "colours": colour_names(),
        }

    @app.post("/v1/parse")
    def parse(req: ParseRequest) -> dict[str, Any]:
        try:
            return {"status": "ok", "parse": parse_instruction(req.instruction).model_dump(mode="json")}
        except InstructionError as exc:
            raise _problem(422, "not_understood", str(exc)) from exc

    @app.post("/v1/colorize")
    def colorize(req: ColorizeRequest) -> dict[str, Any]:
        try:
            rgba = decode_rgba(decode_base64(req.image, "image"), "image")
            mask = decode_mask(decode_base64(req.mask, "mask"), rgba.shape[:2]) if req.mask else None
        except ImageError as exc:
            raise _problem(413 if exc.too_large else 400, "error", str(exc)) from exc
        session_id = req.session_id or uuid.uuid4().hex
        session, session_lock = sessions.get(session_id, create=True)  # type: ignore[misc]
        if not pool.acquire(timeout=QUEUE_WAIT_SECONDS):
            raise HTTPException(
                503,
                detail={"status": "error", "message": "The backend is busy; try again."},
                headers={"Retry-After": "2"},
            )
        try:
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

    @app.post("/v1/undo")
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
