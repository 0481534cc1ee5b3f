"""Last resort for Chinese an instruction model left in its English: translate each fragment on its own.

Small models code-switch inside long sentences ("strategic新兴产业"). After the stricter retry, any
fragment still in Chinese is sent alone, and its English put in its place. Pure functions here; the
pipeline runs the model and reports every fragment it patched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from service.pipeline.checks import output_problem
from service.pipeline.terms import PiecePlan
from service.text.normalize import CJK_CHAR, han_characters, han_runs

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
