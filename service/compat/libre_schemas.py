"""The edge of the LibreTranslate adapter: reading fields as its server does, checking them, its key and
its errors (`{"error": "..."}`, with LibreTranslate's own statuses and wording).

Written here rather than taken from `service.api`: adapters never import each other.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError

from service.access import Access, KeyMissing, KeyRefused, Principal, RateLimited
from service.compat.libre_languages import engine_source, is_english
from service.db.errors import StoreWriteFailed
from service.disconnect import ClientGone
from service.engine.outcomes import BackendFailed, Overloaded, QueueTimeout, ShuttingDown, TooMuchWork
from service.jobs.formats import BadFile
from service.models.backend import ModelUnavailable
from service.pipeline.types import EmptyDocument, UnsupportedLanguage
from service.settings import Settings

log = logging.getLogger(__name__)


class LibreError(Exception):
    """An answer `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(error: LibreError) -> JSONResponse:
    return JSONResponse({"error": error.message}, status_code=error.status, headers=error.headers)


def missing(name: str) -> LibreError:
    return LibreError(400, f"Invalid request: missing {name} parameter")


def engine_error(error: Exception) -> LibreError:
    """What the engine raised, as LibreTranslate would answer it."""
    if isinstance(error, LibreError):
        return error
    if isinstance(error, ClientGone):
        return LibreError(499, str(error))
    if isinstance(error, UnsupportedLanguage | EmptyDocument | TooMuchWork | BadFile):
        return LibreError(400, str(error))
    if isinstance(error, Overloaded):
        return LibreError(429, f"Slowdown: {error}", {"Retry-After": str(error.retry_after)})
    if isinstance(error, QueueTimeout | TimeoutError):
        return LibreError(504, "Cannot translate text: it did not finish within GAZETTE_REQUEST_TIMEOUT")
    if isinstance(error, ShuttingDown | ModelUnavailable):
        return LibreError(503, str(error) or "the models are not ready", {"Retry-After": "5"})
    if isinstance(error, BackendFailed):
        return LibreError(500, f"Cannot translate text: {error}")
    if isinstance(error, StoreWriteFailed):
        return LibreError(503, f"Service unavailable: {error}", {"Retry-After": "60"})
    log.exception("unhandled error", exc_info=error)
    return LibreError(500, "Cannot translate text: an unexpected error occurred; it has been logged")


async def read_fields(request: Request) -> tuple[dict[str, Any], bool]:
    """(the request's fields, whether they came as JSON). As LibreTranslate (Flask) reads them: a JSON body,
    or else the query string and the form together, the query string first (deep-translator sends
    everything in the query string, with an empty body; libretranslatepy sends a form)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise LibreError(400, "Invalid JSON format") from None
        if not isinstance(body, dict):
            raise LibreError(400, "Invalid JSON format")
        return body, True
    fields: dict[str, Any] = dict(request.query_params)
    for name, value in (await request.form()).multi_items():
        if isinstance(value, str):  # files are read by the route that takes them
            fields.setdefault(name, value)
    return fields, False


Fields = TypeVar("Fields", bound=BaseModel)


def parse(model: type[Fields], fields: dict[str, Any]) -> Fields:
    """The fields as `model`; a value of the wrong kind is a 400 naming the field, as LibreTranslate's."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        where = error.errors()[0]["loc"]
        name = str(where[0]) if where else "body"
        if name == "alternatives":
            raise LibreError(400, "Invalid request: alternatives parameter is not a number") from None
        raise LibreError(400, f"Invalid request: {name} parameter is not valid") from None


async def check_key(access: Access, offered: str | None, address: str | None) -> Principal:
    """Who the caller is, by its `api_key` field. Where the service has keys, a missing or wrong one is a
    403 as LibreTranslate answers; over the caller's rate, 429, as LibreTranslate's own limiter answers."""
    try:
        return await access.principal(offered, address)
    except KeyMissing:
        raise LibreError(403, "Please contact the server operator to get an API key") from None
    except KeyRefused:
        raise LibreError(403, "Invalid API key") from None
    except RateLimited as limited:
        raise LibreError(
            429, "Slowdown: " + str(limited), {"Retry-After": str(limited.retry_after)}
        ) from None


class KeyFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    api_key: str | None = None


class DetectFields(KeyFields):
    q: str | list[str] | None = None


class FileFields(KeyFields):
    source: str | None = None
    target: str | None = None


class TranslateFields(FileFields):
    q: str | list[str] | None = None
    format: str | None = None
    alternatives: int = 0


@dataclass(frozen=True)
class TranslateRequest:
    """A checked `POST /translate`: `texts` (one unless `batch`), the engine's source code."""

    texts: list[str]
    batch: bool
    source: str
    html: bool
    alternatives: int


def languages_of(fields: FileFields, served: set[str]) -> str:
    """The engine's source code; the target must be English. LibreTranslate's order and wording."""
    if not fields.source:
        raise missing("source")
    if not fields.target:
        raise missing("target")
    source = engine_source(fields.source, served)
    if source is None:
        raise LibreError(400, f"{fields.source} is not supported")
    if not is_english(fields.target):
        raise LibreError(400, f"{fields.target} is not supported")
    return source


def checked_translate(
    fields: TranslateFields, from_json: bool, settings: Settings, served: set[str]
) -> TranslateRequest:
    if not fields.q:
        raise missing("q")
    texts = fields.q if isinstance(fields.q, list) else [fields.q]
    if not from_json:  # LibreTranslate makes form input's line endings LF before counting characters
        texts = ["\n".join(text.splitlines()) for text in texts]
    source = languages_of(fields, served)
    if isinstance(fields.q, list) and len(texts) > settings.max_items:
        raise LibreError(
            400, f"Invalid request: request ({len(texts)}) exceeds text limit ({settings.max_items})"
        )
    for text in texts:
        if len(text) > settings.max_chars:
            raise LibreError(
                400, f"Invalid request: request ({len(text)}) exceeds text limit ({settings.max_chars})"
            )
    text_format = fields.format or "text"
    if text_format not in ("text", "html"):
        raise LibreError(400, f"{text_format} format is not supported")
    return TranslateRequest(
        texts, isinstance(fields.q, list), source, text_format == "html", max(0, fields.alternatives)
    )
