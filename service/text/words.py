"""English words for comparing sentences: content words, crudely stemmed, and their overlap."""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*%?")
_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just more most my no nor not now of
    off on once only or other our ours out over own same she should so some such than that the their
    theirs them then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours said says say also well will shall
    may might must which whose upon within without among via per""".split()
)
_SUFFIXES = ("ings", "ing", "ies", "ied", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    """A crude suffix strip: enough for "grew"/"growth" to stay apart but "industries"/"industry" to meet."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix in {"ies", "ied"} else "")
    return word


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_count(text: str) -> int:
    return len(text.split())


def content_words(text: str) -> list[str]:
    """Stems of the words that carry meaning (no stopwords, no one-letter words), in order."""
    return [stem(word) for word in words(text) if word.lower() not in _STOPWORDS and len(word) > 1]


def overlap(first: Iterable[str], second: Iterable[str]) -> float:
    """Share of the smaller set found in the larger: 1.0 when one says nothing the other does not."""
    a, b = set(first), set(second)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
