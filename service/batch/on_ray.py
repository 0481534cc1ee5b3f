"""The batch on Ray (`pip install 'gazette[ray]'`): a Ray Data pipeline over a pool of actors, each holding
one `Gazette` engine for its whole life, so the models load once per actor and not once per batch.

Ray does not keep the input order, so every row carries its id and its record (as a JSON string: one
column of plain strings, whatever shape the record has); the driver writes them as they arrive.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from service.jobs.records import ItemInput, JobTask
from service.jobs.work import JobOptions, process
from service.settings import Settings

Emit = Callable[[dict[str, Any]], None]
INSTALL = "pip install 'gazette[ray]'"


class RayMissing(RuntimeError):
    def __init__(self) -> None:
        super().__init__(f"--ray needs Ray: {INSTALL}")


class RayFailed(RuntimeError):
    """The Ray job failed (an actor could not start its engine, the cluster went away)."""


class GazetteWorker:
    """A Ray Data actor: one engine, entered in an event loop the actor keeps for its life."""

    def __init__(
        self,
        settings: Mapping[str, Any],
        task: JobTask,
        source_lang: str,
        glossary: Mapping[str, str],
        bullets: int,
    ) -> None:
        from service.gazette import Gazette

        # Plain data across the wire; Settings is rebuilt here (and reads nothing from this node's env
        # that the driver already decided, as every field is given).
        self._engine = Gazette(Settings(**settings))
        self._options = JobOptions(task, source_lang, dict(glossary), bullets)
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._engine.__aenter__())
        self._loop.run_until_complete(self._engine.wait_ready())

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[str]]:
        items = [
            ItemInput(str(found), str(text), None if file is None else str(file))
            for found, text, file in zip(batch["id"], batch["text"], batch["file"], strict=True)
        ]
        records = self._loop.run_until_complete(self._process(items))
        return {
            "id": [item.id for item in items],
            "record": [json.dumps(record, ensure_ascii=False) for record in records],
        }

    async def _process(self, items: Sequence[ItemInput]) -> list[dict[str, Any]]:
        # The rows of a batch run at once, so the engine batches their sentences together.
        return list(await asyncio.gather(*(process(self._engine, item, self._options) for item in items)))


def run_on_ray(
    address: str | None,
    settings: Settings,
    items: Sequence[ItemInput],
    options: JobOptions,
    emit: Emit,
    *,
    actors: int,
    batch_size: int,
) -> None:
    """Every item's record to `emit` as Ray hands results back. Joins the cluster at `address` (a local
    instance when None, or the one already initialised in this process)."""
    try:
        import ray
    except ImportError as missing:
        raise RayMissing() from missing

    started = not ray.is_initialized()
    if started:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    # The batch has its own bar: Ray Data's bars and progress log lines would only run through it.
    ray.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    try:
        rows = [{"id": item.id, "text": item.text, "file": item.file} for item in items]
        dataset = ray.data.from_items(rows).map_batches(
            GazetteWorker,
            fn_constructor_kwargs={
                "settings": settings.model_dump(mode="json"),
                "task": options.task,
                "source_lang": options.source_lang,
                "glossary": dict(options.glossary),
                "bullets": options.bullets,
            },
            batch_size=batch_size,
            # Ray 2.60 documents ActorPoolStrategy(size=n) as the fixed pool (not deprecated there).
            compute=ray.data.ActorPoolStrategy(size=actors),
        )
        for row in dataset.iter_rows():
            emit(json.loads(row["record"]))
    except ray.exceptions.RayError as error:
        # Ray's message carries the remote traceback; its last line is the error that ended it.
        raise RayFailed(str(error).strip().splitlines()[-1]) from error
    finally:
        if started:
            ray.shutdown()
