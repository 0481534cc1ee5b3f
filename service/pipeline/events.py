"""What a pipeline tells a listener while it works: each segment the moment it is final, each bullet,
and now and then how far it is. A listener is a plain callable run on the event loop; it must not block
(the streaming adapter puts events on a queue)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from service.pipeline.types import Notice, TranslatedSegment


@dataclass(frozen=True)
class SegmentDone:
    document: int  # the document's place in its request
    segment: TranslatedSegment
    warnings: tuple[Notice, ...]  # this segment's own (the document's come with the result)


@dataclass(frozen=True)
class BulletDone:
    document: int
    text: str
    sources: tuple[str, ...]
    origin: str


@dataclass(frozen=True)
class Progress:
    document: int
    done: int  # segments final
    total: int
    generated_tokens: int
    eta_seconds: float | None  # at the pace of the segments made by the model so far; None: no pace yet


Event = SegmentDone | BulletDone | Progress
Listener = Callable[[Event], None]


class SegmentTally:
    """Counts a document's final segments and says how far it is, for `Progress` events."""

    def __init__(self, document: int, total: int, listener: Listener) -> None:
        self._document = document
        self._total = total
        self._listener = listener
        self._started = time.monotonic()
        self._done = 0
        self._made = 0  # by the model, not recalled: the pace is theirs
        self._tokens = 0

    def finished(self, done: SegmentDone, generated_tokens: int, *, recalled: bool) -> None:
        self._done += 1
        self._tokens += generated_tokens
        self._made += 0 if recalled else 1
        self._listener(done)
        self._listener(self.progress())

    def progress(self) -> Progress:
        elapsed = time.monotonic() - self._started
        left = self._total - self._done
        eta = round(elapsed / self._made * left, 1) if self._made else None
        return Progress(self._document, self._done, self._total, self._tokens, 0.0 if left == 0 else eta)


@dataclass(frozen=True)
class Caller:
    """Who a pipeline works for: the tenant whose memory it reads and files into, and who listens."""

    tenant: str = "anonymous"
    listener: Listener | None = None
    document: int = 0  # the document's place in its request, for the events

    def tell(self, event: Event) -> None:
        if self.listener is not None:
            self.listener(event)

    def for_document(self, index: int) -> Caller:
        return Caller(self.tenant, self.listener, index)


NOBODY_LISTENS = Caller()  # the anonymous tenant, no listener: what a caller that says nothing gets
