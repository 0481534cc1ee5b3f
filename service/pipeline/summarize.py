"""The summary pipeline: translate, choose salient sentences, write one bullet each, verify, fall back.

translate (TranslationPipeline, reused as it is) → salience.choose (no model) → one bullet per group
from the profile's summarising model (the instruction model through prompts/, or a seq2seq summariser)
→ bullets.bullet_problems → a failing bullet is written once more, stricter → still failing, the
compressed extract of its anchor sentence → still failing, no bullet. Nothing unverified is shipped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from service.engine.items import QueueItem, new_flow
from service.engine.pending import Flow
from service.models.backend import Generation, Source
from service.pipeline.bullets import (
    Bullet,
    bullet_problems,
    clean_bullet,
    compress_extract,
    source_terms,
    without_clauses_holding,
)
from service.pipeline.events import NOBODY_LISTENS, BulletDone, Caller
from service.pipeline.languages import request_language
from service.pipeline.outcomes import each_on_its_own, failed_document
from service.pipeline.ports import ModelQueue, ModelSource, time_limit
from service.pipeline.salience import choose
from service.pipeline.support import Terms, unsupported_terms
from service.pipeline.translate import TranslateJob, TranslationPipeline
from service.pipeline.types import Notice, TranslatedDocument, TranslatedSegment
from service.text.numbers import unsupported_numbers


@dataclass(frozen=True)
class Summary:
    bullets: tuple[Bullet, ...]
    regenerated: int  # bullets whose first draft failed verification and were written again
    replaced: int  # bullets whose second draft failed too, shipped as a compressed extract instead
    dropped: int  # chosen sentences that got no verified bullet at all (their extract failed as well)
    model: str  # the summarising model
    templates: tuple[str, ...]  # prompt templates used, `family/task.vN` (none for seq2seq models)
    notes: tuple[Notice, ...] = ()  # what the verifier sent back, and why
    generated_tokens: int = 0
    prompt_tokens: int = 0  # evaluated by the model
    cached_prompt_tokens: int = 0  # taken ready-made from its cache
    seconds: float = 0.0


_NO_SUMMARY = Summary(bullets=(), regenerated=0, replaced=0, dropped=0, model="", templates=())


@dataclass(frozen=True)
class SummarizedDocument:
    document: TranslatedDocument  # the translation the summary was made from
    summary: Summary


@dataclass(frozen=True)
class SummarizeJob:
    translate: TranslateJob
    bullets: int = 5


@dataclass
class _Draft:
    """One bullet in the making: its sources, its latest text, and the bullet it became, if any."""

    cited: tuple[TranslatedSegment, ...]
    terms: Terms | None = None  # the glossary entries of its sources, where their Chinese is read
    attempt: str = ""
    problems: tuple[str, ...] = ()
    bullet: Bullet | None = None
    # The first attempt's exchange (what the model was asked, its reply as written): the strict rewrite is
    # asked as its next turn, which llama.cpp reads from its cache but for the new question.
    asked: tuple[Source, str] | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(segment.id for segment in self.cited)

    @property
    def sources_text(self) -> str:
        return " ".join(segment.translation for segment in self.cited)

    def note(self, code: str) -> Notice:
        shown = self.attempt if len(self.attempt) <= 160 else self.attempt[:159] + "…"
        return Notice(code, f"{', '.join(self.problems)}: {shown!r}", self.ids[0])


def _others(draft: _Draft, drafts: Sequence[_Draft]) -> list[str]:
    return [other.bullet.text for other in drafts if other is not draft and other.bullet is not None]


def _accept(
    drafts: Sequence[_Draft], batch: Sequence[_Draft], texts: Sequence[str], origin: str
) -> list[_Draft]:
    """Verify each new text in turn; the drafts whose text passes get their bullet, the others are returned."""
    failing = []
    for draft, text in zip(batch, texts, strict=True):
        draft.attempt = clean_bullet(text)
        others = _others(draft, drafts)
        draft.problems = tuple(bullet_problems(draft.attempt, draft.cited, others, terms=draft.terms))
        if draft.problems:
            failing.append(draft)
        else:
            draft.bullet = Bullet(draft.attempt, draft.ids, origin)
    return failing


def _fall_back(draft: _Draft, drafts: Sequence[_Draft]) -> None:
    """The anchor sentence's own words, compressed, and verified like any bullet; else no bullet.

    Clauses holding a word its source does not account for are left out first: the model's bullet may
    have failed for repeating the sentence's own mistranslation."""
    anchor = draft.cited[0]
    terms = draft.terms
    wrong = unsupported_terms(anchor.translation, (anchor,), terms) if terms is not None else []
    draft.attempt = compress_extract(without_clauses_holding(anchor.translation, wrong))
    others = _others(draft, drafts)
    draft.problems = tuple(bullet_problems(draft.attempt, (anchor,), others, terms=terms))
    if not draft.problems:
        draft.bullet = Bullet(draft.attempt, (anchor.id,), "extract")


