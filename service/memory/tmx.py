"""TMX 1.4b in and out: what Trados, memoQ and OmegaT read and write.

Out: one `<tu>` per entry, the source `<tuv>` then the English one, with its dates, its author (the
tenant), Gazette's own props (`x-gazette-origin`, `x-gazette-model`) and whatever props and notes it was
imported with. In: every `<tu>` with a source and an English `<tuv>` becomes a person's entry (an import
is a person's work); its attributes, props and notes are kept, so that exporting it gives them back.
Inline codes (`bpt ept ph it ut`) are markup of the tool that wrote them, not text: left out of the
segment; `hi` and `sub` content is text.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from service.memory.memory import person_entry
from service.memory.store import MemoryEntry
from service.text.normalize import xml_safe

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_OURS = ("x-gazette-origin", "x-gazette-model")
_CODES = {"bpt", "ept", "ph", "it", "ut"}
_DATE = "%Y%m%dT%H%M%SZ"
# A TMX file is read whole; past this it is refused rather than parsed (a memory of a few million words
# is a few hundred MB: far past anything a person imports by hand).
MAX_TMX_BYTES = 200_000_000


class BadTmx(ValueError):
    """A file that is not TMX Gazette can read; the message says why."""


def write_tmx(entries: Sequence[MemoryEntry], path: Path) -> int:
    path.write_bytes(tmx_bytes(entries))
    return len(entries)


def tmx_bytes(entries: Sequence[MemoryEntry]) -> bytes:
    languages = {entry.source_lang for entry in entries}
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="Gazette",
        creationtoolversion="0.1.0",
        segtype="sentence",
        adminlang="en",
        srclang=languages.pop() if len(languages) == 1 else "*all*",
        datatype="plaintext",
        **{"o-tmf": "gazette"},
    )
    body = etree.SubElement(root, "body")
    for entry in entries:
        body.append(_unit(entry))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _unit(entry: MemoryEntry) -> Any:
    extra = entry.extra
    attributes = dict(extra.get("attributes") or {})  # type: ignore[call-overload]
    attributes.setdefault("tuid", entry.key)
    attributes.setdefault("creationdate", _date(entry.created))
    attributes.setdefault("creationid", entry.tenant)
    if entry.updated and entry.updated != entry.created:
        attributes.setdefault("changedate", _date(entry.updated))
    unit = etree.Element("tu", **{str(name): str(value) for name, value in attributes.items()})
    props = [tuple(prop) for prop in extra.get("props") or []]  # type: ignore[attr-defined]
    props += [("x-gazette-origin", entry.origin)] + (
        [("x-gazette-model", entry.model)] if entry.model else []
    )
    for kind, text in props:
        etree.SubElement(unit, "prop", type=kind).text = xml_safe(text)
    for note in extra.get("notes") or []:  # type: ignore[attr-defined]
        etree.SubElement(unit, "note").text = xml_safe(note)
    for language, text in ((entry.source_lang, entry.source), ("en", entry.translation)):
        variant = etree.SubElement(unit, "tuv", {XML_LANG: language})
        etree.SubElement(variant, "seg").text = xml_safe(text)
    return unit


def _date(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(int(seconds), datetime.UTC).strftime(_DATE)


def read_tmx(data: bytes, tenant: str) -> list[MemoryEntry]:
    """Every translation unit of `data` with a source and an English variant, as `tenant`'s entries."""
    if len(data) > MAX_TMX_BYTES:
        raise BadTmx(f"the file has {len(data):,} bytes; at most {MAX_TMX_BYTES:,} are read")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise BadTmx(f"not well-formed XML: {error}") from None
    if etree.QName(root).localname != "tmx":
        raise BadTmx(f"the root element is <{etree.QName(root).localname}>, not <tmx>")
    header = root.find("header")
    source_lang = _language(header.get("srclang", "") if header is not None else "")
    return [entry for unit in root.iter("tu") if (entry := _entry(unit, source_lang, tenant)) is not None]


def _entry(unit: Any, source_lang: str, tenant: str) -> MemoryEntry | None:
    variants = [(_language(v.get(XML_LANG) or v.get("lang") or ""), v.find("seg")) for v in unit.iter("tuv")]
    texts = {language: _text(seg) for language, seg in variants if seg is not None and language}
    english = next((texts[lang] for lang in texts if lang == "en"), None)
    source = texts.get(source_lang) if source_lang not in ("", "*all*", "en") else None
    if source is None:
        source_lang = next((lang for lang in texts if lang != "en"), "")
        source = texts.get(source_lang)
    if not english or not source:
        return None
    props = [
        [prop.get("type", ""), prop.text or ""]
        for prop in unit.findall("prop")
        if prop.get("type") not in _OURS
    ]
    extra: dict[str, object] = {
        "attributes": dict(unit.attrib),
        "props": props,
        "notes": [note.text or "" for note in unit.findall("note")],
    }
    entry = person_entry(tenant, source_lang, source, english, extra)
    created = _seconds(unit.get("creationdate"))
    changed = _seconds(unit.get("changedate"))
    return MemoryEntry(
        entry.tenant, entry.key, entry.origin, entry.source_lang, entry.source, entry.translation,
        extra=extra, created=created or 0.0, updated=changed or created or 0.0,
    )  # fmt: skip


def _language(code: str) -> str:
    """`zh-CN`, `ZH-hans`, `zh_TW` → `zh`; `EN-US` → `en`: Gazette keeps languages, not locales."""
    return code.replace("_", "-").split("-")[0].lower() if code != "*all*" else code


def _text(seg: Any) -> str:
    parts = [seg.text or ""]
    for child in seg:
        # An entity left unexpanded (its tag is not a name) is not text either.
        if isinstance(child.tag, str) and etree.QName(child).localname not in _CODES:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _seconds(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        parsed = datetime.datetime.strptime(stamp, _DATE).replace(tzinfo=datetime.UTC)
    except ValueError:
        return None
    return parsed.timestamp()
