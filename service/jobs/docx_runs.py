"""A .docx paragraph's runs as one line with placeholders, and the English written back into runs.

Adjacent runs of the same visible formatting are one group (Word splits runs for spell checking and
revision marks). The formatting that holds most of the paragraph's text is its base: its text goes to
the model as it is; every other group (a bold word, an italic phrase, a hyperlink or another element
holding runs) is a placeholder `<gN>…</gN>`. The English is written back as new runs, each a copy of
its group's first run (so its formatting) holding its words, in the English order; a hyperlink (or other
holder) is moved, not copied, so it stays one. Runs that hold more than text (pictures, breaks) keep it.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from service.markup.placeholders import Placed, close_marker, open_marker, restore

_RUNS = (
    "./w:r | ./w:hyperlink/w:r | ./w:fldSimple/w:r | ./w:smartTag/w:r | ./w:customXml/w:r"
    " | ./w:sdt/w:sdtContent/w:r | ./w:ins/w:r"
)
_TEXT = "w:t | w:tab | w:ptab | w:cr | w:noBreakHyphen | w:br[not(@w:type) or @w:type='textWrapping']"
# What a reader sees of a run's formatting; fonts, languages and proofing marks differ between the
# Chinese and Latin runs of one plain sentence and are not formatting a translation must carry.
_VISIBLE = frozenset(
    qn(f"w:{name}")
    for name in "rStyle b i u strike dstrike color highlight vertAlign caps smallCaps shd sz".split()
)


@dataclass
class _Group:
    holder: Any  # the paragraph's child that holds the runs: a run itself, or a hyperlink, ...
    runs: list[Any]
    key: tuple[Any, ...]

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def held(self) -> bool:
        return self.holder is not self.runs[0]


@dataclass(frozen=True)
class RunLine:
    encoded: str  # "" when the paragraph has no text
    groups: tuple[_Group, ...]
    base: int  # index of the base group
    slots: tuple[int, ...]  # slot N is groups[slots[N - 1]]


def _key(run: Any) -> tuple[Any, ...]:
    properties = run.find(qn("w:rPr"))
    if properties is None:
        return ()
    return tuple(
        (child.tag, tuple(sorted(child.attrib.items()))) for child in properties if child.tag in _VISIBLE
    )


def _groups(paragraph: Any) -> list[_Group]:
    groups: list[_Group] = []
    for run in paragraph.xpath(_RUNS):
        if not run.text:
            continue
        holder = run if run.getparent() is paragraph else _holder(paragraph, run)
        last = groups[-1] if groups else None
        same_holder = last is not None and last.held and last.holder is holder
        same_format = last is not None and not last.held and holder is run and last.key == _key(run)
        if last is not None and (same_holder or same_format):
            last.runs.append(run)
        else:
            groups.append(_Group(holder, [run], _key(run)))
    return groups


def _holder(paragraph: Any, run: Any) -> Any:
    element = run
    while element.getparent() is not paragraph:
        element = element.getparent()
    return element


def run_line(paragraph: Any) -> RunLine:
    """The paragraph (a `w:p` element) as a line: base text plain, other groups as placeholders."""
    groups = _groups(paragraph)
    if not groups:
        return RunLine("", (), 0, ())
    weight: Counter[tuple[Any, ...]] = Counter()
    for group in groups:
        if not group.held:
            weight[group.key] += len(group.text.strip())
    base_key = weight.most_common(1)[0][0] if weight else None
    base = next((i for i, g in enumerate(groups) if not g.held and g.key == base_key), 0)
    parts: list[str] = []
    slots: list[int] = []
    for index, group in enumerate(groups):
        if not group.held and group.key == base_key:
            parts.append(group.text)
        else:
            slots.append(index)
            parts += [open_marker(len(slots)), group.text, close_marker(len(slots))]
    encoded = " ".join("".join(parts).split()) if any(g.text.strip() for g in groups) else ""
    return RunLine(encoded, tuple(groups), base, tuple(slots))


def _flatten(parts: tuple[str | Placed, ...], slot: int) -> list[tuple[int, str]]:
    """Text pieces with the slot they belong to (the innermost, where the placement nested two)."""
    pieces: list[tuple[int, str]] = []
    for part in parts:
        if isinstance(part, str):
            pieces.append((slot, part))
        else:
            pieces += _flatten(part.children, part.slot)
    return pieces


def _set_text(run: Any, text: str) -> None:
    for part in run.xpath(_TEXT):
        run.remove(part)
    if text:
        element = OxmlElement("w:t", attrs={qn("xml:space"): "preserve"})
        element.text = text
        run.append(element)


def _copy_with(run: Any, text: str) -> Any:
    fresh = copy.deepcopy(run)
    for child in list(fresh):
        if child.tag != qn("w:rPr"):
            fresh.remove(child)
    _set_text(fresh, text)
    return fresh


def rewrite_runs(line: RunLine, english: str) -> None:
    """The paragraph's runs hold `english` (the model's output for `line.encoded`), each placeholder's
    words in a copy of its group's run; every holder (hyperlink, ...) is kept once."""
    marker = OxmlElement("w:r")  # where the first text was: the new runs go there
    line.groups[0].holder.addprevious(marker)
    for group in line.groups:
        for run in group.runs:
            _set_text(run, "")
        if group.held:
            group.holder.getparent().remove(group.holder)
            continue
        for run in group.runs:
            if len(run) <= (run.find(qn("w:rPr")) is not None):
                run.getparent().remove(run)  # nothing left in it but its formatting
    placed: set[int] = set()
    for slot, text in _flatten(restore(line.encoded, english), 0):
        group = line.groups[line.slots[slot - 1] if slot else line.base]
        if group.held and slot not in placed:
            placed.add(slot)
            _set_text(group.runs[0], text)
            marker.addprevious(group.holder)
        elif text:
            marker.addprevious(_copy_with(group.runs[0], text))
    for slot, index in enumerate(line.slots, start=1):
        group = line.groups[index]
        if group.held and slot not in placed:  # its words went nowhere: the holder is kept, empty
            marker.addprevious(group.holder)
    marker.getparent().remove(marker)
