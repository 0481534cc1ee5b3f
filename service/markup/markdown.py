"""Markdown through markdown-it-py: the prose of headings, paragraphs (in lists and quotes too), table
cells and image alt text is translated; everything else is kept byte for byte: fenced and indented
code, HTML blocks, link and image destinations, code spans, link reference definitions, thematic breaks,
block markers and YAML front matter.

The parser's token map gives each block's source lines; its text is found at the end of its line (or,
for a table cell, after the previous cell) and replaced there. A paragraph over several lines comes back
on its first line, the others removed: the English of a sentence is not cut where the Chinese was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from markdown_it import MarkdownIt

from service.markup.markdown_inline import InlineLine, decode_inline, encode_inline

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_PROSE_PARENTS = frozenset({"paragraph_open", "heading_open", "th_open", "td_open"})
# YAML front matter: "---" on the first line, up to a line of "---" or "...".
# A task list's box ("- [x] done"): GitHub's extension, not CommonMark's, so it reads as text; kept.
_TASK_BOX = re.compile(r"\[[ xX]\][ \t]+")
_FRONT_MATTER = re.compile(r"---[ \t]*\n(?:.*\n)*?(?:---|\.\.\.)[ \t]*(?:\n|$)")


@dataclass(frozen=True)
class Block:
    """One translatable inline: where its text sits (line, [start, end) on it), the further source
    lines it spans (removed when it is written back), and its line with placeholders."""

    line: int
    start: int
    end: int
    more_lines: tuple[int, ...]
    inline: InlineLine


def markdown_blocks(text: str) -> list[Block]:
    """The translatable blocks of `text` ("\\n" line ends), in document order."""
    front = _FRONT_MATTER.match(text)
    skipped = front.group(0).count("\n") if front else 0
    lines = text.split("\n")
    body = "\n".join(lines[skipped:])
    tokens = _PARSER.parse(body)
    blocks: list[Block] = []
    row_cursor: dict[int, int] = {}  # table row line → where the next cell is searched from
    for parent, token in pairwise(tokens):
        if token.type != "inline" or parent.type not in _PROSE_PARENTS or token.map is None:
            continue
        box = _TASK_BOX.match(token.content) if parent.type == "paragraph_open" else None
        content = token.content[box.end() :] if box else token.content
        inline = encode_inline(content, token.children or [])
        if not inline.encoded:
            continue
        first, last = token.map[0] + skipped, token.map[1] + skipped
        if parent.type in ("th_open", "td_open"):
            source = lines[first]
            start = source.find(token.content, row_cursor.get(first, 0))
            if start < 0:
                continue  # not found as written (an escaped pipe): left as it is
            row_cursor[first] = start + len(token.content)
            blocks.append(Block(first, start, start + len(token.content), (), inline))
            continue
        content_lines = content.split("\n")
        start, end = _locate(lines[first], content_lines[0])
        more = tuple(range(first + 1, first + len(content_lines)))
        if start < 0 or last < first + len(content_lines):
            continue
        blocks.append(Block(first, start, end, more, inline))
    return blocks


def _locate(source_line: str, content: str) -> tuple[int, int]:
    """[start, end) of `content` on its source line: at its end (after block markers), else the first
    place it occurs (an ATX heading's closing #s follow it); (-1, -1) when it is not there."""
    content = content.strip()
    end = len(source_line.rstrip())
    if source_line[:end].endswith(content):
        return end - len(content), end
    start = source_line.find(content)
    return (start, start + len(content)) if start >= 0 else (-1, -1)


def markdown_lines(text: str) -> list[str]:
    return [block.inline.encoded for block in markdown_blocks(text)]


def write_markdown(text: str, english: Sequence[str]) -> str:
    """`text` with each block's English in its place (`english[k]` for block k)."""
    blocks = markdown_blocks(text)
    if len(blocks) != len(english):
        raise ValueError(f"{len(english)} translations for {len(blocks)} blocks")
    lines = text.split("\n")
    removed: set[int] = set()
    # From the last block back, so that earlier offsets on a shared line (table cells) stay valid.
    for block, translation in reversed(list(zip(blocks, english, strict=True))):
        source = lines[block.line]
        rendered = decode_inline(block.inline, translation)
        lines[block.line] = source[: block.start] + rendered + source[block.end :]
        removed.update(block.more_lines)
    return "\n".join(line for number, line in enumerate(lines) if number not in removed)
