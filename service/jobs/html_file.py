"""HTML files: each run of text (a block's sentences across their inline elements) is one paragraph
(one line of the item text); `service.markup` turns inline elements into placeholders and back.

The translated file is the parsed document with those runs replaced and nothing else changed but the
language (`lang="en"` where the html element names one) and the character set, now UTF-8. lxml's
serializer writes the translations as text, escaped, so a translation can never add markup: the only
elements are the page's own, each put back once.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from typing import Any

import lxml.html
from lxml import etree

from service.jobs.formats import BadFile
from service.markup.rules import MarkupRules
from service.markup.tree import lines, rebuild

_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Pages that declare GB2312 or GBK often hold characters only their superset GB18030 has.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}


def html_lines(name: str, data: bytes) -> list[str]:
    """The page's runs of text in document order (see `page_lines`)."""
    return page_lines(name, data, MarkupRules())


def write_html(name: str, data: bytes, english: Sequence[str]) -> bytes:
    return write_page(name, data, english, MarkupRules())


def page_lines(name: str, data: bytes, rules: MarkupRules) -> list[str]:
    """The runs of text in document order (the <title> included), one line each: a sentence across
    inline elements is one run, its elements as placeholders (`service.markup`)."""
    return [run.encoded for run in lines(_parse(name, data).getroot(), rules) if run.encoded]


def write_page(name: str, data: bytes, english: Sequence[str], rules: MarkupRules) -> bytes:
    """The document with the k-th run replaced by `english[k]`, its inline elements put back in it;
    UTF-8, with the doctype if the upload had one."""
    tree = _parse(name, data)
    root = tree.getroot()
    runs = [run for run in lines(root, rules) if run.encoded]
    for run, translation in zip(runs, english, strict=True):
        rebuild(run, translation)
    _declare_english_utf8(root)
    return bytes(etree.tostring(tree, encoding="utf-8", method="html"))


def _decode(name: str, data: bytes) -> str:
    """UTF-8 first; else the charset the page declares (Chinese sites still serve GB2312 pages)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        not_utf8 = f"{name}: not UTF-8 ({error.reason} at byte {error.start})"
    declared = _DECLARED_CHARSET.search(data[:4096])
    if declared is None:
        raise BadFile(f"{not_utf8} and no charset declared")
    charset = declared.group(1).decode("ascii").lower()
    try:
        return data.decode(codecs.lookup(_SUPERSET.get(charset, charset)).name)
    except (LookupError, UnicodeDecodeError):
        raise BadFile(f"{not_utf8} nor the declared {charset}") from None


def _parse(name: str, data: bytes) -> Any:
    """The document tree; decoded here, so the parser is told the encoding instead of guessing it, and
    no doctype is made up for a page that had none."""
    # huge_tree: pages nest deeper than libxml2's default limit (256) more often than one would think.
    parser = lxml.html.HTMLParser(encoding="utf-8", default_doctype=False, huge_tree=True)
    try:
        root = lxml.html.document_fromstring(_decode(name, data).encode("utf-8"), parser=parser)
    except etree.LxmlError as error:
        raise BadFile(f"{name}: not readable as HTML ({error})") from None
    # Sloppy markup is an error the parser recovers from; a fatal one (nesting past even the huge limit)
    # stops it, and the rest of the page would be lost without a word.
    fatal = parser.error_log.filter_from_fatals()
    if fatal:
        raise BadFile(f"{name}: not readable as HTML ({fatal[0].message})")
    return root.getroottree()


def _declare_english_utf8(root: Any) -> None:
    """The page now speaks English and is written in UTF-8: a kept GB2312 declaration would garble it."""
    for attribute in ("lang", "xml:lang"):
        if root.tag == "html" and root.get(attribute) is not None:
            root.set(attribute, "en")
    for meta in root.iter("meta"):
        if meta.get("charset") is not None:
            meta.set("charset", "utf-8")
        elif (meta.get("http-equiv") or "").lower() == "content-type":
            meta.set("content", "text/html; charset=utf-8")
