"""A PDF page's characters as text in reading order: lines, columns, paragraphs, running heads dropped.

Pure geometry over the characters an extractor gives (text, box, size; y grows downwards), so it is
tested without any PDF:
1. Characters on one baseline make a row; a row is cut where the gap between two characters is wider
   than an em (a column's gutter), so a line never runs across columns.
2. Lines (and tables, as boxes) are put in reading order by recursive cuts: a vertical band of white
   space through the whole region makes columns, read left to right; otherwise the region is cut at
   its widest horizontal gap (a title above two columns comes first, then the columns).
3. Running heads and feet are dropped: lines in a page's top or bottom band repeated on other pages at
   the same height (digits aside: "第 2 页" is "第 1 页"), and page numbers alone in those bands.
4. Consecutive lines are one paragraph unless the line before ends short of its column's right edge,
   the next is indented, a wider gap or another size comes between: so a paragraph goes on across a
   column or page break. Lines join without a space between Chinese characters, with one between Latin
   words, and a word hyphenated at a line's end is joined whole.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# Running heads and feet live in the top and bottom eighth of a page.
_BAND = 0.125
_SAME_HEIGHT = 3.0  # points: a running head is printed at the same place on every page
_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(?:(?:page|p\.)\s*)?(?:第\s*)?(?:\d+|c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3}))(?:\s*页)?"
    r"(?:\s*(?:/|／|of|共)\s*\d+\s*页?)?[-–—\s]*$",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_SENTENCE_END = tuple("。！？!?.:：;；”」』)）")


@dataclass(frozen=True)
class Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


@dataclass
class Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    page: int
    column: int = 0  # which column of its page it was read in (set by `reading_order`)


@dataclass
class Table:
    rows: list[list[str]]
    x0: float
    top: float
    x1: float
    bottom: float
    page: int
    column: int = 0


@dataclass
class Paragraph:
    text: str
    size: float


Block = Paragraph | Table
Item = Line | Table


def lines_of(chars: Sequence[Char], page: int) -> list[Line]:
    """The page's characters as lines: rows by baseline, cut at gaps wider than an em."""
    rows: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: (c.top, c.x0)):
        if rows and _same_row(rows[-1], char):
            rows[-1].append(char)
        else:
            rows.append([char])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c.x0)
        run = [row[0]]
        for before, char in itertools.pairwise(row):
            if char.x0 - before.x1 > max(before.size, char.size):
                lines.append(_line(run, page))
                run = []
            run.append(char)
        lines.append(_line(run, page))
    return [line for line in lines if line.text]


def _same_row(row: list[Char], char: Char) -> bool:
    # Vertical centres within half a character of each other: superscripts and mixed fonts stay in.
    first = row[0]
    return abs((first.top + first.bottom) / 2 - (char.top + char.bottom) / 2) < 0.5 * max(first.size, 1.0)


def _line(run: list[Char], page: int) -> Line:
    parts = [run[0].text]
    for before, char in itertools.pairwise(run):
        # A gap of a fifth of an em between two words is a space the PDF did not write as a character.
        if char.x0 - before.x1 > 0.2 * char.size and not parts[-1].endswith(" "):
            parts.append(" ")
        parts.append(char.text)
    text = _tidy("".join(parts))
    sizes = [char.size for char in run if not char.text.isspace()] or [run[0].size]
    return Line(
        text,
        min(c.x0 for c in run),
        min(c.top for c in run),
        max(c.x1 for c in run),
        max(c.bottom for c in run),
        statistics.median(sizes),
        page,
    )


def _tidy(text: str) -> str:
    """Single spaces, none between two Chinese characters (letter-spaced CJK type has wide gaps)."""
    text = " ".join(text.split())
    return re.sub(
        r"(?<=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef])",
        "",
        text,
    )


def drop_running(pages: Sequence[list[Line]], heights: Sequence[float]) -> list[list[Line]]:
    """Each page's lines without its running heads and feet and its page number (see the module note).
    Only a page's first and last rows are looked at, twice over (a head of two lines)."""
    kept = [list(lines) for lines in pages]
    for _ in range(2):
        edges = [_edge_rows(lines, height) for lines, height in zip(kept, heights, strict=True)]
        seen: Counter[tuple[str, int]] = Counter()
        for rows in edges:
            seen.update({(_signature(line.text), round(line.top / _SAME_HEIGHT)) for line in rows})

        dropped = [[line for line in rows if _running(line, seen)] for rows in edges]
        if not any(dropped):
            break
        kept = [
            [line for line in lines if not any(line is gone for gone in out)]
            for lines, out in zip(kept, dropped, strict=True)
        ]
    return kept


def _running(line: Line, seen: Counter[tuple[str, int]]) -> bool:
    """A page number, or a line printed at about the same height on another page too."""
    near = round(line.top / _SAME_HEIGHT)
    repeated = sum(seen[(_signature(line.text), near + shift)] for shift in (-1, 0, 1)) >= 2
    return repeated or bool(_PAGE_NUMBER.match(line.text))


