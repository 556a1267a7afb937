"""The local HTTP server (API v2): the Krita plugin's only way into the pipeline.

Stateless: a request carries everything a step needs (the line art, the instruction, the selection)
and the answer carries the layers; the client owns its document, so re-colouring a target replaces
the client's own layer of the same key, and undo is the client's. What the server keeps is only the
pipeline's analysis cache, bounded in bytes, which a restart loses at no cost but time.

Work runs on a few workers (a 2-core laptop gains nothing from more parallel colourings); the Guard
in front makes requests wait for one, or turns them away with 503, before their bodies are read.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import os
import threading
import time
from typing import Any

import numpy as np
import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend import __version__
from backend.categories import BACKGROUND, FOREGROUND, PARTS
from backend.colouring import Layer
from backend.colouring.outlines import outlines_layer
from backend.language import InstructionError, ParsedInstruction, parse_instruction
from backend.language.colours import names as colour_names
from backend.pipeline import Colorizer
from backend.understanding import Taught, default_recognizer, inventory
from backend.understanding.device import device

from .connections import uvicorn_config
from .http_limits import BodyPolicy, Guard, describe, read_json
from .images import ImageError, decode_base64, decode_mask, decode_rgba, encode_png
from .problems import Problem
from .schemas import (
    BODY_ERRORS,
    ColorizeRequest,
    ColorizeResponse,
    HealthResponse,
    ObjectsRequest,
    ObjectsResponse,
    ParseRequest,
    ParseResponse,
    TaughtObject,
    VocabularyResponse,
    error_responses,
)
from .taught import taught_from_wire, taught_to_wire
from .theme import ThemeError, stored_parse

log = logging.getLogger("backend.service.server")

MAX_BODY_BYTES = 64 * 1024 * 1024  # an 8192x8192 sketch and its mask, base64-encoded, fit easily
MAX_PARSE_BYTES = 16 * 1024  # a 500-character instruction, even with every character escaped
WORKERS = 2
QUEUE_WAIT_SECONDS = 30.0
POLICIES = {
    "/v2/colorize": BodyPolicy(MAX_BODY_BYTES, pooled=True),
    "/v2/objects": BodyPolicy(MAX_BODY_BYTES, pooled=True),
    "/v2/parse": BodyPolicy(MAX_PARSE_BYTES),
}


class ServeError(ValueError):
    """The server cannot start as asked; the message says what to change."""


class _LazyColorizer:
    """The colorizer, built on first use: loading the model must not delay binding the port."""

    def __init__(self, colorizer: Colorizer | None) -> None:
        self._colorizer = colorizer
        self._lock = threading.Lock()

    def get(self) -> Colorizer:
        with self._lock:
            if self._colorizer is None:
                self._colorizer = Colorizer(default_recognizer())
            return self._colorizer


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _parse(instruction: str, names: list[str] | None = None, selection: bool = False) -> ParsedInstruction:
    try:
        return parse_instruction(instruction, names or [], selection)
    except InstructionError as exc:
        raise Problem(422, _sentence(str(exc)), "not_understood") from exc


def layer_json(layer: Layer) -> dict[str, Any]:
    return {**layer.describe(), "png": base64.b64encode(encode_png(layer.rgba)).decode("ascii")}


def colorize_step(colorizer: Colorizer, req: ColorizeRequest) -> dict[str, Any]:
    """One request's work, run on a worker thread: parse once, decode, colour, encode."""
    t0 = time.perf_counter()
    # The instruction first: a typo is refused in microseconds, without decoding the canvas.
    if req.parse is not None:
        try:
            parsed = stored_parse(req.parse)
        except ThemeError as exc:
            raise Problem(400, _sentence(str(exc))) from exc
    else:
        parsed = _parse(req.instruction, [t.category for t in req.taught], req.mask is not None)
    t1 = time.perf_counter()
    rgba, taught = _decode(req.image, req.taught)
    try:
        mask = decode_mask(decode_base64(req.mask, "mask"), rgba.shape[:2]) if req.mask else None
    except ImageError as exc:
        raise Problem(413 if exc.too_large else 400, _sentence(str(exc))) from exc
    t2 = time.perf_counter()
    step = colorizer.apply(rgba, parsed, mask, taught)
    if step.status == "not_understood":
        raise Problem(422, _sentence(step.message or "The instruction was not understood."), "not_understood")
    if step.status != "ok":
        message = step.message or "Nothing in this sketch matches the instruction."
        raise Problem(404, _sentence(message), "no_match")
    t3 = time.perf_counter()
    layers = [layer_json(layer) for layer in step.layers]
    h, w = rgba.shape[:2]
    timings = {"parse": t1 - t0, "decode": t2 - t1, **step.timings, "encode": time.perf_counter() - t3}
    return {
        "status": "ok",
        "message": step.message,
        "parse": step.parse,
        "width": w,
        "height": h,
        "layers": layers,
        "taught": taught_to_wire(step.taught),
        "forget": step.forget,
        "timings": timings,
    }


def _decode(image: str, taught: list[TaughtObject]) -> tuple[np.ndarray, list[Taught]]:
    """The canvas and the document's taught objects on it; a bad one is the client's 4xx."""
    try:
        rgba = decode_rgba(decode_base64(image, "image"), "image")
        return rgba, taught_from_wire(taught, rgba.shape[:2])
    except ImageError as exc:
        raise Problem(413 if exc.too_large else 400, _sentence(str(exc))) from exc


