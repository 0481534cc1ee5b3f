"""XLIFF 1.2 and 2.x: each `<source>` is one paragraph; its `<target>` is filled with the English, inline
codes kept (`service.markup`: `<g>`, `<pc>`, `<mrk>` around their words, `<x/>`, `<ph>`, `<bpt>`, `<ept>`,
`<sc/>`, `<ec/>` kept whole, as written), and marked translated (`state="translated"`: on the target in
1.2, on the segment in 2.x), so the file goes back into a CAT tool. Units marked `translate="no"` are
left alone. Entities are not resolved and nothing is fetched.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from typing import Any

from lxml import etree

from service.jobs.formats import BadFile
from service.markup.rules import MarkupRules, local_name
from service.markup.tree import Line, lines, rebuild

# Native codes: their content is the document's markup, never prose.
_RULES = MarkupRules(
    xml=True, outline_detection=False, ignored=frozenset({"ph", "bpt", "ept", "it", "x", "sc", "ec"})
)
_UNITS = frozenset({"trans-unit", "unit"})


def _parse(name: str, data: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise BadFile(f"{name}: not well-formed XML ({error})") from None
    if local_name(root) != "xliff":
        raise BadFile(f"{name}: not an XLIFF file (its root is <{local_name(root) or '?'}>)")
    return root


def _sources(root: Any) -> Iterator[Any]:
    for element in root.iter():
        if local_name(element) != "source":
            continue
        unit = next((a for a in element.iterancestors() if local_name(a) in _UNITS), None)
        if unit is not None and unit.get("translate", "yes").lower() == "no":
            continue
        yield element


def _line(source: Any) -> Line:
    [run] = [run for run in lines(source, _RULES) if run.anchor is source]
    return run


def xliff_lines(name: str, data: bytes) -> list[str]:
    return [line for source in _sources(_parse(name, data)) if (line := _line(source).encoded)]


def write_xliff(name: str, data: bytes, english: Sequence[str]) -> bytes:
    root = _parse(name, data)
    translations = iter(english)
    version_2 = root.get("version", "").startswith("2")
    for source in list(_sources(root)):
        if not _line(source).encoded:
            continue
        target = _target_for(source)
        rebuild(_line(target), next(translations))
        (source.getparent() if version_2 else target).set("state", "translated")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _target_for(source: Any) -> Any:
    """A fresh copy of the source as the target, where the target was (or right after the source)."""
    target = copy.deepcopy(source)
    target.tag = source.tag[: len(source.tag) - len("source")] + "target"
    for key in list(target.attrib):
        del target.attrib[key]
    existing = next((s for s in source.itersiblings() if local_name(s) == "target"), None)
    if existing is not None:
        for key, value in existing.attrib.items():
            target.set(key, value)
        target.tail = existing.tail
        existing.getparent().replace(existing, target)
    else:
        target.tail = source.tail  # the same indentation after it
        source.addnext(target)
    return target
