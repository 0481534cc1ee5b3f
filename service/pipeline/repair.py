"""Last resort for Chinese an instruction model left in its English: translate each fragment on its own.

Small models code-switch inside long sentences ("strategic新兴产业"). After the stricter retry, any
fragment still in Chinese is sent alone, and its English put in its place. Pure functions here; the
pipeline runs the model and reports every fragment it patched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from service.pipeline.checks import output_problem
from service.pipeline.terms import PiecePlan
from service.text.normalize import CJK_CHAR, han_characters, han_runs
from service.text.words import content_words

_SPACE_BEFORE_CLOSER = re.compile(r"\s+([,.;:!?%)\]”’」』])")
_SPACE_AFTER_OPENER = re.compile(r"([(\[“‘「『])\s+")
_CJK_RUN = re.compile(f"{CJK_CHAR}+")
_MAX_WORDS_PER_CHAR = 2  # a fragment's English: about a word per character; more is a whole sentence


def usable_rendering(fragment: str, rendering: str) -> str | None:
    """The model's English for a fragment, trimmed, or None when it is no usable replacement."""
    rendering = rendering.strip().strip("\"'“”‘’「」").rstrip(".。").strip()
    if not any(ch.isalnum() for ch in rendering) or han_characters(rendering) or "\n" in rendering:
        return None
    if len(rendering.split()) > _MAX_WORDS_PER_CHAR * len(fragment) + 2:
        return None
    return rendering


def invented_rendering(
    fragment: str, rendering: str, glossary: Sequence[tuple[str, str]], translation: str
) -> str | None:
    """Why a fragment's English cannot be its own, or None when it may be.

    Told the sentence's approved renderings, the 1.5B model answers a fragment with one of them: asked for
    新兴产业 ("emerging industries") in the seed's p2.s4, whose glossary lists 规上工业 = "industry above
    designated size", it answered "industry above designated size", and the sentence said it twice. So a
    rendering holding another term's English, or a phrase the sentence's translation already has (two
    content words or more, in a row: a single word may rightly occur twice, and 产业链供应链 left beside
    "产业链 supply chain" is still "industrial chain and supply chain"), is refused.
    """
    words = set(content_words(rendering))
    for term, english in glossary:
        if term in fragment or fragment in term:
            continue  # the fragment's own term: its approved English is the right answer
        if (theirs := set(content_words(english))) and theirs <= words:
            return f"it is the English of {term} ({english!r})"
    said, phrase = content_words(_CJK_RUN.sub(" ", translation)), content_words(rendering)
    size = len(phrase)
    if size >= 2 and any(said[at : at + size] == phrase for at in range(len(said) - size + 1)):
        return "the sentence's translation already says it"
    return None


def patch(output: str, renderings: Mapping[str, str]) -> tuple[str, list[str]]:
    """`output` with each Chinese fragment replaced by its English; also the fragments replaced."""
    replaced: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        fragment = match.group(0)
        if fragment not in renderings:
            return fragment
        replaced.append(fragment)
        return f" {renderings[fragment]} "

    patched = _CJK_RUN.sub(substitute, output)
    patched = _SPACE_AFTER_OPENER.sub(r"\1", _SPACE_BEFORE_CLOSER.sub(r"\1", " ".join(patched.split())))
    return patched, replaced


def better_retry(plan: PiecePlan, first: str, retry: str, language: str) -> bool:
    """Keep the stricter answer if it passes the checks; short of that, if it leaves less Chinese
    behind, or as much Chinese but no fewer of the glossary's renderings."""
    if output_problem(plan.source.text, retry, language) is None:
        return True
    if not retry.strip():
        return False
    left_first, left_retry = len(han_characters(first)), len(han_characters(retry))
    if left_retry != left_first:
        return left_retry < left_first

    def renderings_used(text: str) -> int:
        return sum(entry.rendering.casefold() in text.casefold() for entry in plan.entries)

    return renderings_used(retry) >= renderings_used(first)


FRAGMENT_CHARACTERS = 6  # a leftover run longer than this is more than a word or a name


def fragments_will_do(source: str, output: str, language: str) -> bool:
    """True when the output is sound but for a few short runs left in Chinese (at most one per 20 source
    characters), which translating those runs alone repairs."""
    runs = han_runs(output)
    if not runs or max(map(len, runs)) > FRAGMENT_CHARACTERS or len(runs) > max(1, len(source) // 20):
        return False
    english_only = output
    for run in runs:
        english_only = english_only.replace(run, "x" * len(run))
    return output_problem(source, english_only, language) is None


# Half-width marks end a clause unless a figure follows ("5,000", "10:30").
_CLAUSE_END = re.compile(r"(?<=[，；：])|(?<=[,;:])(?!\d)")
_MIN_CLAUSE_CHARACTERS = 4  # "据悉，" alone means little: a shorter clause goes with the one after it
_MAX_CLAUSES = 12


def clauses(text: str) -> list[str]:
    """`text` cut after each comma, semicolon and colon, a clause too short to stand alone joined to the
    next; at most 12 clauses (the rest stay with the last)."""
    pieces = [piece.strip() for piece in _CLAUSE_END.split(text) if piece.strip()]
    merged: list[str] = []
    carry = ""
    for piece in pieces:
        carry += piece
        if sum(ch.isalnum() for ch in carry) >= _MIN_CLAUSE_CHARACTERS:
            merged.append(carry)
            carry = ""
    if carry:
        if merged:
            merged[-1] += carry
        else:
            merged.append(carry)
    if len(merged) > _MAX_CLAUSES:
        merged[_MAX_CLAUSES - 1 :] = ["".join(merged[_MAX_CLAUSES - 1 :])]
    return merged


def wants_clauses(source: str, output: str, language: str) -> bool:
    """True when an answer is broken in a way retranslating its parts may mend: nothing, a loop, or a
    length far from the source's (Chinese left over is the fragment pass's to mend)."""
    problem = output_problem(source, output, language)
    return problem is not None and problem[0] != "untranslated_text"


def join_clauses(parts: list[str]) -> str:
    return " ".join(part.strip() for part in parts if part.strip())


def better_by_clauses(source: str, current: str, joined: str, language: str) -> bool:
    """Keep the clauses' English when there was no answer at all, or when it passes the checks (but for
    Chinese left over, which the fragment pass then translates)."""
    if not joined.strip():
        return False
    if not current.strip():
        return True
    problem = output_problem(source, joined, language)
    return problem is None or problem[0] == "untranslated_text"
