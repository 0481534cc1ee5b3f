"""The translation pipeline: the one code path from text to result, shared by HTTP, CLI and batch jobs.

normalize → segment → glossary plan → batch queue → model → checks (one stricter retry for prompted
models) → reassemble, with warnings and a glossary report.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from service.engine.items import QueueItem, new_flow
from service.engine.pending import Flow
from service.glossary import build_glossary
from service.models.backend import Generation
from service.pipeline import rescue
from service.pipeline.checks import segment_problems
from service.pipeline.context import chains, in_context, plan_context
from service.pipeline.ports import ModelQueue, ModelSource, all_or_none, time_limit
from service.pipeline.prepare import cleaned_text, prepare_document
from service.pipeline.terms import (
    PiecePlan,
    inconsistent_terms,
    plan_piece,
    report_terms,
    restore_placeholders,
)
from service.pipeline.types import (
    Notice,
    PreparedDocument,
    TranslatedDocument,
    TranslatedSegment,
    UnsupportedLanguage,
)
from service.text.langdetect import SUPPORTED_SOURCES, detect_language
from service.text.normalize import tidy_output

TARGET_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True)
class TranslateJob:
    text: str
    source_lang: str = "auto"
    target_lang: str = "en"
    glossary: Mapping[str, str] = field(default_factory=dict)
    clean_input: bool = True  # False only to measure what cleaning wins back (evaluation)


@dataclass(frozen=True)
class _Work:
    """A prepared document: its segments, and for each model input the plan and the queue item."""

    prepared: PreparedDocument
    plans: list[PiecePlan]
    items: list[QueueItem]


def resolve_language(text: str, requested: str) -> tuple[str, float | None]:
    """The source language and the detector's confidence (None when the caller named the language)."""
    if requested != "auto":
        if requested not in SUPPORTED_SOURCES:
            raise UnsupportedLanguage(f"source language {requested!r} is not supported")
        language, confidence = requested, None
    else:
        detection = detect_language(cleaned_text(text))
        if detection is None:
            raise UnsupportedLanguage("the source language could not be detected; set source_lang")
        language, confidence = detection.language, detection.confidence
    if language == "en":
        raise UnsupportedLanguage("the text is already English; Gazette translates into English")
    return language, confidence


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
    ) -> None:
        self.models = models
        self._token_budget = token_budget
        self._timeout = timeout
        self._auto_terms = auto_terms  # automatic renderings of the names a Chinese document holds
        self._prompt_context = prompt_context  # instruction models see the sentences around each one
        self._configured = dict(configured_glossary or {})  # the service's own, under each request's

    def check_target(self, target_lang: str) -> None:
        if target_lang not in TARGET_LANGUAGES:
            raise UnsupportedLanguage(f"target language {target_lang!r} is not supported; use 'en'")

    async def translate_many(
        self, jobs: Sequence[TranslateJob], flow: Flow | None = None
    ) -> list[TranslatedDocument]:
        """Each document on its own, all at once, as one flow under one deadline for the request.

        A task group: when one document fails, its siblings' queued work is withdrawn, not left to run.
        """
        for job in jobs:
            self.check_target(job.target_lang)
        flow = flow or new_flow()
        async with asyncio.timeout(time_limit(self._timeout, flow)):
            return await all_or_none(self.translate(job, flow) for job in jobs)

    async def translate(self, job: TranslateJob, flow: Flow | None = None) -> TranslatedDocument:
        started = time.perf_counter()
        self.check_target(job.target_lang)
        flow = flow or new_flow()
        language, confidence = await asyncio.to_thread(resolve_language, job.text, job.source_lang)
        queue = await self.models.translator(language)
        work = await asyncio.to_thread(self._prepare, job, language, queue)
        if queue.backend.info.prompted and self._prompt_context:
            generations, outputs = await self._first_pass_in_context(queue, work, flow)
        else:
            generations = await queue.run(work.items, time_limit(self._timeout, flow), flow)
            outputs = [
                restore_placeholders(g.text, plan) for g, plan in zip(generations, work.plans, strict=True)
            ]
        patched: dict[int, list[str]] = {}
        by_clauses: set[int] = set()
        if queue.backend.info.prompted:
            limit = time_limit(self._timeout, flow)
            plans, items = work.plans, work.items
            generations += await rescue.second_attempt(queue, plans, items, outputs, language, limit, flow)
            generations += await rescue.by_clauses(queue, plans, outputs, language, by_clauses, limit, flow)
            generations += await rescue.translate_fragments(queue, plans, outputs, patched, limit, flow)
        document = self._assemble(work, outputs, language, confidence, queue, (patched, by_clauses))
        return replace(
            document,
            model=queue.backend.info,
            generated_tokens=sum(generation.new_tokens for generation in generations),
            seconds=round(time.perf_counter() - started, 3),
        )

    async def _first_pass_in_context(
        self, queue: ModelQueue, work: _Work, flow: Flow
    ) -> tuple[list[Generation], list[str]]:
        """Each piece with the document's first line and the piece before (and its English, within a
        paragraph): a paragraph's pieces one after another, the paragraphs side by side.

        `work.items` get the sources as sent, so a second attempt carries the same context.
        """
        paragraphs = [
            paragraph
            for segment in work.prepared.segments
            for paragraph in [segment.paragraph] * len(segment.pieces)
        ]
        planned = plan_context(paragraphs, [plan.source.text for plan in work.plans])
        generations: dict[int, Generation] = {}
        outputs: dict[int, str] = {}

        async def run_chain(chain: list[int]) -> None:
            for index in chain:
                before = planned[index].waits_for
                source = in_context(
                    work.items[index].source,
                    planned[index],
                    outputs.get(before, "") if before is not None else "",
                )
                work.items[index] = replace(work.items[index], source=source)
                limit = time_limit(self._timeout, flow)
                [generation] = await queue.run([work.items[index]], limit, flow, judged=False)
                generations[index] = generation
                outputs[index] = restore_placeholders(generation.text, work.plans[index])

        queue.admit(work.items, time_limit(self._timeout, flow), flow)  # the whole document, judged once
        await all_or_none(run_chain(chain) for chain in chains(paragraphs))
        order = range(len(work.items))
        return [generations[index] for index in order], [outputs[index] for index in order]

    def _prepare(self, job: TranslateJob, language: str, queue: ModelQueue) -> _Work:
        """CPU work (normalising, splitting, glossary matching, tokenising), run off the event loop."""
        backend = queue.backend
        budget = min(self._token_budget, backend.info.max_input_tokens)
        prepared = prepare_document(
            job.text,
            simplify=backend.info.wants_simplified,
            count_tokens=backend.count_tokens,
            token_budget=budget,
            clean_input=job.clean_input,
        )
        names_from = "\n".join(segment.normalized for segment in prepared.segments)
        glossary = build_glossary(
            job.glossary,
            configured=self._configured,
            auto_from=names_from if self._auto_terms and language == "zh" else None,
        )
        pieces = [piece for segment in prepared.segments for piece in segment.pieces]
        plans = [plan_piece(piece, language, glossary, prompted=backend.info.prompted) for piece in pieces]
        items = [QueueItem(plan.source, backend.count_tokens(plan.source.text)) for plan in plans]
        return _Work(prepared, plans, items)

    def _assemble(
        self,
        work: _Work,
        outputs: list[str],
        language: str,
        confidence: float | None,
        queue: ModelQueue,
        mended: tuple[dict[int, list[str]], set[int]],
    ) -> TranslatedDocument:
        """The document from its pieces' outputs; `mended`: the fragments patched into each piece, and
        the pieces translated clause by clause."""
        patched, by_clauses = mended
        remaining = iter(enumerate(zip(outputs, work.plans, strict=True)))
        segments: list[TranslatedSegment] = []
        warnings: list[Notice] = []
        term_uses = []
        if queue.backend.info.random_weights:
            warnings.append(Notice("random_model", "this model has random weights: its output is noise"))
        for segment in work.prepared.segments:
            numbered = [next(remaining) for _ in segment.pieces]
            parts = [part for _, part in numbered]
            translation = tidy_output(" ".join(output for output, _ in parts))
            entries = [entry for _, plan in parts for entry in plan.entries]
            terms = [(entry.term, entry.rendering) for entry in dict.fromkeys(entries)]
            for problem in segment_problems(segment.normalized, translation, language, terms):
                warnings.append(Notice(problem.code, problem.message, segment.id))
            if any(index in by_clauses for index, _ in numbered):
                message = (
                    "the model gave no usable translation of the whole sentence: translated clause by clause"
                )
                warnings.append(Notice("translated_clause_by_clause", message, segment.id))
            fixes = [fix for index, _ in numbered for fix in patched.get(index, [])]
            if fixes:
                message = "fragments the model left in Chinese were translated on their own: " + "; ".join(
                    fixes
                )
                warnings.append(Notice("fragments_translated_separately", message, segment.id))
            term_uses.append((segment.id, entries, translation))
            segments.append(
                TranslatedSegment(
                    segment.id, segment.paragraph, segment.source, segment.normalized, translation
                )
            )
        report = report_terms(term_uses)
        warnings += [
            Notice("term_inconsistent", says, first) for first, says in inconsistent_terms(term_uses)
        ]
        paragraphs: dict[int, list[str]] = {}
        for translated in segments:
            paragraphs.setdefault(translated.paragraph, []).append(translated.translation)
        return TranslatedDocument(
            source_lang=language,
            source_lang_confidence=confidence,
            translation="\n".join(" ".join(part for part in parts if part) for parts in paragraphs.values()),
            segments=tuple(segments),
            warnings=tuple(warnings),
            glossary=tuple(report),
            annotations_removed=work.prepared.annotations_removed,
        )
