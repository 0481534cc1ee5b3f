"""Applying the glossary to the pieces a model sees, and reporting what became of each term.

Prompted (instruction) models get the matching entries in their prompt. Seq2seq models cannot be told,
so each term is masked with a placeholder the model copies through (an unknown Latin token), and the
placeholder is replaced by the approved rendering afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.glossary import Glossary, GlossaryEntry
from service.models.backend import Source

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


def plan_piece(text: str, source_lang: str, glossary: Glossary, *, prompted: bool) -> PiecePlan:
    # Prompts get the same non-overlapping matches as masking: with overlapping hints (同安区 and
    # 区委副书记 for 同安区委副书记) the 1.5B Qwen model dropped names it otherwise kept.
    matches = glossary.find(text)
    entries = tuple(dict.fromkeys(match.entry for match in matches))
    if prompted or not matches:
        hints = tuple((entry.term, entry.rendering) for entry in entries)
        return PiecePlan(Source(text, source_lang, glossary=hints), entries)
    masked, cursor, renderings = [], 0, []
    for match in matches:
        renderings.append(match.entry.rendering)
        masked.append(text[cursor : match.start])
        masked.append(_PLACEHOLDER.format(len(renderings)))
        cursor = match.end
    masked.append(text[cursor:])
    return PiecePlan(Source("".join(masked), source_lang), entries, tuple(renderings))


def restore_placeholders(output: str, plan: PiecePlan) -> str:
    """Put the approved renderings where the model copied the placeholders."""
    if not plan.placeholders:
        return output

    def rendering(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return plan.placeholders[number - 1] if 1 <= number <= len(plan.placeholders) else match.group(0)

    return _PLACEHOLDER_RE.sub(rendering, output)


def report_terms(segment_entries: Sequence[tuple[str, Sequence[GlossaryEntry], str]]) -> list[TermReport]:
    """Per matched term: the segments it occurs in, and whether every one of their translations uses it.

    `segment_entries` holds (segment id, entries found in it, its translation), in document order.
    """
    found: dict[tuple[str, str], list[str]] = {}
    applied: dict[tuple[str, str], bool] = {}
    for segment_id, entries, translation in segment_entries:
        for entry in entries:
            key = (entry.term, entry.rendering)
            found.setdefault(key, [])
            if segment_id not in found[key]:
                found[key].append(segment_id)
            used = entry.rendering.casefold() in translation.casefold()
            applied[key] = applied.get(key, True) and used
    return [
        TermReport(term, rendering, tuple(segments), applied[(term, rendering)])
        for (term, rendering), segments in found.items()
    ]
