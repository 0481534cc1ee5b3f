"""One document's failure must not sink a request: which failures are a document's own, and how a
multi-document request is answered when some of its documents fail.

A document is its own problem when its text is: empty once normalised, or in a language Gazette does
not take. Those become a `DocumentError` inside that document, and its siblings are answered. What is
the engine's (overloaded, timed out, shutting down, a model error) or the request's (limits, a bad body)
still fails the request whole, as does a request whose every document failed: that one is simply bad.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from service.pipeline.ports import all_or_none
from service.pipeline.types import DocumentError, EmptyDocument, TranslatedDocument, UnsupportedLanguage

T = TypeVar("T")
J = TypeVar("J")

DocumentFault = EmptyDocument | UnsupportedLanguage  # failures that are the document's own
DOCUMENT_FAULTS = (EmptyDocument, UnsupportedLanguage)


def document_error(fault: DocumentFault) -> DocumentError:
    code = "empty_document" if isinstance(fault, EmptyDocument) else "unsupported_language"
    return DocumentError(code, str(fault))


def failed_document(fault: DocumentFault, source_lang: str) -> TranslatedDocument:
    return TranslatedDocument(
        source_lang=source_lang,
        source_lang_confidence=None,
        translation="",
        segments=(),
        error=document_error(fault),
    )


async def each_on_its_own(work: Callable[[J], Awaitable[T]], jobs: Sequence[J]) -> list[T | DocumentFault]:
    """`work` for every job at once: a document's own fault stands in its place while its siblings go on;
    any other failure withdraws them all (`all_or_none`), and so does every document failing."""

    async def one(job: J) -> T | DocumentFault:
        try:
            return await work(job)
        except DOCUMENT_FAULTS as fault:
            return fault

    return settle(await all_or_none(one(job) for job in jobs))


def settle(outcomes: Sequence[T | DocumentFault]) -> list[T | DocumentFault]:
    """The outcomes as they are, unless every one failed: then the first failure is the request's."""
    faults = [outcome for outcome in outcomes if isinstance(outcome, DOCUMENT_FAULTS)]
    if outcomes and len(faults) == len(outcomes):
        raise faults[0]
    return list(outcomes)
