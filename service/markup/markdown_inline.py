"""One Markdown inline (a paragraph's, a heading's or a table cell's raw source) as a line with
placeholders, and back.

markdown-it-py's inline tokens say what the source holds, in order, but not where: each construct is
found in the raw source from a cursor that moves forward, and its source is kept byte for byte. Emphasis,
strikethrough, link text and image alt text are translated, between their own delimiters (`<gN>…</gN>`:
the `**` pair, `[` and `](url "title")`, `![` and `](src)`); code spans, autolinks and inline HTML are
kept whole (`<xN/>`). Line breaks inside a paragraph become spaces: its English is one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.markup.placeholders import Placed, atom_marker, close_marker, open_marker, restore


@dataclass(frozen=True)
class Wrapper:
    """A slot's own source: `before` and `after` its translated content (an atom: all in `before`)."""

    before: str
    after: str = ""


@dataclass(frozen=True)
class InlineLine:
    encoded: str  # what the model gets ("" when nothing is to be translated)
    wrappers: tuple[Wrapper, ...]  # slot N is wrappers[N - 1]


class _Cursor:
    def __init__(self, source: str) -> None:
        self.source = source
        self.at = 0
        self.parts: list[str] = []
        self.wrappers: list[Wrapper] = []
        self.open: list[tuple[int, str]] = []  # (slot, closing source to find)

    def text_until(self, index: int) -> None:
        self.parts.append(self.source[self.at : index])
        self.at = index

    def find(self, needle: str) -> int:
        index = self.source.find(needle, self.at)
        return index if index >= 0 else len(self.source)

    def atom(self, start: int, end: int) -> None:
        self.text_until(start)
        self.wrappers.append(Wrapper(self.source[start:end]))
        self.parts.append(atom_marker(len(self.wrappers)))
        self.at = end

    def opening(self, start: int, end: int) -> None:
        self.text_until(start)
        self.wrappers.append(Wrapper(self.source[start:end]))
        slot = len(self.wrappers)
        self.parts.append(open_marker(slot))
        self.open.append((slot, ""))
        self.at = end

    def closing(self, start: int, end: int) -> None:
        self.text_until(start)
        slot, _ = self.open.pop()
        self.wrappers[slot - 1] = Wrapper(self.wrappers[slot - 1].before, self.source[start:end])
        self.parts.append(close_marker(slot))
        self.at = end


def _bracket_end(source: str, start: int) -> int:
    """The end of a link's destination part after its "]": "(url "title")", "[ref]", or nothing."""
    if source.startswith("(", start):
        depth, index = 0, start
        while index < len(source):
            if source[index] == "\\":
                index += 2
                continue
            depth += {"(": 1, ")": -1}.get(source[index], 0)
            index += 1
            if depth == 0:
                return index
        return len(source)
    if source.startswith("[", start):
        close = source.find("]", start)
        return close + 1 if close >= 0 else len(source)
    return start


def _code_span(cursor: _Cursor, ticks: str) -> None:
    start = cursor.find(ticks)
    end = cursor.source.find(ticks, start + len(ticks))
    cursor.atom(start, len(cursor.source) if end < 0 else end + len(ticks))


def encode_inline(source: str, children: list[Any]) -> InlineLine:
    """The inline's source with its constructs as placeholders, guided by its tokens (`children`)."""
    cursor = _Cursor(source)
    skip_until_close = False
    for token in children:
        kind = token.type
        if skip_until_close:
            skip_until_close = kind != "link_close"
        elif kind == "code_inline":
            _code_span(cursor, token.markup)
        elif kind == "html_inline":
            start = cursor.find(token.content)
            cursor.atom(start, start + len(token.content))
        elif kind == "link_open" and token.markup == "autolink":
            start = cursor.find("<")
            cursor.atom(start, cursor.source.find(">", start) + 1 or len(source))
            skip_until_close = True
        elif kind in ("link_open", "image"):
            opener = "![" if kind == "image" else "["
            start = cursor.find(opener)
            cursor.opening(start, start + len(opener))
            if kind == "image":
                _close_bracket(cursor)
        elif kind == "link_close":
            _close_bracket(cursor)
        elif kind.endswith("_open") and token.markup:
            start = cursor.find(token.markup)
            cursor.opening(start, start + len(token.markup))
        elif kind.endswith("_close") and token.markup and cursor.open:
            start = cursor.find(token.markup)
            cursor.closing(start, start + len(token.markup))
    cursor.text_until(len(source))
    while cursor.open:  # a construct not found as expected: closed at the end, so nothing is lost
        cursor.closing(len(source), len(source))
    encoded = " ".join("".join(cursor.parts).split())
    return InlineLine(encoded, tuple(cursor.wrappers))


def _close_bracket(cursor: _Cursor) -> None:
    close = cursor.find("]")
    cursor.closing(close, _bracket_end(cursor.source, min(close + 1, len(cursor.source))))


def decode_inline(line: InlineLine, english: str) -> str:
    """The English with every slot's source put back around (or in place of) its placeholder."""
    return _render(restore(line.encoded, english), line.wrappers)


def _render(parts: tuple[str | Placed, ...], wrappers: tuple[Wrapper, ...]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        else:
            wrapper = wrappers[part.slot - 1]
            out.append(wrapper.before + _render(part.children, wrappers) + wrapper.after)
    return "".join(out)
