"""What the model gets through per second, measured over its recent work, at each concurrency.

Work is counted in source tokens (plus a little per item for the prompt around it): a long sentence
costs more than a short one on every engine. The rate is the work finished over the seconds spent on
it, over the last minute or so of busy time, for batches (one record each) and continuous steps alike.

The rate depends on how many items the model runs at once: a batch of 16 costs little more than a batch
of one, so per item it is several times faster. One number measured on whatever ran last (single
sentences, say) would make a request arriving beside a document look many times costlier than it is.
So each record carries its concurrency (the items in the batch, or the items the step held), and the
rate is kept per concurrency band (1, 2-3, 4-7, 8-15, ...). An estimate asks for the band it will run
at; where that band has not been measured, it takes the least time the bands measured allow: a band
above is at least as slow per item at fewer items at once, a band below at most as many times slower
per item as it runs fewer at once (a batch never costs less than a smaller one). Refusing a request, or
putting it ahead of others, on a guess would be wrong; on a bound, it is sure.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

ITEM_OVERHEAD = 8  # tokens' worth of work per item whatever its length (prompt, first step)
MIN_ITEMS = 4  # measured items before a band's rate is trusted


def work_of(tokens: Iterable[int]) -> int:
    return sum(count + ITEM_OVERHEAD for count in tokens)


def band_of(concurrency: int) -> int:
    """The concurrency band: 0 for one item at once, 1 for 2-3, 2 for 4-7, 3 for 8-15, ..."""
    return max(1, concurrency).bit_length() - 1


@dataclass
class _Sums:
    items: int = 0
    work: int = 0
    seconds: float = 0.0

    def add(self, items: int, work: int, seconds: float, sign: int = 1) -> None:
        self.items += sign * items
        self.work += sign * work
        self.seconds += sign * seconds

    @property
    def trusted(self) -> bool:
        return self.items >= MIN_ITEMS and self.seconds > 0 and self.work > 0


class Throughput:
    def __init__(self, window_seconds: float = 60.0) -> None:
        self._window = window_seconds
        self._records: deque[tuple[int, int, int, float]] = deque()  # (band, items, work, seconds)
        self._total = _Sums()
        self._bands: dict[int, _Sums] = {}

    def record(self, items: int, work: int, seconds: float, concurrency: int | None = None) -> None:
        """`items` finished with `work` in `seconds`, `concurrency` items running at once (default: items)."""
        band = band_of(items if concurrency is None else concurrency)
        self._records.append((band, items, work, seconds))
        self._total.add(items, work, seconds)
        self._bands.setdefault(band, _Sums()).add(items, work, seconds)
        while len(self._records) > 1 and self._total.seconds - self._records[0][3] >= self._window:
            old_band, old_items, old_work, old_seconds = self._records.popleft()
            self._total.add(old_items, old_work, old_seconds, sign=-1)
            self._bands[old_band].add(old_items, old_work, old_seconds, sign=-1)

    def items_per_second(self, concurrency: int | None = None) -> float | None:
        """Items finished per second: over everything measured, or at `concurrency` (at most)."""
        if concurrency is None:
            return self._total.items / self._total.seconds if self._total.trusted else None
        per_work = self._seconds_per_work(concurrency)
        if per_work is None or not self._total.trusted:
            return None
        return self._total.items / (self._total.work * per_work)

    def seconds_for(self, work: int, concurrency: int | None = None) -> float | None:
        """How long `work` takes at the rate measured at `concurrency` (None: over everything measured),
        or the least it can take where that concurrency was not measured; None until enough has been."""
        if concurrency is None:
            return work * self._total.seconds / self._total.work if self._total.trusted else None
        per_work = self._seconds_per_work(concurrency)
        return None if per_work is None else work * per_work

    def _seconds_per_work(self, concurrency: int) -> float | None:
        wanted = band_of(concurrency)
        measured = {band: sums.seconds / sums.work for band, sums in self._bands.items() if sums.trusted}
        if wanted in measured:
            return measured[wanted]
        if not measured:
            return None
        # Each measured band bounds the unmeasured one from below; the largest bound is the tightest.
        return max(rate / 2 ** max(0, wanted - band) for band, rate in measured.items())
