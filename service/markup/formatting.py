"""DeepL's `preserve_formatting`: the English keeps what the source line had at its edges, where a model
would "correct" it: no closing full stop the source did not have, the source's lower-case start.
(Whitespace around a line is kept by the rebuild itself.)"""

from __future__ import annotations

import re

from service.markup.placeholders import strip_markers

_SENTENCE_END = frozenset("。．.！!？?；;…:：")
# A full stop at the end, maybe followed by closing placeholders: "Xiamen.</g1>".
_FINAL_STOP = re.compile(r"\.(?=(?:\s*</?[gx]\d+\s*/?>)*\s*$)")
_FIRST_LETTER = re.compile(r"^((?:\s*</?[gx]\d+\s*/?>)*\s*)([A-Z])")


def as_formatted(source: str, english: str) -> str:
    """`english` with the source line's edges: no final full stop unless the source ends a sentence;
    a lower-case first letter when the source starts with one."""
    bare = strip_markers(source).strip()
    if not bare:
        return english
    if bare[-1] not in _SENTENCE_END:
        english = _FINAL_STOP.sub("", english, count=1)
    if bare[0].isalpha() and bare[0].islower():
        english = _FIRST_LETTER.sub(lambda match: match.group(1) + match.group(2).lower(), english, count=1)
    return english
