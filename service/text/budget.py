"""Cutting over-long sentences to a model's token budget, at clause boundaries, never truncating.

The pieces concatenate back to the sentence exactly. Preference order for a cut: after a clause mark
(，、：, ;), then at a space, then (only when nothing else is left) between two characters.
"""

from __future__ import annotations

from collections.abc import Callable

_CLAUSE_MARKS = frozenset("，、：,:；;—")


def _cut_points(text: str) -> list[list[int]]:
    """Candidate cut positions (a piece ends before the index), best kind first."""
    clause = [i + 1 for i, ch in enumerate(text[:-1]) if ch in _CLAUSE_MARKS]
    space = [i + 1 for i, ch in enumerate(text[:-1]) if ch.isspace()]
    every = list(range(1, len(text)))
    return [clause, space, every]


def _latest_fitting(text: str, cuts: list[int], length: Callable[[str], int], budget: int) -> int | None:
    """Binary search: token length of a prefix grows with the prefix, so fitting cuts come first."""
    low, high, found = 0, len(cuts) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if length(text[: cuts[middle]]) <= budget:
            found, low = cuts[middle], middle + 1
        else:
            high = middle - 1
    return found


def _best_cut(text: str, length: Callable[[str], int], budget: int) -> int:
    """The latest cut of the best kind whose first piece fits: few, long pieces keep context."""
    for candidates in _cut_points(text):
        cut = _latest_fitting(text, candidates, length, budget)
        if cut is not None:
            return cut
    return 1


def split_to_budget(text: str, length: Callable[[str], int], budget: int) -> list[str]:
    """Split `text` into pieces of at most `budget` tokens by `length`; one piece when it fits."""
    if budget < 1:
        raise ValueError("budget must be positive")
    pieces: list[str] = []
    rest = text
    while rest and length(rest) > budget:
        cut = _best_cut(rest, length, budget)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces
