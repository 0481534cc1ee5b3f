"""The passes that follow an instruction model's first answer when that answer fails its checks.

1. A second attempt with the stricter prompt.
2. Clause by clause, for a sentence still with no answer (or a looping or far too short one): small
   models sometimes echo the instructions instead of translating a sentence they find odd, yet translate
   each of its clauses.
3. Chinese still left in an answer, fragment by fragment, each put in its place.

Each pass updates `outputs` in place and returns the generations it ran, for the token count; the
judgements are pure functions in `repair.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from service.engine.items import QueueItem
from service.engine.pending import Flow
from service.models.backend import Generation, Source
from service.pipeline import repair
from service.pipeline.checks import output_problem
from service.pipeline.context import without_context
from service.pipeline.ports import ModelQueue
from service.pipeline.terms import PiecePlan
from service.text.normalize import han_runs


@dataclass
class Answers:
    """A segment's pieces as they stand: each one's English, and the exchange (what the model was asked,
    what it replied) behind each English that came whole from one model answer."""

    outputs: list[str]
    replies: dict[int, tuple[Source, Generation]] = field(default_factory=dict)


async def second_attempt(
    queue: ModelQueue,
    plans: list[PiecePlan],
    items: list[QueueItem],
    answers: Answers,
    language: str,
    timeout: float | None,
    flow: Flow,
) -> list[Generation]:
    """Pieces whose output failed its checks go once more, with the stricter prompt.

    An output whose only fault is a few short words left in Chinese is not retranslated whole: the
    fragment pass translates just those words, at a fraction of the cost.
    """
    outputs = answers.outputs
    failing = [
        index
        for index, (plan, output) in enumerate(zip(plans, outputs, strict=True))
        if output_problem(plan.source.text, output, language) is not None
        and not repair.fragments_will_do(plan.source.text, output, language)
    ]
    if not failing:
        return []
    retries = [
        replace(
            items[index],
            source=replace(items[index].source, strict=True, leftover=han_runs(outputs[index])),
        )
        for index in failing
    ]
    regenerated = await queue.run(retries, timeout, flow, judged=False)
    for index, retry, generation in zip(failing, retries, regenerated, strict=True):
        if repair.better_retry(plans[index], outputs[index], generation.text, language):
            outputs[index] = generation.text
            answers.replies[index] = (retry.source, generation)
    return regenerated


async def by_clauses(
    queue: ModelQueue,
    plans: list[PiecePlan],
    outputs: list[str],
    language: str,
    replaced: set[int],
    timeout: float | None,
    flow: Flow,
    rank: int | None = None,
) -> list[Generation]:
    """Pieces still without a sound answer after the retry, translated a clause at a time and joined.

    The joined clauses replace the answer only where `repair.better_by_clauses` says they are better;
    `replaced` gets the index of each piece they replaced.
    """
    split: dict[int, list[str]] = {}
    for index, (plan, output) in enumerate(zip(plans, outputs, strict=True)):
        clauses = repair.clauses(plan.source.text)
        if len(clauses) > 1 and repair.wants_clauses(plan.source.text, output, language):
            split[index] = clauses
    if not split:
        return []
    asked = [
        (index, _clause_source(plans[index].source, clause))
        for index, clauses in split.items()
        for clause in clauses
    ]
    items = [QueueItem(source, queue.backend.count_tokens(source.text), rank) for _, source in asked]
    generations = await queue.run(items, timeout, flow, judged=False)
    answers: dict[int, list[str]] = {}
    for (index, _), generation in zip(asked, generations, strict=True):
        answers.setdefault(index, []).append(generation.text)
    for index, parts in answers.items():
        joined = repair.join_clauses(parts)
        if repair.better_by_clauses(plans[index].source.text, outputs[index], joined, language):
            outputs[index] = joined
            replaced.add(index)
    return generations


def _clause_source(sentence: Source, clause: str) -> Source:
    """A clause as its own text, with the sentence's glossary entries that occur in it."""
    glossary = tuple((term, rendering) for term, rendering in sentence.glossary if term in clause)
    return replace(without_context(sentence), text=clause, glossary=glossary, strict=False, leftover=())


_NO_ANSWER = "no usable answer"  # asked again, but not reported: the checks say what is left in Chinese