class SummarizationPipeline:
    def __init__(self, translation: TranslationPipeline, models: ModelSource, *, timeout: float) -> None:
        self.translation = translation
        self.models = models
        self._timeout = timeout

    async def summarize_many(
        self, jobs: Sequence[SummarizeJob], flow: Flow | None = None, caller: Caller = NOBODY_LISTENS
    ) -> list[SummarizedDocument]:
        """Each document on its own, as one flow under one deadline; one failing withdraws the others."""
        for job in jobs:
            self.translation.check_target(job.translate.target_lang)
        flow = flow or new_flow()
        texts = [job.translate.text for job in jobs]
        together = await asyncio.to_thread(request_language, texts) if len(jobs) > 1 else None
        async with asyncio.timeout(time_limit(self._timeout, flow)):
            outcomes = await each_on_its_own(
                lambda each: self.summarize(each[1], flow, together, caller.for_document(each[0])),
                list(enumerate(jobs)),
            )
        return [
            outcome
            if isinstance(outcome, SummarizedDocument)
            else SummarizedDocument(failed_document(outcome, job.translate.source_lang), _NO_SUMMARY)
            for outcome, job in zip(outcomes, jobs, strict=True)
        ]

    async def summarize(
        self,
        job: SummarizeJob,
        flow: Flow | None = None,
        request_lang: str | None = None,
        caller: Caller = NOBODY_LISTENS,
    ) -> SummarizedDocument:
        """Translate, then summarise that same translation."""
        flow = flow or new_flow()
        document = await self.translation.translate(job.translate, flow, request_lang, caller=caller)
        summary = await self.summarize_document(document, job.bullets, flow, caller)
        return SummarizedDocument(document, summary)

    async def summarize_document(
        self,
        document: TranslatedDocument,
        bullets: int,
        flow: Flow | None = None,
        caller: Caller = NOBODY_LISTENS,
    ) -> Summary:
        """Up to `bullets` verified bullets, in document order, for an already translated document."""
        started = time.perf_counter()
        flow = flow or new_flow()
        groups = await asyncio.to_thread(choose, document, bullets)
        queue = await self.models.summarizer()
        drafts = []
        for group in groups:
            cited = tuple(document.segments[i] for i in group)
            drafts.append(_Draft(cited, source_terms(document, [segment.id for segment in cited])))
        first = await self._write(queue, drafts, flow, strict=False)
        failed = _accept(drafts, drafts, [g.text for g in first], "model")
        _tell(caller, [draft for draft in drafts if draft not in failed])
        notes = [draft.note("bullet_regenerated") for draft in failed]
        second = await self._write(queue, failed, flow, strict=True)
        for draft in _accept(drafts, failed, [g.text for g in second], "model_retry"):
            rejected = draft.note("bullet_replaced")
            _fall_back(draft, drafts)
            # Replaced by its extract; or, the extract failing too, dropped: both rejections are told.
            notes += (
                [rejected]
                if draft.bullet
                else [replace(rejected, code="bullet_dropped"), draft.note("extract_rejected")]
            )
        _tell(caller, failed)
        info = queue.backend.info
        prompt = info.prompt_for("summarize")
        return Summary(
            bullets=tuple(draft.bullet for draft in drafts if draft.bullet is not None),
            regenerated=len(failed),
            replaced=sum(draft.bullet is not None and draft.bullet.origin == "extract" for draft in drafts),
            dropped=sum(draft.bullet is None for draft in drafts),
            model=info.model,
            templates=(prompt,) if prompt else (),
            notes=tuple(notes),
            generated_tokens=sum(g.new_tokens for g in [*first, *second]),
            prompt_tokens=sum(g.prompt_tokens for g in [*first, *second]),
            cached_prompt_tokens=sum(g.cached_prompt_tokens for g in [*first, *second]),
            seconds=round(time.perf_counter() - started, 3),
        )

    async def _write(
        self, queue: ModelQueue, drafts: Sequence[_Draft], flow: Flow, *, strict: bool
    ) -> list[Generation]:
        """One bullet per draft from the model; a strict rewrite is told which numbers and words it must
        not use."""
        sources = [
            Source(
                draft.sources_text,
                "en",
                strict=strict,
                leftover=_rejected_words(draft) if strict else (),
                task="summarize",
                follows=draft.asked if strict else None,
            )
            for draft in drafts
        ]
        items = [QueueItem(source, queue.backend.count_tokens(source.text)) for source in sources]
        # Bullets follow a translation already spent, or are a handful: let finish or time out, never refused.
        written = await queue.run(items, time_limit(self._timeout, flow), flow, judged=False)
        if not strict:
            for draft, source, generation in zip(drafts, sources, written, strict=True):
                draft.asked = (source, generation.raw) if generation.raw else None
        return written


def _tell(caller: Caller, drafts: Sequence[_Draft]) -> None:
    """Each bullet of `drafts` that was verified, to whoever listens."""
    for draft in drafts:
        if draft.bullet is not None:
            bullet = draft.bullet
            caller.tell(BulletDone(caller.document, bullet.text, bullet.sources, bullet.origin))


def _rejected_words(draft: _Draft) -> tuple[str, ...]:
    """The numbers and the words of a draft's attempt that its sources do not support."""
    numbers = unsupported_numbers(draft.attempt, _evidence(draft))
    terms = [] if draft.terms is None else unsupported_terms(draft.attempt, draft.cited, draft.terms)
    return (*numbers, *terms)


def _evidence(draft: _Draft) -> list[str]:
    return [segment.translation for segment in draft.cited] + [segment.normalized for segment in draft.cited]
