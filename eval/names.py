"""Chinese names in an English reference, and whether an output renders them.

The `names` suite scores how a translation writes the people and places the reference gives in Hanyu
Pinyin (`Zhou Guiliang`, `Tong'an`, `Xiamen`). A capitalised word in the reference is taken for such a
name only when it is pinyin *and* the source holds Han characters that read that way, in order: the
source is the evidence, so English words that happen to be pinyin ("He", "Long", "Women") count only
where the source really has characters with that reading, and conventional spellings (Hong Kong for
香港) fail on their own. Spans of one syllable never count: too many English words are one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from pypinyin import Style, pinyin

from service.text.normalize import CJK_CHAR

MAX_SPAN_WORDS = 3
MIN_SYLLABLES = 2
_LONGEST_SYLLABLE = 6  # zhuang, chuang, shuang
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
_HAN = re.compile(CJK_CHAR)
# A capitalised word, possibly joined by a hyphen or a pinyin apostrophe. The apostrophe only ever
# precedes a syllable opening with a, e or o (Xi'an, Tong'an), which keeps a possessive 's outside.
_WORD = re.compile(r"(?<![\w'’‘-])[A-Z][a-zü]*(?:(?:-[A-Za-z]|['’‘][aeoAEO])[a-zü]*)*(?![\w])")
_BOUNDARY = re.compile(r"[-'’‘]")


def _toneless(reading: str) -> str:
    # pypinyin writes ü as v (lv, nve); English writes Lü, Lu or Lv: all are compared as u.
    return reading.replace("ü", "u").replace("v", "u")


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Every toneless syllable pypinyin reads a CJK Unified Ideograph as (about 400)."""
    block = "".join(chr(code) for code in range(0x4E00, 0xA000))
    readings = pinyin(block, style=Style.NORMAL, heteronym=True)
    # Vowel-less interjections (m, n, ng, hm) are left out: no name is written with them.
    return frozenset(
        _toneless(reading)
        for options in readings
        for reading in options
        if reading.isascii() and reading.isalpha() and re.search("[aeiouv]", reading)
    )


@cache
def _readings(character: str) -> frozenset[str]:
    """All toneless readings of one Han character (heteronyms too); nothing for anything else."""
    if not _HAN.fullmatch(character):
        return frozenset()
    return frozenset(
        _toneless(reading) for reading in pinyin(character, style=Style.NORMAL, heteronym=True)[0]
    )


@lru_cache(maxsize=4096)
def _splits(piece: str) -> bool:
    """Whether `piece` (lower case, no apostrophe) is one or more pinyin syllables end to end."""
    if not piece:
        return True
    syllables = _syllables()
    return any(
        piece[:size] in syllables and _splits(piece[size:])
        for size in range(1, min(_LONGEST_SYLLABLE, len(piece)) + 1)
    )


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    pieces: tuple[str, ...]  # split at hyphens and apostrophes: syllable boundaries the writer marked


def _words(reference: str) -> list[list[_Word]]:
    """The reference's runs of capitalised pinyin-shaped words, each run only spaces apart."""
    runs: list[list[_Word]] = []
    previous_end = -1
    for match in _WORD.finditer(reference):
        pieces = tuple(_toneless(piece) for piece in _BOUNDARY.split(match.group().lower()))
        if not all(piece and _splits(piece) for piece in pieces):
            previous_end = -1  # a word that is not pinyin ends the run
            continue
        word = _Word(match.start(), match.end(), pieces)
        joined = previous_end >= 0 and reference[previous_end : match.start()].isspace()
        if joined:
            runs[-1].append(word)
        else:
            runs.append([word])
        previous_end = match.end()
    return runs


def _read_in(pieces: Sequence[str], readings: Sequence[frozenset[str]]) -> bool:
    """Whether some consecutive Han characters of the source read as `pieces`, one syllable each, every
    piece ending on a syllable boundary, and at least MIN_SYLLABLES characters in all."""

    def walk(piece: int, offset: int, start: int, at: int) -> bool:
        if piece == len(pieces):
            return at - start >= MIN_SYLLABLES
        if at == len(readings):
            return False
        text = pieces[piece]
        for reading in readings[at]:
            if text.startswith(reading, offset):
                end = offset + len(reading)
                done = end == len(text)
                if walk(piece + done, 0 if done else end, start, at + 1):
                    return True
        return False

    return any(walk(0, 0, start, start) for start in range(len(readings)) if readings[start])


def _longest(run: list[_Word], readings: Sequence[frozenset[str]]) -> list[tuple[int, int]]:
    """The longest sub-spans of `run` the source reads as, as (start, end) in the reference, in order.
    The words either side of a match are searched again: one run may hold two names."""
    for size in range(min(MAX_SPAN_WORDS, len(run)), 0, -1):
        for first in range(len(run) - size + 1):
            span = run[first : first + size]
            if _read_in([piece for word in span for piece in word.pieces], readings):
                found = (span[0].start, span[-1].end)
                return [*_longest(run[:first], readings), found, *_longest(run[first + size :], readings)]
    return []


def reference_names(source_zh: str, reference_en: str) -> tuple[str, ...]:
    """The pinyin names (people, places) the reference writes that the source's characters read as:
    as written in the reference, in order, each once."""
    runs = _words(reference_en)
    if not runs:
        return ()
    readings = [_readings(character) for character in source_zh]
    spans = [span for run in runs for span in _longest(run, readings)]
    return tuple(dict.fromkeys(reference_en[start:end] for start, end in spans))


def name_found(name: str, output: str) -> bool:
    """Whether `output` writes `name` as whole words, in any case, with any apostrophe (’ ‘ ').
    Whitespace between words may differ; a split word ("Gui Liang" for "Guiliang") does not count."""
    words = name.translate(_APOSTROPHES).casefold().split()
    if not words:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)"
    return re.search(pattern, output.translate(_APOSTROPHES).casefold()) is not None
