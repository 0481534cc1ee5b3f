"""The engine as a library, end to end on the tiny Marian model: priority, fair share, one request's
documents failing together, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from service.engine.outcomes import BackendFailed, QueueTimeout, ShuttingDown
from service.engine.pending import Priority
from service.gazette import Gazette
from service.models.backend import ModelInfo
from service.pipeline.translate import TranslateJob
from service.settings import Settings
from tests.wrappers import WatchAll, Watched

LONG = "".join(f"同安区第{i}次质量强区大会召开。" for i in range(24))
SHORT = "区长周桂良参加会议。"


@pytest.fixture
def settings(tiny_settings: Settings) -> Settings:
    return tiny_settings.model_copy(update={"max_batch_size": 4, "backend": "transformers"})


def engine(settings: Settings) -> tuple[Gazette, list[Watched]]:
    watch = WatchAll()
    return Gazette(settings, wrap_backend=watch), watch.models


async def until(condition: object) -> None:
    while not condition():  # type: ignore[operator]
        await asyncio.sleep(0.01)


def test_a_person_is_served_in_the_batch_after_the_running_one_not_after_a_bulk_job(
    settings: Settings,
) -> None:
    async def scenario() -> tuple[list[list[str]], list[str]]:
        gz, watched = engine(settings)
        async with gz:
            await gz.wait_ready()
            model = watched[0]
            model.gate.clear()
            finished: list[str] = []

            async def job() -> None:
                await gz.translate([TranslateJob(LONG, "zh")], priority=Priority.BULK)
                finished.append("bulk")

            async def person() -> None:
                await gz.translate([TranslateJob(SHORT, "zh")])
                finished.append("person")

            bulk = asyncio.create_task(job())
            await until(lambda: len(model.batches) == 1)  # the job's first batch is generating
            interactive = asyncio.create_task(person())
            await until(lambda: gz.queue_depth() == 25)
            model.gate.set()
            await asyncio.gather(bulk, interactive)
            return model.batches, finished

    batches, finished = asyncio.run(scenario())
    assert "参加会议" in batches[1][0]  # the person's sentence leads the very next batch
    assert len(batches[0]) == 4 and all("同安" in text or "ZQX" in text for text in batches[0])
    assert finished == ["person", "bulk"]
    assert sum(len(batch) for batch in batches) == 25


def test_when_one_document_fails_its_siblings_queued_work_is_withdrawn(settings: Settings) -> None:
    async def scenario() -> tuple[BaseException, int]:
        gz, watched = engine(settings)
        async with gz:
            await gz.wait_ready()
            watched[0].fail_on = "坏"
            watched[0].gate.clear()  # until both documents are queued
            jobs = [TranslateJob(LONG, "zh"), TranslateJob("坏消息。", "zh")]
            request = asyncio.create_task(gz.translate(jobs))
            await until(lambda: gz.queue_depth() == 25)
            watched[0].gate.set()
            with pytest.raises(BackendFailed) as failed:
                await request
            # Its queued work is withdrawn; a batch the model had already started may still finish.
            await asyncio.wait_for(until(lambda: gz.queue_depth() == 0), 10)
            return failed.value, sum(len(batch) for batch in watched[0].batches)

    error, generated = asyncio.run(scenario())
    assert "weights corrupted" in str(error)
    # The batch running when both were queued, the failing one and at most one after it (4 each): the
    # other 13+ sentences never ran.
    assert generated <= 12


def test_leaving_the_engine_answers_waiting_callers_and_refuses_new_work(settings: Settings) -> None:
    async def scenario() -> tuple[BaseException | list[object], BaseException | None]:
        gz, watched = engine(settings)
        async with gz:
            await gz.wait_ready()
            watched[0].gate.clear()
            waiting = asyncio.create_task(gz.translate([TranslateJob(LONG, "zh")]))
            await until(lambda: gz.queue_depth() > 0)
        outcome = (await asyncio.gather(waiting, return_exceptions=True))[0]
        watched[0].gate.set()
        try:
            await gz.translate([TranslateJob(SHORT, "zh")])
        except ShuttingDown as refused:
            return outcome, refused
        return outcome, None

    outcome, refused = asyncio.run(scenario())
    assert isinstance(outcome, ShuttingDown)
    assert isinstance(refused, ShuttingDown)


def test_each_document_names_the_model_that_translated_it(settings: Settings) -> None:
    async def scenario() -> list[object]:
        async with Gazette(settings) as gz:
            documents = await gz.translate([TranslateJob(SHORT, "zh"), TranslateJob(LONG, "zh")])
            return [document.model for document in documents]

    models = asyncio.run(scenario())
    assert all(isinstance(model, ModelInfo) and model.model == settings.translate_model for model in models)


def test_bulk_work_is_never_failed_for_time_while_a_person_gets_the_timeout(settings: Settings) -> None:
    """A job's item may wait behind people for as long as it must; a person's request has its timeout."""
    quick = settings.model_copy(update={"request_timeout": 0.5})

    async def scenario() -> tuple[BaseException | None, int]:
        gz, watched = engine(quick)
        async with gz:
            await gz.wait_ready()
            watched[0].gate.clear()  # the model stalls: longer than the request timeout
            bulk = asyncio.create_task(gz.translate([TranslateJob(SHORT, "zh")], priority=Priority.BULK))
            person = asyncio.create_task(gz.translate([TranslateJob(SHORT, "zh")]))
            outcome = (await asyncio.gather(person, return_exceptions=True))[0]
            await asyncio.sleep(0.3)
            watched[0].gate.set()
            [document] = await bulk
            return outcome if isinstance(outcome, BaseException) else None, len(document.segments)

    timed_out, segments = asyncio.run(scenario())
    # The request's deadline, met in the queue (QueueTimeout) or around it (TimeoutError): both are its 504.
    assert isinstance(timed_out, QueueTimeout | TimeoutError), timed_out
    assert segments == 1
