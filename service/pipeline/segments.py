"""One segment from its pieces to its final translation: the model's first answer, then, for an
instruction model, the rescue passes its checks call for. Segments run side by side (the scheduler
batches their items together), so each is final, and can be shown, the moment its own work is done."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from service.engine.items import QueueItem
from service.engine.pending import Flow
from service.models.backend import Generation
from service.pipeline import rescue
from service.pipeline.assemble import FinishedSegment, Mends, finish_segment
from service.pipeline.inline_tags import place_lost_tags
from service.pipeline.ports import ModelQueue
from service.pipeline.terms import PiecePlan, restore_placeholders
from service.pipeline.types import Segment
from service.text.normalize import has_han


@dataclass(frozen=True)
class SegmentWork:
    segment: Segment
    plans: list[PiecePlan]
    items: list[QueueItem]
    # The document's fragments already put in English on their own, one dict shared by its segments: a
    # fragment the model leaves in Chinese again takes the same English (rescue.translate_fragments).
    fragments: dict[str, str] = field(default_factory=dict)


async def translate_segment(
    queue: ModelQueue,
    work: SegmentWork,
    language: str,
    timeout: float | None,
    flow: Flow,
) -> FinishedSegment:
    """The segment's pieces through the model; pieces of a Chinese document without any Chinese (an
    English clause, a line of figures or codes) are kept as they are, at no model time."""
    plans, items = work.plans, list(work.items)
    texts = list(work.segment.pieces)  # as written: a masked piece (ZQX1。) may show no Chinese
    as_is = {i: text for i, text in enumerate(texts) if language == "zh" and not has_han(text)}
    todo = [i for i in range(len(texts)) if i not in as_is]
    generations = await queue.run([items[i] for i in todo], timeout, flow, judged=False)
    made = {i: restore_placeholders(g.text, plans[i]) for i, g in zip(todo, generations, strict=True)}
    outputs = [made[i] if i in made else as_is[i] for i in range(len(texts))]
    spent: list[Generation] = list(generations)
    mends = Mends()
    if queue.backend.info.prompted:
        replies = {i: (items[i].source, g) for i, g in zip(todo, generations, strict=True)}
        answers = rescue.Answers(outputs, replies)
        spent, mends = await _rescue(queue, work, items, answers, language, timeout, flow, spent)
    return finish_segment(work.segment, outputs, plans, language, mends, spent)


async def _rescue(
    queue: ModelQueue,
    work: SegmentWork,
    items: list[QueueItem],
    answers: rescue.Answers,
    language: str,
    timeout: float | None,
    flow: Flow,
    spent: list[Generation],
) -> tuple[list[Generation], Mends]:
    """The rescue passes over this segment's pieces (`answers` updated in place)."""
    plans, outputs = work.plans, answers.outputs
    rank = items[0].rank if items else None
    patched: dict[int, list[str]] = {}
    by_clauses: set[int] = set()
    spent += await rescue.second_attempt(queue, plans, items, answers, language, timeout, flow)
    spent += await rescue.by_clauses(queue, plans, outputs, language, by_clauses, timeout, flow, rank)
    for index in by_clauses:  # joined from several answers: no one conversation to follow up
        answers.replies.pop(index, None)
    spent += await rescue.translate_fragments(
        queue, plans, answers, patched, timeout, flow, rank, known=work.fragments
    )
    spent += await place_lost_tags(queue, plans, outputs, timeout, flow, rank)
    fixes = tuple(fix for index in sorted(patched) for fix in patched[index])
    return spent, Mends(fixes, bool(by_clauses))


def split_by_segment(
    segments: Sequence[Segment], plans: Sequence[PiecePlan], items: Sequence[QueueItem]
) -> list[SegmentWork]:
    """A document's flat lists of pieces, back into its segments."""
    works, start = [], 0
    fragments: dict[str, str] = {}
    for segment in segments:
        end = start + len(segment.pieces)
        works.append(SegmentWork(segment, list(plans[start:end]), list(items[start:end]), fragments))
        start = end
    return works