async def translate_fragments(
    queue: ModelQueue,
    plans: list[PiecePlan],
    answers: Answers,
    patched: dict[int, list[str]],
    timeout: float | None,
    flow: Flow,
    rank: int | None = None,
    *,
    known: dict[str, str] | None = None,
) -> list[Generation]:
    """Chinese still left is translated fragment by fragment and put in place.

    Each fragment is asked with its sentence and the sentence's glossary (a fragment alone is often
    ambiguous): as the next turn of the conversation that left it, where there is one (the sentence, its
    terms and the model's English are all in it, and llama.cpp reads only the question), else in a prompt
    of its own. An answer `repair.invented_rendering` refuses, or no usable answer, is asked once more,
    in a prompt of its own with only the glossary entries of the fragment's own terms, the others being
    what the model copied; refused again, the fragment stays in Chinese (and the checks say so).
    `patched` gets, per piece, a note of each fragment replaced or refused. `known`: the document's
    fragments already put in English, used before asking (one English per fragment in a document, at no
    model time), and given the ones put in English here.
    """
    outputs = answers.outputs
    asked = [
        (index, fragment)
        for index, output in enumerate(outputs)
        for fragment in dict.fromkeys(han_runs(output))
    ]
    if not asked:
        return []
    known = {} if known is None else known
    renderings = _as_before(asked, known, plans, outputs)
    refused: dict[tuple[int, str], str] = {}
    generations: list[Generation] = []
    for narrow in (False, True):
        todo = [key for key in asked if key not in renderings and (not narrow or key in refused)]
        sources = {
            key: _fragment_source(plans[key[0]].source, key[1], narrow, answers.replies.get(key[0]))
            for key in todo
        }
        usable, ran = await _ask_once(queue, sources, timeout, flow, rank)
        generations += ran
        for key in todo:  # no usable answer (Chinese again, a whole sentence): asked once more too
            refused.setdefault(key, _NO_ANSWER)
        for (index, fragment), answer in usable.items():
            glossary, output = plans[index].source.glossary, outputs[index]
            reason = repair.invented_rendering(fragment, answer, glossary, output)
            if reason is None:
                renderings[index, fragment] = answer
                refused.pop((index, fragment), None)
            else:
                refused[index, fragment] = f"{answer!r} refused: {reason}"
    for (_, fragment), english in renderings.items():
        known.setdefault(fragment, english)
    for index in sorted({index for index, _ in asked}):
        own = {fragment: text for (at, fragment), text in renderings.items() if at == index}
        outputs[index], replaced = repair.patch(outputs[index], own)
        notes = [f"{piece} → {own[piece]}" for piece in replaced]
        refusals = [(fragment, why) for (at, fragment), why in refused.items() if at == index]
        notes += [f"{fragment}: {why}" for fragment, why in refusals if why != _NO_ANSWER]
        if notes:
            patched[index] = notes
    return generations


def _as_before(
    asked: list[tuple[int, str]], known: dict[str, str], plans: list[PiecePlan], outputs: list[str]
) -> dict[tuple[int, str], str]:
    """The fragments the document has put in English before, where that English fits this sentence too."""
    return {
        (index, fragment): known[fragment]
        for index, fragment in asked
        if fragment in known
        and repair.invented_rendering(fragment, known[fragment], plans[index].source.glossary, outputs[index])
        is None
    }


def _fragment_source(
    sentence: Source, fragment: str, narrow: bool, reply: tuple[Source, Generation] | None
) -> Source:
    """A fragment as the model is asked it: with its sentence, and the sentence's glossary, or (`narrow`)
    only the entries of terms that overlap the fragment; unless narrow, as a follow-up of `reply`, the
    exchange whose answer left it (a template without follow-ups asks it on its own all the same)."""
    glossary = sentence.glossary
    if narrow:
        glossary = tuple(entry for entry in glossary if entry[0] in fragment or fragment in entry[0])
    asked = replace(
        without_context(sentence), text=fragment, context=sentence.text, glossary=glossary, leftover=()
    )
    if narrow or reply is None or not reply[1].raw:
        return asked
    return replace(asked, follows=(reply[0], reply[1].raw))


async def _ask_once(
    queue: ModelQueue,
    sources: dict[tuple[int, str], Source],
    timeout: float | None,
    flow: Flow,
    rank: int | None,
) -> tuple[dict[tuple[int, str], str], list[Generation]]:
    """Each distinct source asked once (a fragment repeated in a sentence, or the same sentence twice):
    the usable answers by key, and the generations run."""
    distinct = list(dict.fromkeys(sources.values()))
    if not distinct:
        return {}, []
    items = [QueueItem(source, queue.backend.count_tokens(source.text), rank) for source in distinct]
    generations = await queue.run(items, timeout, flow, judged=False)
    answer = {
        source: rendering
        for source, generation in zip(distinct, generations, strict=True)
        if (rendering := repair.usable_rendering(source.text, generation.text)) is not None
    }
    return {key: answer[source] for key, source in sources.items() if source in answer}, generations
