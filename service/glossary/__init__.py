"""Approved English renderings of names, titles and bodies, matched on the normalised source.

The built-in glossary (builtin.tsv, Simplified keys) covers the seed document's terms, China's central
bodies and ministries, common titles and the provinces. A request's own glossary is merged over it.
Matching prefers the longest term at each position, so 副部长 wins over 部长 and 国务院总理 over 总理.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from service.text.normalize import to_simplified


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    rendering: str
    origin: str  # "builtin" or "request"


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
        """Non-overlapping matches, left to right, the longest term winning at each position."""
        matches: list[TermMatch] = []
        position = 0
        while position < len(text):
            for size in range(min(self.longest, len(text) - position), 0, -1):
                entry = self.entries.get(text[position : position + size])
                if entry is not None:
                    matches.append(TermMatch(entry, position, position + size))
                    position += size
                    break
            else:
                position += 1
        return matches


def _build(entries: list[GlossaryEntry]) -> Glossary:
    table = {entry.term: entry for entry in entries if entry.term and entry.rendering}
    return Glossary(entries=table, longest=max((len(term) for term in table), default=0))


@lru_cache(maxsize=1)
def builtin_entries() -> tuple[GlossaryEntry, ...]:
    text = resources.files(__package__).joinpath("builtin.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    return tuple(GlossaryEntry(row["zh"].strip(), row["en"].strip(), "builtin") for row in rows)


def build_glossary(requested: Mapping[str, str] | None = None, *, include_builtin: bool = True) -> Glossary:
    """The built-in entries with the request's over them; request keys are read in Simplified script."""
    entries = list(builtin_entries()) if include_builtin else []
    for term, rendering in (requested or {}).items():
        entries.append(GlossaryEntry(to_simplified(term.strip()), rendering.strip(), "request"))
    return _build(entries)
