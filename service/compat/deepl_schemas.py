"""The edge of the DeepL adapter: reading fields as DeepL's API takes them (JSON, form or query string, `text`
repeated), checking them, its key (`Authorization: DeepL-Auth-Key KEY`) and its errors (`{"message": ...}`
with DeepL's statuses: 400, 403, 404, 413, 429, 456, 503, 504).

Written here rather than taken from `service.api` or the LibreTranslate adapter: adapters never import each
other.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from service.access import Access, KeyMissing, KeyRefused, Principal, RateLimited
from service.compat.deepl_languages import engine_source, is_english
from service.compat.markup import TextFormat, TextOptions
from service.db.errors import StoreWriteFailed
from service.disconnect import ClientGone
from service.engine.outcomes import BackendFailed, Overloaded, QueueTimeout, ShuttingDown, TooMuchWork
from service.jobs.formats import BadFile
from service.markup.rules import MarkupRules
from service.models.backend import ModelUnavailable
from service.pipeline.types import EmptyDocument, UnsupportedLanguage
from service.settings import Settings

log = logging.getLogger(__name__)
_REPEATED = frozenset({"text"})  # form fields DeepL takes more than once; the others count once
_SCHEME = "DeepL-Auth-Key "
_FORMALITIES = frozenset({"default", "more", "less", "prefer_more", "prefer_less"})
_SPLITTING = frozenset({"0", "1", "nonewlines"})


class DeepLError(Exception):
    """An answer `{"message": message}` with `status`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_body(message: str) -> dict[str, Any]:
    return {"message": message}


def error_response(error: DeepLError) -> JSONResponse:
    return JSONResponse(error_body(error.message), status_code=error.status, headers=error.headers)


def not_supported(name: str) -> DeepLError:
    return DeepLError(400, f"Value for '{name}' not supported.")


def missing(name: str) -> DeepLError:
    return DeepLError(400, f"Parameter '{name}' not specified.")


def engine_error(error: Exception) -> DeepLError:
    """What the engine raised, as DeepL would answer it. The client retries 429 and 5xx by itself."""
    if isinstance(error, DeepLError):
        return error
    if isinstance(error, ClientGone):
        return DeepLError(499, str(error))
    if isinstance(error, UnsupportedLanguage | EmptyDocument | BadFile):
        return DeepLError(400, str(error))
    if isinstance(error, TooMuchWork):
        return DeepLError(413, str(error))
    if isinstance(error, Overloaded):
        return DeepLError(429, f"Too many requests: {error}", {"Retry-After": str(error.retry_after)})
    if isinstance(error, QueueTimeout | TimeoutError):
        return DeepLError(504, "Timeout: the translation did not finish within GAZETTE_REQUEST_TIMEOUT")
    if isinstance(error, ShuttingDown | ModelUnavailable):
        return DeepLError(
            503, str(error) or "Service unavailable: the models are not ready", {"Retry-After": "5"}
        )
    if isinstance(error, BackendFailed):
        return DeepLError(500, f"Internal error: {error}")
    if isinstance(error, StoreWriteFailed):
        return DeepLError(503, f"Service unavailable: {error}", {"Retry-After": "60"})
    log.exception("unhandled error", exc_info=error)
    return DeepLError(500, "Internal error: an unexpected error occurred; it has been logged")


async def read_fields(request: Request) -> dict[str, Any]:
    """A JSON object body; else the query string and the form together, query string first (the client
    sends `type` in a form body on GET /v2/languages). `text` is a list however it came."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise DeepLError(400, "Invalid request: the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise DeepLError(400, "Invalid request: the body must be a JSON object")
        return body
    fields: dict[str, Any] = {}
    pairs = list(request.query_params.multi_items())
    if media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        pairs += [
            (name, value) for name, value in (await request.form()).multi_items() if isinstance(value, str)
        ]
    for name, value in pairs:  # files are read by the route that takes them
        if name in _REPEATED:
            fields.setdefault(name, []).append(value)
        else:
            fields.setdefault(name, value)
    return fields


Fields = TypeVar("Fields", bound=BaseModel)


def parse(model: type[Fields], fields: dict[str, Any]) -> Fields:
    """The fields as `model`; a value of the wrong kind is a 400 naming the field."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        where = error.errors()[0]["loc"]
        raise DeepLError(400, f"Value for '{where[0] if where else 'body'}' not supported.") from None


