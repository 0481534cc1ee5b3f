"""Texts through the engine as plain text, HTML or XML, and back into the shape they came in; shared by the
compatible APIs (LibreTranslate's `q`, DeepL's `text`). The formats themselves are `service.markup`'s.

Each text is one engine document whose paragraphs are its non-empty lines (for markup: its runs of text,
inline elements as placeholders, one per line). The English comes back per paragraph, from the
document's segments, and goes where its source was: blank lines stay, markup stays.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from service.gazette import Gazette
from service.markup.documents import TextFormat, TextOptions, in_its_format, prepare
from service.pipeline.languages import UNDETERMINED
from service.pipeline.translate import TranslateJob
from service.pipeline.types import TranslatedDocument

__all__ = ["TextFormat", "TextOptions", "Translated", "translate_texts"]


@dataclass(frozen=True)
class Translated:
    text: str
    document: TranslatedDocument | None  # None when there was nothing to translate
    source_text: str  # what the engine read, for telling Traditional from Simplified


async def translate_texts(
    engine: Gazette,
    texts: Sequence[str],
    source: str,
    text_format: TextFormat,
    glossary: Mapping[str, str] | None = None,
    options: TextOptions | None = None,
) -> list[Translated]:
    """Every text in one engine request (one flow, one deadline), at interactive priority."""
    options = options or TextOptions()
    prepared = await asyncio.to_thread(lambda: [prepare(q, text_format, options) for q in texts])
    todo = [item for item in prepared if item.text.strip()]
    split = options.split_sentences != "0"
    jobs = [
        TranslateJob(item.text, source, "en", dict(glossary or {}), split_sentences=split) for item in todo
    ]
    documents = iter(await engine.translate(jobs) if jobs else [])
    done: list[Translated] = []
    for q, item in zip(texts, prepared, strict=True):
        if not item.text.strip():
            done.append(Translated(q, None, ""))
            continue
        document = next(documents)
        if document.error is not None:  # this text alone failed (empty once read): it comes back as sent
            done.append(Translated(q, None, ""))
            continue
        # No language found (figures, codes): passed through, and reported as nothing was detected.
        found = document if document.source_lang != UNDETERMINED else None
        done.append(Translated(in_its_format(document, item), found, item.text))
    return done
