"""An lxml tree (HTML or XML) as lines of text with inline placeholders, and the tree rebuilt from English.

A line is one run of flowing text inside a block: a block's text, or a block child's tail, with the
inline elements that follow up to the next block. Its inline elements become slots (`placeholders`):
paired `<gN>…</gN>` when their words are translated, atoms `<xN/>` when the element is kept whole (void
elements, code, `translate="no"`, ignored tags, comments). Attributes never reach the model: the rebuilt
tree reuses the very element objects, with their attributes, and only their text and tails change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.markup.placeholders import Placed, atom_marker, close_marker, open_marker, restore
from service.markup.rules import MarkupRules, holds_text

# Inline elements nested deeper than this are kept whole (their text untranslated): placing them is
# recursive, and no real page nests emphasis this deep; a hostile one could exhaust the stack.
MAX_INLINE_DEPTH = 40


@dataclass(frozen=True)
class Line:
    """One run of text: where it starts (`anchor`'s text when `in_text`, else its tail), the inline
    elements it spans, and the encoded text the model gets (empty when there is nothing to translate)."""

    anchor: Any
    in_text: bool
    parent: Any
    elements: tuple[Any, ...]
    encoded: str
    slots: tuple[Any, ...]  # slot N is slots[N - 1]
    atoms: frozenset[int]  # the slots kept whole
    lead: str  # whitespace before the run, kept
    trail: str  # whitespace after it, kept


def _text(value: str | None) -> str:
    return value or ""


class _Encoder:
    """Encodes one run, numbering its slots in document order."""

    def __init__(self, rules: MarkupRules) -> None:
        self.rules = rules
        self.slots: list[Any] = []
        self.atoms: set[int] = set()
        self.parts: list[str] = []

    def element(self, element: Any, depth: int = 0) -> None:
        self.slots.append(element)
        slot = len(self.slots)
        if depth >= MAX_INLINE_DEPTH or self.rules.kept_whole(element):
            self.atoms.add(slot)
            self.parts.append(atom_marker(slot))
        else:
            self.parts.append(open_marker(slot) + _text(element.text))
            for child in element:
                self.element(child, depth + 1)
            self.parts.append(close_marker(slot))
        self.parts.append(_text(element.tail))


def lines(root: Any, rules: MarkupRules) -> list[Line]:
    """Every run of `root` in document order, those with nothing to translate included (their
    `encoded` is empty): the rebuild walks the same list."""
    found: list[Line] = []
    stack: list[Any] = [root]
    while stack:  # iterative: pages nest deeper than Python's recursion limit
        item = stack.pop()
        if isinstance(item, Line):
            found.append(item)
            continue
        if item is not root and rules.kept_whole(item):
            continue  # a <pre>, a <script>: its tail is its parent's text, its content stays
        runs, blocks = _runs(item, rules)
        in_order: list[Any] = [runs[0]]
        for block, run in zip(blocks, runs[1:], strict=True):
            in_order += [block, run]
        stack.extend(reversed(in_order))
    return found


def _runs(block: Any, rules: MarkupRules) -> tuple[list[Line], list[Any]]:
    """The runs directly in `block`, and its block children."""
    mixed = holds_text(block)
    runs: list[Line] = []
    blocks: list[Any] = []
    anchor, in_text = block, True
    pending: list[Any] = []
    for child in block:
        if rules.is_block(child, mixed):
            runs.append(_line(block, anchor, in_text, pending, rules))
            blocks.append(child)
            anchor, in_text, pending = child, False, []
        else:
            pending.append(child)
    runs.append(_line(block, anchor, in_text, pending, rules))
    return runs, blocks


def _line(parent: Any, anchor: Any, in_text: bool, elements: list[Any], rules: MarkupRules) -> Line:
    encoder = _Encoder(rules)
    encoder.parts.append(_text(anchor.text if in_text else anchor.tail))
    for element in elements:
        encoder.element(element)
    raw = "".join(encoder.parts)
    collapsed = " ".join(raw.split())
    readable = any(part.strip() for part in _words(parent, anchor, in_text, elements, rules))
    encoded = collapsed if readable else ""
    lead = raw[: len(raw) - len(raw.lstrip())]
    trail = raw[len(raw.rstrip()) :]
    slots, atoms = tuple(encoder.slots), frozenset(encoder.atoms)
    return Line(anchor, in_text, parent, tuple(elements), encoded, slots, atoms, lead, trail)


def _words(parent: Any, anchor: Any, in_text: bool, elements: list[Any], rules: MarkupRules) -> list[str]:
    """The run's translatable text: not what is kept whole."""
    words = [_text(anchor.text if in_text else anchor.tail)]
    stack = list(reversed(elements))
    while stack:
        element = stack.pop()
        words.append(_text(element.tail))
        if not rules.kept_whole(element):
            words.append(_text(element.text))
            stack.extend(reversed(list(element)))
    return words


def rebuild(line: Line, english: str) -> None:
    """Put `english` (the model's output for `line.encoded`) in place of the run's text; every slot's
    element comes back once, with its attributes, wherever the placement puts it."""
    parts = restore(line.encoded, english)
    for element in line.elements:
        line.parent.remove(element)
    index = 0 if line.in_text else line.parent.index(line.anchor) + 1
    _fill(line, line.parent, index, parts, first=True)


def _set_lead(line: Line, text: str) -> None:
    value = line.lead + text
    if line.in_text:
        line.anchor.text = value or None
    else:
        line.anchor.tail = value or None


def _fill(line: Line, parent: Any, index: int, parts: tuple[str | Placed, ...], *, first: bool) -> None:
    """Append `parts` under `parent` from child `index` on; `first`: the run's own level, whose text goes
    to the anchor and whose last text keeps the run's trailing whitespace."""
    previous: Any = None
    leading = ""
    for part in parts:
        if isinstance(part, str):
            if previous is None:
                leading += part
            else:
                previous.tail = _text(previous.tail) + part
            continue
        element = line.slots[part.slot - 1]
        element.tail = None
        if part.slot not in line.atoms:
            element.text = None
            for child in list(element):
                element.remove(child)
            _fill(line, element, 0, part.children, first=False)
        parent.insert(index, element)
        index += 1
        previous = element
    if first:
        _set_lead(line, leading if previous is not None else leading + line.trail)
        if previous is not None:
            previous.tail = _text(previous.tail) + line.trail or None
    else:
        parent.text = leading or None
