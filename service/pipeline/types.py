"""The pipeline's own records: frozen, plain, and free of HTTP concerns."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.models.backend import ModelInfo
from service.pipeline.confidence import ConfidenceBasis
from service.pipeline.terms import TermReport


def segment_id(paragraph: int, sentence: int) -> str:
    """`p{paragraph}.s{sentence}`, both numbered from 1: the id responses and bullet citations use."""
    return f"p{paragraph}.s{sentence}"


def paragraph_of(segment_id: str) -> int:
    """The paragraph number of a `segment_id`: `p2.s4` → 2."""
    return int(segment_id[1:].partition(".")[0])


@dataclass(frozen=True)
class Segment:
    """One source sentence, as received and as the model will see it (cut into budget-sized pieces)."""

    id: str
    paragraph: int
    source: str
    normalized: str
    pieces: tuple[str, ...]


@dataclass(frozen=True)
class PreparedDocument:
    segments: tuple[Segment, ...]
    annotations_removed: int

    @property
    def paragraphs(self) -> int:
        return self.segments[-1].paragraph if self.segments else 0


@dataclass(frozen=True)
class Notice:
    """A warning attached to a document, or to one of its segments."""

    code: str
    message: str
    segment: str | None = None


@dataclass(frozen=True)
class TranslatedSegment:
    id: str
    paragraph: int
    source: str
    normalized: str
    translation: str
    memory: bool = False  # answered from the translation memory, at no model time
    memory_origin: str | None = None  # "person" (a correction or an import) or "model"; None: not recalled
    # How likely the translation is to be right, in [0, 1] (pipeline/confidence.py); None: no model scored it.
    confidence: float | None = None


@dataclass(frozen=True)
class DocumentError:
    """Why one document of a request could not be translated, while its siblings were."""

    code: str  # "unsupported_language" or "empty_document": each API family words it in its own body
    message: str


@dataclass(frozen=True)
class TranslatedDocument:
    source_lang: str
    source_lang_confidence: float | None
    translation: str
    segments: tuple[TranslatedSegment, ...]
    warnings: tuple[Notice, ...] = field(default=())
    glossary: tuple[TermReport, ...] = field(default=())
    annotations_removed: int = 0
    generated_tokens: int = 0
    prompt_tokens: int = 0  # prompt tokens the model evaluated for this document
    cached_prompt_tokens: int = 0  # prompt tokens taken ready-made from the cache (shared heads)
    seconds: float = 0.0
    model: ModelInfo | None = None  # the model that translated it
    # Per segment, what its confidence was computed from (for fitting the calibration: `gazette eval`).
    confidence_basis: tuple[ConfidenceBasis | None, ...] = field(default=())
    error: DocumentError | None = None  # set: this document failed (nothing else in it is meaningful)


class UnsupportedLanguage(ValueError):
    """The source language cannot be handled (unknown, undetectable, or already the target)."""


class EmptyDocument(ValueError):
    """The text has nothing to translate."""
