"""The translation pipeline: the one code path from text to result, shared by HTTP, CLI and batch jobs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from service.engine.queue import BatchQueue, QueueItem
from service.engine.registry import ModelRegistry
from service.pipeline.prepare import cleaned_text, prepare_document
from service.pipeline.types import (
    Notice,
    PreparedDocument,
    TranslatedDocument,
    TranslatedSegment,
    UnsupportedLanguage,
)
from service.text.langdetect import SUPPORTED_SOURCES, detect_language
from service.text.normalize import han_characters, tidy_output

TARGET_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True)
class TranslateJob:
    text: str
    source_lang: str = "auto"
    target_lang: str = "en"


def resolve_language(text: str, requested: str) -> tuple[str, float | None]:
    """The source language and the detector's confidence (None when the caller named the language)."""
    if requested != "auto":
        if requested not in SUPPORTED_SOURCES:
            raise UnsupportedLanguage(f"source language {requested!r} is not supported")
        language, confidence = requested, None
    else:
        detection = detect_language(cleaned_text(text))
        if detection is None:
            raise UnsupportedLanguage("the source language could not be detected; set source_lang")
        language, confidence = detection.language, detection.confidence
    if language == "en":
        raise UnsupportedLanguage("the text is already English; Gazette translates into English")
    return language, confidence


def check_output(segment_id: str, source_lang: str, translation: str) -> Notice | None:
    """A warning when a segment came back empty or still in Chinese script."""
    if not translation.strip():
        return Notice("empty_translation", "the model returned nothing for this sentence", segment_id)
    if source_lang in {"zh", "ja"} and han_characters(translation):
        return Notice("untranslated_text", "the translation still contains Chinese characters", segment_id)
    return None


class TranslationPipeline:
    def __init__(self, registry: ModelRegistry, *, token_budget: int, timeout: float) -> None:
        self.registry = registry
        self._token_budget = token_budget
        self._timeout = timeout

    def check_target(self, target_lang: str) -> None:
        if target_lang not in TARGET_LANGUAGES:
            raise UnsupportedLanguage(f"target language {target_lang!r} is not supported; use 'en'")

    async def translate_many(self, jobs: Sequence[TranslateJob]) -> list[TranslatedDocument]:
        """Each document handled on its own, all at once, under one deadline for the request."""
        for job in jobs:
            self.check_target(job.target_lang)
        async with asyncio.timeout(self._timeout):
            return list(await asyncio.gather(*(self.translate(job) for job in jobs)))

    async def translate(self, job: TranslateJob) -> TranslatedDocument:
        self.check_target(job.target_lang)
        language, confidence = await asyncio.to_thread(resolve_language, job.text, job.source_lang)
        queue = await self.registry.translator(language)
        prepared, items = await asyncio.to_thread(self._prepare, job.text, queue)
        outputs = await queue.run(items, self._timeout)
        return self._assemble(prepared, outputs, language, confidence, queue)

    def _prepare(self, text: str, queue: BatchQueue) -> tuple[PreparedDocument, list[QueueItem]]:
        """CPU work (normalising, splitting, tokenising), run off the event loop."""
        backend = queue.backend
        budget = min(self._token_budget, backend.info.max_input_tokens)
        prepared = prepare_document(
            text,
            simplify=backend.info.wants_simplified,
            count_tokens=backend.count_tokens,
            token_budget=budget,
        )
        pieces = [piece for segment in prepared.segments for piece in segment.pieces]
        return prepared, [QueueItem(piece, backend.count_tokens(piece)) for piece in pieces]

    def _assemble(
        self,
        prepared: PreparedDocument,
        outputs: list[str],
        language: str,
        confidence: float | None,
        queue: BatchQueue,
    ) -> TranslatedDocument:
        remaining = iter(outputs)
        segments: list[TranslatedSegment] = []
        warnings: list[Notice] = []
        if queue.backend.info.random_weights:
            warnings.append(Notice("random_model", "this model has random weights: its output is noise"))
        for segment in prepared.segments:
            translation = tidy_output(" ".join(next(remaining) for _ in segment.pieces))
            notice = check_output(segment.id, language, translation)
            if notice is not None:
                warnings.append(notice)
            segments.append(
                TranslatedSegment(
                    segment.id, segment.paragraph, segment.source, segment.normalized, translation
                )
            )
        paragraphs: dict[int, list[str]] = {}
        for translated in segments:
            paragraphs.setdefault(translated.paragraph, []).append(translated.translation)
        text = "\n".join(" ".join(part for part in parts if part) for parts in paragraphs.values())
        return TranslatedDocument(
            source_lang=language,
            source_lang_confidence=confidence,
            translation=text,
            segments=tuple(segments),
            warnings=tuple(warnings),
            annotations_removed=prepared.annotations_removed,
        )
