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
