"""`create_app(settings)`: the FastAPI application, built from settings passed in."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from service.api.errors import install_error_handlers
from service.api.limits import BodyLimitMiddleware
from service.api.metrics import Metrics
from service.api.routes import AppState, api, probes
from service.engine.registry import ModelRegistry
from service.pipeline.summarize import SummarizationPipeline
from service.pipeline.translate import TranslationPipeline
from service.settings import Settings

log = logging.getLogger(__name__)


def build_state(settings: Settings) -> AppState:
    metrics = Metrics()
    registry = ModelRegistry(settings, observer=metrics.observe_batch)
    metrics.track_queue(registry.queue_depth)
    pipeline = TranslationPipeline(
        registry, token_budget=settings.max_segment_tokens, timeout=settings.request_timeout
    )
    summarizer = SummarizationPipeline(pipeline, registry, timeout=settings.request_timeout)
    return AppState(
        settings=settings, registry=registry, pipeline=pipeline, metrics=metrics, summarizer=summarizer
    )


def create_app(settings: Settings) -> FastAPI:
    state = build_state(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Models load in the background: /healthz answers at once, /readyz says 503 until loaded.
        loading = asyncio.create_task(state.registry.startup(), name="load-models")
        yield
        loading.cancel()
        await asyncio.gather(loading, return_exceptions=True)
        await state.registry.shutdown()

    app = FastAPI(
        title="Gazette",
        version="0.1.0",
        summary="Translation of foreign-language government news into English, with local models.",
        lifespan=lifespan,
    )
    app.state.gazette = state
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)

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
    app.include_router(probes)
    return app
