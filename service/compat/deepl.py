"""A DeepL-compatible API (v2) under `/v2`, over the same `Gazette` engine: DeepL's official clients (and
tools built on them) work unchanged once pointed at it (`server_url`).

    POST     /v2/translate                   text (repeated), target_lang EN|EN-GB|EN-US, source_lang, ...
    GET|POST /v2/languages                   type=source|target
    GET      /v2/glossary-language-pairs
    GET|POST /v2/usage                       character_count, character_limit (per key)
    POST     /v2/glossaries                  name, source_lang, target_lang, entries, entries_format tsv|csv
    GET      /v2/glossaries[/{id}[/entries]] DELETE /v2/glossaries/{id}
    POST     /v2/document                    multipart: file, ... → document_id, document_key
    POST     /v2/document/{id}[/result]      document_key → status, or the translated file

Every route wants `Authorization: DeepL-Auth-Key KEY` (one of GAZETTE_API_KEYS, when set); errors are
`{"message": "..."}`. Text is translated at interactive priority, documents as jobs at bulk priority.
Routes are thin: reading and checking is in `deepl_schemas`, the rest in `deepl_glossaries`,
`deepl_documents`, `markup` and `files` (the last two shared with the LibreTranslate adapter).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from service.access import Access, Principal, QuotaExceeded
from service.compat import deepl_documents
from service.compat.deepl_documents import DocumentFields, DocumentKeyFields, document_options
from service.compat.deepl_glossaries import (
    GlossaryFields,
    checked_glossary,
    entries_tsv,
    glossary_out,
    wants_tsv,
)
from service.compat.deepl_languages import (
    ENGLISH,
    deepl_code,
    glossary_pairs,
    source_languages,
    target_languages,
)
from service.compat.deepl_schemas import (
    DeepLError,
    LanguageFields,
    TranslateFields,
    TranslateRequest,
    check_key,
    checked_translate,
    engine_error,
    error_response,
    languages_of,
    missing,
    parse,
    read_fields,
)
from service.compat.deepl_store import DeepLStore
from service.compat.inflight import InFlight
from service.compat.markup import translate_texts
from service.disconnect import ClientGone, unless_disconnected
from service.error_bodies import claim
from service.gazette import Gazette
from service.glossary.store import StoredGlossary
from service.jobs.jobs import Jobs
from service.openapi_bodies import request_body
from service.request_log import note_work
from service.settings import Settings

# What a key without a quota is told it may use: DeepL's own figure for an account without a cost limit.
UNLIMITED = 1_000_000_000_000
Translations = list[dict[str, Any]]


class DeepLState:
    def __init__(self, settings: Settings, engine: Gazette, access: Access) -> None:
        self.settings = settings
        self.engine = engine
        self.access = access
        self.in_flight: InFlight[Translations] = InFlight()
        self._store: DeepLStore | None = None

    @property
    def store(self) -> DeepLStore:
        """Usage and document keys, in the jobs' SQLite file; opened on first use."""
        if self._store is None:
            self._store = DeepLStore(self.settings.jobs_db())
        return self._store

    def served(self) -> set[str]:
        return {language.code for language in self.engine.languages()}

    def jobs(self) -> Jobs:
        try:
            return self.engine.jobs
        except RuntimeError:
            raise DeepLError(400, "Document translation is not available: this server runs no jobs") from None

    async def glossary(self, principal: Principal, glossary_id: str) -> StoredGlossary:
        """The principal's glossary; another's is answered as an unknown one."""
        glossary = await self.engine.glossaries.get(principal.tenant, glossary_id)
        if glossary is None:
            raise DeepLError(404, "Glossary not found")
        return glossary

    async def glossary_for(
        self, principal: Principal, glossary_id: str | None, source: str
    ) -> Mapping[str, str]:
        """The stored glossary's entries; its source language must be the request's."""
        if glossary_id is None:
            return {}
        glossary = await self.glossary(principal, glossary_id)
        if glossary.source_lang != source:
            raise DeepLError(400, "The glossary's language pair does not match the request's")
        return glossary.mapping()


router = APIRouter(prefix="/v2", tags=["DeepL"])


async def _caller(request: Request) -> tuple[DeepLState, Principal]:
    """The adapter's state and who calls, resolved once per request by the access policy."""
    state: DeepLState = request.app.state.deepl
    address = request.client.host if request.client else None
    principal = await check_key(state.access, request.headers.get("authorization"), address)
    request.state.caller = principal  # for the request's log line, which never holds the key itself
    return state, principal


