"""A LibreTranslate-compatible API (v1.9) at the root, over the same `Gazette` engine: tools that speak it
(libretranslatepy, deep-translator's LibreTranslator, Weblate) work unchanged.

    POST /translate       q (a string, or a list in JSON), source (or auto), target en, format text|html
    POST /detect          q                → [{"confidence": 0–100, "language": code}]
    GET  /languages                        → [{"code", "name", "targets"}]
    POST /translate_file  file (multipart) → {"translatedFileUrl": .../download_file/<job>-<name>}
    GET  /download_file/{name}
    GET  /frontend/settings

Fields come as JSON or as form and query string, and `api_key` is one of them; errors are
`{"error": "..."}`. Routes are thin: reading and checking is in `libre_schemas`, the work in
`markup` (shared with the DeepL adapter) and `libre_files`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from service.access import Access, Principal, QuotaExceeded
from service.compat import libre_files
from service.compat.libre_languages import ENGLISH, UNDETECTED, detected, detection, languages_out
from service.compat.libre_schemas import (
    DetectFields,
    FileFields,
    LibreError,
    TranslateFields,
    check_key,
    checked_translate,
    engine_error,
    error_response,
    languages_of,
    missing,
    parse,
    read_fields,
)
from service.compat.markup import TextFormat, translate_texts
from service.disconnect import unless_disconnected
from service.error_bodies import claim
from service.gazette import Gazette
from service.jobs.jobs import Jobs
from service.openapi_bodies import request_body
from service.pipeline.prepare import cleaned_text
from service.request_log import note_work
from service.settings import Settings
from service.text.langdetect import detect_language

# How long LibreTranslate's own page waits after typing before it translates (ms); clients read it.
FRONTEND_TIMEOUT_MS = 500
# Errors on these paths, the router's 404 and 405 and a refused body included, take LibreTranslate's body.
PATHS = ("/translate", "/detect", "/languages", "/translate_file", "/download_file/", "/frontend/settings")
T = TypeVar("T")


@dataclass(frozen=True)
class LibreState:
    settings: Settings
    engine: Gazette
    access: Access

    def served(self) -> set[str]:
        return {language.code for language in self.engine.languages()}

    def jobs(self) -> Jobs | None:
        """The engine's job store, or None where it runs no jobs (then files are not translated)."""
        try:
            return self.engine.jobs
        except RuntimeError:
            return None


router = APIRouter(tags=["LibreTranslate"])


def _state(request: Request) -> LibreState:
    state: LibreState = request.app.state.libretranslate
    return state


async def _admit(request: Request, state: LibreState, offered: str | None) -> Principal:
    """Who calls, by the `api_key` field, resolved once per request by the access policy; noted for the
    request's log line."""
    address = request.client.host if request.client else None
    principal = await check_key(state.access, offered, address)
    request.state.caller = principal
    return principal


async def _engine(work: Awaitable[T]) -> T:
    """The engine's answer, or its error as LibreTranslate's; 403, as LibreTranslate refuses a key, past
    the tenant's quota."""
    try:
        return await work
    except QuotaExceeded as error:
        raise LibreError(403, str(error)) from None
    except Exception as error:
        raise engine_error(error) from error


async def _spent(
    state: LibreState, principal: Principal, characters: int, work: Callable[[], Awaitable[T]]
) -> T:
    """`work()`, its characters reserved before it starts and settled once it ends."""
    async with state.access.spending(principal, characters):
        return await work()


