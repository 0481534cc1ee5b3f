"""Who calls, and how often (service/access.py), on a clock the tests move; managed keys in a real file."""

from __future__ import annotations

import asyncio
import hmac
from pathlib import Path

import pytest

from service import access as access_module
from service.access import Access, KeyMissing, KeyRefused, Principal, RateLimited, key_id
from service.db.errors import StoreWriteFailed


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def who(access: Access, offered: str | None, address: str | None = None) -> Principal:
    return asyncio.run(access.identify(offered or "", address))


def test_without_keys_there_is_one_tenant_whatever_key_is_sent(tmp_path: Path) -> None:
    access = Access([], db=tmp_path / "gazette.sqlite3")
    for offered in (None, "made-up-1", "made-up-2"):
        assert who(access, offered, "10.0.0.7").tenant == "anonymous"
    assert who(access, "made-up-1", "10.0.0.7").bucket == "addr-10.0.0.7"  # rates stay per address
    assert not asyncio.run(access.keys_required())
    # Nothing was made for the keys sent: no tenant, no row.
    assert access.key_store.all() == [] and access.usage_store.all_usage() == {}


def test_with_keys_a_tenant_is_named_by_a_digest_never_the_key() -> None:
    access = Access(["alpha-key", "beta-key"])
    principal = who(access, "beta-key")
    assert principal.tenant == key_id("beta-key") and "beta" not in principal.tenant
    with pytest.raises(KeyMissing):
        who(access, "")
    with pytest.raises(KeyRefused):
        who(access, "beta-ke")


def test_a_managed_key_is_its_name_with_its_own_quota_and_rate_until_revoked(tmp_path: Path) -> None:
    access = Access([], quota=1000, per_minute=60, db=tmp_path / "gazette.sqlite3")
    key = access.key_store.add("acme", quota=50, rate=6)
    plain = access.key_store.add("plain")
    assert who(access, key) == Principal("acme", "acme", 50, 6)
    assert who(access, plain) == Principal("plain", "plain", 1000, 60)  # the settings' own
    with pytest.raises(KeyMissing):  # keys exist now: the anonymous tenant is gone
        who(access, None)
    assert access.key_store.revoke("acme")
    with pytest.raises(KeyRefused):  # at once: nothing is cached
        who(access, key)
    assert access.key_store.all()[0].last_used is not None


def test_every_key_is_compared_whichever_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    """No early exit: the time taken does not say which key matched, or how far a guess got."""
    compared: list[bytes] = []
    original = hmac.compare_digest

    def counting(offered: bytes, key: bytes) -> bool:
        compared.append(key)
        return original(offered, key)

    monkeypatch.setattr(access_module.hmac, "compare_digest", counting)
    who(Access(["k1", "k2", "k3"]), "k1")
    assert compared == [b"k1", b"k2", b"k3"]


def test_a_burst_then_one_request_per_interval() -> None:
    clock = Clock()
    access = Access([], per_minute=60, burst=3, clock=clock)
    caller = who(access, None, "10.0.0.7")
    for _ in range(3):
        access.admit(caller)
    with pytest.raises(RateLimited) as limited:
        access.admit(caller)
    assert limited.value.retry_after == 1
    clock.now += 1.0  # one token back a second at 60 a minute
    access.admit(caller)
    with pytest.raises(RateLimited):
        access.admit(caller)
    access.admit(who(access, None, "10.0.0.8"))  # another caller has its own bucket


def test_a_slow_rate_says_how_long_to_wait() -> None:
    access = Access(["key"], per_minute=2, burst=1, clock=Clock())
    caller = who(access, "key")
    access.admit(caller)
    with pytest.raises(RateLimited) as limited:
        access.admit(caller)
    assert limited.value.retry_after == 30


def test_no_rate_limit_unless_set() -> None:
    access = Access(["key"])
    caller = who(access, "key")
    for _ in range(1000):
        access.admit(caller)


def test_the_callers_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access_module, "MAX_CALLERS", 3)
    access = Access([], per_minute=60, burst=1, clock=Clock())
    first = who(access, None, "10.0.0.1")
    access.admit(first)
    for number in range(2, 6):
        access.admit(who(access, None, f"10.0.0.{number}"))
    access.admit(first)  # forgotten (the oldest go first): a full bucket again


def test_a_key_whose_last_use_cannot_be_noted_is_still_let_in(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    access = Access([], db=tmp_path / "gazette.sqlite3")
    key = access.key_store.add("acme")

    def full_disk(name: str, now: float) -> None:
        raise StoreWriteFailed("database or disk is full")

    monkeypatch.setattr(access.key_store, "_touch", full_disk)
    assert who(access, key).tenant == "acme"
    assert "last use not noted" in caplog.text
