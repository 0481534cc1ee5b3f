"""What the model gets through per second, measured over its recent work, and what a request will cost.

Work is counted in source tokens (plus a little per item for the prompt around it): a long sentence
costs more than a short one on every engine. The rate is the work finished over the seconds spent on
it, over the last minute or so of busy time, for batches (one record each) and continuous steps alike.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

ITEM_OVERHEAD = 8  # tokens' worth of work per item whatever its length (prompt, first step)
MIN_ITEMS = 4  # measured items before the rate is trusted


def work_of(tokens: Iterable[int]) -> int:
    return sum(count + ITEM_OVERHEAD for count in tokens)


class Throughput:
    def __init__(self, window_seconds: float = 60.0) -> None:
        self._window = window_seconds
        self._records: deque[tuple[int, int, float]] = deque()  # (items, work, seconds)
        self._items = 0
        self._work = 0
        self._seconds = 0.0

    def record(self, items: int, work: int, seconds: float) -> None:
        self._records.append((items, work, seconds))
        self._items += items
        self._work += work
        self._seconds += seconds
        while len(self._records) > 1 and self._seconds - self._records[0][2] >= self._window:
            old_items, old_work, old_seconds = self._records.popleft()
            self._items -= old_items
            self._work -= old_work
            self._seconds -= old_seconds

    @property
    def measured(self) -> bool:
        return self._items >= MIN_ITEMS and self._seconds > 0

    def items_per_second(self) -> float | None:
        return self._items / self._seconds if self.measured else None

    def seconds_for(self, work: int) -> float | None:
        """How long `work` takes at the measured rate; None until enough has been measured."""
        if not self.measured or self._work <= 0:
            return None
        return work * self._seconds / self._work