@router.post("/translate", openapi_extra=request_body(TranslateFields))
async def translate(request: Request) -> JSONResponse:
    state = _state(request)
    fields, from_json = await read_fields(request)
    body = parse(TranslateFields, fields)
    principal = await _admit(request, state, body.api_key)
    checked = checked_translate(body, from_json, state.settings, state.served())
    note_work(request, checked.texts)
    text_format: TextFormat = "html" if checked.html else "text"
    characters = sum(map(len, checked.texts))
    results = await _engine(
        _spent(
            state,
            principal,
            characters,
            lambda: unless_disconnected(
                request, translate_texts(state.engine, checked.texts, checked.source, text_format)
            ),
        )
    )
    texts = [result.text for result in results]
    answer: dict[str, Any] = {"translatedText": texts if checked.batch else texts[0]}
    if checked.source == "auto":
        detections = detected(results)
        answer["detectedLanguage"] = detections if checked.batch else detections[0]
    if checked.alternatives > 0:  # asked for; a model gives one translation, so there are none
        answer["alternatives"] = [[] for _ in texts] if checked.batch else []
    return JSONResponse(answer)


@router.post("/detect", openapi_extra=request_body(DetectFields))
async def detect(request: Request) -> JSONResponse:
    state = _state(request)
    fields, _ = await read_fields(request)
    body = parse(DetectFields, fields)
    await _admit(request, state, body.api_key)
    if not body.q:
        raise missing("q")
    text = "\n".join(body.q) if isinstance(body.q, list) else body.q
    found = await asyncio.to_thread(lambda: detect_language(cleaned_text(text)))
    return JSONResponse([detection(found.language, found.confidence, text) if found else UNDETECTED])


@router.get("/languages")
async def languages(request: Request) -> JSONResponse:
    """Any body is ignored: libretranslatepy sends this GET with an (empty) form."""
    return JSONResponse(languages_out(_state(request).engine.languages()))


@router.post("/translate_file", openapi_extra=request_body(FileFields, file="file"))
async def translate_file(request: Request) -> JSONResponse:
    state = _state(request)
    fields, _ = await read_fields(request)
    body = parse(FileFields, fields)
    principal = await _admit(request, state, body.api_key)
    jobs = state.jobs()
    if jobs is None:
        raise LibreError(403, "Files translation are disabled on this server.")
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile):
        raise missing("file")
    source = languages_of(body, state.served())
    # Its characters, counted from the parsed file, are reserved before its job is stored.
    stored = await _engine(
        libre_files.translate_file(jobs, principal, upload, source, state.settings.request_timeout)
    )
    url = str(request.url_for("libre_download_file", name=quote(stored, safe="")))  # names may be Chinese
    return JSONResponse({"translatedFileUrl": url})


@router.get("/download_file/{name}", name="libre_download_file")
async def download_file(name: str, request: Request) -> Response:
    """The uploader's own files only: where the service has keys, `api_key` in the query string (as
    every LibreTranslate field may come); another tenant's file is answered as an unknown one."""
    state = _state(request)
    principal = await _admit(request, state, request.query_params.get("api_key"))
    jobs = state.jobs()
    if jobs is None:
        raise LibreError(400, "Files translation are disabled on this server.")
    return await libre_files.download(jobs, principal, name)


@router.get("/frontend/settings")
async def frontend_settings(request: Request) -> JSONResponse:
    state = _state(request)
    files = state.jobs() is not None
    keys = await state.access.keys_required()
    return JSONResponse(
        {
            "charLimit": state.settings.max_chars,
            "frontendTimeout": FRONTEND_TIMEOUT_MS,
            "apiKeys": keys,
            "keyRequired": keys,
            "suggestions": False,
            "filesTranslation": files,
            "supportedFilesFormat": libre_files.FILE_SUFFIXES if files else [],
            "language": {"source": {"code": "auto", "name": "Auto Detect"}, "target": dict(ENGLISH)},
        }
    )


def install_libretranslate(app: FastAPI, settings: Settings, engine: Gazette, access: Access) -> None:
    """The LibreTranslate routes at the root of `app`, and their error body."""

    async def on_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, LibreError)
        return error_response(error)

    app.state.libretranslate = LibreState(settings, engine, access)
    app.add_exception_handler(LibreError, on_error)
    claim(app, PATHS, lambda message: {"error": message})
    app.include_router(router)
