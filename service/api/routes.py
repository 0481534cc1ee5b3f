"""HTTP routes: thin adapters from request bodies to the pipeline and back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from service.access import Access, KeyMissing, KeyRefused, Principal, QuotaExceeded, RateLimited
from service.api.bodies import document_out, model_out, summary_out
from service.api.disconnect import unless_disconnected
from service.api.errors import APIError, error_response
from service.api.metrics import Metrics
from service.api.schemas import (
    ErrorBody,
    SummarizeRequest,
    SummarizeResponse,
    TranslateRequest,
    TranslateResponse,
    UsageOut,
)
from service.api.streaming import EVENTS_DESCRIPTION, STREAMED, event_stream, wants_stream
from service.gazette import Gazette
from service.jobs.formats import BadFile
from service.markup.documents import Prepared, in_its_format, prepare
from service.markup.placeholders import strip_markers
from service.models.profiles import PROFILES
from service.pipeline.events import Listener
from service.pipeline.summarize import SummarizedDocument, SummarizeJob
from service.pipeline.translate import TranslateJob
from service.pipeline.types import TranslatedDocument
from service.request_log import note_work
from service.settings import Settings
from service.usage_store import Reservation


@dataclass(frozen=True)
class AppState:
    settings: Settings
    engine: Gazette
    metrics: Metrics
    access: Access


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.gazette
    return state


State = Annotated[AppState, Depends(get_state)]


async def require_key(
    request: Request,
    state: State,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal:
    """Who calls (`Authorization: Bearer KEY` or `X-API-Key`), resolved once per request by the access
    policy; noted on the request for the log and for the routes (`principal_of`)."""
    if getattr(request.state, "caller", None) is not None:
        return principal_of(request)  # a router's dependency and a route's own: resolved once
    offered = x_api_key or (authorization or "").removeprefix("Bearer ").strip()
    address = request.client.host if request.client else None
    try:
        request.state.caller = await state.access.principal(offered, address)
    except (KeyMissing, KeyRefused):
        raise APIError(401, "unauthorized", "a valid API key is needed (Authorization: Bearer KEY)") from None
    except RateLimited as limited:
        raise APIError(429, "rate_limited", str(limited), {"Retry-After": str(limited.retry_after)}) from None
    return principal_of(request)


def principal_of(request: Request) -> Principal:
    principal: Principal = request.state.caller
    return principal


@asynccontextmanager
async def spending(access: Access, principal: Principal, texts: Sequence[str]) -> AsyncIterator[None]:
    """The characters of `texts` reserved for the block (403 `quota_exceeded` past the quota), charged
    if it succeeds, given back if it fails."""
    try:
        async with access.spending(principal, sum(map(len, texts))):
            yield
    except QuotaExceeded as error:
        raise APIError(403, "quota_exceeded", str(error)) from None


async def reserve(access: Access, principal: Principal, texts: Sequence[str]) -> Reservation:
    """The characters of `texts` reserved for work that settles on its own (a stream); 403 past the quota."""
    try:
        return await access.reserve(principal, sum(map(len, texts)))
    except QuotaExceeded as error:
        raise APIError(403, "quota_exceeded", str(error)) from None


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 413, 415, 422, 429, 500, 503, 504)
}
api = APIRouter(prefix="/v1", responses=ERRORS, dependencies=[Depends(require_key)])
probes = APIRouter()


def check_limits(body: TranslateRequest, settings: Settings) -> None:
    documents = body.documents()
    if len(documents) > settings.max_items:
        raise APIError(413, "payload_too_large", f"{len(documents)} documents; at most {settings.max_items}")
    for index, document in enumerate(documents):
        if len(document) > settings.max_chars:
            raise APIError(
                413,
                "payload_too_large",
                f"document {index} has {len(document)} characters; at most {settings.max_chars}",
            )


async def glossary_of(
    state: AppState, principal: Principal, glossary_id: str | None, own: dict[str, str]
) -> dict[str, str]:
    """The request's glossary over the stored one of the principal's it names (by `glossary_id`), if any."""
    if glossary_id is None:
        return own
    stored = await state.engine.glossaries.get(principal.tenant, glossary_id)
    if stored is None:
        raise APIError(404, "not_found", f"no glossary {glossary_id!r}")
    return {**stored.mapping(), **own}


async def markup_of(body: TranslateRequest) -> list[Prepared] | None:
    """For `format` html or xml, each document as the engine's lines (runs of text, placeholders
    for their inline elements); None for plain text, which goes to the engine as it came."""
    if body.format == "text":
        return None
    try:
        return await asyncio.to_thread(lambda: [prepare(text, body.format) for text in body.documents()])
    except BadFile as error:
        raise APIError(422, "invalid_request", str(error)) from None


@api.post("/translate", response_model=TranslateResponse, responses=STREAMED, description=EVENTS_DESCRIPTION)
async def translate(body: TranslateRequest, state: State, request: Request) -> Any:
    check_limits(body, state.settings)
    note_work(request, body.documents())
    principal = principal_of(request)
    glossary = await glossary_of(state, principal, body.glossary_id, body.glossary)
    prepared = await markup_of(body)
    texts = [item.text for item in prepared] if prepared else body.documents()
    jobs = [TranslateJob(text, body.source_lang, body.target_lang, glossary) for text in texts]

    def work(listener: Listener | None = None) -> Awaitable[list[TranslatedDocument]]:
        return state.engine.translate(jobs, tenant=principal.tenant, listener=listener)

    def answer(documents: list[TranslatedDocument]) -> TranslateResponse:
        if prepared:
            documents = [  # a document that failed carries its error, not a rebuilt page
                replace(document, translation=in_its_format(document, item))
                if document.error is None
                else document
                for document, item in zip(documents, prepared, strict=True)
            ]
        state.metrics.documents.inc(len(documents))
        state.metrics.segments.inc(sum(len(document.segments) for document in documents))
        return TranslateResponse(
            documents=[document_out(d) for d in documents], model=model_out(state.engine, documents)
        )

    if wants_stream(body.stream, request):
        reservation = await reserve(state.access, principal, body.documents())
        return event_stream(work, answer, state.access, reservation)
    async with spending(state.access, principal, body.documents()):
        return answer(await unless_disconnected(request, work()))


@api.post(
    "/summarize",
    response_model=SummarizeResponse,
    response_model_exclude_unset=True,
    responses=STREAMED,
    description=EVENTS_DESCRIPTION,
)
async def summarize(body: SummarizeRequest, state: State, request: Request) -> Any:
    check_limits(body, state.settings)
    note_work(request, body.documents())
    principal = principal_of(request)
    glossary = await glossary_of(state, principal, body.glossary_id, body.glossary)
    prepared = await markup_of(body)
    texts = [strip_markers(item.text) for item in prepared] if prepared else body.documents()
    jobs = [
        SummarizeJob(TranslateJob(text, body.source_lang, body.target_lang, glossary), body.bullets)
        for text in texts
    ]

    def work(listener: Listener | None = None) -> Awaitable[list[SummarizedDocument]]:
        return state.engine.summarize(jobs, tenant=principal.tenant, listener=listener)

    def answer(done: list[SummarizedDocument]) -> SummarizeResponse:
        state.metrics.documents.inc(len(done))
        state.metrics.segments.inc(sum(len(item.document.segments) for item in done))
        return SummarizeResponse(
            documents=[summary_out(item, body.include_translation) for item in done],
            model=model_out(state.engine, [item.document for item in done], done),
        )

    if wants_stream(body.stream, request):
        reservation = await reserve(state.access, principal, body.documents())
        return event_stream(work, answer, state.access, reservation)
    async with spending(state.access, principal, body.documents()):
        return answer(await unless_disconnected(request, work()))


@api.get("/usage", response_model=UsageOut)
async def usage(state: State, request: Request) -> UsageOut:
    """What the caller's tenant has had translated (every API family), has reserved, and may."""
    principal = principal_of(request)
    used = await state.access.usage(principal)
    return UsageOut(
        tenant=principal.tenant,
        characters_used=used.characters,
        characters_reserved=used.reserved,
        character_limit=principal.quota,
        rate_limit=principal.rate,
    )


