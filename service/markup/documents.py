"""A text in a given format as the engine's lines, and the English put back into that format.

Shared by every adapter that takes markup in a request (`/v1`'s `format`, LibreTranslate's
`format=html`, DeepL's `tag_handling`). Each text is one engine document whose paragraphs are its
non-empty lines: for markup, one line per run of text (inline elements inside it as placeholders).
"""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import lxml.html
from lxml import etree

from service.jobs.formats import BadFile
from service.jobs.html_file import page_lines, write_page
from service.jobs.records import english_paragraphs
from service.markup.formatting import as_formatted
from service.markup.rules import MarkupRules
from service.markup.tree import lines, rebuild
from service.pipeline.types import TranslatedDocument
from service.text.normalize import unicode_normalize, xml_safe

TextFormat = Literal["text", "html", "xml", "markdown"]
SplitSentences = Literal["0", "1", "nonewlines"]


@dataclass(frozen=True)
class TextOptions:
    """How a text is read (DeepL's options; the defaults are everyone else's)."""

    rules: MarkupRules | None = None  # None: the format's own
    split_sentences: SplitSentences = "1"  # 1: at sentence ends and line breaks; 0: nowhere
    preserve_formatting: bool = False

    @property
    def joins_lines(self) -> bool:
        return self.split_sentences != "1"


# A whole page (kept whole, as the jobs' .html files are), not a fragment.
_DOCUMENT = re.compile(r"\s*(<!doctype|<html[\s>])", re.IGNORECASE)
# An XML declaration cannot stand inside the element a fragment is parsed in: it is kept aside.
_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*\?>")
_PAGE = "q.html"
_XML_ROOT = "gazette-fragment"


@dataclass(frozen=True)
class Prepared:
    """One text as the engine gets it (`text`: one paragraph per non-empty line; blank when there is
    nothing to translate) and how to put English paragraphs back into its own shape."""

    text: str
    rebuild: Callable[[list[str]], str]
    preserve_formatting: bool = False  # DeepL's option: see `formatting`

    @property
    def paragraphs(self) -> int:
        return sum(1 for line in self.text.split("\n") if line.strip())


def in_its_format(document: TranslatedDocument, prepared: Prepared) -> str:
    """The document's English put back into the shape its text came in."""
    pairs = ((segment.paragraph, segment.translation) for segment in document.segments)
    english = english_paragraphs(pairs, prepared.paragraphs)
    if prepared.preserve_formatting:
        sources = [line for line in prepared.text.split("\n") if line.strip()]
        english = [as_formatted(source, line) for source, line in zip(sources, english, strict=True)]
    return prepared.rebuild(english)


def one_line(english: str) -> str:
    return xml_safe(" ".join(english.split()))


def _plain(q: str, options: TextOptions) -> Prepared:
    """Each non-empty line a paragraph; with `join_lines` (DeepL's `nonewlines`, `0`) the lines between
    blank ones are one paragraph, its English on one line."""
    source_lines = unicode_normalize(q).split("\n")
    blocks = _blocks(source_lines) if options.joins_lines else [[line] for line in source_lines]
    texts = [" ".join(" ".join(block).split()) if options.joins_lines else block[0] for block in blocks]

    def put_back(english: list[str]) -> str:
        translations = iter(english)
        out = []
        for block, text in zip(blocks, texts, strict=True):
            if not text.strip():
                out += block
                continue
            first, last = block[0], block[-1]
            lead, trail = first[: len(first) - len(first.lstrip())], last[len(last.rstrip()) :]
            kept = options.preserve_formatting
            out.append(lead + next(translations) + trail if kept else next(translations))
        return "\n".join(out)

    return Prepared("\n".join(texts), put_back, options.preserve_formatting)


def _blocks(source_lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines, and each blank line on its own."""
    blocks: list[list[str]] = []
    for line in source_lines:
        if line.strip() and blocks and blocks[-1][-1].strip():
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


def _page(q: str, rules: MarkupRules) -> Prepared:
    data = q.encode("utf-8")
    return Prepared(
        "\n".join(page_lines(_PAGE, data, rules)),
        lambda english: write_page(_PAGE, data, [one_line(e) for e in english], rules).decode("utf-8"),
    )


def _in_place(root: Any, method: Literal["html", "xml"], rules: MarkupRules, lead: str = "") -> Prepared:
    """A fragment parsed inside an element of our own (`root`), written back without it."""
    runs = [run for run in lines(root, rules) if run.encoded]

    def put_back(english: list[str]) -> str:
        for run, translation in zip(runs, english, strict=True):
            rebuild(run, one_line(translation))
        children = (etree.tostring(child, encoding="unicode", method=method) for child in root)
        return lead + html_text.escape(root.text or "", quote=False) + "".join(children)

    return Prepared("\n".join(run.encoded for run in runs), put_back)


def _fragment(q: str, rules: MarkupRules) -> Prepared:
    """An HTML fragment stays a fragment."""
    try:
        root = lxml.html.fragment_fromstring(q, create_parent="div")
    except (etree.LxmlError, ValueError) as error:
        raise BadFile(f"the text is not readable as HTML ({error})") from None
    return _in_place(root, "html", rules)


def _xml(q: str, rules: MarkupRules) -> Prepared:
    """XML (DeepL's `tag_handling=xml`): well-formed markup, tags kept as written (HTML parsing would
    lower-case them and drop the ones it does not know). No entities are resolved, nothing is fetched."""
    declaration = _XML_DECLARATION.match(q)
    lead = declaration.group(0) if declaration else ""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(f"<{_XML_ROOT}>{q[len(lead) :]}</{_XML_ROOT}>".encode(), parser=parser)
    except etree.XMLSyntaxError as error:
        raise BadFile(f"the text is not well-formed XML ({error})") from None
    return _in_place(root, "xml", rules, lead)


def _markdown(q: str) -> Prepared:
    """Markdown (`service.markup.markdown`): blocks of prose as lines, the rest kept byte for byte."""
    from service.markup.markdown import markdown_lines, write_markdown

    text = q.replace("\r\n", "\n")
    return Prepared(
        "\n".join(markdown_lines(text)),
        lambda english: write_markdown(text, [one_line(line) for line in english]),
    )


def prepare(q: str, text_format: TextFormat, options: TextOptions | None = None) -> Prepared:
    """`q` as engine lines and a rebuild; BadFile when it cannot be parsed as `text_format`."""
    options = options or TextOptions()
    if text_format == "text":
        return _plain(q, options)
    if text_format == "markdown":
        return _markdown(q)
    if text_format == "xml":
        prepared = _xml(q, options.rules or MarkupRules(xml=True))
    else:
        rules = options.rules or MarkupRules()
        prepared = _page(q, rules) if _DOCUMENT.match(q) else _fragment(q, rules)
    return replace(prepared, preserve_formatting=options.preserve_formatting)
