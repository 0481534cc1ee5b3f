"""The memory as a pool of examples: for each document, the few entries most like it, shown to an
instruction model in the prompt head every segment of the document shares (evaluated once per document).

Where they come from, in order: the tenant's own people's entries (corrections and imports), then the pool
the operator imports (`gazette memory import --tmx F --pool`), which belongs to no tenant: it is never
recalled as a translation, only shown as examples, to every tenant.

Likeness is BM25 (bm25s) over character bigrams, the whole document as the query; an entry is shown
only if its score is at least MIN_SHARE of the score it has against itself (the share of its weighted
bigrams the document holds: unlike the raw score, it does not grow with the pool's size). Measured with
the WMT 2017-18 news pool (entries of 15-80 characters), the best entry's share has a median of 0.26
against ten consecutive newstest2019 lines (in domain; 90 % above 0.18), 0.14 against a FLORES article of
about three lines (out of domain, where examples did not help: shared/probes/fewshot_flores.py; 75 %
below 0.20) and 0.30 against the seed. So a document unlike the pool costs no prompt tokens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from service.memory.store import MemoryEntry, MemoryStore

log = logging.getLogger(__name__)

# The owner of the operator's pool: not a name an API key's tenant can have (service/key_store.py).
POOL = "*pool*"
MAX_EXAMPLES = 3  # each costs ~120 tokens of head: three stay within llama.cpp's cached head (768)
MIN_SHARE = 0.2
# Entries of this many characters only: a short one teaches little, a long one fills the head.
MIN_CHARS, MAX_CHARS = 8, 100
# English characters per source character of a sound pair (WMT's zh-en pool: a median of 3.6; its 85 pairs
# below 1.8 are mostly a clause of the sentence, as "on the basis of mutual respect," for a whole one).
_RATIOS = {"zh": (1.8, 6.0)}


@dataclass(frozen=True)
class Example:
    source: str
    translation: str


def bigrams(text: str) -> list[str]:
    """The text's character bigrams, spaces removed (Chinese has none; a Latin word's letters pair up)."""
    text = "".join(text.split())
    return [text[i : i + 2] for i in range(len(text) - 1)]


class _Index:
    """One owner's entries in one language, indexed for BM25."""

    def __init__(self, entries: Sequence[Example]) -> None:
        import bm25s

        self.entries = tuple(entries)
        self._own: dict[int, float] = {}  # an entry's score against itself, computed when first needed
        self._retriever: Any = None
        if self.entries:
            self._retriever = bm25s.BM25()
            self._retriever.index([bigrams(e.source) for e in self.entries], show_progress=False)

    def best(self, document: str, count: int, minimum: float) -> list[tuple[float, Example]]:
        """Up to `count` entries by score, with their share; those under `minimum` share left out."""
        query = list(dict.fromkeys(bigrams(document)))
        if self._retriever is None or count <= 0 or not query:
            return []
        scores = self._retriever.get_scores(query)
        ranked = sorted(range(len(scores)), key=lambda i: -float(scores[i]))[:count]
        shares = [(float(scores[i]) / self._own_score(i), i) for i in ranked if scores[i] > 0]
        return [(share, self.entries[i]) for share, i in shares if share >= minimum]

    def _own_score(self, index: int) -> float:
        if index not in self._own:
            own = list(dict.fromkeys(bigrams(self.entries[index].source)))
            self._own[index] = max(float(self._retriever.get_scores(own)[index]), 1e-9)
        return self._own[index]


class ExampleFinder:
    """Finds a document's examples in the memory's table; an owner's index is rebuilt only when its
    entries change (a count and the latest change time, read per document, tell)."""

    def __init__(self, store: Callable[[], MemoryStore], *, count: int = MAX_EXAMPLES) -> None:
        self._store = store
        self._count = count
        self._indexes: dict[tuple[str, str], tuple[tuple[int, float], _Index]] = {}
        self._lock = threading.Lock()

    def find(self, tenant: str, language: str, document: str) -> tuple[Example, ...]:
        """Up to `count` examples for `document`: the tenant's own entries first, then the pool's."""
        found: list[tuple[float, Example]] = []
        for owner in (tenant, POOL):
            wanted = self._count - len(found)
            seen = {example.source for _, example in found}
            index = self._index(owner, language)
            fresh = [
                pair for pair in index.best(document, wanted + 1, MIN_SHARE) if pair[1].source not in seen
            ]
            found += fresh[:wanted]
        # The most alike last: nearest the sentence to translate.
        return tuple(example for _, example in sorted(found, key=lambda pair: pair[0]))

    def _index(self, owner: str, language: str) -> _Index:
        store = self._store()
        stamp = store.stamp(owner, "person")
        with self._lock:
            cached = self._indexes.get((owner, language))
            if cached is not None and cached[0] == stamp:
                return cached[1]
        index = _Index([_example(e) for e in store.entries(owner, "person") if _usable(e, language)])
        with self._lock:
            self._indexes[(owner, language)] = (stamp, index)
        if index.entries:
            log.info("examples: %d entries of %s indexed for %s", len(index.entries), owner, language)
        return index


def _usable(entry: MemoryEntry, language: str) -> bool:
    if entry.source_lang != language or not MIN_CHARS <= len(entry.source) <= MAX_CHARS:
        return False
    if language in _RATIOS:  # a pair whose English is far shorter or longer is not a translation of it
        low, high = _RATIOS[language]
        return low <= len(entry.translation) / len(entry.source) <= high
    return bool(entry.translation.strip())


def _example(entry: MemoryEntry) -> Example:
    return Example(entry.source, " ".join(entry.translation.split()))
