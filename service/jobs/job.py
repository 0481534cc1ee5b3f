"""What the job store holds, as the rest of the code sees it: frozen records, no database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from service.jobs.records import ItemInput, JobTask
from service.jobs.work import JobOptions

JobState = Literal["queued", "running", "done", "failed", "cancelled"]
ItemState = Literal["pending", "done", "failed", "cancelled"]
UNFINISHED: tuple[JobState, ...] = ("queued", "running")


class TooManyJobs(ValueError):
    """As many jobs as allowed are queued or running already."""


class IdempotencyConflict(ValueError):
    """An Idempotency-Key already used for a different submission."""


@dataclass(frozen=True)
class Job:
    id: str
    tenant: str  # who submitted it: the only one who sees it
    task: JobTask
    options: JobOptions
    state: JobState
    total: int
    done: int
    failed: int
    cancelled: int
    chars: int
    chars_done: int  # of the items finished, failed ones included
    chars_served: int  # of the items done: what the tenant is charged
    created: float
    updated: float
    started: float | None
    finished: float | None
    resumed: float | None  # when the runner last took it up (a restart takes it up again)
    chars_since_resumed: int  # characters of the items done since then: the job's current rate
    files: tuple[str, ...]


@dataclass(frozen=True)
class PendingItem:
    job_id: str
    position: int
    item: ItemInput


def fingerprint(options: JobOptions, items: Sequence[ItemInput]) -> str:
    """What a retried submission must repeat for its Idempotency-Key to name the same job."""
    body = json.dumps([options_json(options), [[i.id, i.text, i.file] for i in items]], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def options_json(options: JobOptions) -> dict[str, Any]:
    return {
        "task": options.task,
        "source_lang": options.source_lang,
        "glossary": dict(options.glossary),
        "bullets": options.bullets,
    }
