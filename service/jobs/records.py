"""One finished item as a plain record: a line of `/v1/jobs/{id}/results` and of `gazette batch`'s .jsonl.

The same function serves every path (the job runner, `gazette batch` in process and on Ray), so their
outputs compare field by field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from service.pipeline.summarize import SummarizedDocument
from service.pipeline.types import TranslatedDocument

JobTask = Literal["translate", "summarize", "both"]
TASKS: tuple[JobTask, ...] = ("translate", "summarize", "both")


@dataclass(frozen=True)
class ItemInput:
    """One unit of batch work: a document with the caller's id for it, and the file it came from."""

    id: str
    text: str
    file: str | None = None


def record_paragraphs(record: Mapping[str, Any], paragraphs: int) -> list[str] | None:
    """The English of paragraphs 1..`paragraphs` (the non-empty input lines) from a record's segments: a
    paragraph's segments joined by a space, "" where none was made. None when the record has no segments
    (an error, or a summary without its translation). What a translated file is rebuilt from."""
    segments = record.get("segments")
    if not segments:
        return None
    return english_paragraphs(((int(s["paragraph"]), s["translation"]) for s in segments), paragraphs)


def english_paragraphs(segments: Iterable[tuple[int, str]], paragraphs: int) -> list[str]:
    """From (paragraph, translation) per segment: the English of paragraphs 1..`paragraphs`, each one's
    segments joined by a space, "" where none was made."""
    found: dict[int, list[str]] = {}
    for paragraph, translation in segments:
        found.setdefault(paragraph, []).append(translation)
    return [" ".join(part for part in found.get(number, []) if part) for number in range(1, paragraphs + 1)]


def translation_record(item: ItemInput, document: TranslatedDocument) -> dict[str, Any]:
    return {
        "id": item.id,
        "file": item.file,
        "source_lang": document.source_lang,
        "source_lang_confidence": document.source_lang_confidence,
        "translation": document.translation,
        "segments": [asdict(segment) for segment in document.segments],
        "glossary": [asdict(term) for term in document.glossary],
        "bullets": None,
        "warnings": [asdict(notice) for notice in document.warnings],
        "error": None,
    }


def summary_record(item: ItemInput, done: SummarizedDocument, task: JobTask) -> dict[str, Any]:
    """`summarize`: bullets (and warnings) only; `both`: the translation with its segments as well."""
    record = translation_record(item, done.document)
    record["bullets"] = [asdict(bullet) for bullet in done.summary.bullets]
    record["warnings"] += [asdict(notice) for notice in done.summary.notes]
    if task == "summarize":
        record["translation"] = None
        record["segments"] = None
        record["glossary"] = None
    return record


def error_record(item: ItemInput, error: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "file": item.file,
        "source_lang": None,
        "source_lang_confidence": None,
        "translation": None,
        "segments": None,
        "glossary": None,
        "bullets": None,
        "warnings": [],
        "error": error,
    }
