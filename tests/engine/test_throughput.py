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


def test_an_unmeasured_concurrency_takes_the_least_time_the_measured_bands_allow() -> None:
    rate = Throughput()
    for _ in range(4):
        rate.record(1, 10, 2.0)  # 0.2 s a unit of work, one at a time
    assert rate.seconds_for(10, concurrency=16) == pytest.approx(2.0 / 16)  # sixteen at once: at best 16x
    rate.record(4, 40, 2.0)  # four at once: 0.05 s a unit
    assert rate.seconds_for(10, concurrency=16) == pytest.approx(0.5 / 4)  # both bound it; the tighter
    assert rate.seconds_for(10, concurrency=2) == pytest.approx(1.0)  # band 0 halved beats band 2 as is
    assert Throughput().seconds_for(10, concurrency=4) is None


def test_old_records_leave_the_window_band_and_all() -> None:
    rate = Throughput(window_seconds=10.0)
    for _ in range(4):
        rate.record(1, 10, 2.0)
    for _ in range(3):
        rate.record(16, 160, 4.0)
    assert rate.seconds_for(10, concurrency=1) == pytest.approx(0.25)  # band 0 gone: band 4 is all left
