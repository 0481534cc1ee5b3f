"""/v1's streamed answers: Server-Sent Events (sse-starlette) while the engine works.

One `segment` event per final segment, a `bullet` event per verified bullet, `progress` events (segments
done of total, tokens, ETA), and last one `result` event holding exactly the body the plain request would
have returned; a failure after the stream began is an `error` event with the usual envelope. A client that
hangs up cancels the work (sse-starlette stops the generator; its `finally` cancels the engine's task),
and the characters reserved are given back unless the result was sent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel
from sse_starlette import EventSourceResponse, ServerSentEvent

from service.access import Access
from service.api.errors import as_api_error
from service.pipeline.events import BulletDone, Event, Listener, Progress, SegmentDone
from service.usage_store import Reservation

T = TypeVar("T")

EVENTS_DESCRIPTION = (
    'With `"stream": true` or `Accept: text/event-stream`: Server-Sent Events. `segment` (document, id,'
    " paragraph, source, normalized, translation, warnings, memory, memory_origin, confidence) as each"
    " segment is final, a document read from its top; `bullet` (document, text, sources, origin) for /v1/summarize;"
    " `progress` (document, done, total, generated_tokens, eta_seconds); then one `result` with exactly"
    " the body of the plain request, or one `error` with the usual error envelope."
)
STREAMED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer; or, streamed, its events (see the operation's description)",
        "content": {"text/event-stream": {"schema": {"type": "string", "description": EVENTS_DESCRIPTION}}},
    }
}


def wants_stream(asked: bool, request: Request) -> bool:
    return asked or "text/event-stream" in request.headers.get("accept", "")


def event_stream(
    work: Callable[[Listener], Awaitable[T]],
    body: Callable[[T], BaseModel],
    access: Access,
    reservation: Reservation,
) -> EventSourceResponse:
    """Run `work(listener)` and stream what it tells, then `body(result)`; `reservation` is charged when the
    result is sent, given back otherwise."""
    return EventSourceResponse(_events(work, body, access, reservation), ping=15)


async def _events(
    work: Callable[[Listener], Awaitable[T]],
    body: Callable[[T], BaseModel],
    access: Access,
    reservation: Reservation,
) -> AsyncIterator[ServerSentEvent]:
    told: asyncio.Queue[Event] = asyncio.Queue()
    task = asyncio.ensure_future(work(told.put_nowait))
    used = 0
    try:
        async for event in _until_done(told, task):
            yield _sse(event)
        try:
            answer = body(task.result())
        except Exception as error:  # the engine's failure, in the envelope of this API
            failure = as_api_error(error)
            envelope = {"error": {"code": failure.code, "message": failure.message}}
            yield ServerSentEvent(json.dumps(envelope, ensure_ascii=False), event="error")
            return
        used = reservation.characters
        await asyncio.shield(access.settle(reservation, used))
        yield ServerSentEvent(answer.model_dump_json(), event="result")
    finally:
        task.cancel()  # a client gone (or any failure here): its work leaves the model at once
        if not used:
            await asyncio.shield(access.settle(reservation, 0))


async def _until_done(told: asyncio.Queue[Event], task: asyncio.Future[Any]) -> AsyncIterator[Event]:
    """Each event as it is told, until the work ends; then any told just before it ended."""
    while not task.done():
        getter = asyncio.ensure_future(told.get())
        await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
        if getter.done():
            yield getter.result()
        else:
            getter.cancel()
    while not told.empty():
        yield told.get_nowait()


def _sse(event: Event) -> ServerSentEvent:
    if isinstance(event, SegmentDone):
        fields = asdict(event.segment) | {
            "document": event.document,
            "warnings": [asdict(notice) for notice in event.warnings],
        }
        return ServerSentEvent(json.dumps(fields, ensure_ascii=False), event="segment")
    if isinstance(event, BulletDone):
        return ServerSentEvent(json.dumps(asdict(event), ensure_ascii=False), event="bullet")
    assert isinstance(event, Progress)
    return ServerSentEvent(json.dumps(asdict(event)), event="progress")
