"""Source-language detection with lingua (its models ship inside the wheel; nothing is downloaded)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# ISO 639-1 codes Gazette accepts as sources; lingua is limited to them, which keeps it fast and small.
SUPPORTED_SOURCES: dict[str, str] = {
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "ru": "Russian",
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "ar": "Arabic",
    "vi": "Vietnamese",
    "pt": "Portuguese",
    "it": "Italian",
    "en": "English",
}
_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af]")
_HAN = re.compile("[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in SUPPORTED_SOURCES
    ]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def _by_script(text: str) -> Detection | None:
    """Han without kana is Chinese, kana is Japanese, hangul is Korean: certain, and instant."""
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return None
    han = len(_HAN.findall(text))
    kana = len(_KANA.findall(text))
    hangul = len(_HANGUL.findall(text))
    if kana / letters > 0.05:
        return Detection("ja", round(min(1.0, (han + kana) / letters), 2))
    if hangul / letters > 0.3:
        return Detection("ko", round(hangul / letters, 2))
    if han / letters > 0.5:
        return Detection("zh", round(han / letters, 2))
    return None


def detect_language(text: str) -> Detection | None:
    """The most likely supported language and lingua's confidence, or None when nothing is readable."""
    sample = text[:2000]
    by_script = _by_script(sample)
    if by_script is not None:
        return by_script
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value <= 0:
        return None
    best = values[0]
    return Detection(best.language.iso_code_639_1.name.lower(), round(best.value, 2))
