"""The translation pipeline: the one code path from text to result, shared by HTTP, CLI and batch jobs.

normalize → segment → glossary plan → memory → batch queue → model → checks (one stricter retry for
prompted models) → reassemble, with warnings and a glossary report. Each segment is final, and told to
whoever listens, as soon as its own work is done.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from service.engine.items import QueueItem, new_flow
from service.engine.pending import Flow
from service.glossary import build_glossary
from service.memory import MemoryAsk, Recalled
from service.memory.examples import ExampleFinder
from service.models.backend import ModelInfo
from service.pipeline import consistency
from service.pipeline.assemble import (
    FinishedSegment,
    assemble_document,
    recalled_segment,
    segment_entries,
)
from service.pipeline.events import NOBODY_LISTENS, Caller, SegmentDone, SegmentTally
from service.pipeline.languages import passed_through, passes_through, request_language, resolve_language
from service.pipeline.outcomes import each_on_its_own, failed_document
from service.pipeline.ports import ModelQueue, ModelSource, SegmentMemory, all_or_none, time_limit
from service.pipeline.prepare import prepare_document
from service.pipeline.segments import split_by_segment, translate_segment
from service.pipeline.terms import (
    PiecePlan,
    plan_piece,
    with_document_glossary,
    with_examples,
)
from service.pipeline.types import PreparedDocument, TranslatedDocument, UnsupportedLanguage
from service.pipeline.with_context import translate_in_context

TARGET_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True)
class TranslateJob:
    text: str
    source_lang: str = "auto"
    target_lang: str = "en"
    glossary: Mapping[str, str] = field(default_factory=dict)
    clean_input: bool = True  # False only to measure what cleaning wins back (evaluation)
    split_sentences: bool = True  # False: each paragraph is one segment (DeepL's split_sentences=0)


@dataclass(frozen=True)
class _Work:
    """A prepared document: its segments, and for each model input the plan and the queue item."""

    prepared: PreparedDocument
    plans: list[PiecePlan]
    items: list[QueueItem]
    # Names without a glossary entry that recur: segment numbers, in reading order (consistency.py).
    names: dict[str, list[int]] = field(default_factory=dict)


class TranslationPipeline:
    def __init__(
        self,
        models: ModelSource,
        *,
        token_budget: int,
        timeout: float,
        auto_terms: bool = True,
        prompt_context: bool = False,
        configured_glossary: Mapping[str, str] | None = None,
        memory: SegmentMemory | None = None,
        examples: ExampleFinder | None = None,
    ) -> None:
        self.models = models
        self._memory = memory  # segments translated before, and people's corrections
        self._examples = examples  # the memory's entries like a document, for instruction models
        self._token_budget = token_budget
        self._timeout = timeout
        self._auto_terms = auto_terms  # automatic renderings of the names a Chinese document holds
        self._prompt_context = prompt_context  # instruction models see the sentences around each one
        self._configured = dict(configured_glossary or {})  # the service's own, under each request's

    def check_target(self, target_lang: str) -> None:
        if target_lang not in TARGET_LANGUAGES:
            raise UnsupportedLanguage(f"target language {target_lang!r} is not supported; use 'en'")

    async def translate_many(
        self, jobs: Sequence[TranslateJob], flow: Flow | None = None, caller: Caller = NOBODY_LISTENS
    ) -> list[TranslatedDocument]:
        """Each document on its own, all at once, as one flow under one deadline for the request.

        A task group: when one document fails, its siblings' queued work is withdrawn, not left to run.
        """
        for job in jobs:
            self.check_target(job.target_lang)
        flow = flow or new_flow()
        together = (
            await asyncio.to_thread(request_language, [job.text for job in jobs]) if len(jobs) > 1 else None
        )
        async with asyncio.timeout(time_limit(self._timeout, flow)):
            outcomes = await each_on_its_own(
                lambda each: self.translate(each[1], flow, together, caller=caller.for_document(each[0])),
                list(enumerate(jobs)),
            )
        return [
            outcome if isinstance(outcome, TranslatedDocument) else failed_document(outcome, job.source_lang)
            for outcome, job in zip(outcomes, jobs, strict=True)
        ]

    async def translate(
        self,
        job: TranslateJob,
        flow: Flow | None = None,
        request_lang: str | None = None,
        *,
        caller: Caller = NOBODY_LISTENS,
    ) -> TranslatedDocument:
        """One document; `request_lang`: the language of the request it came in, where it had several.

        Segments the tenant's memory holds are answered from it; the others go to the model side by side,
        each told to `caller.listener` the moment it is final (and, when someone listens, scheduled in
        reading order), and filed in the memory.
        """
        started = time.perf_counter()
        self.check_target(job.target_lang)
        flow = flow or new_flow()
        language, confidence = await asyncio.to_thread(
            resolve_language, job.text, job.source_lang, request_lang
        )
        if passes_through(language):
            return await asyncio.to_thread(passed_through, job.text, language, confidence, job.clean_input)
        queue = await self.models.translator(language)
        info = queue.backend.info
        ranked = caller.listener is not None
        work = await asyncio.to_thread(self._prepare, job, language, queue, ranked, caller.tenant)
        if info.prompted and self._prompt_context:
            finished = await translate_in_context(
                queue, work.prepared, work.plans, work.items, language, flow, self._timeout
            )
            for done in finished:
                caller.tell(SegmentDone(caller.document, done.segment, done.warnings))
        else:
            finished = await self._segment_by_segment(queue, work, language, flow, caller)
        document = assemble_document(work.prepared, finished, language, confidence, info.random_weights)
        return replace(document, model=info, seconds=round(time.perf_counter() - started, 3))

    async def _segment_by_segment(
        self, queue: ModelQueue, work: _Work, language: str, flow: Flow, caller: Caller
    ) -> list[FinishedSegment]:
        """Every segment: from memory, or through the model (all at once, each final on its own)."""
        info = queue.backend.info
        works = split_by_segment(work.prepared.segments, work.plans, work.items)
        asks = [MemoryAsk(w.segment.normalized, _terms(w.plans)) for w in works]
        recalled = await self._recall(caller.tenant, info, language, asks)
        tally = SegmentTally(caller.document, len(works), caller.tell)
        limit = time_limit(self._timeout, flow)
        fresh = [item for w, hit in zip(works, recalled, strict=True) if hit is None for item in w.items]
        if fresh:
            queue.admit(fresh, limit, flow)  # the whole document judged once; its segments run in parts

        names = consistency.NameRenderings(work.names)

        async def one(index: int) -> FinishedSegment:
            hit = recalled[index]
            if hit is not None:
                done = recalled_segment(works[index].segment, works[index].plans, hit)
            else:
                works[index] = consistency.with_names(works[index], await names.entries_for(index))
                done = await translate_segment(queue, works[index], language, limit, flow)
                if self._memory is not None:
                    # Filed under the terms it was given, the document's renderings of names included.
                    ask = MemoryAsk(works[index].segment.normalized, _terms(works[index].plans))
                    segment = done.segment
                    await self._memory.remember(
                        caller.tenant, info, language, ask, segment.translation, segment.confidence
                    )
            tokens = sum(generation.new_tokens for generation in done.generations)
            event = SegmentDone(caller.document, done.segment, done.warnings)
            tally.finished(event, tokens, recalled=hit is not None)
            # Told first: the names it holds first are settled from its English after.
            english = done.segment.translation
            asked = await names.settle(queue, index, consistency.as_one(works[index]), english, limit, flow)
            return replace(done, generations=(*done.generations, *asked))

        return await all_or_none(one(index) for index in range(len(works)))

    async def _recall(
        self, tenant: str, info: ModelInfo, language: str, asks: list[MemoryAsk]
    ) -> list[Recalled | None]:
        if self._memory is None:
            return [None] * len(asks)
        return await self._memory.recall(tenant, info, language, asks)

    def _prepare(
        self, job: TranslateJob, language: str, queue: ModelQueue, ranked: bool, tenant: str
    ) -> _Work:
        """CPU work (normalising, splitting, glossary matching, finding examples, tokenising), run off the
        event loop. `ranked`: the items carry their segment's number, to be run in reading order."""
        backend = queue.backend
        budget = min(self._token_budget, backend.info.max_input_tokens)
        prepared = prepare_document(
            job.text,
            simplify=backend.info.wants_simplified,
            count_tokens=backend.count_tokens,
            token_budget=budget,
            clean_input=job.clean_input,
            split_sentences=job.split_sentences,
        )
        names_from = "\n".join(segment.normalized for segment in prepared.segments)
        glossary = build_glossary(
            job.glossary,
            configured=self._configured,
            auto_from=names_from if self._auto_terms and language == "zh" else None,
        )
        pieces = [
            (number, piece) for number, segment in enumerate(prepared.segments) for piece in segment.pieces
        ]
        plans = [plan_piece(piece, language, glossary, prompted=backend.info.prompted) for _, piece in pieces]
        if backend.info.prompted:
            plans = with_document_glossary(plans)
            if self._examples is not None:
                text = "\n".join(segment.normalized for segment in prepared.segments)
                plans = with_examples(plans, self._examples.find(tenant, language, text))
        items = [
            QueueItem(plan.source, backend.count_tokens(plan.source.text), number if ranked else None)
            for (number, _), plan in zip(pieces, plans, strict=True)
        ]
        consistent = backend.info.prompted and language == "zh" and not self._prompt_context
        texts = [segment.normalized for segment in prepared.segments]
        names = consistency.repeated_names(texts, glossary) if consistent else {}
        return _Work(prepared, plans, items, names)


def _terms(plans: list[PiecePlan]) -> tuple[tuple[str, str], ...]:
    return tuple((entry.term, entry.rendering) for entry in segment_entries(plans))
