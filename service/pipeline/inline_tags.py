"""The words inside an inline element, translated alone, for a pair of markers the model lost.

An instruction model often drops the markers of a sentence's inline elements (qwen-pypi wrote "This year,
the total grain production in the whole city has reached a new high." for `今年全市<g1>粮食产量</g1>再创新高。`);
placed by position alone, the bold then lands on "grain production in the whole". So for each pair the
model did not keep (exactly once, in order) whose words have no glossary rendering (those are placed by
`markup/anchors.py` at no cost), the words are asked for on their own, in their sentence, as the fragment
pass asks for Chinese left behind; where that English occurs exactly once in the output, the pair is put
around it. Anything less certain is left to the placement by position (`markup/placeholders.py`).
"""

from __future__ import annotations

from dataclasses import replace

from service.engine.items import QueueItem
from service.engine.pending import Flow
from service.markup.anchors import EDGES, held_by, place_by_anchors, tagged_spans
from service.markup.placeholders import strip_markers
from service.models.backend import Generation, Source
from service.pipeline import repair
from service.pipeline.context import without_context
from service.pipeline.ports import ModelQueue
from service.pipeline.terms import PiecePlan
from service.text.normalize import han_runs


def _lost_words(plan: PiecePlan, output: str) -> list[str]:
    """The words of each pair of the piece that the output lost and no glossary term covers."""
    known = {term for term, _ in plan.source.glossary}
    words = (
        span.strip(EDGES)
        for slot, span in sorted(tagged_spans(plan.source.text).items())
        if held_by(output, slot) is None
    )
    return [word for word in words if han_runs(word) and word not in known]


async def place_lost_tags(
    queue: ModelQueue,
    plans: list[PiecePlan],
    outputs: list[str],
    timeout: float | None,
    flow: Flow,
    rank: int | None = None,
) -> list[Generation]:
    """Pairs of markers the outputs lost put around the English of their words (see the module note);
    `outputs` is updated in place. The generations run, for the token count."""
    wanted = {index: _lost_words(plan, outputs[index]) for index, plan in enumerate(plans)}
    sources: dict[tuple[str, str], Source] = {}
    for index, words in wanted.items():
        sentence = plans[index].source
        plain = strip_markers(sentence.text)
        for word in words:
            glossary = tuple(entry for entry in sentence.glossary if entry[0] in plain)
            fragment = without_context(sentence)
            sources.setdefault(
                (word, plain), replace(fragment, text=word, context=plain, glossary=glossary, leftover=())
            )
    if not sources:
        return []
    keys = list(sources)
    items = [QueueItem(sources[key], queue.backend.count_tokens(key[0]), rank) for key in keys]
    generations = await queue.run(items, timeout, flow, judged=False)
    english = {
        key: rendering
        for key, generation in zip(keys, generations, strict=True)
        if (rendering := repair.usable_rendering(key[0], generation.text)) is not None
    }
    for index, words in wanted.items():
        plain = strip_markers(plans[index].source.text)
        found = [(word, english[(word, plain)]) for word in words if (word, plain) in english]
        outputs[index] = place_by_anchors(plans[index].source.text, outputs[index], found)
    return generations