async def check_key(access: Access, authorization: str | None, address: str | None) -> Principal:
    """Who the caller is, by the key it offered (`Authorization: DeepL-Auth-Key KEY`). Where the service
    has keys, a missing or wrong one is a 403, as DeepL answers a bad key; over the caller's rate, 429 as
    DeepL answers too many requests."""
    offered = (authorization or "").strip()
    offered = offered[len(_SCHEME) :].strip() if offered.lower().startswith(_SCHEME.lower()) else ""
    try:
        return await access.principal(offered, address)
    except (KeyMissing, KeyRefused):
        raise DeepLError(
            403, "Authorization failure: send Authorization: DeepL-Auth-Key with a valid key"
        ) from None
    except RateLimited as limited:
        raise DeepLError(
            429, "Too many requests: " + str(limited), {"Retry-After": str(limited.retry_after)}
        ) from None


class LanguageFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["source", "target"] = "source"


class LanguagePairFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    source_lang: str | None = None
    target_lang: str | None = None
    formality: str | None = None
    glossary_id: str | None = None


class TranslateFields(LanguagePairFields):
    text: list[str] | None = None
    split_sentences: str | int | None = None
    preserve_formatting: bool | None = None
    tag_handling: str | None = None
    ignore_tags: str | list[str] | None = None  # comma-separated, or a list (JSON)
    non_splitting_tags: str | list[str] | None = None
    splitting_tags: str | list[str] | None = None
    outline_detection: str | int | bool | None = None
    context: str | None = None  # accepted; the models have no way to be given it

    @field_validator("text", mode="before")
    @classmethod
    def _one_text_is_a_list(cls, value: object) -> object:
        # The API takes an array; one string, as some hand-written callers send it, is a list of one.
        return [value] if isinstance(value, str) else value


@dataclass(frozen=True)
class TranslateRequest:
    """A checked `POST /v2/translate`: the engine's source code (or "auto")."""

    texts: tuple[str, ...]
    source: str
    text_format: TextFormat
    glossary_id: str | None
    options: TextOptions


def languages_of(fields: LanguagePairFields, served: set[str]) -> str:
    """The engine's source code (or "auto"); the target must be English. Formality is accepted and has
    nothing to change in English."""
    if not fields.target_lang:
        raise missing("target_lang")
    if not is_english(fields.target_lang):
        raise not_supported("target_lang")
    if fields.formality and fields.formality.lower() not in _FORMALITIES:
        raise not_supported("formality")
    if not fields.source_lang:
        if fields.glossary_id:
            raise DeepLError(400, "Use of a glossary requires the source_lang parameter to be set.")
        return "auto"
    source = engine_source(fields.source_lang, served)
    if source is None:
        raise not_supported("source_lang")
    return source


def checked_translate(fields: TranslateFields, settings: Settings, served: set[str]) -> TranslateRequest:
    if not fields.text:
        raise missing("text")
    source = languages_of(fields, served)
    if fields.split_sentences is not None and str(fields.split_sentences) not in _SPLITTING:
        raise not_supported("split_sentences")
    tags = (fields.tag_handling or "").lower()
    if tags not in ("", "html", "xml"):
        raise not_supported("tag_handling")
    if len(fields.text) > settings.max_items:
        raise DeepLError(
            413, f"Request Entity Too Large: {len(fields.text)} texts; at most {settings.max_items}"
        )
    for text in fields.text:
        if len(text) > settings.max_chars:
            raise DeepLError(
                413,
                f"Request Entity Too Large: a text of {len(text)} characters; at most {settings.max_chars}",
            )
    text_format: TextFormat = "xml" if tags == "xml" else "html" if tags == "html" else "text"
    options = _text_options(fields, text_format)
    return TranslateRequest(tuple(fields.text), source, text_format, fields.glossary_id or None, options)


def _tag_names(value: str | list[str] | None) -> frozenset[str]:
    items = value if isinstance(value, list) else (value or "").split(",")
    return frozenset(name.strip().lower() for item in items for name in item.split(",") if name.strip())


def _text_options(fields: TranslateFields, text_format: TextFormat) -> TextOptions:
    """DeepL's reading options. Markup is read without splitting at line breaks whatever
    `split_sentences` says (line breaks in markup are layout), as DeepL does for tag_handling."""
    outline = str(fields.outline_detection).lower() not in ("0", "false")
    rules = MarkupRules(
        xml=text_format == "xml",
        splitting=_tag_names(fields.splitting_tags),
        non_splitting=_tag_names(fields.non_splitting_tags),
        ignored=_tag_names(fields.ignore_tags),
        outline_detection=outline,
    )
    split = str(fields.split_sentences) if fields.split_sentences is not None else "1"
    return TextOptions(
        rules=rules,
        split_sentences="0" if split == "0" else "nonewlines" if split == "nonewlines" else "1",
        preserve_formatting=bool(fields.preserve_formatting),
    )
