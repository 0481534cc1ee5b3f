"""Pieces' outputs → a final segment (its checks and warnings), and final segments → the document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.glossary import GlossaryEntry
from service.markup.anchors import place_by_anchors
from service.memory import Recalled
from service.models.backend import Generation
from service.pipeline.checks import segment_problems
from service.pipeline.confidence import PERSON, ConfidenceBasis, basis_of, confidence_of
from service.pipeline.terms import PiecePlan, enforce_names, inconsistent_terms, report_terms
from service.pipeline.types import Notice, PreparedDocument, Segment, TranslatedDocument, TranslatedSegment
from service.text.latin import keep_latin
from service.text.normalize import tidy_output


@dataclass(frozen=True)
class Mends:
    """What the rescue passes did to a segment's pieces."""

    fragments: tuple[str, ...] = ()  # "fragment → rendering" for each fragment patched in
    by_clauses: bool = False  # a piece was translated clause by clause


@dataclass(frozen=True)
class FinishedSegment:
    segment: TranslatedSegment
    warnings: tuple[Notice, ...]
    entries: tuple[GlossaryEntry, ...]  # glossary entries found in its pieces
    generations: tuple[Generation, ...] = ()  # what the model ran for it, retries included
    basis: ConfidenceBasis | None = None  # what its confidence was computed from


def segment_entries(plans: Sequence[PiecePlan]) -> tuple[GlossaryEntry, ...]:
    return tuple(dict.fromkeys(entry for plan in plans for entry in plan.entries))


def finish_segment(
    segment: Segment,
    outputs: Sequence[str],
    plans: Sequence[PiecePlan],
    language: str,
    mends: Mends,
    generations: Sequence[Generation],
    scored: Sequence[Generation] | None = None,
) -> FinishedSegment:
    """A segment from its pieces' outputs: joined, Latin text kept, checked. Its confidence comes from
    `scored` (default: `generations`), the model's work for this segment alone."""
    warnings: list[Notice] = []
    translation = tidy_output(" ".join(outputs))
    entries = segment_entries(plans)
    translation, written = enforce_names(translation, entries)
    if written:
        message = "names the model wrote otherwise were written as approved: " + ", ".join(written)
        warnings.append(Notice("names_made_consistent", message, segment.id))
    terms = [(entry.term, entry.rendering) for entry in entries]
    # Inline markup's markers around the English of a glossary term they hold (markup/anchors.py).
    translation = place_by_anchors(segment.normalized, translation, terms)
    if language == "zh":
        translation = _with_latin_kept(segment, translation, warnings)
    for problem in segment_problems(segment.normalized, translation, language, terms):
        warnings.append(Notice(problem.code, problem.message, segment.id))
    if mends.by_clauses:
        message = "the model gave no usable translation of the whole sentence: translated clause by clause"
        warnings.append(Notice("translated_clause_by_clause", message, segment.id))
    if mends.fragments:
        message = "fragments the model left in Chinese were translated on their own: " + "; ".join(
            mends.fragments
        )
        warnings.append(Notice("fragments_translated_separately", message, segment.id))
    basis = basis_of(generations if scored is None else scored, len(warnings))
    translated = TranslatedSegment(
        segment.id,
        segment.paragraph,
        segment.source,
        segment.normalized,
        translation,
        confidence=confidence_of(basis),
    )
    return FinishedSegment(translated, tuple(warnings), entries, tuple(generations), basis)


def recalled_segment(segment: Segment, plans: Sequence[PiecePlan], recalled: Recalled) -> FinishedSegment:
    """A segment answered from memory: as it was filed, no checks run again, no model time. A person's
    entry is trusted (confidence 1); a model's has the confidence it was filed with (None if older)."""
    translated = TranslatedSegment(
        segment.id,
        segment.paragraph,
        segment.source,
        segment.normalized,
        recalled.translation,
        memory=True,
        memory_origin=recalled.origin,
        confidence=PERSON if recalled.origin == "person" else recalled.confidence,
    )
    return FinishedSegment(translated, (), segment_entries(plans))


def assemble_document(
    prepared: PreparedDocument,
    finished: Sequence[FinishedSegment],
    language: str,
    confidence: float | None,
    random_weights: bool,
) -> TranslatedDocument:
    """The document from its final segments, in order, with the document's own warnings and counts."""
    warnings: list[Notice] = []
    if random_weights:
        warnings.append(Notice("random_model", "this model has random weights: its output is noise"))
    for done in finished:
        warnings += done.warnings
    term_uses = [(done.segment.id, done.entries, done.segment.translation) for done in finished]
    warnings += [Notice("term_inconsistent", says, first) for first, says in inconsistent_terms(term_uses)]
    paragraphs: dict[int, list[str]] = {}
    for done in finished:
        paragraphs.setdefault(done.segment.paragraph, []).append(done.segment.translation)
    generations = [generation for done in finished for generation in done.generations]
    return TranslatedDocument(
        source_lang=language,
        source_lang_confidence=confidence,
        translation="\n".join(" ".join(part for part in parts if part) for parts in paragraphs.values()),
        segments=tuple(done.segment for done in finished),
        warnings=tuple(warnings),
        glossary=tuple(report_terms(term_uses)),
        annotations_removed=prepared.annotations_removed,
        generated_tokens=sum(generation.new_tokens for generation in generations),
        prompt_tokens=sum(generation.prompt_tokens for generation in generations),
        cached_prompt_tokens=sum(generation.cached_prompt_tokens for generation in generations),
        confidence_basis=tuple(done.basis for done in finished),
    )


def _with_latin_kept(segment: Segment, translation: str, warnings: list[Notice]) -> str:
    """Codes, addresses and Latin glosses of a Chinese sentence come out as they went in: any the model
    dropped or changed are put back (at the end of the sentence), and a warning says which."""
    kept, restored = keep_latin(segment.normalized, translation)
    if restored:
        message = "Latin text the model dropped or changed was put back: " + ", ".join(restored)
        warnings.append(Notice("latin_text_restored", message, segment.id))
    return kept
