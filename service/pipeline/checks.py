"""Checks on each model output, so that no bad segment passes silently."""

from __future__ import annotations

from service.text.normalize import han_characters

_CJK_SOURCES = frozenset({"zh", "ja", "ko"})
# Characters of English per source character: Chinese runs about 3x, Latin scripts about 1x.
_RATIO_BOUNDS = {True: (0.7, 12.0), False: (0.3, 4.0)}
_MIN_CHECKED_LENGTH = 12  # short headings vary too much to judge by length


def output_problem(source: str, output: str, source_lang: str) -> tuple[str, str] | None:
    """(code, message) for an output that should not be trusted as it is, or None."""
    if not output.strip():
        return "empty_translation", "the model returned nothing for this sentence"
    if source_lang in {"zh", "ja"} and han_characters(output):
        return "untranslated_text", "the translation still contains Chinese characters"
    if len(source) >= _MIN_CHECKED_LENGTH:
        low, high = _RATIO_BOUNDS[source_lang in _CJK_SOURCES]
        ratio = len(output) / len(source)
        if not low <= ratio <= high:
            return (
                "length_ratio",
                f"the translation is {ratio:.1f}x the source's length; parts may be missing or added",
            )
    return None
