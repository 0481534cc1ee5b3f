"""One batch item through the engine at bulk priority, as a record; the options a batch shares."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from service.access import ANONYMOUS
from service.engine.outcomes import BackendFailed, Overloaded, ShuttingDown
from service.engine.pending import Priority
from service.jobs.records import ItemInput, JobTask, error_record, summary_record, translation_record
from service.pipeline.events import Listener
from service.pipeline.summarize import SummarizedDocument, SummarizeJob
from service.pipeline.translate import TranslateJob
from service.pipeline.types import TranslatedDocument

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobOptions:
    task: JobTask = "translate"
    source_lang: str = "auto"
    glossary: Mapping[str, str] = field(default_factory=dict)
    bullets: int = 5


class BatchEngine(Protocol):
    """What batch work needs of `Gazette`."""

    async def translate(
        self,
        jobs: Sequence[TranslateJob],
        *,
        priority: Priority = ...,
        tenant: str = ...,
        listener: Listener | None = ...,
    ) -> list[TranslatedDocument]: ...

    async def summarize(
        self,
        jobs: Sequence[SummarizeJob],
        *,
        priority: Priority = ...,
        tenant: str = ...,
        listener: Listener | None = ...,
    ) -> list[SummarizedDocument]: ...


@dataclass(frozen=True)
class ItemCaller:
    """Whose item it is (its job's tenant: whose translation memory serves it), and who listens."""

    tenant: str = ANONYMOUS
    listener: Listener | None = None


# The engine cannot take the item now (stopping, or its line is full): not the item's fault; it must run
# again later. A model that cannot be loaded for the item's language is the item's failure (ModelUnavailable),
# recorded like any other, so that one item in a language nobody serves does not hold up every job.
NOT_THE_ITEMS_FAULT = (ShuttingDown, Overloaded)


# Seconds before each new try of an item whose model failed (BackendFailed: out of memory, a crashed
# backend or scheduler): such a fault is often gone a moment later; the item is failed after the last.
RETRY_DELAYS = (0.5, 2.0)


async def process(
    engine: BatchEngine,
    item: ItemInput,
    options: JobOptions,
    retry_delays: Sequence[float] = RETRY_DELAYS,
    caller: ItemCaller = ItemCaller(),
) -> dict[str, Any]:
    """The item's record; a failure of the item itself (bad language, no model for it, model error) is its
    `error`, a model error only once tried again after each of `retry_delays`. Raises only what is not the
    item's fault (`NOT_THE_ITEMS_FAULT`) and cancellation. Bulk work has no time limit, so an item is
    never failed for waiting behind people."""
    for delay in (*retry_delays, None):
        try:
            return await _attempt(engine, item, options, caller)
        except NOT_THE_ITEMS_FAULT:
            raise
        except BackendFailed as error:
            if delay is None:
                return error_record(item, str(error) or type(error).__name__)
            log.warning("item %r: %s; trying again in %g s", item.id, error, delay)
            await asyncio.sleep(delay)
        except Exception as error:  # the item failed; the batch goes on
            return error_record(item, str(error) or type(error).__name__)
    raise AssertionError("unreachable: the last try returns")


async def _attempt(
    engine: BatchEngine, item: ItemInput, options: JobOptions, caller: ItemCaller
) -> dict[str, Any]:
    job = TranslateJob(item.text, options.source_lang, "en", dict(options.glossary))
    tenant, listener = caller.tenant, caller.listener
    if options.task == "translate":
        [document] = await engine.translate([job], priority=Priority.BULK, tenant=tenant, listener=listener)
        return translation_record(item, document)
    [done] = await engine.summarize(
        [SummarizeJob(job, options.bullets)], priority=Priority.BULK, tenant=tenant, listener=listener
    )
    return summary_record(item, done, options.task)