def _edge_rows(lines: Sequence[Line], height: float) -> list[Line]:
    """The page's topmost and bottommost rows of lines, where they lie in its top or bottom band."""
    if not lines:
        return []
    top = min(line.top for line in lines)
    bottom = max(line.bottom for line in lines)
    return [
        line
        for line in lines
        if (abs(line.top - top) < _SAME_HEIGHT and line.bottom <= height * _BAND)
        or (abs(line.bottom - bottom) < _SAME_HEIGHT and line.top >= height * (1 - _BAND))
    ]


def _signature(text: str) -> str:
    return re.sub(r"\d+", "#", "".join(text.split())).casefold()


_DEEPEST = 60  # cuts within cuts: past this, top to bottom (a page of thousands of lines stays cheap)


def reading_order(items: list[Item], em: float, column: int = 0, depth: int = 0) -> list[Item]:
    """`items` (one page's) in reading order, each told the column it was read in (see the note)."""
    if len(items) <= 1 or depth > _DEEPEST:
        for item in items:
            item.column = column
        return sorted(items, key=lambda item: (item.top, item.x0))
    columns = _columns(items, em)
    if columns:
        return [
            ordered
            for number, part in enumerate(columns)
            for ordered in reading_order(part, em, column * 16 + number + 1, depth + 1)
        ]
    upper, lower = _widest_gap(items)
    return reading_order(upper, em, column, depth + 1) + reading_order(lower, em, column, depth + 1)


def _columns(items: list[Item], em: float) -> list[list[Item]] | None:
    """The items split at vertical bands of white space at least an em wide; None if there is none."""
    ordered = sorted(items, key=lambda item: item.x0)
    groups = [[ordered[0]]]
    right = ordered[0].x1
    for item in ordered[1:]:
        if item.x0 - right >= em:
            groups.append([])
        groups[-1].append(item)
        right = max(right, item.x1)
    return groups if len(groups) > 1 else None


def _widest_gap(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """The items above and below the widest horizontal gap (top to bottom order if there is none)."""
    ordered = sorted(items, key=lambda item: (item.top, item.x0))
    gaps, bottom = [], ordered[0].bottom
    for index, item in enumerate(ordered[1:], start=1):
        gaps.append((item.top - bottom, index))
        bottom = max(bottom, item.bottom)
    widest = max(gap for gap, _ in gaps)
    # Of gaps as wide as the widest (evenly spaced lines), the middle one: the cuts stay shallow.
    ties = [index for gap, index in gaps if gap >= widest - 0.5]
    cut = ties[len(ties) // 2]
    return ordered[:cut], ordered[cut:]


def paragraphs(items: Sequence[Item]) -> list[Block]:
    """Lines in reading order joined into paragraphs; tables as they are (see the module note)."""
    lines = [item for item in items if isinstance(item, Line)]
    edges = _column_edges(lines)
    gaps = _usual_gaps(lines)
    blocks: list[Block] = []
    before: Line | None = None
    for item in items:
        if isinstance(item, Table):
            blocks.append(item)
            before = None
            continue
        if before is not None and _continues(before, item, edges, gaps):
            last = blocks[-1]
            assert isinstance(last, Paragraph)
            last.text = join_lines(last.text, item.text)
        else:
            blocks.append(Paragraph(item.text, item.size))
        before = item
    return blocks


def _column_edges(lines: Sequence[Line]) -> dict[int, tuple[float, float]]:
    """Each column's left and right edges, over every page (a page's last column may hold two lines)."""
    edges: dict[int, tuple[float, float]] = {}
    for line in lines:
        left, right = edges.get(line.column, (line.x0, line.x1))
        edges[line.column] = (min(left, line.x0), max(right, line.x1))
    return edges


def _usual_gaps(lines: Sequence[Line]) -> dict[int, float]:
    """Each column's usual space between a line and the next (its leading), over every page."""
    found: dict[int, list[float]] = {}
    for before, line in itertools.pairwise(lines):
        if (before.page, before.column) == (line.page, line.column) and line.top >= before.bottom:
            found.setdefault(line.column, []).append(line.top - before.bottom)
    return {key: statistics.median(gaps) for key, gaps in found.items()}


def _continues(
    before: Line,
    line: Line,
    edges: dict[int, tuple[float, float]],
    gaps: dict[int, float],
) -> bool:
    """Whether `line` goes on with the paragraph `before` ends."""
    em = max(before.size, line.size)
    if abs(before.size - line.size) > 0.15 * em:
        return False
    _, right_before = edges[before.column]
    left, _ = edges[line.column]
    if right_before - before.x1 > 2 * em or line.x0 - left >= em:
        return False  # the line before ends short, or this one is indented: a new paragraph
    if (before.page, before.column) == (line.page, line.column):
        usual = gaps.get(line.column, 0.0)
        return line.top - before.bottom <= max(usual * 1.8, usual + 0.3 * em)
    # Across a column or page break: on, unless the paragraph has come to a sentence's end.
    return not before.text.endswith(_SENTENCE_END)


def join_lines(text: str, line: str) -> str:
    """Two lines of one paragraph as one: a hyphenated word whole, no space beside Chinese."""
    if re.search(r"[A-Za-z]-$", text) and line[:1].islower():
        return text[:-1] + line
    if text.endswith("\u00ad"):
        return text[:-1] + line
    if _CJK.match(text[-1:]) or _CJK.match(line[:1]):
        return text + line
    return f"{text} {line}"
