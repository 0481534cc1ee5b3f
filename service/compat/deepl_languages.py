"""DeepL's language codes onto the engine's and back.

DeepL writes codes in capitals, and some with a script or region: `ZH`, `ZH-HANS`, `ZH-HANT`, `PT-BR`,
`EN-GB`. A source is its language alone (the engine has one code, `zh`, for both Chinese scripts, and
converts Traditional to Simplified itself); the one target there is English, `EN-GB` or `EN-US` (or the
bare `EN` that DeepL still takes). Glossaries are for languages, not regions: `ZH` → `EN`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from service.gazette import SourceLanguage

# DeepL lists its English targets by region; what it calls each.
ENGLISH_TARGETS = {"EN-GB": "English (British)", "EN-US": "English (American)"}
ENGLISH = "en"


def base(code: str) -> str:
    """`ZH-HANT`, `zh_Hant`, `ZH` → `zh`: the language, without the script or region after it."""
    return code.strip().lower().replace("_", "-").split("-")[0]


def engine_source(code: str, served: Collection[str]) -> str | None:
    """The engine's code for a DeepL source code; None when the engine does not translate it."""
    language = base(code)
    return language if language in served and language != ENGLISH else None


def is_english(code: str) -> bool:
    """`EN`, `EN-GB`, `EN-US`, in any case: what a translation may be asked into. Not `EN-AU` and the like,
    which DeepL does not have either."""
    return code.strip().upper().replace("_", "-") in ("EN", *ENGLISH_TARGETS)


def deepl_code(engine_code: str) -> str:
    """The code DeepL gives a detected language: the base code in capitals (`ZH`, whatever the script)."""
    return engine_code.upper()


def source_languages(sources: Sequence[SourceLanguage]) -> list[dict[str, Any]]:
    """`GET /v2/languages` (`type=source`): as DeepL lists sources, without `supports_formality`."""
    return [{"language": deepl_code(language.code), "name": language.name} for language in sources]


def target_languages() -> list[dict[str, Any]]:
    """`GET /v2/languages?type=target`. English has no formal and informal forms to choose between."""
    return [
        {"language": code, "name": name, "supports_formality": False}
        for code, name in ENGLISH_TARGETS.items()
    ]


def glossary_pairs(sources: Sequence[SourceLanguage]) -> list[dict[str, str]]:
    """`GET /v2/glossary-language-pairs`: every source into English, lower-case as DeepL writes them."""
    return [{"source_lang": language.code, "target_lang": ENGLISH} for language in sources]
