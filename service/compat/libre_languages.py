"""LibreTranslate's language codes, onto the engine's and back.

LibreTranslate names Simplified Chinese `zh` and Traditional `zt`; clients also send `zh-Hans`, `zh-Hant`,
`zh-CN`, `zh-TW` (LibreTranslate itself refuses the last two). The engine has one code, `zh`, for both
scripts (it converts Traditional to Simplified itself), so every one of them is `zh` going in, and a
detection says `zt` again for a text written in Traditional characters.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from service.compat.markup import Translated
from service.gazette import SourceLanguage
from service.text.normalize import han_characters, to_simplified

TRADITIONAL = {"code": "zt", "name": "Chinese (traditional)"}
ENGLISH = {"code": "en", "name": "English"}
# Codes LibreTranslate has for languages the engine knows by another code.
_ALIASES = {"zt": "zh", "pb": "pt"}
# At least this share of a text's Han characters change from Traditional to Simplified: it is written in
# Traditional. Not "any": a Simplified text may hold a character or two that t2s still maps.
_TRADITIONAL_SHARE = 0.05


def _base(code: str) -> str:
    """`zh-Hant`, `zh_TW`, `ZH` → `zh`: the language, without the script or region after it."""
    return code.strip().lower().replace("_", "-").split("-")[0]


def engine_source(code: str, served: Collection[str]) -> str | None:
    """The engine's code for a LibreTranslate source code (`auto` stays `auto`); None if not served."""
    if code.strip().lower() == "auto":
        return "auto"
    base = _base(code)
    base = _ALIASES.get(base, base)
    return base if base in served else None


def is_english(code: str) -> bool:
    """`en`, `en-US`, `en-GB`: the one target there is."""
    return _base(code) == "en"


def is_traditional(text: str) -> bool:
    han = han_characters(text)
    if not han:
        return False
    changed = sum(before != after for before, after in zip(han, to_simplified(han), strict=False))
    return changed > 0 and changed >= _TRADITIONAL_SHARE * len(han)


def libre_code(engine_code: str, text: str) -> str:
    """The code LibreTranslate gives the language a text was detected in."""
    return TRADITIONAL["code"] if engine_code == "zh" and is_traditional(text) else engine_code


def detection(engine_code: str, confidence: float | None, text: str) -> dict[str, Any]:
    """`{"confidence": 0–100, "language": code}`; the engine's confidence is 0–1."""
    return {"confidence": round(100 * (confidence or 0.0), 1), "language": libre_code(engine_code, text)}


# What LibreTranslate answers when it finds no language at all.
UNDETECTED: dict[str, Any] = {"confidence": 0.0, "language": ENGLISH["code"]}


def detected(results: Sequence[Translated]) -> list[dict[str, Any]]:
    """Each result's `detectedLanguage` (for `source: auto`)."""
    return [
        detection(r.document.source_lang, r.document.source_lang_confidence, r.source_text)
        if r.document
        else UNDETECTED
        for r in results
    ]


def languages_out(sources: Sequence[SourceLanguage]) -> list[dict[str, Any]]:
    """`GET /languages`: English first (LibreTranslate lists it, and clients such as Weblate look for the
    target there), with no targets of its own; every source translates into English only."""
    found: list[dict[str, Any]] = [{**ENGLISH, "targets": []}]
    for language in sources:
        found.append({"code": language.code, "name": language.name, "targets": [ENGLISH["code"]]})
        if language.code == "zh":
            found.append({**TRADITIONAL, "targets": [ENGLISH["code"]]})
    return found
