"""HTML files: each text node that holds prose is one paragraph (one line of the item text).

The translated file is the parsed document with those text nodes replaced and nothing else changed
but the language (`lang="en"` where the html element names one) and the character set, now UTF-8.
lxml's serializer writes the translations as text, escaped, so a translation can never add markup.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Sequence
from typing import Any

import lxml.html
from lxml import etree

from service.jobs.formats import BadFile

# Their text is code or a template, not prose: never shown to the model, left as it is.
_NOT_PROSE = frozenset({"script", "style", "noscript", "template"})
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Pages that declare GB2312 or GBK often hold characters only their superset GB18030 has.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}


def html_lines(name: str, data: bytes) -> list[str]:
    """The prose text nodes in document order (the <title> included), each with its whitespace
    collapsed to single spaces, so that one node is one line."""
    root = _parse(name, data).getroot()
    texts = (getattr(element, slot) or "" for element, slot in text_slots(root))
    return [" ".join(text.split()) for text in texts if text.strip()]


def write_html(name: str, data: bytes, english: Sequence[str]) -> bytes:
    """The document with the k-th prose text node replaced by `english[k]`, keeping the node's
    leading and trailing whitespace; UTF-8, with the doctype if the upload had one."""
    tree = _parse(name, data)
    root = tree.getroot()
    translations = iter(english)
    for element, slot in list(text_slots(root)):
        text = getattr(element, slot) or ""
        if text.strip():
            lead = text[: len(text) - len(text.lstrip())]
            setattr(element, slot, lead + next(translations) + text[len(text.rstrip()) :])
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


def text_slots(root: Any) -> Iterator[tuple[Any, str]]:
    """(element, "text" or "tail") for each text node in document order: an element's text, then its
    children's, then its tail. Not the text of _NOT_PROSE elements nor of comments and processing
    instructions (whose tag is not a string), though their tails are page text. Iterative: a page
    may nest deeper than Python's recursion limit."""
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        element, closed = stack.pop()
        if closed:
            yield element, "tail"
            continue
        stack.append((element, True))
        if isinstance(element.tag, str) and element.tag.lower() not in _NOT_PROSE:
            yield element, "text"
            stack.extend((child, False) for child in reversed(element))


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
