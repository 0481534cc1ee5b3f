"""What a caller hands the scheduler: its items, the limits of a batch, and its request's flow."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from service.engine.pending import Flow, Priority
from service.models.backend import Source


@dataclass(frozen=True)
class QueueItem:
    source: Source
    tokens: int  # input length, for the padded-token budget
    # Its place in reading order (a streamed document's segment number): within its flow, ranked items go
    # first, lowest rank first, so that a reader gets the top of the document first. None: shortest first.
    rank: int | None = None


@dataclass(frozen=True)
class BatchLimits:
    max_queue: int  # items pending or in flight, at most
    max_batch_tokens: int  # padded input tokens per batch
    max_batch_size: int
    # After a batch, wait up to this long (never more than a tenth of that batch's time) for callers
    # it just answered to come back: closed-loop clients otherwise split into a batch of 1 and the rest.
    linger: float = 0.5


BatchObserver = Callable[[int, int, float], None]  # (items, padded tokens, seconds)


def new_flow(priority: Priority = Priority.INTERACTIVE, within: float | None = None) -> Flow:
    """A new request's flow; `within` seconds from now is its deadline, for all of its work together."""
    deadline = None if within is None else time.monotonic() + within
    return Flow(uuid.uuid4().hex, priority, deadline)
