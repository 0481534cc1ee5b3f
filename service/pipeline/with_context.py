"""A document translated with each piece's neighbours in its prompt (GAZETTE_PROMPT_CONTEXT, instruction
models only): the pieces of a paragraph one after another, each shown the one before and its English, the
paragraphs side by side; then the rescue passes over the whole document. Not recalled from memory.
"""

from __future__ import annotations

from dataclasses import replace

from service.engine.items import QueueItem
from service.engine.pending import Flow
from service.models.backend import Generation
from service.pipeline import rescue
from service.pipeline.assemble import FinishedSegment, Mends, finish_segment
from service.pipeline.context import chains, in_context, plan_context
from service.pipeline.inline_tags import place_lost_tags
from service.pipeline.ports import ModelQueue, all_or_none, time_limit
from service.pipeline.terms import PiecePlan, restore_placeholders
from service.pipeline.types import PreparedDocument


async def translate_in_context(
    queue: ModelQueue,
    prepared: PreparedDocument,
    plans: list[PiecePlan],
    items: list[QueueItem],
    language: str,
    flow: Flow,
    timeout: float,
) -> list[FinishedSegment]:
    """Every segment of `prepared`; `timeout`: the service's, each wait bounded by what is left of it."""
    generations, outputs = await _first_pass(queue, prepared, plans, items, flow, timeout)
    patched: dict[int, list[str]] = {}
    by_clauses: set[int] = set()
    limit = time_limit(timeout, flow)
    # Each first answer was asked with the one before it: fragments are asked in prompts of their own.
    answers = rescue.Answers(outputs)
    generations += await rescue.second_attempt(queue, plans, items, answers, language, limit, flow)
    generations += await rescue.by_clauses(queue, plans, outputs, language, by_clauses, limit, flow)
    generations += await rescue.translate_fragments(queue, plans, answers, patched, limit, flow)
    generations += await place_lost_tags(queue, plans, outputs, limit, flow)
    finished, start = [], 0
    for segment in prepared.segments:
        end = start + len(segment.pieces)
        fixes = tuple(fix for index in range(start, end) for fix in patched.get(index, []))
        mends = Mends(fixes, any(index in by_clauses for index in range(start, end)))
        spent = generations if start == 0 else []  # the document's model work, counted once
        own = generations[start:end]  # its pieces' first pass: what its confidence rests on
        finished.append(
            finish_segment(segment, outputs[start:end], plans[start:end], language, mends, spent, own)
        )
        start = end
    return finished


async def _first_pass(
    queue: ModelQueue,
    prepared: PreparedDocument,
    plans: list[PiecePlan],
    items: list[QueueItem],
    flow: Flow,
    timeout: float,
) -> tuple[list[Generation], list[str]]:
    """Each piece with the document's first line and the piece before (and its English, within a
    paragraph). `items` get the sources as sent, so a second attempt carries the same context."""
    paragraphs = [
        paragraph for segment in prepared.segments for paragraph in [segment.paragraph] * len(segment.pieces)
    ]
    planned = plan_context(paragraphs, [plan.source.text for plan in plans])
    generations: dict[int, Generation] = {}
    outputs: dict[int, str] = {}

    async def run_chain(chain: list[int]) -> None:
        for index in chain:
            before = planned[index].waits_for
            english_before = outputs.get(before, "") if before is not None else ""
            items[index] = replace(
                items[index], source=in_context(items[index].source, planned[index], english_before)
            )
            [generation] = await queue.run([items[index]], time_limit(timeout, flow), flow, judged=False)
            generations[index] = generation
            outputs[index] = restore_placeholders(generation.text, plans[index])

    queue.admit(items, time_limit(timeout, flow), flow)  # the whole document, judged once
    await all_or_none(run_chain(chain) for chain in chains(paragraphs))
    order = range(len(items))
    return [generations[index] for index in order], [outputs[index] for index in order]
