"""One JSON line per HTTP request, for every API family, and its id in the response's `X-Request-ID`.

    {"request_id": "…", "family": "v1", "method": "POST", "route": "/v1/translate", "status": 200,
     "caller": "key-1a2b3c4d5e6f", "documents": 1, "characters": 4406, "seconds": 12.3}

Never the query string or a key: clients put text and keys in the query string (deep-translator,
LibreTranslate's `api_key`), so the route template is logged, not the URL, and callers by a digest
(service/access.py). The text only when debug logging is asked for (`--log-level debug`): then the line
also has `texts`, the first 200 characters of each document. Handlers say how much work they were given with `note_work`; the caller is noted by
the key checks. uvicorn's own access log, which writes the URL whole, is off (`gazette serve`).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any, Literal

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gazette.requests")

Family = Literal["v1", "jobs", "deepl", "libretranslate", "web", "ops"]
_LIBRE = ("/translate", "/translate_file", "/detect", "/languages", "/download_file", "/frontend")
_OPS = ("/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")
# An id a client sends is kept only if it cannot smuggle anything into a log line or a header.
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def family_of(path: str) -> Family:
    if path.startswith("/v1/jobs"):
        return "jobs"
    if path.startswith("/v1"):
        return "v1"
    if path.startswith("/v2"):
        return "deepl"
    if path.startswith(_LIBRE):
        return "libretranslate"
    if path.startswith(_OPS):
        return "ops"
    return "web"


TEXT_SHOWN = 200  # characters of each document in a debug line


def note_work(request: Request, texts: Sequence[str]) -> None:
    """What this request asked of the engine, for its log line."""
    request.state.documents = len(texts)
    request.state.characters = sum(map(len, texts))
    if log.isEnabledFor(logging.DEBUG):
        request.state.texts = [text[:TEXT_SHOWN] for text in texts]


def request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            offered = value.decode("latin-1")
            if _CLIENT_ID.match(offered):
                return offered
    return uuid.uuid4().hex


class RequestLog:
    """ASGI middleware: the id on the way in, the line on the way out (also when the app raised)."""

    def __init__(self, app: ASGIApp, on_done: Callable[[Any, int], None] | None = None) -> None:
        """`on_done(caller, characters)` after each request whose caller is known (usage counters)."""
        self.app = app
        self._on_done = on_done

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        ident = request_id(scope)
        state: MutableMapping[str, Any] = scope.setdefault("state", {})
        state["request_id"] = ident
        status = 500  # what the client gets if the app fails before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", ident.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            line = _line(scope, state, ident, status, time.perf_counter() - started)
            log.info(json.dumps(line, ensure_ascii=False))
            if self._on_done is not None and state.get("caller") is not None:
                self._on_done(state["caller"], state.get("characters", 0))


def _line(
    scope: Scope, state: MutableMapping[str, Any], ident: str, status: int, seconds: float
) -> dict[str, Any]:
    route = scope.get("route")
    caller = state.get("caller")
    return {
        "request_id": ident,
        "family": family_of(scope["path"]),
        "method": scope["method"],
        "route": getattr(route, "path", "unmatched"),
        "status": status,
        "caller": getattr(caller, "id", None),
        "documents": state.get("documents", 0),
        "characters": state.get("characters", 0),
        "seconds": round(seconds, 3),
    } | ({"texts": state["texts"]} if "texts" in state else {})
