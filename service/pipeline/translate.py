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
from service.pipeline.languages import passed_through, passes_through, request_language, resolve_language
from service.pipeline.outcomes import each_on_its_own, failed_document
from service.pipeline.ports import ModelQueue, ModelSource, all_or_none, time_limit
from service.pipeline.prepare import prepare_document
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
    Segment,
    TranslatedDocument,
    TranslatedSegment,
    UnsupportedLanguage,
)
from service.text.latin import keep_latin
from service.text.normalize import has_han, tidy_output

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
        together = (
            await asyncio.to_thread(request_language, [job.text for job in jobs]) if len(jobs) > 1 else None
        )
        async with asyncio.timeout(time_limit(self._timeout, flow)):
            outcomes = await each_on_its_own(lambda job: self.translate(job, flow, together), jobs)
        return [
            outcome if isinstance(outcome, TranslatedDocument) else failed_document(outcome, job.source_lang)
            for outcome, job in zip(outcomes, jobs, strict=True)
        ]

    async def translate(
        self, job: TranslateJob, flow: Flow | None = None, request_lang: str | None = None
    ) -> TranslatedDocument:
        """One document; `request_lang`: the language of the request it came in, where it had several."""
        started = time.perf_counter()
        self.check_target(job.target_lang)
        flow = flow or new_flow()
        language, confidence = await asyncio.to_thread(
            resolve_language, job.text, job.source_lang, request_lang
        )
        if passes_through(language):
            return await asyncio.to_thread(passed_through, job.text, language, confidence, job.clean_input)
        queue = await self.models.translator(language)
        work = await asyncio.to_thread(self._prepare, job, language, queue)
        if queue.backend.info.prompted and self._prompt_context:
            generations, outputs = await self._first_pass_in_context(queue, work, flow)
        else:
            generations, outputs = await self._first_pass(queue, work, language, flow)
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

    async def _first_pass(
        self, queue: ModelQueue, work: _Work, language: str, flow: Flow
    ) -> tuple[list[Generation], list[str]]:
        """Every piece through the model, but those of a Chinese document without any Chinese (an English
        paragraph, a line of figures or codes): they are kept as they are, and cost no model time."""
        pieces = [piece for segment in work.prepared.segments for piece in segment.pieces]
        as_is = {i: piece for i, piece in enumerate(pieces) if language == "zh" and not has_han(piece)}
        todo = [i for i in range(len(pieces)) if i not in as_is]
        generations = await queue.run([work.items[i] for i in todo], time_limit(self._timeout, flow), flow)
        made = {
            i: restore_placeholders(g.text, work.plans[i]) for i, g in zip(todo, generations, strict=True)
        }
        return generations, [made[i] if i in made else as_is[i] for i in range(len(pieces))]

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
            split_sentences=job.split_sentences,
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
            if language == "zh":
                translation = _with_latin_kept(segment, translation, warnings)
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


def _with_latin_kept(segment: Segment, translation: str, warnings: list[Notice]) -> str:
    """Codes, addresses and Latin glosses of a Chinese sentence come out as they went in: any the model
    dropped or changed are put back (at the end of the sentence), and a warning says which."""
    kept, restored = keep_latin(segment.normalized, translation)
    if restored:
        message = "Latin text the model dropped or changed was put back: " + ", ".join(restored)
        warnings.append(Notice("latin_text_restored", message, segment.id))
    return kept
