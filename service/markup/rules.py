"""Which elements break a text into separate runs (blocks), which flow inside a sentence (inline), and
which are kept whole, their content never sent to the model.

HTML has a fixed vocabulary. XML has none, so its structure is read from the document (DeepL's
"outline detection"): an element inside mixed content (an element holding text beside its children) is
inline, any other one a block. DeepL's `splitting_tags`, `non_splitting_tags` and `ignore_tags` refine
both; `outline_detection=False` makes every XML element inline but the splitting tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HTML_INLINE = frozenset(
    "a abbr acronym b bdi bdo big br cite code data del dfn em font i img ins kbd label mark nobr q rp rt"
    " ruby s samp small span strike strong sub sup time tt u var wbr".split()
)
# Code, scripts and templates: their text is not prose and never reaches the model.
NEVER_SENT = frozenset("script style code pre noscript template textarea".split())
_VOID = frozenset("br img wbr hr input area embed source track col param".split())


def local_name(element: Any) -> str:
    """The tag without its namespace, lower-cased for HTML's sake; "" for comments and the like."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


def holds_text(element: Any) -> bool:
    """True when text sits directly in `element` beside its children (mixed content)."""
    if (element.text or "").strip():
        return True
    return any((child.tail or "").strip() for child in element)


@dataclass(frozen=True)
class MarkupRules:
    xml: bool = False
    splitting: frozenset[str] = frozenset()
    non_splitting: frozenset[str] = frozenset()
    ignored: frozenset[str] = frozenset()
    outline_detection: bool = True

    def is_block(self, element: Any, parent_mixed: bool) -> bool:
        """Whether `element` ends the run before it (`parent_mixed`: its parent holds text itself)."""
        name = local_name(element)
        if not name:
            return False  # comments and processing instructions sit in the text, kept whole
        if name in self.splitting:
            return True
        if name in self.non_splitting:
            return False
        if not self.xml:
            return name not in HTML_INLINE
        return self.outline_detection and not parent_mixed

    def kept_whole(self, element: Any) -> bool:
        """Elements whose content stays as it is: never sent, put back untouched."""
        name = local_name(element)
        if not name or name in self.ignored or name in _VOID:
            return True
        if name in NEVER_SENT:
            return True
        if element.get("translate", "").strip().lower() == "no":
            return True
        return "notranslate" in (element.get("class") or "").split()
