"""Inline elements as placeholders the model is asked to keep, and a placement that never breaks them.

A line sent to the model holds its inline elements as markers: `<gN>…</gN>` around the words of a paired
element, `<xN/>` for one kept whole (an image, a line break, code, content never translated). Slots are
numbered from 1 in document order, so a slot's ancestors have smaller numbers.

`restore` reads the model's output. The markers it kept (each once, properly nested, under the same
parent as in the source) stay where the model put them: English reorders words, and their tags go with
them. Every other slot is placed by position: its source span mapped in proportion onto the output,
widened to whole words and to whole neighbouring elements, inside its parent. So whatever the model
wrote, each slot comes back exactly once and the result nests as a tree.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

# Tolerant of the spaces and case a model may put into a marker: "< g1 >", "</G1>", "<x2 />".
MARKER = re.compile(r"<\s*(/?)\s*([gx])\s*(\d{1,6})\s*(/?)\s*>", re.IGNORECASE)
MarkerKind = Literal["open", "close", "atom"]


@dataclass(frozen=True)
class Placed:
    """A slot put back: its children are text and the slots nested in it (none for an atom)."""

    slot: int
    children: tuple[str | Placed, ...] = ()


def open_marker(slot: int) -> str:
    return f"<g{slot}>"


def close_marker(slot: int) -> str:
    return f"</g{slot}>"


def atom_marker(slot: int) -> str:
    return f"<x{slot}/>"


def strip_markers(text: str) -> str:
    """The text without its markers: what a reader of the line sees."""
    return MARKER.sub("", text)


@dataclass(frozen=True)
class _Marker:
    kind: MarkerKind
    slot: int
    at: int  # offset in the text without markers


def _scan(text: str) -> tuple[str, list[_Marker]]:
    plain: list[str] = []
    markers: list[_Marker] = []
    cursor = length = 0
    for match in MARKER.finditer(text):
        plain.append(text[cursor : match.start()])
        length += match.start() - cursor
        cursor = match.end()
        closing, letter, number, self_closing = match.groups()
        kind: MarkerKind = "atom" if letter.lower() == "x" or self_closing else "close" if closing else "open"
        markers.append(_Marker(kind, int(number), length))
    plain.append(text[cursor:])
    return "".join(plain), markers


@dataclass(frozen=True)
class _Source:
    """The source line's slots: parent (0 at the top), span in the plain text, atoms."""

    parents: dict[int, int]
    spans: dict[int, tuple[int, int]]
    atoms: frozenset[int]
    length: int


def _source(encoded: str) -> _Source:
    plain, markers = _scan(encoded)
    parents: dict[int, int] = {}
    starts: dict[int, int] = {}
    spans: dict[int, tuple[int, int]] = {}
    stack: list[int] = []
    for marker in markers:
        if marker.kind == "close":
            stack.pop()
            spans[marker.slot] = (starts[marker.slot], marker.at)
            continue
        parents[marker.slot] = stack[-1] if stack else 0
        if marker.kind == "atom":
            spans[marker.slot] = (marker.at, marker.at)
        else:
            starts[marker.slot] = marker.at
            stack.append(marker.slot)
    atoms = frozenset(marker.slot for marker in markers if marker.kind == "atom")
    return _Source(parents, spans, atoms, len(plain))


@dataclass
class _Node:
    slot: int
    start: int
    end: int
    children: list[_Node] = field(default_factory=list)


def _valid(markers: list[_Marker], source: _Source) -> list[_Marker]:
    """The markers naming a slot of the source, in the slot's own kind, each given once."""
    fitting = [
        marker
        for marker in markers
        if marker.slot in source.parents and (marker.kind == "atom") == (marker.slot in source.atoms)
    ]
    counts = Counter((marker.kind, marker.slot) for marker in fitting)
    return [marker for marker in fitting if counts[(marker.kind, marker.slot)] == 1]


def _nested(markers: list[_Marker]) -> set[int]:
    """Slots whose open and close markers pair up in a well-nested order (atoms count as such)."""
    kept: set[int] = set()
    stack: list[int] = []
    for marker in markers:
        if marker.kind == "atom":
            kept.add(marker.slot)
        elif marker.kind == "open":
            stack.append(marker.slot)
        elif stack and stack[-1] == marker.slot:
            kept.add(stack.pop())
        elif marker.slot in stack:
            stack.remove(marker.slot)  # crosses another element: placed by position instead
    return kept


def _output_parents(markers: list[_Marker]) -> dict[int, int]:
    parents: dict[int, int] = {}
    stack: list[int] = []
    for marker in markers:
        if marker.kind == "close":
            stack.pop()
            continue
        parents[marker.slot] = stack[-1] if stack else 0
        if marker.kind == "open":
            stack.append(marker.slot)
    return parents


