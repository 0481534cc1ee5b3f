"""Inline tags put around the English of their words when that English is known for certain.

A model may drop a sentence's markers (on qwen-pypi, `会议在<g1>厦门</g1>召开。` came back as "The meeting
was held in Xiamen.") or keep them around the wrong words; placed by position, the bold then lands on "was
held". Where the words inside a paired marker are a glossary term (an approved rendering, a built-in or
an automatic one), their English is known: if it occurs exactly once in the translation, the marker pair
is put around it, wherever the model put (or lost) it. Anything less certain (the rendering absent, found
twice, or already inside the pair) leaves the output as the model wrote it, for `placeholders.restore`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from service.markup.placeholders import MARKER, close_marker, open_marker

# A span's own edges that are no part of the term: spaces and punctuation ("厦门。" is still 厦门).
EDGES = " \t\u3000.,;:!?\"'()[]{}。，、；：！？“”‘’（）《》「」"


def tagged_spans(source: str) -> dict[int, str]:
    """Each paired slot's own text (markers removed) in a source line, by slot number."""
    spans: dict[int, str] = {}
    opened: dict[int, int] = {}
    for match in MARKER.finditer(source):
        closing, letter, number, self_closing = match.groups()
        if letter.lower() != "g" or self_closing:
            continue
        slot = int(number)
        if closing and slot in opened:
            spans[slot] = MARKER.sub("", source[opened.pop(slot) : match.start()])
        elif not closing:
            opened[slot] = match.end()
    return spans


def _without_slot(output: str, slot: int) -> str:
    def keep(match: re.Match[str]) -> str:
        _, letter, number, _ = match.groups()
        return "" if letter.lower() == "g" and int(number) == slot else match.group(0)

    return MARKER.sub(keep, output)


def held_by(output: str, slot: int) -> str | None:
    """The text the output's pair of `slot` surrounds (None unless it has exactly one of each, in order)."""
    opens = [m for m in MARKER.finditer(output) if _is(m, slot, closing=False)]
    closes = [m for m in MARKER.finditer(output) if _is(m, slot, closing=True)]
    if len(opens) != 1 or len(closes) != 1 or closes[0].start() < opens[0].end():
        return None
    return MARKER.sub("", output[opens[0].end() : closes[0].start()])


def _is(match: re.Match[str], slot: int, *, closing: bool) -> bool:
    slash, letter, number, self_closing = match.groups()
    return letter.lower() == "g" and int(number) == slot and bool(slash) == closing and not self_closing


def _only_occurrence(text: str, english: str) -> re.Match[str] | None:
    """`english` in `text` as whole words, case aside, outside any marker; None unless exactly once."""
    pattern = re.compile(r"(?<![\w<])" + re.escape(english) + r"(?!\w)", re.IGNORECASE)
    found = [match for match in pattern.finditer(text) if not _in_marker(text, match.start())]
    return found[0] if len(found) == 1 else None


def _in_marker(text: str, at: int) -> bool:
    return any(m.start() < at < m.end() for m in MARKER.finditer(text))


def place_by_anchors(source: str, output: str, renderings: Iterable[tuple[str, str]]) -> str:
    """`output` with each paired marker whose source words are a term of `renderings` (term, English)
    moved around that English, when it occurs exactly once and the pair does not already hold it."""
    known = {term: english for term, english in renderings if english.strip()}
    for slot, words in sorted(tagged_spans(source).items()):
        english = known.get(words.strip(EDGES))
        if not english:
            continue
        held = held_by(output, slot)
        if held is not None and english.casefold() in held.casefold():
            continue
        rest = _without_slot(output, slot)
        found = _only_occurrence(rest, english)
        if found is None:
            continue
        output = (
            rest[: found.start()]
            + open_marker(slot)
            + found.group(0)
            + close_marker(slot)
            + rest[found.end() :]
        )
    return output
