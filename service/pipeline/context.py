"""What an instruction model is told around each sentence: the document's first line and the sentence
before, with its English. Pure functions over a document's pieces.

The English of the sentence before exists only once that sentence is translated, so a paragraph's pieces
go to the model one after another: a chain. Paragraphs are chains of their own and run side by side,
which keeps the batch full; a paragraph's first piece gets the sentence before it in the source alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from service.models.backend import Source

# A first line longer than this is a lead paragraph, not a headline: only its first sentence is given.
TITLE_CHARS = 120


@dataclass(frozen=True)
class PieceContext:
    title: str  # the document's first line, or "" where it would say nothing new
    previous: str  # the piece before, as the model was given it ("" for the document's first)
    waits_for: int | None  # the piece whose English goes with `previous` (same paragraph), if any


def document_title(paragraphs: Sequence[int], texts: Sequence[str]) -> str:
    """The first paragraph, if short enough to be a headline or a one-line lead; else its first piece
    if that is; else nothing."""
    first = [text for paragraph, text in zip(paragraphs, texts, strict=True) if paragraph == paragraphs[0]]
    whole = "".join(first)
    if len(whole) <= TITLE_CHARS:
        return whole
    return first[0] if len(first[0]) <= TITLE_CHARS else ""


def plan_context(paragraphs: Sequence[int], texts: Sequence[str]) -> list[PieceContext]:
    """Per piece (in document order, `paragraphs[i]` the paragraph of piece i): its context."""
    if not texts:
        return []
    title = document_title(paragraphs, texts)
    planned = []
    for index, paragraph in enumerate(paragraphs):
        previous = texts[index - 1] if index else ""
        same_paragraph = index > 0 and paragraphs[index - 1] == paragraph
        says_more = paragraph != paragraphs[0] and title not in (previous, "")
        planned.append(
            PieceContext(title if says_more else "", previous, index - 1 if same_paragraph else None)
        )
    return planned


def chains(paragraphs: Sequence[int]) -> list[list[int]]:
    """The pieces' indices, one list per paragraph, in order: what must run one after another."""
    grouped: dict[int, list[int]] = {}
    for index, paragraph in enumerate(paragraphs):
        grouped.setdefault(paragraph, []).append(index)
    return list(grouped.values())


def in_context(source: Source, context: PieceContext, previous_english: str) -> Source:
    return replace(source, title=context.title, previous=context.previous, previous_english=previous_english)


def without_context(source: Source) -> Source:
    return replace(source, title="", previous="", previous_english="")
