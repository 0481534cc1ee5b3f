"""Checks that run before a body is parsed: its size (413) and its media type (415)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.error_bodies import error_body

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# An error body for a message: what the API whose paths begin with a prefix answers errors with.
ErrorBody = Callable[[str], dict[str, Any]]


async def _send_error(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuses bodies over `max_bytes` (by Content-Length, or while streaming) and non-JSON API bodies."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        json_prefix: str = "/v1/",
        uploads: tuple[str, ...] = ("/v1/jobs",),
        error_bodies: Mapping[str, ErrorBody] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.json_prefix = json_prefix
        self.uploads = uploads  # paths that also take files, as multipart/form-data
        # Path prefixes whose API has an error body of its own (the compatible APIs): else the /v1 one.
        self.error_bodies = dict(error_bodies or {})

    def _body(self, scope: Scope, code: str, message: str) -> bytes:
        path = scope["path"]
        for prefix, body in self.error_bodies.items():
            if path.startswith(prefix):
                return json.dumps(body(message)).encode()
        # The families' own claims (LibreTranslate's paths at the root), as the app's error handlers read them.
        return json.dumps(error_body(scope.get("app"), path, code, message)).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
        }
        declared = headers.get("content-length", "")
        too_large = self._body(scope, "payload_too_large", f"the body is over {self.max_bytes} bytes")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _send_error(send, 413, too_large)
            return
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        accepted = {"application/json"} | (
            {"multipart/form-data"} if scope["path"] in self.uploads else set()
        )
        if scope["path"].startswith(self.json_prefix) and media_type not in accepted:
            shown = media_type or "none"
            wanted = " or ".join(sorted(accepted))
            await _send_error(
                send, 415, self._body(scope, "unsupported_media_type", f"send {wanted}, not {shown}")
            )
            return
        await self._call_counting(scope, receive, send, too_large)

    async def _call_counting(self, scope: Scope, receive: Receive, send: Send, too_large: bytes) -> None:
        """Counts streamed body bytes; past the limit it answers 413 itself and drops the app's reply.

        The app may catch the error raised from `receive` (FastAPI turns it into a 400), so the
        413 is sent from here, first, and anything the app sends afterwards is discarded.
        """
        received = 0
        started = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not refused:
                    refused = True
                    if not started:
                        await _send_error(send, 413, too_large)
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, counting_receive, tracking_send)
