"""Which language a document is in, and what becomes of one that needs no translation.

- A language named by the caller is trusted (an unsupported one is the document's error).
- Detected: a document that is already English, or has no language at all (figures, codes, addresses),
  is passed through unchanged with a warning (`already_english`, `nothing_to_translate`), as DeepL
  does, instead of being refused.
- A line with any Chinese in it is Chinese when the rest of its request is: `GB 18030 一 2022` or
  `3.1 字符 character` beside other Chinese lines is a heading of a Chinese standard, not English.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.pipeline.prepare import cleaned_text, prepare_document
from service.pipeline.types import Notice, TranslatedDocument, TranslatedSegment, UnsupportedLanguage
from service.text.langdetect import SUPPORTED_SOURCES, detect_language
from service.text.normalize import has_han

UNDETERMINED = "und"  # BCP 47: no language could be told
_WHOLE = 1 << 30  # a passed-through document is not cut to a model's budget
_SURE = 0.5  # lingua's confidence below which a text with Chinese in it is taken for Chinese


def resolve_language(
    text: str, requested: str, request_language: str | None = None
) -> tuple[str, float | None]:
    """The source language (`en`: already English; UNDETERMINED: none) and the detector's confidence
    (None when the caller named the language, or it was taken from the request)."""
    if requested != "auto":
        if requested not in SUPPORTED_SOURCES:
            raise UnsupportedLanguage(f"source language {requested!r} is not supported")
        return requested, None
    detection = detect_language(cleaned_text(text))
    if detection is not None and detection.language in ("zh", "ja", "ko"):
        return detection.language, detection.confidence
    # Chinese with codes and figures around it reads as anything to lingua (`GB 18030 一 2022`: German,
    # 0.28): Chinese when its request is, or when nothing else is told with confidence.
    unsure = detection is None or detection.confidence < _SURE
    if has_han(text) and (request_language == "zh" or unsure):
        return "zh", None
    if detection is None:
        return UNDETERMINED, None
    return detection.language, detection.confidence


def request_language(texts: Sequence[str]) -> str | None:
    """The language of a request's documents taken together, or None."""
    detection = detect_language(cleaned_text("\n".join(texts)))
    return detection.language if detection is not None else None


def passes_through(language: str) -> bool:
    return language in ("en", UNDETERMINED)


def passed_through(
    text: str, language: str, confidence: float | None, clean_input: bool
) -> TranslatedDocument:
    """The document as it came, sentence by sentence, each its own translation (EmptyDocument when the
    text holds nothing at all)."""
    prepared = prepare_document(
        text, simplify=False, count_tokens=len, token_budget=_WHOLE, clean_input=clean_input
    )
    if language == "en":
        notice = Notice("already_english", "the text is already English: passed through unchanged")
    else:
        notice = Notice("nothing_to_translate", "no language was found in the text: passed through unchanged")
    segments = tuple(
        TranslatedSegment(s.id, s.paragraph, s.source, s.normalized, s.source) for s in prepared.segments
    )
    return TranslatedDocument(
        source_lang=language,
        source_lang_confidence=confidence,
        translation=text,
        segments=segments,
        warnings=(notice,),
        annotations_removed=prepared.annotations_removed,
    )
