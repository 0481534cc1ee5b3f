"""`create_app(settings)`: the HTTP server, composing its sibling adapters over one `Gazette` engine: the
`/v1` API and its jobs, the probes, the web form at `/`, and the LibreTranslate- and DeepL-compatible APIs. None
of them imports another."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

from service.access import Principal
from service.api.errors import install_error_handlers
from service.api.jobs import jobs_api
from service.api.limits import BodyLimitMiddleware
from service.api.memory import memory_api
from service.api.metrics import Metrics
from service.api.routes import AppState, api, probes
from service.compat.deepl import install_deepl
from service.compat.deepl_schemas import error_body as deepl_error_body
from service.compat.libretranslate import install_libretranslate
from service.gazette import Gazette
from service.request_log import RequestLog
from service.settings import Settings
from service.web.form import install_web_form

log = logging.getLogger(__name__)


def create_app(settings: Settings, engine: Gazette | None = None) -> FastAPI:
    """The app over `engine` (by default a new `Gazette` on these settings, running jobs), which it
    starts and stops."""
    metrics = Metrics()
    engine = engine or Gazette(settings, run_jobs=True)
    engine.on_batch(metrics.observe_batch)
    metrics.track_queue(engine.queue_depth)
    access = engine.access  # who calls and what they may spend: one policy for every API family
    state = AppState(settings=settings, engine=engine, metrics=metrics, access=access)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(access.start)  # before any request: give back a stopped process's
        heartbeat = asyncio.create_task(access.keep_reservations(), name="reservation-leases")
        try:
            async with engine:  # models load in the background; leaving answers every waiting caller
                yield
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            access.close()

    app = FastAPI(
        title="Gazette",
        version="0.1.0",
        summary="Translation of foreign-language government news into English, with local models.",
        lifespan=lifespan,
    )
    app.state.gazette = state
    install_error_handlers(app)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, error_bodies={"/v2/": deepl_error_body}
    )

    @app.middleware("http")
    async def count_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        state.metrics.requests.labels(route=path, status=str(response.status_code)).inc()
        return response

    app.include_router(api)
    app.include_router(jobs_api)
    app.include_router(memory_api)
    app.include_router(probes)
    install_web_form(app, settings, engine)
    install_libretranslate(app, settings, engine, access)
    install_deepl(app, settings, engine, access)
    if settings.cors_origins:  # off unless asked for: no browser page elsewhere may call with a user's key
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Location"],
        )

    def count_use(caller: Principal, characters: int) -> None:
        metrics.observe_caller(caller.tenant, characters)

    app.add_middleware(RequestLog, on_done=count_use)  # outermost: every answer gets its id and line
    return app