def _kept_markers(markers: list[_Marker], source: _Source) -> list[_Marker]:
    """The model's markers that are kept: valid, well nested, and each under the parent the source gives
    it (among the slots kept), so the tree has the source's shape (no link inside a link)."""
    valid = _valid(markers, source)
    kept = _nested(valid)
    while True:
        stream = [marker for marker in valid if marker.slot in kept]
        found = _output_parents(stream)
        wrong = {slot for slot in kept if found[slot] != _kept_ancestor(slot, source, kept)}
        if not wrong:
            return stream
        kept -= wrong


def _kept_ancestor(slot: int, source: _Source, kept: set[int]) -> int:
    """The slot's nearest ancestor in the source among `kept` (0: the top)."""
    parent = source.parents[slot]
    while parent and parent not in kept:
        parent = source.parents[parent]
    return parent


def _tree(stream: list[_Marker], length: int) -> tuple[_Node, dict[int, _Node]]:
    root = _Node(0, 0, length)
    nodes = {0: root}
    stack = [root]
    for marker in stream:
        if marker.kind == "close":
            stack.pop().end = marker.at
            continue
        node = _Node(marker.slot, marker.at, marker.at)
        stack[-1].children.append(node)
        nodes[marker.slot] = node
        if marker.kind == "open":
            stack.append(node)
    return root, nodes


def _word_char(character: str) -> bool:
    # Latin-script letters and digits: CJK text has no spaces, and a cut there is as good as any.
    return character.isalnum() and ord(character) < 0x2E80


def _proportional_span(slot: int, source: _Source, plain: str) -> tuple[int, int]:
    """The slot's source span mapped onto the output in proportion, widened to whole words."""
    start, end = source.spans[slot]
    scale = len(plain) / source.length if source.length else 0.0
    a, b = round(start * scale), round(end * scale)
    while 0 < a < len(plain) and _word_char(plain[a - 1]) and _word_char(plain[a]):
        a -= 1
    if slot in source.atoms:
        return a, a
    if end > start and b <= a < len(plain):
        b = a + 1
    while 0 < b < len(plain) and _word_char(plain[b - 1]) and _word_char(plain[b]):
        b += 1
    while a < b and plain[a].isspace():
        a += 1
    while b > a and plain[b - 1].isspace():
        b -= 1
    return a, b


def _descends(slot: int, ancestor: int, source: _Source) -> bool:
    while slot:
        slot = source.parents[slot]
        if slot == ancestor:
            return True
    return False


def _insert(container: _Node, slot: int, span: tuple[int, int], source: _Source) -> _Node:
    """A new node for `slot` under `container`, its span clamped there. It never takes in a child of the
    container that is not its own descendant in the source (siblings stay siblings, so the nesting is
    never deeper than the source's): its span is cut to the gap between such children around its start.
    A descendant it cuts it widens to hold whole: each child is wholly inside the new node or outside."""
    a = min(max(span[0], container.start), container.end)
    b = min(max(span[1], a), container.end)
    others = [child for child in container.children if not _descends(child.slot, slot, source)]
    apart = {child.slot for child in others}
    for child in others:
        if child.start < a < child.end:
            a = child.end
    b = max(a, min([b, *(child.start for child in others if child.start >= a)]))
    for child in container.children:
        if child.slot in apart:
            continue
        if child.start < a < child.end:
            a = child.start
        if child.start < b < child.end:
            b = child.end
    if slot in source.atoms:
        b = a

    def inside(child: _Node) -> bool:
        within = a <= child.start and child.end <= b and child.slot not in apart
        return within and (child.end > child.start or a < child.start < b)

    node = _Node(slot, a, b, [child for child in container.children if inside(child)])
    before = sum(1 for child in container.children if child.end <= a and not inside(child))
    rest = [child for child in container.children if not inside(child)]
    container.children = [*rest[:before], node, *rest[before:]]
    return node


def _inline(node: _Node, plain: str) -> tuple[str | Placed, ...]:
    parts: list[str | Placed] = []
    cursor = node.start
    for child in node.children:
        if child.start > cursor:
            parts.append(plain[cursor : child.start])
        parts.append(Placed(child.slot, _inline(child, plain)))
        cursor = max(cursor, child.end)
    if node.end > cursor:
        parts.append(plain[cursor : node.end])
    return tuple(parts)


def restore(source: str, output: str) -> tuple[str | Placed, ...]:
    """The output's text with every slot of `source` placed exactly once (see the module's note)."""
    structure = _source(source)
    plain, markers = _scan(output)
    root, nodes = _tree(_kept_markers(markers, structure), len(plain))
    for slot in sorted(structure.parents):  # document order: a parent is placed before its children
        if slot not in nodes:
            container = nodes[structure.parents[slot]]
            span = _proportional_span(slot, structure, plain)
            nodes[slot] = _insert(container, slot, span, structure)
    return _inline(root, plain)


def model_kept_all(source: str, output: str) -> bool:
    """True when the model kept every slot itself (nothing placed by position)."""
    structure = _source(source)
    _, markers = _scan(output)
    kept = {marker.slot for marker in _kept_markers(markers, structure)}
    return kept == set(structure.parents)
