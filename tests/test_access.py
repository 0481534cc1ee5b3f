"""Keys, callers and rates (service/access.py), on a clock the tests move."""

from __future__ import annotations

import hmac

import pytest

from service import access as access_module
from service.access import Access, Caller, KeyMissing, KeyRefused, RateLimited, key_id


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_without_keys_callers_are_their_addresses() -> None:
    assert Access([]).caller(None, "10.0.0.7") == Caller("addr-10.0.0.7")
    assert not Access([]).keys_required


def test_with_keys_a_caller_is_named_by_a_digest_never_the_key() -> None:
    access = Access(["alpha-key", "beta-key"])
    caller = access.caller("beta-key", "10.0.0.7")
    assert caller == Caller(key_id("beta-key")) and "beta" not in caller.id
    with pytest.raises(KeyMissing):
        access.caller("", "10.0.0.7")
    with pytest.raises(KeyRefused):
        access.caller("beta-ke", "10.0.0.7")


def test_every_key_is_compared_whichever_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    """No early exit: the time taken does not say which key matched, or how far a guess got."""
    compared: list[bytes] = []
    original = hmac.compare_digest

    def counting(offered: bytes, key: bytes) -> bool:
        compared.append(key)
        return original(offered, key)

    monkeypatch.setattr(access_module.hmac, "compare_digest", counting)
    Access(["k1", "k2", "k3"]).caller("k1", None)
    assert compared == [b"k1", b"k2", b"k3"]


def test_a_burst_then_one_request_per_interval() -> None:
    clock = Clock()
    access = Access([], per_minute=60, burst=3, clock=clock)
    caller = access.caller(None, "10.0.0.7")
    for _ in range(3):
        access.admit(caller)
    with pytest.raises(RateLimited) as limited:
        access.admit(caller)
    assert limited.value.retry_after == 1
    clock.now += 1.0  # one token back a second at 60 a minute
    access.admit(caller)
    with pytest.raises(RateLimited):
        access.admit(caller)
    access.admit(access.caller(None, "10.0.0.8"))  # another caller has its own bucket


def test_a_slow_rate_says_how_long_to_wait() -> None:
    access = Access(["key"], per_minute=2, burst=1, clock=Clock())
    caller = access.caller("key", None)
    access.admit(caller)
    with pytest.raises(RateLimited) as limited:
        access.admit(caller)
    assert limited.value.retry_after == 30


def test_no_rate_limit_unless_set_and_usage_is_counted() -> None:
    access = Access(["key"])
    caller = access.caller("key", None)
    for _ in range(1000):
        access.admit(caller)
    access.record(caller, 4406)
    access.record(caller, 10)
    usage = access.usage(caller)
    assert (usage.requests, usage.characters) == (1000, 4416)
    assert access.usage(Caller("key-unknown")).requests == 0


def test_the_callers_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access_module, "MAX_CALLERS", 3)
    access = Access([], per_minute=60, burst=1, clock=Clock())
    first = access.caller(None, "10.0.0.1")
    access.admit(first)
    for number in range(2, 6):
        access.admit(access.caller(None, f"10.0.0.{number}"))
    assert access.usage(first).requests == 0  # forgotten: the oldest went first
