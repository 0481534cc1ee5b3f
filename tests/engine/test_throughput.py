"""The measured rate, per concurrency: a batch of 16 is not sixteen batches of one."""

from __future__ import annotations

import pytest

from service.engine.throughput import Throughput, band_of


def test_bands_double() -> None:
    assert [band_of(n) for n in (1, 2, 3, 4, 7, 8, 15, 16, 31)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_an_estimate_uses_the_rate_measured_at_its_concurrency() -> None:
    rate = Throughput()
    for _ in range(4):
        rate.record(1, 10, 2.0)  # one sentence alone: 2 s
    rate.record(16, 160, 4.0)  # sixteen at once: 4 s, eight times faster per item
    assert rate.seconds_for(160, concurrency=16) == pytest.approx(4.0)
    assert rate.seconds_for(160, concurrency=1) == pytest.approx(32.0)
    assert rate.items_per_second(16) == pytest.approx(4.0)


def test_an_unmeasured_concurrency_takes_the_nearest_band_the_slower_on_a_tie() -> None:
    rate = Throughput()
    for _ in range(4):
        rate.record(1, 10, 2.0)
    rate.record(16, 160, 4.0)
    assert rate.seconds_for(10, concurrency=2) == pytest.approx(2.0)  # band 1: nearest is 0
    assert rate.seconds_for(10, concurrency=8) == pytest.approx(0.25)  # band 3: nearest is 4
    assert rate.seconds_for(10, concurrency=4) == pytest.approx(2.0)  # band 2: 0 and 4 tie, 0 is slower
    assert Throughput().seconds_for(10, concurrency=4) is None


def test_old_records_leave_the_window_band_and_all() -> None:
    rate = Throughput(window_seconds=10.0)
    for _ in range(4):
        rate.record(1, 10, 2.0)
    for _ in range(3):
        rate.record(16, 160, 4.0)
    assert rate.seconds_for(10, concurrency=1) == pytest.approx(0.25)  # band 0 gone: band 4 is all left