@api.get("/languages")
async def languages(state: State) -> dict[str, Any]:
    sources = [asdict(language) for language in state.engine.languages()]
    return {"source": sources, "target": [{"code": "en", "name": "English"}]}


@api.get("/models")
async def models(state: State) -> dict[str, Any]:
    active = state.engine.profile
    return {
        "profile": active.profile.name if active else state.settings.profile,
        "profile_reason": active.reason if active else None,
        "ready": state.engine.ready,
        "error": state.engine.error,
        "loaded": [asdict(info) for info in state.engine.loaded()],
        "profiles": [asdict(profile) for profile in PROFILES.values()],
    }


@probes.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@probes.get("/readyz", responses={503: {"model": ErrorBody}})
async def readyz(state: State) -> Response:
    if not state.engine.ready:
        message = state.engine.error or "models are still loading"
        return error_response(503, "not_ready", message, {"Retry-After": "5"})
    # Jobs, glossaries, keys and usage are in it: a replica whose database is gone is taken out of the
    # load balancer's rotation rather than answering 503 to what needs it.
    if (problem := await state.engine.database_error()) is not None:
        return error_response(
            503, "not_ready", f"the database is unreachable: {problem}", {"Retry-After": "5"}
        )
    return JSONResponse({"status": "ready", "model": model_out(state.engine).model_dump()})


@probes.get("/metrics", response_class=PlainTextResponse)
async def metrics(state: State) -> Response:
    for tenant, characters in (await asyncio.to_thread(state.access.usage_store.all_usage)).items():
        state.metrics.tenant_characters.labels(tenant=tenant).set(characters)
    return Response(state.metrics.render(), media_type="text/plain; version=0.0.4")
