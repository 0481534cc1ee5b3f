"""One error body for every failure: {"error": {"code": "snake_case", "message": "for a person"}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.db.errors import StoreWriteFailed
from service.engine.outcomes import BackendFailed, Overloaded, QueueTimeout, ShuttingDown, TooMuchWork
from service.error_bodies import claimed_body, error_body
from service.models.backend import ModelUnavailable
from service.pipeline.types import EmptyDocument, UnsupportedLanguage

log = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "overloaded",
    503: "not_ready",
    504: "timeout",
}


class APIError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _describe_validation(errors: list[Any]) -> str:
    if any(error.get("type") == "json_invalid" for error in errors):
        return "the body is not valid JSON"
    parts = []
    for error in errors[:5]:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts) or "the request is not valid"


def _unreadable(detail: str) -> str:
    # FastAPI's words for a JSON body that is not UTF-8 (its other parse errors are 422 already).
    if detail == "There was an error parsing the body":
        return "the body is not valid JSON"
    return detail or "the body could not be read"


def as_api_error(error: Exception) -> APIError:
    """Pipeline and queue exceptions, each to its status and code."""
    if isinstance(error, APIError):
        return error
    if isinstance(error, UnsupportedLanguage):
        return APIError(422, "unsupported_language", str(error))
    if isinstance(error, EmptyDocument):
        return APIError(422, "invalid_request", str(error))
    if isinstance(error, Overloaded):
        return APIError(429, "overloaded", str(error), {"Retry-After": str(error.retry_after)})
    if isinstance(error, TooMuchWork):
        return APIError(413, "payload_too_large", str(error))
    if isinstance(error, QueueTimeout | TimeoutError):
        return APIError(504, "timeout", "the request did not finish within GAZETTE_REQUEST_TIMEOUT")
    if isinstance(error, ShuttingDown):
        return APIError(503, "not_ready", str(error), {"Retry-After": "5"})
    if isinstance(error, ModelUnavailable):
        return APIError(503, "not_ready", str(error), {"Retry-After": "30"})
    if isinstance(error, BackendFailed):
        return APIError(500, "model_error", str(error))
    if isinstance(error, StoreWriteFailed):  # a full disk: nothing was stored; a retry later can succeed
        return APIError(503, "storage_unavailable", str(error), {"Retry-After": "60"})
    log.exception("unhandled error", exc_info=error)
    return APIError(500, "internal_error", "an unexpected error occurred; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    async def on_validation(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return error_response(422, "invalid_request", _describe_validation(list(error.errors())))

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        """The router's 404 and 405 and a body that cannot be parsed, in the body of the API family whose
        path it is (the compatible APIs claim theirs), else in this one's."""
        assert isinstance(error, StarletteHTTPException)
        status, path = error.status_code, request.scope["path"]
        message = error.detail if isinstance(error.detail, str) else ""
        headers = getattr(error, "headers", None)
        if status == 400 and claimed_body(request.app, path) is None:
            # A body FastAPI or the multipart parser could not read: this API answers bad input with 422.
            return error_response(422, "invalid_request", _unreadable(message), headers)
        code = _STATUS_CODES.get(status, "error")
        body = error_body(request.app, path, code, message or code.replace("_", " "))
        return JSONResponse(body, status_code=status, headers=headers)

    async def on_any(request: Request, error: Exception) -> JSONResponse:
        api_error = as_api_error(error)
        body = error_body(request.app, request.scope["path"], api_error.code, api_error.message)
        return JSONResponse(body, status_code=api_error.status, headers=api_error.headers)

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for kind in (
        APIError,
        UnsupportedLanguage,
        EmptyDocument,
        Overloaded,
        QueueTimeout,
        TooMuchWork,
        TimeoutError,
        ModelUnavailable,
        BackendFailed,
        ShuttingDown,
        Exception,
    ):
        app.add_exception_handler(kind, on_any)
