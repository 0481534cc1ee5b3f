"""Texts through the engine as plain text, HTML or XML, and back into the shape they came in; shared by the
compatible APIs (LibreTranslate's `q`, DeepL's `text`).

Each text is one engine document whose paragraphs are its non-empty lines (for markup: its prose text
nodes, one per line). The English comes back per paragraph, from the document's segments, and goes where
its source was: blank lines stay, markup stays.
"""

from __future__ import annotations

import asyncio
import html as html_text
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import lxml.html
from lxml import etree

from service.gazette import Gazette
from service.jobs.formats import BadFile
from service.jobs.html_file import html_lines, text_slots, write_html
from service.jobs.records import english_paragraphs
from service.pipeline.languages import UNDETERMINED
from service.pipeline.translate import TranslateJob
from service.pipeline.types import TranslatedDocument
from service.text.normalize import unicode_normalize

TextFormat = Literal["text", "html", "xml"]
# A whole page (kept whole, as the jobs' .html files are), not a fragment.
_DOCUMENT = re.compile(r"\s*(<!doctype|<html[\s>])", re.IGNORECASE)
# An XML declaration cannot stand inside the element a fragment is parsed in: it is kept aside.
_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*\?>")
# Characters XML and HTML serializers refuse; a model may still emit one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PAGE = "q.html"
_XML_ROOT = "gazette-fragment"


@dataclass(frozen=True)
class Prepared:
    """One text as the engine gets it (`text`: one paragraph per non-empty line; blank when there is
    nothing to translate) and how to put English paragraphs back into its own shape."""

    text: str
    rebuild: Callable[[list[str]], str]

    @property
    def paragraphs(self) -> int:
        return sum(1 for line in self.text.split("\n") if line.strip())


@dataclass(frozen=True)
class Translated:
    text: str
    document: TranslatedDocument | None  # None when there was nothing to translate
    source_text: str  # what the engine read, for telling Traditional from Simplified


def _plain(q: str) -> Prepared:
    lines = unicode_normalize(q).split("\n")

    def rebuild(english: list[str]) -> str:
        translations = iter(english)
        return "\n".join(next(translations) if line.strip() else line for line in lines)

    return Prepared("\n".join(lines), rebuild)


def _one_line(english: str) -> str:
    return _NOT_XML.sub("", " ".join(english.split()))


def _page(q: str) -> Prepared:
    data = q.encode("utf-8")
    lines = html_lines(_PAGE, data)
    return Prepared(
        "\n".join(lines),
        lambda english: write_html(_PAGE, data, [_one_line(e) for e in english]).decode("utf-8"),
    )


def _in_place(root: Any, method: Literal["html", "xml"], lead: str = "") -> Prepared:
    """A fragment parsed inside an element of our own (`root`), written back without it."""
    slots = [(element, slot) for element, slot in text_slots(root) if (getattr(element, slot) or "").strip()]
    lines = [" ".join(getattr(element, slot).split()) for element, slot in slots]

    def rebuild(english: list[str]) -> str:
        for (element, slot), translation in zip(slots, english, strict=True):
            text: str = getattr(element, slot)
            before, after = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            setattr(element, slot, before + _one_line(translation) + after)
        children = (etree.tostring(child, encoding="unicode", method=method) for child in root)
        return lead + html_text.escape(root.text or "", quote=False) + "".join(children)

    return Prepared("\n".join(lines), rebuild)


def _fragment(q: str) -> Prepared:
    """An HTML fragment stays a fragment."""
    try:
        root = lxml.html.fragment_fromstring(q, create_parent="div")
    except (etree.LxmlError, ValueError) as error:
        raise BadFile(f"the text is not readable as HTML ({error})") from None
    return _in_place(root, "html")


def _xml(q: str) -> Prepared:
    """XML (DeepL's `tag_handling=xml`): well-formed markup, tags kept as written (HTML parsing would
    lower-case them and drop the ones it does not know). No entities are resolved, nothing is fetched."""
    declaration = _XML_DECLARATION.match(q)
    lead = declaration.group(0) if declaration else ""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(f"<{_XML_ROOT}>{q[len(lead) :]}</{_XML_ROOT}>".encode(), parser=parser)
    except etree.XMLSyntaxError as error:
        raise BadFile(f"the text is not well-formed XML ({error})") from None
    return _in_place(root, "xml", lead)


def prepare(q: str, text_format: TextFormat) -> Prepared:
    if text_format == "xml":
        return _xml(q)
    if text_format == "html":
        return _page(q) if _DOCUMENT.match(q) else _fragment(q)
    return _plain(q)


async def translate_texts(
    engine: Gazette,
    texts: Sequence[str],
    source: str,
    text_format: TextFormat,
    glossary: Mapping[str, str] | None = None,
) -> list[Translated]:
    """Every text in one engine request (one flow, one deadline), at interactive priority."""
    prepared = await asyncio.to_thread(lambda: [prepare(q, text_format) for q in texts])
    todo = [item for item in prepared if item.text.strip()]
    jobs = [TranslateJob(item.text, source, "en", dict(glossary or {})) for item in todo]
    documents = iter(await engine.translate(jobs) if jobs else [])
    done: list[Translated] = []
    for q, item in zip(texts, prepared, strict=True):
        if not item.text.strip():
            done.append(Translated(q, None, ""))
            continue
        document = next(documents)
        if document.error is not None:  # this text alone failed (empty once read): it comes back as sent
            done.append(Translated(q, None, ""))
            continue
        pairs = ((segment.paragraph, segment.translation) for segment in document.segments)
        english = english_paragraphs(pairs, item.paragraphs)
        # No language found (figures, codes): passed through, and reported as nothing was detected.
        found = document if document.source_lang != UNDETERMINED else None
        done.append(Translated(item.rebuild(english), found, item.text))
    return done
