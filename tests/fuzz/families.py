"""What every response must be, whatever was sent: no 5xx but those documented with their cause, no stack
trace, and the error body of the API family its path belongs to.

    /v1, /v1/jobs, probes, unknown paths   {"error": {"code": "snake_case", "message": "..."}}
    LibreTranslate (/translate, ...)       {"error": "..."}
    DeepL (/v2/...)                        {"message": "..."}
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

Family = Literal["v1", "libre", "deepl", "other"]
FAMILIES: tuple[Family, ...] = ("v1", "libre", "deepl", "other")
LIBRE_PATHS = frozenset({"/translate", "/detect", "/languages", "/translate_file", "/frontend/settings"})
_CODE = re.compile(r"[a-z][a-z0-9_]*")
# What a Python stack trace leaves in a body: its header line and its frame lines.
_TRACE_MARKS = (b"Traceback (most recent call last)", b'File "', b"Traceback")


def family_of(path: str) -> Family:
    if path == "/v1" or path.startswith("/v1/"):
        return "v1"
    if path == "/v2" or path.startswith("/v2/"):
        return "deepl"
    if path in LIBRE_PATHS or path.startswith("/download_file/"):
        return "libre"
    return "other"


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _v1_shape(body: Any) -> str | None:
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return 'not {"error": {"code", "message"}}'
    error = body["error"]
    if set(error) != {"code", "message"}:
        return f"error has keys {sorted(error)}, not code and message"
    if not isinstance(error["code"], str) or not _CODE.fullmatch(error["code"]):
        return f"error code {error['code']!r} is not snake_case"
    if not isinstance(error["message"], str) or not error["message"]:
        return "error message is not a non-empty string"
    return None


def _one_string(body: Any, key: str) -> str | None:
    if not isinstance(body, dict) or set(body) != {key}:
        return f'not {{"{key}": "..."}}'
    if not isinstance(body[key], str) or not body[key]:
        return f"{key} is not a non-empty string"
    return None


def error_shape_problem(family: Family, body: bytes) -> str | None:
    """Why `body` is not its family's error body, or None when it is."""
    parsed = _json(body)
    if family == "libre":
        return _one_string(parsed, "error")
    if family == "deepl":
        return _one_string(parsed, "message")
    return _v1_shape(parsed)


# The 5xx the fuzzed app (the tiny models loaded, a disk with room, no fault injected) may answer, each
# only with its documented cause: a DeepL document's result asked for before it is translated ("503 until
# then"). Every other 5xx means something broke, however documented its status: a model error, "not
# ready", a timeout or an unwritable store is what a crashed scheduler or runner shows as.
_DOCUMENTED_5XX = ((re.compile(r"/v2/document/[^/]+/result"), 503, "Document not ready"),)


def documented_5xx(path: str, status: int, body: bytes) -> bool:
    parsed = _json(body)
    message = parsed.get("message") if isinstance(parsed, dict) else None
    return any(
        where.fullmatch(path) and status == expected and message == cause
        for where, expected, cause in _DOCUMENTED_5XX
    )


def response_problems(path: str, status: int, body: bytes, sent: bytes = b"") -> list[str]:
    """Everything wrong with one response to a request for `path` that sent `sent` (an answer may echo
    what it was sent, so a mark that came with the request is not the server's)."""
    family = family_of(path)
    problems = []
    if status >= 500 and not documented_5xx(path, status, body):
        problems.append(f"server error {status}")
    if any(mark in body and mark not in sent for mark in _TRACE_MARKS):
        problems.append("a stack trace in the body")
    if status >= 400:
        shape = error_shape_problem(family, body)
        if shape:
            problems.append(f"{status} body of the wrong shape for {family}: {shape}")
    return problems
