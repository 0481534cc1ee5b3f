"""Approved English renderings of names, titles and bodies, matched on the normalised source.

Four layers, each over the one before: automatic renderings of the people, places and bodies a document
names (`auto.py`), the built-in glossary (builtin.tsv, Simplified keys: general terms only, China's
central and local bodies, titles, provinces, large cities, policy terms), the glossary the service is
configured with (GAZETTE_GLOSSARY: a newsroom's own names, for every client, including those whose API
has no glossary field) and a request's own glossary, which always wins. Matching prefers the longest term at each position, so 副部长 wins over 部长 and
国务院总理 over 总理.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from service.glossary.auto import auto_terms
from service.text.normalize import to_simplified

# "document": a name's first accepted rendering in a document, for its later pieces (pipeline/consistency.py).
TermOrigin = Literal["request", "configured", "built-in", "auto", "document"]
# The layers a person wrote for this service or this request: their terms are never hidden by others.
_GIVEN: tuple[TermOrigin, ...] = ("request", "configured")
_RANK: dict[TermOrigin, int] = {"auto": 0, "built-in": 1, "document": 1, "configured": 2, "request": 3}
# Notes in builtin.tsv that make a term a place or a body, for composing `place + body` terms.
_PLACE_NOTES = ("place", "province", "municipality", "autonomous region", "city")
_BODY_NOTES = ("organisation", "local body", "bureau", "administration")


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    rendering: str
    origin: TermOrigin


@dataclass(frozen=True)
class TermMatch:
    entry: GlossaryEntry
    start: int
    end: int


@dataclass(frozen=True)
class Glossary:
    entries: Mapping[str, GlossaryEntry]
    longest: int

    def find(self, text: str) -> list[TermMatch]:
        """Non-overlapping matches, left to right, the longest term winning at each position, unless a
        term of the service's or the request's own begins inside it and runs past it: then that one."""
        matches: list[TermMatch] = []
        position = 0
        while position < len(text):
            match = self._longest_at(text, position)
            if match is None or self._given_across(text, match):
                position += 1
                continue
            matches.append(match)
            position = match.end
        return matches

    def _longest_at(self, text: str, position: int) -> TermMatch | None:
        for size in range(min(self.longest, len(text) - position), 0, -1):
            entry = self.entries.get(text[position : position + size])
            if entry is not None:
                return TermMatch(entry, position, position + size)
        return None

    def _given_across(self, text: str, match: TermMatch) -> bool:
        """Whether a term the service or the request renders starts inside `match` and ends after it, and
        outranks it (a lower layer's, or a shorter one of its own layer): in 同安区委副书记, neither 同安区
        found automatically nor 同安区 of the same glossary may hide that glossary's 区委副书记."""
        rank = _RANK[match.entry.origin]
        for start in range(match.start + 1, match.end):
            for end in range(match.end + 1, min(start + self.longest, len(text)) + 1):
                entry = self.entries.get(text[start:end])
                if entry is None or entry.origin not in _GIVEN:
                    continue
                if _RANK[entry.origin] > rank or (
                    _RANK[entry.origin] == rank and end - start > len(match.entry.term)
                ):
                    return True
        return False


def _build(entries: list[GlossaryEntry]) -> Glossary:
    table = {entry.term: entry for entry in entries if entry.term and entry.rendering}
    return Glossary(entries=table, longest=max((len(term) for term in table), default=0))


@lru_cache(maxsize=2)
def _builtin_rows(name: str = "builtin.tsv") -> tuple[tuple[str, str, str], ...]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    rows = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    return tuple((row["zh"].strip(), row["en"].strip(), (row["note"] or "").strip()) for row in rows)


def builtin_entries() -> tuple[GlossaryEntry, ...]:
    """builtin.tsv, and officials.tsv: the officials of Taiwan, Hong Kong, Macao and Singapore in the
    English they use themselves (Tsai Ing-wen, Carrie Lam), over any pinyin the automatic layer finds."""
    rows = _builtin_rows() + _builtin_rows("officials.tsv")
    return tuple(GlossaryEntry(term, rendering, "built-in") for term, rendering, _ in rows)


@lru_cache(maxsize=4)
def _builtin_of_kind(notes: tuple[str, ...]) -> dict[str, str]:
    return {term: rendering for term, rendering, note in _builtin_rows() if note.startswith(notes)}


def automatic_entries(text: str) -> list[GlossaryEntry]:
    """The automatic renderings for a document's text, keyed in Simplified script as every glossary is:
    the text is read in it too, which is what the segmenter's dictionary knows."""
    places, bodies = _builtin_of_kind(_PLACE_NOTES), _builtin_of_kind(_BODY_NOTES)
    found = auto_terms(to_simplified(text), places, bodies, _builtin_of_kind(("title",)))
    return [GlossaryEntry(t.term, t.rendering, "auto") for t in found]


def build_glossary(
    requested: Mapping[str, str] | None = None,
    *,
    configured: Mapping[str, str] | None = None,
    include_builtin: bool = True,
    auto_from: str | None = None,
) -> Glossary:
    """The automatic renderings of `auto_from` (when given), the built-in entries over them, the
    service's configured glossary over those, and the request's over all; keys are read in Simplified
    script."""
    rendered = [to_simplified(term.strip()) for layer in (configured, requested) for term in (layer or {})]
    entries = [
        entry
        for entry in (automatic_entries(auto_from) if auto_from else [])
        # A composed term holding one the service or the request renders would override that rendering.
        if not any(term in entry.term and term != entry.term for term in rendered if term)
    ]
    entries += list(builtin_entries()) if include_builtin else []
    layers: tuple[tuple[Mapping[str, str] | None, TermOrigin], ...] = (
        (configured, "configured"),
        (requested, "request"),
    )
    for given, origin in layers:
        for term, rendering in (given or {}).items():
            entries.append(GlossaryEntry(to_simplified(term.strip()), rendering.strip(), origin))
    return _build(entries)


class GlossaryFileError(ValueError):
    """A glossary file that cannot be read as `term<TAB>rendering` lines."""


def read_glossary_file(path: Path) -> dict[str, str]:
    """A TSV of `term<TAB>rendering` lines, as the built-in glossary: a `zh<TAB>en` header, blank lines
    and lines starting with # are skipped; further columns (notes) are ignored."""
    glossary: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    except (OSError, UnicodeDecodeError) as error:
        raise GlossaryFileError(f"the glossary {path} cannot be read: {error}") from error
    for row in rows:
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        if len(row) < 2 or not row[1].strip():
            raise GlossaryFileError(f"{path}: the line for {row[0]!r} has no rendering after a tab")
        if (row[0].strip(), row[1].strip()) != ("zh", "en"):
            glossary[row[0].strip()] = row[1].strip()
    return glossary
