"""`q` through the engine, as text or as HTML, and back into the shape it came in.

Each `q` is one engine document whose paragraphs are its non-empty lines (for HTML: its prose text nodes,
one per line). The English comes back per paragraph, from the document's segments, and goes where its
source was: blank lines stay, markup stays.
"""

from __future__ import annotations

import asyncio
import html as html_text
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree

from service.compat.libre_languages import UNDETECTED, detection
from service.gazette import Gazette
from service.jobs.formats import BadFile
from service.jobs.html_file import html_lines, text_slots, write_html
from service.jobs.records import english_paragraphs
from service.pipeline.translate import TranslateJob
from service.pipeline.types import TranslatedDocument
from service.text.normalize import unicode_normalize

# A whole page (kept whole, as the jobs' .html files are), not a fragment.
_DOCUMENT = re.compile(r"\s*(<!doctype|<html[\s>])", re.IGNORECASE)
# Characters XML and HTML serializers refuse; a model may still emit one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PAGE = "q.html"


@dataclass(frozen=True)
class Prepared:
    """One `q` as the engine gets it (`text`: one paragraph per non-empty line; blank when there is
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


def _fragment(q: str) -> Prepared:
    """A fragment stays a fragment: parsed inside a <div> of our own, written back without it."""
    try:
        root = lxml.html.fragment_fromstring(q, create_parent="div")
    except (etree.LxmlError, ValueError) as error:
        raise BadFile(f"q is not readable as HTML ({error})") from None
    slots = [(element, slot) for element, slot in text_slots(root) if (getattr(element, slot) or "").strip()]
    lines = [" ".join(getattr(element, slot).split()) for element, slot in slots]

    def rebuild(english: list[str]) -> str:
        for (element, slot), translation in zip(slots, english, strict=True):
            text: str = getattr(element, slot)
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            setattr(element, slot, lead + _one_line(translation) + trail)
        children = (etree.tostring(child, encoding="unicode", method="html") for child in root)
        return html_text.escape(root.text or "", quote=False) + "".join(children)

    return Prepared("\n".join(lines), rebuild)


def prepare(q: str, html: bool) -> Prepared:
    if not html:
        return _plain(q)
    return _page(q) if _DOCUMENT.match(q) else _fragment(q)


async def translate_texts(engine: Gazette, texts: Sequence[str], source: str, html: bool) -> list[Translated]:
    """Every text in one engine request (one flow, one deadline), at interactive priority."""
    prepared = await asyncio.to_thread(lambda: [prepare(q, html) for q in texts])
    todo = [item for item in prepared if item.text.strip()]
    jobs = [TranslateJob(item.text, source, "en") for item in todo]
    documents = iter(await engine.translate(jobs) if jobs else [])
    done: list[Translated] = []
    for q, item in zip(texts, prepared, strict=True):
        if not item.text.strip():
            done.append(Translated(q, None, ""))
            continue
        document = next(documents)
        pairs = ((segment.paragraph, segment.translation) for segment in document.segments)
        english = english_paragraphs(pairs, item.paragraphs)
        done.append(Translated(item.rebuild(english), document, item.text))
    return done


def detected(results: Sequence[Translated]) -> list[dict[str, Any]]:
    """Each result's `detectedLanguage` (for `source: auto`)."""
    return [
        detection(r.document.source_lang, r.document.source_lang_confidence, r.source_text)
        if r.document
        else UNDETECTED
        for r in results
    ]
