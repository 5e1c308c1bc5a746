"""The FastAPI application: the built web application, the generic JSON API, SSE events and development login."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from google.protobuf import json_format

from console.server import login
from console.server.channels import StreamChannels, gateway_channel
from console.server.config import ConsoleSettings
from console.server.errors import bad_request, error_body, from_rpc_error
from console.server.events import EventSession
from console.server.methods import call, request_from_json, response_to_json, unary_methods
from services.common.settings import Settings, load_settings

NOT_BUILT = "<!doctype html><meta charset=utf-8><title>console</title><p>The web application is not built: run <code>make console</code>.</p>"


def _metadata(request: Request) -> tuple[tuple[str, str], ...]:
    """The caller's bearer token, passed through to the gateway unchanged."""
    authorization = request.headers.get("authorization", "")
    return (("authorization", authorization),) if authorization else ()


def _json(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def create_app(settings: ConsoleSettings, suite: Settings | None = None) -> FastAPI:
    """The console application over the gateway the settings name."""
    suite_settings = suite or load_settings()
    gateway_address = settings.gateway or suite_settings.address_of("gateway")
    methods = unary_methods()
    state: dict[str, grpc.aio.Channel] = {}
    streams = StreamChannels(gateway_address)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state["channel"] = gateway_channel(gateway_address)
        try:
            yield
        finally:
            await state["channel"].close(None)
            await streams.close()

    app = FastAPI(title="Emergency command console", lifespan=lifespan, docs_url="/api/docs", openapi_url="/api/openapi.json")

    @app.get("/api/v1/config")
    async def config() -> dict[str, Any]:
        """What the application needs to know about this server: methods present, login allowed, tiles."""
        return {
            "methods": sorted(methods),
            "requestFields": {name: sorted(m.request_fields) for name, m in sorted(methods.items())},
            "developmentLogin": suite_settings.environment == "embedded",
            "roles": login.ROLES,
            "tileUrl": settings.tile_url,
            "gateway": gateway_address,
        }

    @app.post("/api/v1/login")
    async def development_login(request: Request) -> JSONResponse:
        """Mint a development token for a chosen role (embedded run only; elsewhere tokens come from the issuer)."""
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _json(*bad_request("the body is not JSON"))
        return _json(*login.mint(suite_settings, body if isinstance(body, dict) else {}))

    @app.get("/api/v1/events")
    async def events(request: Request, exercise_id: str = "") -> Response:
        """Domain events as SSE; the id of each is the position to resume from."""
        last_event_id = request.headers.get("last-event-id", "") or request.query_params.get("last_event_id", "")
        channel = streams.acquire()
        session = EventSession(channel, _metadata(request), exercise_id, last_event_id, settings)
        session.start()
        refusal = await session.first_refusal()
        if refusal is not None:
            await session.close()
            streams.release(channel)
            return _json(*refusal)

        async def stream() -> AsyncIterator[str]:
            try:
                async for item in session.frames():
                    yield item
            finally:
                await session.close()
                streams.release(channel)

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    @app.post("/api/v1/{method_name}")
    async def unary(method_name: str, request: Request) -> JSONResponse:
        """Any unary gateway method: proto3 JSON in, proto3 JSON out, gRPC status as HTTP status."""
        method = methods.get(method_name)
        if method is None:
            return _json(404, error_body(404, "NOT_FOUND", f"no unary gateway method {method_name!r}; see /api/v1/config"))
        raw = await request.body()
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                return _json(*bad_request("the body must be a JSON object"))
            message = request_from_json(method, body, request.headers.get("idempotency-key", ""))
        except json.JSONDecodeError as exc:
            return _json(*bad_request(f"the body is not JSON: {exc}"))
        except json_format.ParseError as exc:
            return _json(*bad_request(str(exc)))
        try:
            response = await call(state["channel"], method, message, _metadata(request), settings.call_timeout_s)
        except grpc.aio.AioRpcError as error:
            return _json(*from_rpc_error(error))
        return _json(200, response_to_json(response))

    if (settings.static_dir / "index.html").exists():
        app.mount("/", StaticFiles(directory=settings.static_dir, html=True), name="web")
    else:

        @app.get("/")
        async def not_built() -> HTMLResponse:
            return HTMLResponse(NOT_BUILT, status_code=503)

    return app
