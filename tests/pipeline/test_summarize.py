"""The summariser's verify → rewrite once → extract → drop ladder, over a scripted summarising backend.

A fake backend stands in for the model layer only; the end-to-end path with real loading code is in
tests/api/test_summarize.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from service.models.backend import Generation, ModelInfo, Source
from service.pipeline.bullets import Bullet, check_bullet
from service.pipeline.summarize import SummarizationPipeline
from service.pipeline.terms import TermReport
from service.pipeline.types import TranslatedDocument, TranslatedSegment
from tests.pipeline.fakes import OneQueue

LEAD = TranslatedSegment(
    "p1.s1",
    1,
    "9月29日，同安区质量强区大会在金牌厨柜召开。",
    "9月29日，同安区质量强区大会在金牌厨柜召开。",
    "On September 29, Tong'an District held its quality-strong district conference at Goldenhome Cabinets.",
)
FIGURES = TranslatedSegment(
    "p2.s1",
    2,
    "战略性新兴产业产值占比近50%，高技术产业增加值增长24.5%。",
    "战略性新兴产业产值占比近50%，高技术产业增加值增长24.5%。",
    "Strategic emerging industries accounted for nearly 50% of industrial output, and high-tech industry "
    "added value grew 24.5% year on year.",
)
# The company's name is the request glossary's: its Chinese alone cannot say "Goldenhome".
GOLDENHOME = TermReport("金牌厨柜", "Goldenhome Cabinets", ("p1.s1",), True, "request")
DOCUMENT = TranslatedDocument("zh", 0.99, "", (LEAD, FIGURES), glossary=(GOLDENHOME,))


class ScriptedSummarizer:
    """Answers by (first words of the input, strict); records what it was asked."""

    def __init__(self, script: dict[tuple[str, bool], str]) -> None:
        self.script = script
        self.seen: list[Source] = []
        self._info = ModelInfo(
            "scripted", "fake", "summarize", "built", prompted=True, prompts=("fam/summarize.v3",)
        )

    @property
    def info(self) -> ModelInfo:
        return self._info

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        self.seen.extend(sources)
        replies = [self.script.get((s.text.split()[0], s.strict), "") for s in sources]
        return [Generation(reply, 7, raw=f"- {reply}") for reply in replies]


def summarize(backend: ScriptedSummarizer, bullets: int = 2) -> Any:
    pipeline = SummarizationPipeline(None, OneQueue(backend), timeout=10)  # type: ignore[arg-type]
    return asyncio.run(pipeline.summarize_document(DOCUMENT, bullets))


def test_bullets_that_pass_are_shipped_as_written_and_cite_their_sentences() -> None:
    backend = ScriptedSummarizer(
        {
            ("On", False): "- Tong'an District held its quality conference on September 29.",
            ("Strategic", False): "Emerging industries reached nearly 50% of output; high-tech grew 24.5%.",
        }
    )
    summary = summarize(backend)
    assert [(b.text, b.sources, b.origin) for b in summary.bullets] == [
        ("Tong'an District held its quality conference on September 29.", ("p1.s1",), "model"),
        ("Emerging industries reached nearly 50% of output; high-tech grew 24.5%.", ("p2.s1",), "model"),
    ]
    assert (summary.regenerated, summary.replaced, summary.dropped) == (0, 0, 0)
    assert summary.templates == ("fam/summarize.v3",)
    assert summary.generated_tokens == 14
    assert all(source.task == "summarize" and not source.strict for source in backend.seen)


def test_a_bullet_with_an_invented_number_is_written_again_told_which_number() -> None:
    backend = ScriptedSummarizer(
        {
            ("On", False): "Tong'an District held its quality conference on September 29.",
            ("Strategic", False): "Emerging industries reached 60% of output; high-tech grew 24.5%.",
            ("Strategic", True): "High-tech industry added value grew 24.5% year on year.",
        }
    )
    summary = summarize(backend)
    assert summary.bullets[1].origin == "model_retry"
    assert summary.bullets[1].text == "High-tech industry added value grew 24.5% year on year."
    assert (summary.regenerated, summary.replaced) == (1, 0)
    retry = backend.seen[-1]
    assert retry.strict and retry.leftover == ("60%",)
    # Asked as the next turn of the exchange that wrote the refused bullet (its reply as the model wrote it).
    first = next(
        source for source in backend.seen if source.text.startswith("Strategic") and not source.strict
    )
    assert retry.follows == (first, "- Emerging industries reached 60% of output; high-tech grew 24.5%.")
    assert [(n.code, n.segment) for n in summary.notes] == [("bullet_regenerated", "p2.s1")]
    assert "unsupported_number" in summary.notes[0].message


def test_a_bullet_failing_twice_is_replaced_by_its_sentence_compressed() -> None:
    backend = ScriptedSummarizer(
        {
            ("On", False): "Tong'an District held its quality conference on September 29.",
            ("Strategic", False): "同安 industries grew 24.5%.",
            ("Strategic", True): "Industries grew 25%.",
        }
    )
    summary = summarize(backend)
    bullet = summary.bullets[1]
    assert bullet.origin == "extract" and bullet.sources == ("p2.s1",)
    assert "50%" in bullet.text and "24.5%" in bullet.text
    assert (summary.regenerated, summary.replaced, summary.dropped) == (1, 1, 0)
    assert [n.code for n in summary.notes] == ["bullet_regenerated", "bullet_replaced"]
    for shipped in summary.bullets:
        others = [b.text for b in summary.bullets if b is not shipped]
        assert check_bullet(shipped, DOCUMENT, others) == []


def test_nothing_unverified_is_shipped_even_when_the_extract_fails() -> None:
    duplicate = "On September 29, Tong'an District held its quality-strong district conference at Goldenhome Cabinets."
    document = TranslatedDocument(
        "zh",
        0.99,
        "",
        (
            LEAD,
            TranslatedSegment(
                "p2.s1", 2, "同安区在金牌厨柜召开大会。", "同安区在金牌厨柜召开大会。", duplicate
            ),
        ),
        glossary=(replace(GOLDENHOME, segments=("p1.s1", "p2.s1")),),
    )
    backend = ScriptedSummarizer(
        {("On", False): "Tong'an held its quality-strong district conference at Goldenhome Cabinets."}
    )
    pipeline = SummarizationPipeline(None, OneQueue(backend), timeout=10)  # type: ignore[arg-type]
    summary = asyncio.run(pipeline.summarize_document(document, 2))
    assert len(summary.bullets) == 1 and summary.dropped == 1
    assert [n.code for n in summary.notes] == ["bullet_regenerated", "bullet_dropped", "extract_rejected"]
    assert "near_duplicate" in summary.notes[-1].message and summary.replaced == 0


# The seed's paragraph 13 as qwen-pypi translated it: 链上企业 (enterprises on the chain) became
# "blockchain enterprises", and the first bullet repeated it; no character of the source means that.
HITHIUM = TranslatedSegment(
    "p13.s2",
    13,
    "海辰储能与2家链上企业，建立“中小企业计量伙伴”合作关系。",
    "海辰储能与2家链上企业，建立“中小企业计量伙伴”合作关系。",
    "Hithium Energy Storage has established an SME metrology partnership with 2 blockchain enterprises, "
    "and it will cooperate closely with them.",
)
HITHIUM_TERM = TermReport("海辰储能", "Hithium Energy Storage", ("p13.s2",), True, "request")


def summarize_hithium(script: dict[tuple[str, bool], str]) -> tuple[Any, ScriptedSummarizer]:
    document = TranslatedDocument("zh", 0.99, "", (HITHIUM,), glossary=(HITHIUM_TERM,))
    backend = ScriptedSummarizer(script)
    pipeline = SummarizationPipeline(None, OneQueue(backend), timeout=10)  # type: ignore[arg-type]
    return asyncio.run(pipeline.summarize_document(document, 1)), backend


def test_a_bullet_repeating_its_sentences_mistranslation_is_written_again_told_the_word() -> None:
    summary, backend = summarize_hithium(
        {
            ("Hithium", False): "Hithium Energy Storage partners with 2 blockchain enterprises.",
            (
                "Hithium",
                True,
            ): "Hithium Energy Storage set up an SME metrology partnership with 2 enterprises.",
        }
    )
    assert [b.text for b in summary.bullets] == [
        "Hithium Energy Storage set up an SME metrology partnership with 2 enterprises."
    ]
    assert backend.seen[-1].strict and backend.seen[-1].leftover == ("blockchain",)
    assert "unsupported_term" in summary.notes[0].message


def test_a_bullet_that_repeats_it_twice_is_replaced_by_an_extract_without_it() -> None:
    summary, _ = summarize_hithium(
        {
            ("Hithium", False): "Hithium Energy Storage partners with 2 blockchain enterprises.",
            ("Hithium", True): "Hithium partners with blockchain firms.",
        }
    )
    [bullet] = summary.bullets
    assert bullet.origin == "extract" and "blockchain" not in bullet.text
    assert bullet.text == "And it will cooperate closely with them."


def test_a_random_models_translation_is_not_checked_against_its_source() -> None:
    # The tiny profile's English is noise that no source supports: the source check is not applied.
    tiny = ModelInfo("tiny", "fake", "translate", "built", random_weights=True)
    document = TranslatedDocument("zh", 0.99, "", (HITHIUM,), glossary=(HITHIUM_TERM,), model=tiny)
    assert (
        check_bullet(Bullet("Hithium Energy Storage partners with blockchain firms.", ("p13.s2",)), document)
        == []
    )
    real = replace(document, model=replace(tiny, random_weights=False))
    assert check_bullet(
        Bullet("Hithium Energy Storage partners with blockchain firms.", ("p13.s2",)), real
    ) == ["unsupported_term"]
