"""Subtitles (.srt, .vtt): cue numbers, timings, headers, notes and styles kept byte for byte; the
cues' text translated a sentence at a time.

Cues that together hold one sentence (the text of one ends without a sentence mark) are one paragraph
for the engine, their boundaries as placeholders `<xN/>` the model is asked to keep; where it does not,
they are placed by position (`service.markup.placeholders`), so each cue gets its share of the English.
Styling tags in a cue's text (`<i>`, `<c.red>`, `<v Speaker>`) are placeholders too, kept as written.
A cue's lines come back as one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.markup.placeholders import Placed, atom_marker, restore

_SENTENCE_END = re.compile(r"[。！？!?…．.；;」”\"']\s*$")
_TAG = re.compile(r"<[^>\n]*>")


class SubtitleError(ValueError):
    """Not a subtitle file this reader understands."""


@dataclass(frozen=True)
class Cue:
    first: int  # index of its first text line
    count: int  # how many text lines it has
    text: str  # its lines joined by spaces


def cues(lines: Sequence[str], vtt: bool) -> list[Cue]:
    """Every cue with text: the lines after a timing line ("-->") up to a blank line."""
    if vtt and not (lines and lines[0].lstrip("\ufeff").startswith("WEBVTT")):
        raise SubtitleError("not a WebVTT file: it does not start with WEBVTT")
    found: list[Cue] = []
    index = 0
    while index < len(lines):
        if "-->" not in lines[index]:
            index += 1
            continue
        start = index + 1
        end = start
        while end < len(lines) and lines[end].strip():
            end += 1
        if end > start:
            found.append(Cue(start, end - start, " ".join(" ".join(lines[start:end]).split())))
        index = end
    if not any("-->" in line for line in lines):
        raise SubtitleError("no cue timings (lines with -->) found")
    return found


def sentence_groups(found: Sequence[Cue]) -> list[list[Cue]]:
    """Consecutive cues up to one whose text ends a sentence."""
    groups: list[list[Cue]] = [[]]
    for cue in found:
        groups[-1].append(cue)
        if _SENTENCE_END.search(_TAG.sub("", cue.text)):
            groups.append([])
    return [group for group in groups if group]


@dataclass(frozen=True)
class _Encoded:
    line: str
    tags: dict[int, str]  # slot → the tag it stands for; other slots are cue boundaries


def _encode(group: Sequence[Cue]) -> _Encoded:
    parts: list[str] = []
    tags: dict[int, str] = {}
    slot = 0
    for number, cue in enumerate(group):
        if number:
            slot += 1
            parts.append(f" {atom_marker(slot)} ")
        cursor = 0
        for match in _TAG.finditer(cue.text):
            slot += 1
            tags[slot] = match.group(0)
            parts += [cue.text[cursor : match.start()], atom_marker(slot)]
            cursor = match.end()
        parts.append(cue.text[cursor:])
    return _Encoded(" ".join("".join(parts).split()), tags)


def subtitle_lines(lines: Sequence[str], vtt: bool) -> list[str]:
    return [_encode(group).line for group in sentence_groups(cues(lines, vtt))]


def _shares(parts: tuple[str | Placed, ...], encoded: _Encoded, cue_count: int) -> list[str]:
    """The English cut at the cue boundaries, in text order, tags put back where they were placed."""
    shares: list[list[str]] = [[]]
    for part in parts:
        if isinstance(part, str):
            shares[-1].append(part)
        elif part.slot in encoded.tags:
            shares[-1].append(encoded.tags[part.slot])
        else:
            shares.append([])
    texts = [" ".join("".join(share).split()) for share in shares]
    texts += [""] * (cue_count - len(texts))
    return [text or "…" for text in texts]  # an empty line would end the cue: never left empty


def write_subtitles(lines: Sequence[str], vtt: bool, english: Sequence[str]) -> list[str]:
    groups = sentence_groups(cues(lines, vtt))
    if len(groups) != len(english):
        raise ValueError(f"{len(english)} translations for {len(groups)} sentences")
    replaced: dict[int, str] = {}
    removed: set[int] = set()
    for group, translation in zip(groups, english, strict=True):
        encoded = _encode(group)
        shares = _shares(restore(encoded.line, translation), encoded, len(group))
        for cue, share in zip(group, shares, strict=True):
            replaced[cue.first] = share
            removed.update(range(cue.first + 1, cue.first + cue.count))
    return [replaced.get(number, line) for number, line in enumerate(lines) if number not in removed]
