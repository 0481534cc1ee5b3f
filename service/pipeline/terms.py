"""Applying the glossary to the pieces a model sees, and reporting what became of each term.

Prompted (instruction) models get the matching entries in their prompt. Seq2seq models cannot be told,
so each term is masked with a placeholder the model copies through (an unknown Latin token), and the
placeholder is replaced by the approved rendering afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from service.glossary import Glossary, GlossaryEntry, TermOrigin
from service.memory.examples import Example
from service.models.backend import Source
from service.text.scaled_figures import scaled_figures

_PLACEHOLDER = "ZQX{}"
_PLACEHOLDER_RE = re.compile(r"Z\s*Q\s*X\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class PiecePlan:
    source: Source  # what the model is given
    entries: tuple[GlossaryEntry, ...]  # glossary entries found in the piece
    placeholders: tuple[str, ...] = ()  # renderings, by placeholder number - 1 (masking only)


@dataclass(frozen=True)
class TermReport:
    term: str
    rendering: str
    segments: tuple[str, ...]
    applied: bool
    origin: TermOrigin = "built-in"


def plan_piece(text: str, source_lang: str, glossary: Glossary, *, prompted: bool) -> PiecePlan:
    # Prompts get the same non-overlapping matches as masking: with overlapping hints (同安区 and
    # 区委副书记 for 同安区委副书记) the 1.5B Qwen model dropped names it otherwise kept.
    matches = glossary.find(text)
    entries = tuple(dict.fromkeys(match.entry for match in matches))
    if prompted or not matches:
        hints = tuple((entry.term, entry.rendering) for entry in entries)
        if prompted and source_lang == "zh":
            hints += _figures_outside(text, [(match.start, match.end) for match in matches])
        return PiecePlan(Source(text, source_lang, glossary=hints), entries)
    masked, cursor, renderings = [], 0, []
    for match in matches:
        renderings.append(match.entry.rendering)
        masked.append(text[cursor : match.start])
        masked.append(_PLACEHOLDER.format(len(renderings)))
        if text[match.end : match.end + 1].isdigit():
            masked.append(" ")  # ZQX3 24.5%, not ZQX324.5%: the number must stay the model's to copy
        cursor = match.end
    masked.append(text[cursor:])
    return PiecePlan(Source("".join(masked), source_lang), entries, tuple(renderings))


def _figures_outside(text: str, terms: Sequence[tuple[int, int]]) -> tuple[tuple[str, str], ...]:
    """The English of the text's 万 and 亿 figures (`scaled_figures`) that no glossary term covers: told
    to the model as terms are, not reported as glossary terms (arithmetic, not anyone's approved word)."""
    figures = []
    for figure, english in scaled_figures(text):
        at = text.find(figure)
        if not any(start < at + len(figure) and at < end for start, end in terms):
            figures.append((figure, english))
    return tuple(figures)


def with_document_glossary(plans: Sequence[PiecePlan]) -> list[PiecePlan]:
    """Each piece told every entry found in its document (in order of first use), for a template that
    shows them once in the head all of the document's pieces share."""
    found = tuple(dict.fromkeys(pair for plan in plans for pair in plan.source.glossary))
    return [replace(plan, source=replace(plan.source, document_glossary=found)) for plan in plans]


def with_examples(plans: Sequence[PiecePlan], examples: Sequence[Example]) -> list[PiecePlan]:
    """Each piece shown the document's examples (memory/examples.py): the same for all, so that they are
    part of the head the document's pieces share."""
    if not examples:
        return list(plans)
    pairs = tuple((example.source, example.translation) for example in examples)
    return [replace(plan, source=replace(plan.source, examples=pairs)) for plan in plans]


def restore_placeholders(output: str, plan: PiecePlan) -> str:
    """Put the approved renderings where the model copied the placeholders."""
    if not plan.placeholders:
        return output

    def rendering(match: re.Match[str]) -> str:
        # The longest number that names a placeholder: a model may still run the figure after it into
        # it (ZQX324.5% for ZQX3 and 24.5%).
        digits = match.group(1)
        for end in range(len(digits), 0, -1):
            if 1 <= int(digits[:end]) <= len(plan.placeholders):
                return plan.placeholders[int(digits[:end]) - 1] + digits[end:]
        return match.group(0)

    return _PLACEHOLDER_RE.sub(rendering, output)


def report_terms(segment_entries: Sequence[tuple[str, Sequence[GlossaryEntry], str]]) -> list[TermReport]:
    """Per matched term: the segments it occurs in, and whether every one of their translations uses it.

    `segment_entries` holds (segment id, entries found in it, its translation), in document order.
    """
    return [
        TermReport(entry.term, entry.rendering, tuple(found), not missed, entry.origin)
        for entry, (found, missed) in _uses(segment_entries).items()
    ]


def _uses(
    segment_entries: Sequence[tuple[str, Sequence[GlossaryEntry], str]],
) -> dict[GlossaryEntry, tuple[list[str], list[str]]]:
    """Per entry: (the segments it occurs in, in document order; those whose translation lacks it)."""
    uses: dict[GlossaryEntry, tuple[list[str], list[str]]] = {}
    for segment_id, entries, translation in segment_entries:
        for entry in dict.fromkeys(entries):
            found, missed = uses.setdefault(entry, ([], []))
            if segment_id not in found:
                found.append(segment_id)
            if entry.rendering.casefold() not in translation.casefold() and segment_id not in missed:
                missed.append(segment_id)
    return uses


def inconsistent_terms(
    segment_entries: Sequence[tuple[str, Sequence[GlossaryEntry], str]],
) -> list[tuple[str, str]]:
    """(first segment left out, message) for each term rendered as approved in some of the segments it
    occurs in and not in others: one term, one rendering, throughout a document."""
    inconsistent = []
    for entry, (found, missed) in _uses(segment_entries).items():
        used = [segment for segment in found if segment not in missed]
        if used and missed:
            message = (
                f"{entry.term} is rendered {entry.rendering!r} in {', '.join(used)} "
                f"but not in {', '.join(missed)}"
            )
            inconsistent.append((missed[0], message))
    return inconsistent


def _letters(text: str) -> str:
    return re.sub(r"[\s'’‘-]", "", text).casefold()


def enforce_names(translation: str, entries: Sequence[GlossaryEntry]) -> tuple[str, list[str]]:
    """`translation` with each name of `entries` (a capitalised rendering) that the model wrote as a
    variant of it (`Zhou Gui-liang`, `ZHOU Guiliang`, `Guiliang Zhou`) written as approved: one rendering
    per name in a document, not only a warning. Also the renderings put in."""
    fixed: list[str] = []
    for entry in entries:
        words = entry.rendering.split()
        if not words or not all(word[:1].isupper() for word in words) or entry.rendering in translation:
            continue
        orders = {_letters(entry.rendering), _letters(" ".join(reversed(words)))}
        span = len(words) + 2  # a variant may split a word in two, or hyphenate it
        tokens = list(re.finditer(r"[A-Za-z][\w'’‘-]*", translation))
        for size in range(1, span + 1):
            found = next(
                (
                    (tokens[i].start(), tokens[i + size - 1].end())
                    for i in range(len(tokens) - size + 1)
                    if _letters(translation[tokens[i].start() : tokens[i + size - 1].end()]) in orders
                ),
                None,
            )
            if found:
                translation = translation[: found[0]] + entry.rendering + translation[found[1] :]
                fixed.append(entry.rendering)
                break
    return translation, fixed
