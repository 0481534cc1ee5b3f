"""Reference-free checks on a translated sentence, so that no bad segment passes silently.

The same checks give the service's per-segment `warnings` and the evaluation harness's counts.
`output_problem` is the subset that says an output is broken (and worth a second attempt);
`segment_problems` adds the softer ones (a number or a glossary term not carried over).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.text.normalize import han_characters
from service.text.numbers import missing_numbers

_CJK_SOURCES = frozenset({"zh", "ja", "ko"})
# Letters of the source's own script that have no business in an English translation.
_SOURCE_SCRIPTS = {
    "ko": ("Korean", re.compile("[\uac00-\ud7af]")),
    "ru": ("Cyrillic", re.compile("[\u0400-\u04ff]")),
    "ar": ("Arabic", re.compile("[\u0600-\u06ff]")),
}
# Characters of English per source character: Chinese runs about 3x, Latin scripts about 1x.
_RATIO_BOUNDS = {True: (0.7, 12.0), False: (0.3, 4.0)}
_MIN_CHECKED_LENGTH = 12  # short headings vary too much to judge by length
_WORD = re.compile(r"\w+")
# A phrase of n words said again and again: once for n=1 would flag "very, very"; models that loop
# repeat a word 4+ times or a phrase 3+ times in a row.
_LOOP_REPEATS = {1: 4}
_LOOP_DEFAULT_REPEATS = 3
_LOOP_LONGEST_PHRASE = 8

CHECK_CODES = (
    "empty_translation",
    "untranslated_text",
    "length_ratio",
    "repetition",
    "numbers_not_carried_over",
    "glossary_term_missed",
)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def output_problem(source: str, output: str, source_lang: str) -> tuple[str, str] | None:
    """(code, message) for an output that should not be trusted as it is, or None."""
    if not output.strip():
        return "empty_translation", "the model returned nothing for this sentence"
    if source_lang in {"zh", "ja"} and han_characters(output):
        return "untranslated_text", "the translation still contains Chinese characters"
    script = _SOURCE_SCRIPTS.get(source_lang)
    if script is not None and script[1].search(output):
        return "untranslated_text", f"the translation still contains {script[0]} text"
    if len(source) >= _MIN_CHECKED_LENGTH:
        low, high = _RATIO_BOUNDS[source_lang in _CJK_SOURCES]
        ratio = len(output) / len(source)
        if not low <= ratio <= high:
            return (
                "length_ratio",
                f"the translation is {ratio:.1f}x the source's length; parts may be missing or added",
            )
    loop = repeated_phrase(output)
    if loop is not None:
        return "repetition", f"the translation repeats {loop!r} over and over"
    return None


def segment_problems(
    source: str, output: str, source_lang: str, terms: Sequence[tuple[str, str]] = ()
) -> list[Problem]:
    """Every check that fails for one sentence: `output_problem`, then numbers, then glossary terms.

    `terms` are the (term, rendering) pairs of the glossary found in the source.
    """
    problems: list[Problem] = []
    broken = output_problem(source, output, source_lang)
    if broken is not None:
        problems.append(Problem(*broken))
    if output.strip():
        missing = missing_numbers(source, output)
        if missing:
            problems.append(
                Problem("numbers_not_carried_over", "not found in the translation: " + ", ".join(missing))
            )
        missed = missed_terms(terms, output)
        if missed:
            listed = "; ".join(f"{term} → {rendering}" for term, rendering in missed)
            problems.append(Problem("glossary_term_missed", f"approved rendering not used: {listed}"))
    return problems


def missed_terms(terms: Sequence[tuple[str, str]], output: str) -> list[tuple[str, str]]:
    """The (term, rendering) pairs whose rendering the output does not contain (case aside)."""
    folded = output.casefold()
    return [(term, rendering) for term, rendering in terms if rendering.casefold() not in folded]


def repeated_phrase(text: str) -> str | None:
    """A phrase of up to eight words repeated back to back (a decoding loop), or None."""
    words = [word.casefold() for word in _WORD.findall(text)]
    for size in range(1, _LOOP_LONGEST_PHRASE + 1):
        needed = _LOOP_REPEATS.get(size, _LOOP_DEFAULT_REPEATS)
        for start in range(len(words) - size * needed + 1):
            phrase = words[start : start + size]
            if all(
                words[start + size * turn : start + size * (turn + 1)] == phrase for turn in range(1, needed)
            ):
                return " ".join(phrase)
    return None
