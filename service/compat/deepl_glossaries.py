"""DeepL's glossaries over the engine's glossary store: reading entries as DeepL takes them (TSV or CSV),
checking them as DeepL does, and writing a glossary and its entries back as DeepL does.

The store keeps the engine's language codes (`zh`, `en`), which are also the lower-case codes DeepL writes
in its glossary bodies; a glossary made here is usable from `/v1` too (`glossary_id`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from service.compat.deepl_languages import ENGLISH, engine_source, is_english
from service.compat.deepl_schemas import DeepLError, missing, not_supported
from service.glossary.store import StoredGlossary

EntriesFormat = Literal["tsv", "csv"]
# What DeepL refuses inside a term: control characters and line or paragraph separators.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAME_LIMIT = 1024


class GlossaryFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    source_lang: str | None = None
    target_lang: str | None = None
    entries: str | None = None
    entries_format: str = "tsv"


def _invalid(line: int, why: str) -> DeepLError:
    return DeepLError(400, f"Invalid glossary entries provided: line {line}: {why}")


def _rows(entries: str, entries_format: EntriesFormat) -> list[list[str]]:
    if entries_format == "csv":
        return list(csv.reader(io.StringIO(entries)))
    return [line.split("\t") for line in entries.splitlines()]


def _pair(
    number: int, row: list[str], entries_format: EntriesFormat, languages: tuple[str, str]
) -> tuple[str, str]:
    if entries_format == "csv" and len(row) == 4:  # source, target, source_lang, target_lang
        if (row[2].strip().lower(), row[3].strip().lower()) != languages:
            raise _invalid(number, "its languages are not the glossary's")
        row = row[:2]
    if len(row) != 2:
        raise _invalid(number, "an entry is a source term and a target term")
    term, rendering = (part.strip() for part in row)
    if not term or not rendering:
        raise _invalid(number, "a term is empty")
    if _FORBIDDEN.search(term) or _FORBIDDEN.search(rendering):
        raise _invalid(number, "a term holds a control character")
    return term, rendering


def parse_entries(
    entries: str, entries_format: EntriesFormat, languages: tuple[str, str]
) -> list[tuple[str, str]]:
    """(term, rendering) per entry, in order; blank lines are skipped. A source term twice is refused, as
    DeepL refuses it: which rendering was meant could not be told."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(_rows(entries, entries_format), start=1):
        if not any(part.strip() for part in row):
            continue
        term, rendering = _pair(number, row, entries_format, languages)
        if term in seen:
            raise _invalid(number, f"the source term {term!r} is there twice")
        seen.add(term)
        pairs.append((term, rendering))
    if not pairs:
        raise DeepLError(400, "Invalid glossary entries provided: there are none")
    return pairs


def checked_glossary(
    fields: GlossaryFields, served: Collection[str]
) -> tuple[str, str, list[tuple[str, str]]]:
    """(name, the engine's source code, entries) of a `POST /v2/glossaries`."""
    for name in ("name", "source_lang", "target_lang", "entries"):
        if not getattr(fields, name):
            raise missing(name)
    assert fields.name and fields.source_lang and fields.target_lang and fields.entries
    if len(fields.name) > _NAME_LIMIT:
        raise not_supported("name")
    source = engine_source(fields.source_lang, served)
    if source is None or not is_english(fields.target_lang):
        raise DeepLError(400, "Unsupported glossary source and target language pair.")
    entries_format = fields.entries_format.lower()
    if entries_format not in ("tsv", "csv"):
        raise not_supported("entries_format")
    kind: EntriesFormat = "csv" if entries_format == "csv" else "tsv"
    return fields.name, source, parse_entries(fields.entries, kind, (source, ENGLISH))


def creation_time(seconds: float) -> str:
    """ISO 8601 in UTC with milliseconds, as DeepL writes it (its client parses `%f`)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def glossary_out(glossary: StoredGlossary) -> dict[str, Any]:
    return {
        "glossary_id": glossary.id,
        "name": glossary.name,
        "ready": True,  # stored whole before its id is given out: never half made
        "source_lang": glossary.source_lang,
        "target_lang": glossary.target_lang,
        "creation_time": creation_time(glossary.created),
        "entry_count": len(glossary.entries),
    }


def entries_tsv(glossary: StoredGlossary) -> str:
    return "".join(f"{term}\t{rendering}\n" for term, rendering in glossary.entries)


def wants_tsv(accept: str | None) -> bool:
    """DeepL gives entries as TSV only; a caller that accepts nothing of the kind gets a 415."""
    if not accept:
        return True
    kinds = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return bool(kinds & {"text/tab-separated-values", "text/*", "*/*"})
