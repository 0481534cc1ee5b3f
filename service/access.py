"""Who may call, and how often: the same rules for every API family (/v1, LibreTranslate, DeepL).

Keys are compared in constant time, each against every configured key, so neither a match's position nor
a near miss shows in the time taken. A key is never logged or stored: a caller is named by a digest of its
key (`key-1a2b3c4d5e6f`), or by its address where the service has no keys. Each caller has a token bucket
(GAZETTE_RATE_LIMIT requests a minute, GAZETTE_RATE_BURST at once) and counters of what it used.

Each API key also has a durable count of the characters translated under it, whatever the API family,
and with GAZETTE_CHARACTER_QUOTA set, a request that would take it past the quota is refused
(`QuotaExceeded`: DeepL's 456, 403 `quota_exceeded` elsewhere). The count is charged once the work is
done, so a request that failed costs nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from service.settings import Settings
from service.sqlite_file import StoreWriteFailed
from service.usage_store import UsageStore

log = logging.getLogger(__name__)

# Buckets kept at most: a flood of new addresses must not grow memory without end; the oldest go first.
MAX_CALLERS = 10_000


@dataclass(frozen=True)
class Caller:
    id: str  # safe to log: a digest of the key, or the address


@dataclass(frozen=True)
class Usage:
    requests: int
    characters: int


class KeyMissing(Exception):
    """Keys are required and none was offered."""


class KeyRefused(Exception):
    """The key offered is not one of the service's."""


class QuotaExceeded(Exception):
    def __init__(self, quota: int) -> None:
        super().__init__(f"Quota exceeded: this key may have {quota} characters translated")
        self.quota = quota


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests from this caller; retry after {retry_after} s")
        self.retry_after = retry_after


def key_id(key: str) -> str:
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def key_matches(offered: str, keys: Sequence[str]) -> bool:
    """Constant time: every key is compared, whatever matched before."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(offered.encode(), key.encode())
    return found


@dataclass
class _Bucket:
    tokens: float
    updated: float
    requests: int = 0
    characters: int = 0


class Access:
    def __init__(
        self,
        keys: Sequence[str],
        *,
        per_minute: int | None = None,
        burst: int = 10,
        clock: Callable[[], float] = time.monotonic,
        quota: int | None = None,
        usage_file: Path | None = None,
    ) -> None:
        """`quota`: characters per key, counted in `usage_file` (an SQLite file, opened on first use; the
        counts need one)."""
        self._keys = tuple(keys)
        self._rate = per_minute / 60 if per_minute else None  # tokens a second
        self._burst = max(1, burst)
        self._clock = clock
        self._callers: OrderedDict[str, _Bucket] = OrderedDict()
        self.quota = quota
        self._usage_file = usage_file
        self._usage: UsageStore | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Access:
        return cls(
            settings.api_keys,
            per_minute=settings.rate_limit,
            burst=settings.rate_burst,
            quota=settings.character_quota,
            usage_file=settings.jobs_db(),
        )

    @property
    def keys_required(self) -> bool:
        return bool(self._keys)

    def caller(self, offered: str | None, address: str | None) -> Caller:
        """Who this is; with keys configured, only a caller offering one of them."""
        if not self._keys:
            return Caller(f"addr-{address or 'unknown'}")
        if not offered:
            raise KeyMissing("an API key is needed")
        if not key_matches(offered, self._keys):
            raise KeyRefused("the API key is not valid")
        return Caller(key_id(offered))

    def admit(self, caller: Caller) -> None:
        """Take a token from the caller's bucket, or refuse with the seconds until one is back."""
        bucket = self._bucket(caller)
        bucket.requests += 1
        if self._rate is None:
            return
        now = self._clock()
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens < 1:
            raise RateLimited(max(1, math.ceil((1 - bucket.tokens) / self._rate)))
        bucket.tokens -= 1

    def record(self, caller: Caller, characters: int) -> None:
        self._bucket(caller).characters += characters

    def usage(self, caller: Caller) -> Usage:
        bucket = self._callers.get(caller.id)
        return Usage(bucket.requests, bucket.characters) if bucket else Usage(0, 0)

    def _bucket(self, caller: Caller) -> _Bucket:
        bucket = self._callers.get(caller.id)
        if bucket is None:
            bucket = self._callers[caller.id] = _Bucket(float(self._burst), self._clock())
            if len(self._callers) > MAX_CALLERS:
                self._callers.popitem(last=False)
        self._callers.move_to_end(caller.id)
        return bucket

    # -- characters per key ----------------------------------------------------------------------

    async def characters_used(self, api_key: str) -> int:
        """Characters translated under this key so far ("" for callers without one), every family."""
        return await self.usage_store.characters(api_key)

    async def within_quota(self, api_key: str, characters: int) -> None:
        """Raises `QuotaExceeded` when `characters` more would take the key past the quota."""
        if self.quota is not None and await self.characters_used(api_key) + characters > self.quota:
            raise QuotaExceeded(self.quota)

    async def charge(self, api_key: str, characters: int) -> None:
        """Count work done under a key; committed before it returns. A count that cannot be written (a
        full disk) fails the request only where a quota depends on it: the work done is not thrown away
        for a figure nobody enforces."""
        try:
            await self.usage_store.add_characters(api_key, characters)
        except StoreWriteFailed as error:
            if self.quota is not None:
                raise
            log.warning("characters used not counted: %s", error)

    def close(self) -> None:
        if self._usage is not None:
            self._usage.close()
            self._usage = None

    @property
    def usage_store(self) -> UsageStore:
        """The durable counts (opened on first use)."""
        if self._usage is None:
            if self._usage_file is None:
                raise RuntimeError("characters are counted only with a usage file")
            self._usage = UsageStore(self._usage_file)
        return self._usage
