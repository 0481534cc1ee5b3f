"""Admission under fair share: a request's own time once per request taking turns with it, and the wait
until it would fit, when it does not."""

from __future__ import annotations

from service.engine.admission import RequestWork, judge


def per_unit(seconds: float) -> object:
    return lambda work: work * seconds


def test_alone_a_request_needs_its_own_time_within_its_timeout() -> None:
    assert judge(RequestWork(100, ()), per_unit(0.1), allowed=10.0).admitted
    refused = judge(RequestWork(101, ()), per_unit(0.1), allowed=10.0)
    assert not refused.admitted and not refused.alone_fits


def test_nothing_measured_admits() -> None:
    verdict = judge(RequestWork(10**9, (10**9,)), lambda work: None, allowed=1.0)
    assert verdict.admitted and verdict.own_seconds is None


def test_a_small_request_behind_a_large_one_takes_its_turn_not_the_large_ones_time() -> None:
    # One sentence (10 units) behind a document of 1,600: it shares the model with one request, twice its
    # own time, not the document's 160 s.
    assert judge(RequestWork(10, (1600,)), per_unit(0.1), allowed=10.0).admitted


def test_a_large_request_behind_many_is_refused_with_the_time_until_enough_have_finished() -> None:
    # 100 units (10 s) with 7 others: 80 s in turns, over half of 60 s. It fits with at most 2 others
    # (3 x 10 s x 2 = 60 s): 5 must finish first, the smallest first. In turns, by the time the fifth
    # smallest (50 units) finishes, the others have spent 10 + 20 + 30 + 40 + 50 + 50 + 50 = 250 units.
    verdict = judge(RequestWork(100, (50, 10, 500, 20, 40, 30, 900)), per_unit(0.1), allowed=60.0)
    assert not verdict.admitted and verdict.alone_fits
    assert verdict.retry_after == 25
    assert judge(RequestWork(100, (500, 900)), per_unit(0.1), allowed=60.0).admitted
