"""Which model summarises: the translator itself for instruction models, a seq2seq summariser otherwise."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.engine.registry import ModelRegistry
from service.models.backend import ModelUnavailable
from service.settings import Settings
from tests.models.tiny_causal import build_tiny_qwen


def test_an_instruction_model_summarises_through_its_own_queue(tmp_path: Path) -> None:
    model = build_tiny_qwen(tmp_path / "qwen")
    registry = ModelRegistry(Settings(profile="qwen-pypi", translate_model=str(model), model_cache=tmp_path))

    async def queues() -> tuple[object, object]:
        try:
            return await registry.translator("zh"), await registry.summarizer()
        finally:
            await registry.shutdown()

    translator, summarizer = asyncio.run(queues())
    assert translator is summarizer
    assert len(registry.loaded()) == 1


def test_the_tiny_profile_summarises_with_a_tiny_bart(tiny_settings: Settings) -> None:
    registry = ModelRegistry(tiny_settings)

    async def summarizer() -> object:
        try:
            return await registry.summarizer()
        finally:
            await registry.shutdown()

    queue = asyncio.run(summarizer())
    info = queue.backend.info  # type: ignore[attr-defined]
    assert (info.task, info.random_weights, info.prompted) == ("summarize", True, False)


def test_distilbart_out_of_reach_is_a_clear_error(tmp_path: Path) -> None:
    registry = ModelRegistry(Settings(profile="opus", model_cache=tmp_path))
    with pytest.raises(ModelUnavailable, match=r"distilbart-cnn-12-6.*cannot be reached"):
        asyncio.run(registry.summarizer())


def test_one_nllb_model_serves_every_source_language(tiny_nllb_dir: Path, tmp_path: Path) -> None:
    assert ModelRegistry(Settings(profile="nllb", model_cache=tmp_path)).translate_spec("zh") == (
        ModelRegistry(Settings(profile="nllb", model_cache=tmp_path)).translate_spec("fr")
    )
    settings = Settings(profile="nllb", translate_model=str(tiny_nllb_dir), model_cache=tmp_path, num_beams=1)
    registry = ModelRegistry(settings)

    async def queues() -> list[object]:
        try:
            return [await registry.translator(language) for language in ("zh", "fr", "ja")]
        finally:
            await registry.shutdown()

    zh, fr, ja = asyncio.run(queues())
    assert zh is fr is ja
    assert len(registry.loaded()) == 1


def test_loading_one_model_does_not_stall_a_model_already_loaded(tiny_settings: Settings) -> None:
    """Each model has its own lock: while the summariser loads, the loaded translator is handed out."""
    registry = ModelRegistry(tiny_settings)

    async def scenario() -> tuple[bool, bool]:
        try:
            await registry.translator("zh")
            loading = asyncio.create_task(registry.summarizer())
            await asyncio.sleep(0)  # the summariser's load has started, under its own lock
            translator = await asyncio.wait_for(registry.translator("zh"), 0.5)
            summariser_still_loading = not loading.done()
            await loading
            return translator is not None, summariser_still_loading
        finally:
            await registry.shutdown()

    assert asyncio.run(scenario()) == (True, True)
