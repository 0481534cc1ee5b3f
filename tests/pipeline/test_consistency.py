"""One rendering per name in a document (service/pipeline/consistency.py), over a fake model layer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from service.engine.items import QueueItem
from service.glossary import build_glossary
from service.memory import MemoryAsk
from service.models.backend import Generation, Source
from service.models.prompts import default_prompts_dir, load_prompt, load_template
from service.pipeline.consistency import repeated_names, with_entries
from service.pipeline.terms import PiecePlan
from service.pipeline.translate import TranslateJob, TranslationPipeline
from tests.pipeline.fakes import AnsweringBackend, OneQueue

FIRST = "瑞典学院常务秘书戴纽斯宣布了获奖者。"
SECOND = "戴纽斯表示，评选很顺利。"


class SpellsNamesAnew(AnsweringBackend):
    """Writes 戴纽斯 'Danius' in the first sentence and 'Dainius' elsewhere unless its glossary says how,
    as a model translating sentences side by side may; answers the name question from the English."""

    def reply(self, source: Source) -> Generation:
        return Generation(self._answer(source), 4)

    def _answer(self, source: Source) -> str:
        if source.rendered:
            return "danius"  # the name question: the English's words for it (in another case)
        if source.text == FIRST:
            return "Permanent Secretary of the Swedish Academy Danius announced the winners."
        told = dict(source.glossary).get("戴纽斯")
        return f"{told or 'Dainius'} said the selection went smoothly."


def test_a_name_repeated_without_an_entry_is_written_as_its_first_sentence_wrote_it() -> None:
    backend = SpellsNamesAnew()
    pipeline = TranslationPipeline(OneQueue(backend), token_budget=200, timeout=10)
    document = asyncio.run(pipeline.translate(TranslateJob(FIRST + SECOND, "zh")))
    assert document.segments[1].translation == "Danius said the selection went smoothly."
    asked = [(source.text, source.rendered != "") for source in backend.seen]
    # The second sentence waits for the first's rendering of the name: reading order, not finishing order.
    assert asked == [(FIRST, False), ("戴纽斯", True), (SECOND, False)]
    assert backend.seen[1].context == FIRST and backend.seen[1].rendered.startswith("Permanent")
    assert ("戴纽斯", "Danius") in backend.seen[2].glossary
    [report] = [term for term in document.glossary if term.term == "戴纽斯"]
    assert (report.rendering, report.origin, report.segments) == ("Danius", "document", ("p1.s2",))
    assert "term_inconsistent" not in [warning.code for warning in document.warnings]


def test_an_answer_the_first_english_does_not_hold_is_no_entry() -> None:
    class Guesses(SpellsNamesAnew):
        def _answer(self, source: Source) -> str:
            return "Daniel" if source.rendered else super()._answer(source)

    backend = Guesses()
    pipeline = TranslationPipeline(OneQueue(backend), token_budget=200, timeout=10)
    document = asyncio.run(pipeline.translate(TranslateJob(FIRST + SECOND, "zh")))
    assert document.segments[1].translation == "Dainius said the selection went smoothly."
    assert all(term.origin != "document" for term in document.glossary)


def test_only_names_the_glossary_does_not_render_and_that_recur_are_repeated_names() -> None:
    texts = [FIRST, SECOND, "区长周桂良出席。", "周桂良表示，很好。"]
    names = repeated_names(texts, build_glossary(auto_from="\n".join(texts)))
    assert names == {"戴纽斯": [0, 1]}  # 周桂良 has its automatic rendering already


def test_the_first_in_reading_order_is_waited_for_even_when_it_finishes_last() -> None:
    class SlowFirst(OneQueue):
        """The first sentence's translation takes longest, as a long sentence in a batch does."""

        def __init__(self, backend: SpellsNamesAnew) -> None:
            super().__init__(backend)
            direct = self.queue.run

            async def run(items: Sequence[Any], *args: Any, **kwargs: Any) -> list[Generation]:
                if any(item.source.text == FIRST for item in items):
                    await asyncio.sleep(0.05)
                return await direct(items, *args, **kwargs)

            self.queue.run = run  # type: ignore[method-assign]

    backend = SpellsNamesAnew()
    pipeline = TranslationPipeline(SlowFirst(backend), token_budget=200, timeout=10)
    document = asyncio.run(pipeline.translate(TranslateJob(FIRST + SECOND, "zh")))
    assert document.segments[1].translation == "Danius said the selection went smoothly."
    assert [source.text for source in backend.seen] == [FIRST, "戴纽斯", SECOND]


def test_a_sentence_given_a_names_rendering_is_filed_in_the_memory_under_it() -> None:
    class Remembers:
        def __init__(self) -> None:
            self.filed: list[MemoryAsk] = []

        async def recall(
            self, tenant: str, info: Any, language: str, asks: Sequence[MemoryAsk]
        ) -> list[None]:
            return [None] * len(asks)

        async def remember(
            self,
            tenant: str,
            info: Any,
            language: str,
            ask: MemoryAsk,
            translation: str,
            confidence: float | None = None,
        ) -> None:
            self.filed.append(ask)

    memory = Remembers()
    pipeline = TranslationPipeline(OneQueue(SpellsNamesAnew()), token_budget=200, timeout=10, memory=memory)
    asyncio.run(pipeline.translate(TranslateJob(FIRST + SECOND, "zh")))
    # Recalled under the terms it was asked with, this sentence would bring back another document's name.
    [second] = [ask for ask in memory.filed if ask.source == SECOND]
    assert ("戴纽斯", "Danius") in second.glossary


def test_a_names_rendering_reaches_the_prompt_head_that_shows_the_documents_terms() -> None:
    template = load_template(default_prompts_dir(), "qwen/translate.v4")
    source = Source(SECOND, "zh", glossary=(), document_glossary=(("瑞典学院", "Swedish Academy"),))
    plan, item = with_entries(PiecePlan(source, ()), QueueItem(source, 10), {"戴纽斯": "Danius"})
    prompt = template.messages(item.source)[1]["content"]
    assert "戴纽斯 = Danius" in prompt and "瑞典学院 = Swedish Academy" in prompt
    assert [entry.origin for entry in plan.entries] == ["document"]
    # The name question quotes the sentence's English.
    asked = Source("戴纽斯", "zh", context=FIRST, rendered="Danius announced the winners.")
    question = template.messages(asked)[1]["content"]
    assert 'The sentence\'s English: "Danius announced the winners."' in question


def test_a_names_rendering_reaches_the_sentences_own_terms_line() -> None:
    """translate.v5 shows each sentence its own terms: the name's document rendering is among them."""
    template = load_prompt(default_prompts_dir(), "qwen", "translate")
    source = Source(SECOND, "zh", glossary=())
    _, item = with_entries(PiecePlan(source, ()), QueueItem(source, 10), {"戴纽斯": "Danius"})
    assert "- 戴纽斯 = Danius\n\n戴纽斯表示" in template.messages(item.source)[1]["content"]