def objects_step(colorizer: Colorizer, req: ObjectsRequest) -> dict[str, Any]:
    """What the backend sees in the sketch, taught objects included, with an outline layer."""
    rgba, taught = _decode(req.image, req.taught)
    scene = colorizer.analyse(rgba).scene(taught)
    found = [inst for inst in scene.instances if inst.category != "unknown"]
    overlay = outlines_layer(found, rgba.shape[:2])
    return {
        "objects": [
            {
                "category": inst.category,
                "bbox": list(inst.bbox),
                "source": "taught" if inst.source == "taught" else "recognised",
            }
            for inst in found
        ],
        "inventory": inventory(found),
        "overlay": None
        if overlay is None
        else {"bbox": list(overlay.bbox), "png": layer_json(overlay)["png"]},
    }


def _json_body(model: type[Any]) -> dict[str, Any]:
    """The OpenAPI request body of a route that reads its JSON itself (see http_limits.read_json).

    Nested models are inlined: the body's own "$defs" would not resolve from the document's root.
    """
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        return [inline(value) for value in node] if isinstance(node, list) else node

    body = {"content": {"application/json": {"schema": inline(schema)}}, "required": True}
    return {"requestBody": body}


def _problem_response(problem: Problem) -> JSONResponse:
    content = {"detail": {"status": problem.status, "message": problem.message}}
    return JSONResponse(content, problem.code, headers=problem.headers)


def create_app(
    colorizer: Colorizer | None = None,
    token: str | None = None,
    any_host: bool = False,
    workers: int = WORKERS,
    queue_wait: float = QUEUE_WAIT_SECONDS,
) -> FastAPI:
    """The API. any_host: accept any Host header (only when `serve --host` opened it beyond loopback)."""
    app = FastAPI(
        title="Language colorization backend",
        version=__version__,
        description="Colours line-art sketches from English instructions. Stateless; images are base64 PNG.",
    )
    app.add_middleware(
        Guard, policies=POLICIES, workers=workers, queue_wait=queue_wait, token=token, any_host=any_host
    )
    lazy = _LazyColorizer(colorizer)

    @app.exception_handler(Problem)
    async def problem(request: Request, exc: Problem) -> JSONResponse:
        return _problem_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def routing_problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Starlette's own answers (unknown path 404, wrong method 405) in the API's error shape."""
        messages = {
            404: "This backend has no such path; it may be older than its client (see /docs).",
            405: "This path does not take that method.",
        }
        message = messages.get(exc.status_code, "The request was refused.")
        return _problem_response(Problem(exc.status_code, message, headers=exc.headers))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's 422 lists the errors with their input (megabytes of base64, or an unencodable NaN)."""
        first = exc.errors()[0] if exc.errors() else {"loc": (), "type": "", "msg": "invalid request"}
        return _problem_response(Problem(400, describe(first)))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s", request.url.path)
        return _problem_response(Problem(500, "The backend failed on this request; see its log."))

    @app.get("/v2/health", response_model=HealthResponse, responses=error_responses())
    def health() -> dict[str, Any]:
        rec = lazy.get().recognizer
        return {
            "status": "ok",
            "version": __version__,
            "device": device(),
            "recognizer": {"name": rec.name, "version": rec.version},
        }

    @app.get("/v2/vocabulary", response_model=VocabularyResponse, responses=error_responses())
    def vocabulary() -> dict[str, Any]:
        return {
            "categories": list(FOREGROUND),
            "background": list(BACKGROUND),
            "parts": {k: list(v) for k, v in PARTS.items()},
            "colours": colour_names(),
        }

    @app.post(
        "/v2/parse",
        response_model=ParseResponse,
        responses=error_responses(422, *BODY_ERRORS),
        openapi_extra=_json_body(ParseRequest),
    )
    async def parse(request: Request) -> dict[str, Any]:
        req = await read_json(request, ParseRequest)
        return {"status": "ok", "parse": _parse(req.instruction).model_dump(mode="json")}

    @app.post(
        "/v2/colorize",
        response_model=ColorizeResponse,
        responses=error_responses(404, 422, *BODY_ERRORS),
        openapi_extra=_json_body(ColorizeRequest),
    )
    async def colorize(request: Request) -> dict[str, Any]:
        # The Guard admitted this request to a worker slot before its body was read; it keeps the
        # slot until the answer is sent.
        req = await read_json(request, ColorizeRequest)
        return await run_in_threadpool(lambda: colorize_step(lazy.get(), req))

    @app.post(
        "/v2/objects",
        response_model=ObjectsResponse,
        responses=error_responses(*BODY_ERRORS),
        openapi_extra=_json_body(ObjectsRequest),
    )
    async def objects(request: Request) -> dict[str, Any]:
        req = await read_json(request, ObjectsRequest)
        return await run_in_threadpool(lambda: objects_step(lazy.get(), req))

    return app


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(host: str, port: int, token: str | None) -> int:
    """Serves until interrupted. Beyond loopback, a token is required and any Host is accepted."""
    token = token or os.environ.get("LANGCOLOR_TOKEN") or None
    wide = not is_loopback(host)
    if wide and not token:
        raise ServeError(
            f"binding to {host} exposes the backend to the network: give --token or LANGCOLOR_TOKEN"
        )
    app = create_app(token=token, any_host=wide)
    log.info("device %s; listening on http://%s:%d", device(), host, port)
    uvicorn.Server(uvicorn_config(app, host, port)).run()
    return 0