def _identity(principal: Principal, fields: dict[str, Any]) -> str:
    """Two requests with this in common are the same request (a client's resend)."""
    canonical = json.dumps([principal.tenant, fields], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _translate(
    state: DeepLState, principal: Principal, checked: TranslateRequest, glossary: Mapping[str, str]
) -> Translations:
    """The work of one `/v2/translate`, whoever of its identical requests started it (so a client's resend
    is not charged again); 456, as DeepL answers, past the tenant's quota."""
    try:
        async with state.access.spending(principal, sum(len(text) for text in checked.texts)):
            results = await translate_texts(
                state.engine, checked.texts, checked.source, checked.text_format, glossary, checked.options
            )
    except QuotaExceeded as error:
        raise DeepLError(456, str(error)) from None
    except Exception as error:
        raise engine_error(error) from error
    # A text with nothing to translate was detected as nothing: the language asked for, else English.
    undetected = deepl_code(checked.source if checked.source != "auto" else ENGLISH)
    return [
        {
            "detected_source_language": deepl_code(result.document.source_lang)
            if result.document
            else undetected,
            "text": result.text,
            "billed_characters": len(text),  # the client reads it, and fails without it
        }
        for text, result in zip(checked.texts, results, strict=True)
    ]


@router.post("/translate", openapi_extra=request_body(TranslateFields))
async def translate(request: Request) -> JSONResponse:
    state, principal = await _caller(request)
    fields = await read_fields(request)
    checked = checked_translate(parse(TranslateFields, fields), state.settings, state.served())
    glossary = await state.glossary_for(principal, checked.glossary_id, checked.source)
    note_work(request, checked.texts)
    try:
        work = await unless_disconnected(
            request,
            state.in_flight.run(
                _identity(principal, fields), lambda: _translate(state, principal, checked, glossary)
            ),
        )
    except ClientGone as gone:
        raise engine_error(gone) from None
    return JSONResponse({"translations": work})


@router.get("/languages")
@router.post("/languages")
async def languages(request: Request) -> JSONResponse:
    """`type` may come in the query string or, as the official client sends it, in a form body on GET."""
    state, _ = await _caller(request)
    kind = parse(LanguageFields, await read_fields(request)).type
    return JSONResponse(
        source_languages(state.engine.languages()) if kind == "source" else target_languages()
    )


@router.get("/glossary-language-pairs")
async def glossary_language_pairs(request: Request) -> JSONResponse:
    state, _ = await _caller(request)
    return JSONResponse({"supported_languages": glossary_pairs(state.engine.languages())})


@router.get("/usage")
@router.post("/usage")
async def usage(request: Request) -> JSONResponse:
    state, principal = await _caller(request)
    used = await state.access.usage(principal)
    return JSONResponse({"character_count": used.characters, "character_limit": principal.quota or UNLIMITED})


@router.post("/glossaries", status_code=201, openapi_extra=request_body(GlossaryFields))
async def create_glossary(request: Request) -> JSONResponse:
    """Answered once the glossary is committed."""
    state, principal = await _caller(request)
    name, source, entries = checked_glossary(
        parse(GlossaryFields, await read_fields(request)), state.served()
    )
    glossary = await state.engine.glossaries.create(principal.tenant, name, source, ENGLISH, entries)
    return JSONResponse(glossary_out(glossary), status_code=201)


@router.get("/glossaries")
async def list_glossaries(request: Request) -> JSONResponse:
    state, principal = await _caller(request)
    return JSONResponse(
        {"glossaries": [glossary_out(g) for g in await state.engine.glossaries.all(principal.tenant)]}
    )


@router.get("/glossaries/{glossary_id}")
async def get_glossary(glossary_id: str, request: Request) -> JSONResponse:
    state, principal = await _caller(request)
    return JSONResponse(glossary_out(await state.glossary(principal, glossary_id)))


@router.get("/glossaries/{glossary_id}/entries")
async def glossary_entries(glossary_id: str, request: Request) -> Response:
    state, principal = await _caller(request)
    if not wants_tsv(request.headers.get("accept")):
        raise DeepLError(415, "Unsupported Media Type: entries are given as text/tab-separated-values")
    tsv = entries_tsv(await state.glossary(principal, glossary_id))
    return Response(tsv, media_type="text/tab-separated-values; charset=utf-8")


@router.delete("/glossaries/{glossary_id}", status_code=204)
async def delete_glossary(glossary_id: str, request: Request) -> Response:
    state, principal = await _caller(request)
    if not await state.engine.glossaries.delete(principal.tenant, glossary_id):
        raise DeepLError(404, "Glossary not found")
    return Response(status_code=204)


@router.post("/document", openapi_extra=request_body(DocumentFields, file="file"))
async def upload_document(request: Request) -> JSONResponse:
    """Answered once the document's job is stored; the client then asks for its status."""
    state, principal = await _caller(request)
    fields = parse(DocumentFields, await read_fields(request))
    file = (await request.form()).get("file")
    if not isinstance(file, UploadFile):
        raise missing("file")
    source = languages_of(fields, state.served())
    glossary = await state.glossary_for(principal, fields.glossary_id, source)
    options = document_options(source, glossary)
    try:  # its characters, counted from the parsed file, are reserved before its job is stored
        answer = await deepl_documents.upload(state.jobs(), principal, state.store, file, fields, options)
    except QuotaExceeded as error:
        raise DeepLError(456, str(error)) from None
    return JSONResponse(answer)


@router.post("/document/{document_id}", openapi_extra=request_body(DocumentKeyFields))
async def document_status(document_id: str, request: Request) -> JSONResponse:
    state, principal = await _caller(request)
    fields = parse(DocumentFields, await read_fields(request))
    found = await deepl_documents.status(
        state.jobs(), principal, state.store, document_id, fields.document_key
    )
    return JSONResponse(found)


@router.post("/document/{document_id}/result", openapi_extra=request_body(DocumentKeyFields))
async def document_result(document_id: str, request: Request) -> Response:
    state, principal = await _caller(request)
    fields = parse(DocumentFields, await read_fields(request))
    return await deepl_documents.result(
        state.jobs(), principal, state.store, document_id, fields.document_key
    )


def install_deepl(app: FastAPI, settings: Settings, engine: Gazette, access: Access) -> None:
    """The DeepL routes under `/v2` of `app`, and their error body."""

    async def on_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DeepLError)
        return error_response(error)

    state = app.state.deepl = DeepLState(settings, engine, access)
    engine.on_jobs_deleted(lambda job_ids: state.store.forget(job_ids))  # a document is its job
    app.add_exception_handler(DeepLError, on_error)
    # The router's 404 and 405 and a refused body under /v2 take DeepL's body too.
    claim(app, ("/v2", "/v2/"), lambda message: {"message": message})
    app.include_router(router)
