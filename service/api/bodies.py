"""/v1's response bodies from the pipeline's records: one place, for the plain and the streamed answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from service.api.schemas import DocumentOut, ModelOut, SummaryDocumentOut
from service.gazette import Gazette
from service.models.backend import ModelInfo
from service.pipeline.summarize import SummarizedDocument
from service.pipeline.types import TranslatedDocument


def model_out(
    engine: Gazette,
    served: Sequence[TranslatedDocument] = (),
    summaries: Sequence[SummarizedDocument] = (),
) -> ModelOut:
    """The model that served this response (the first document's), else the first one loaded."""
    loaded = engine.loaded()
    served_by = [document.model for document in served if document.model is not None]
    first: ModelInfo | None = served_by[0] if served_by else (loaded[0] if loaded else None)
    active = engine.profile
    translating = first.prompt_for("translate") if first else None
    templates = [translating] if translating else []
    for done in summaries:
        templates += [name for name in done.summary.templates if name not in templates]
    return ModelOut(
        profile=active.profile.name if active else engine.settings.profile,
        translate=", ".join(dict.fromkeys(info.model for info in served_by))
        or (first.model if first else ""),
        backend=first.engine if first else "",
        source=first.source if first else "",
        licence=first.licence if first else "",
        random_weights=any(info.random_weights for info in (served_by or loaded)),
        summarize=summaries[0].summary.model if summaries else None,
        templates=templates,
    )


def document_out(document: TranslatedDocument) -> DocumentOut:
    fields = asdict(document) | {"model": document.model.model if document.model else ""}
    return DocumentOut.model_validate(fields)


def summary_out(done: SummarizedDocument, include_translation: bool) -> SummaryDocumentOut:
    document, summary = done.document, done.summary
    return SummaryDocumentOut.model_validate(
        {
            "source_lang": document.source_lang,
            "source_lang_confidence": document.source_lang_confidence,
            "bullets": [asdict(bullet) for bullet in summary.bullets],
            "regenerated": summary.regenerated,
            "replaced": summary.replaced,
            "dropped": summary.dropped,
            "warnings": [asdict(notice) for notice in (*document.warnings, *summary.notes)],
            "generated_tokens": document.generated_tokens + summary.generated_tokens,
            "prompt_tokens": document.prompt_tokens + summary.prompt_tokens,
            "cached_prompt_tokens": document.cached_prompt_tokens + summary.cached_prompt_tokens,
            "seconds": round(document.seconds + summary.seconds, 3),
            **({"error": asdict(document.error)} if document.error else {}),
            **(
                {
                    "translation": document.translation,
                    "segments": [asdict(segment) for segment in document.segments],
                    "glossary": [asdict(term) for term in document.glossary],
                }
                if include_translation
                else {}
            ),
        }
    )
