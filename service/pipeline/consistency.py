"""One rendering per name in a document: the first accepted rendering becomes a document-level glossary
entry for the segments after it.

A document's segments go to the model side by side, each final on its own, so "the first" cannot mean
"the first to be finished". It means the first in reading order: a name the glossary does not render (one
the segmenter finds itself and tags as a person, place or organisation) that occurs in several segments
is translated in its first segment at once; once that segment is final and passes the output checks, the
model is asked which words of its English render the name, and the answer is kept only if that English
holds it word for word; the segments where the name occurs again wait for that answer and get it as a
glossary entry of origin `document`. Segments without such a name never wait.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from service.engine.items import QueueItem
from service.engine.pending import Flow
from service.glossary import Glossary, GlossaryEntry
from service.glossary.auto import dictionary_tag, tagged
from service.models.backend import Generation, Source
from service.pipeline import repair
from service.pipeline.checks import output_problem
from service.pipeline.context import without_context
from service.pipeline.ports import ModelQueue
from service.pipeline.segments import SegmentWork
from service.pipeline.terms import PiecePlan

# jieba's tags for names: people (nr, nrt for transliterations), places (ns), organisations (nt).
NAME_TAGS = ("nr", "ns", "nt")
_HAN_ONLY = re.compile(r"[\u4e00-\u9fff]{2,}")
# A person the segmenter guessed needs three characters: two-character guesses are mostly words cut
# wrongly (on the seed, 益同 of 质同道合 益同远行).
PERSON_CHARACTERS = 3


def _a_name(word: str, tag: str) -> bool:
    """A name the segmenter found itself: words of its dictionary are common (卓越 "excellent" is tagged
    as a person there, 新兴产业 as a body), and names it knows the model knows too."""
    if not tag.startswith(NAME_TAGS) or not _HAN_ONLY.fullmatch(word) or dictionary_tag(word) is not None:
        return False
    return len(word) >= PERSON_CHARACTERS or not tag.startswith("nr")


def repeated_names(texts: Sequence[str], glossary: Glossary) -> dict[str, list[int]]:
    """Names without a glossary entry that occur in two texts (segments) or more: name → the texts'
    indices, in order."""
    covered = [[(m.start, m.end) for m in glossary.find(text)] for text in texts]
    found: dict[str, list[int]] = {}
    for text in texts:
        for word, tag in tagged(text):
            if word not in found and _a_name(word, tag):
                found[word] = []
    for word, pieces in found.items():
        for index, text in enumerate(texts):
            starts = [m.start() for m in re.finditer(re.escape(word), text)]
            if any(not _inside(start, start + len(word), covered[index]) for start in starts):
                pieces.append(index)
    return {word: pieces for word, pieces in found.items() if len(pieces) >= 2}


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(left <= start and end <= right for left, right in spans)


def _quoted(answer: str, english: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(answer)}(?!\w)", english, re.IGNORECASE) is not None


def _as_written(answer: str, english: str) -> str:
    """The answer as the English writes it (its case), which is what the later pieces must repeat."""
    match = re.search(rf"(?<!\w){re.escape(answer)}(?!\w)", english, re.IGNORECASE)
    return match.group(0) if match else answer


def with_entries(plan: PiecePlan, item: QueueItem, entries: Mapping[str, str]) -> tuple[PiecePlan, QueueItem]:
    """A later piece's plan and queue item with the document's entries for the names it holds."""
    own = [(name, english) for name, english in entries.items() if name in plan.source.text]
    if not own:
        return plan, item
    shared = plan.source.document_glossary  # where the template shows the document's terms in its head
    source = replace(
        plan.source,
        glossary=(*plan.source.glossary, *own),
        document_glossary=(*shared, *own) if shared else (),
    )
    added = tuple(GlossaryEntry(name, english, "document") for name, english in own)
    return replace(plan, source=source, entries=(*plan.entries, *added)), replace(item, source=source)


class NameRenderings:
    """The renderings of a document's repeated names, each settled once its first segment is final.

    A segment waits only for segments before it in reading order, which never wait for it: no cycle."""

    def __init__(self, names: Mapping[str, list[int]]) -> None:
        self._names = dict(names)  # name → the segments it occurs in, in reading order
        self._settled: dict[str, asyncio.Future[str | None]] = {}

    def _future(self, name: str) -> asyncio.Future[str | None]:
        if name not in self._settled:
            self._settled[name] = asyncio.get_running_loop().create_future()
        return self._settled[name]

    async def entries_for(self, segment: int) -> dict[str, str]:
        """The renderings of the names `segment` repeats, once the segments that first hold them are final."""
        waited = [name for name, segments in self._names.items() if segment in segments[1:]]
        renderings = [await self._future(name) for name in waited]
        return {name: english for name, english in zip(waited, renderings, strict=True) if english}

    async def settle(
        self, queue: ModelQueue, segment: int, source: Source, english: str, timeout: float | None, flow: Flow
    ) -> list[Generation]:
        """Each name `segment` holds first: its words in `english` (the segment's final translation of
        `source`), asked of the model and kept where that English holds them, or no rendering."""
        first = [name for name, segments in self._names.items() if segments[0] == segment]
        if not first:
            return []
        accepted = output_problem(source.text, english, source.source_lang) is None
        if not accepted:
            for name in first:
                self._future(name).set_result(None)
            return []
        sentence = without_context(source)
        asked = [replace(sentence, text=name, context=sentence.text, rendered=english) for name in first]
        items = [QueueItem(question, queue.backend.count_tokens(question.text)) for question in asked]
        try:
            generations = await queue.run(items, timeout, flow, judged=False)
        except BaseException:
            for name in first:  # the segments waiting go on without it
                if not self._future(name).done():
                    self._future(name).set_result(None)
            raise
        for name, generation in zip(first, generations, strict=True):
            self._future(name).set_result(_rendering(name, generation.text, source, english))
        return generations


def _rendering(name: str, answer: str, source: Source, english: str) -> str | None:
    """The model's answer as `english` writes it, if it quotes `english` and is no other term's English."""
    usable = repair.usable_rendering(name, answer)
    if usable is None or not _quoted(usable, english):
        return None
    if repair.invented_rendering(name, usable, source.glossary, "") is not None:
        return None
    return _as_written(usable, english)


def with_names(work: SegmentWork, entries: Mapping[str, str]) -> SegmentWork:
    """A segment's work with the document's renderings of the names it repeats in its pieces' glossary."""
    if not entries:
        return work
    pairs = [with_entries(plan, item, entries) for plan, item in zip(work.plans, work.items, strict=True)]
    return replace(work, plans=[plan for plan, _ in pairs], items=[item for _, item in pairs])


def as_one(work: SegmentWork) -> Source:
    """The segment as one source, with all its pieces' glossary entries: what a name is asked within."""
    glossary = tuple(dict.fromkeys(pair for plan in work.plans for pair in plan.source.glossary))
    first = work.plans[0].source if work.plans else Source(work.segment.normalized)
    return replace(first, text=work.segment.normalized, glossary=glossary)
