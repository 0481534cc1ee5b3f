"""Who is calling, and what may they spend: the one access policy of every API family (/v1, LibreTranslate,
DeepL). An adapter only reads the key from its family's place and words the refusals in its family's body.

A request is resolved once into a `Principal`: its tenant (who owns the jobs, uploads, documents,
glossaries, idempotency keys and usage it makes), its rate bucket and its quota.

- Keys are those of GAZETTE_API_KEYS (compared in constant time, each against every one; tenant
  `key-<digest>`) and those made by `gazette keys add NAME` (found by digest in GAZETTE_DB on every
  request, so a revoked one is refused at once; tenant NAME, its own quota and rate if given).
- With no key of either kind there is one tenant, `anonymous`: whatever key a client sends is ignored,
  and creates nothing. Its rate buckets are per address (bounded in number).
- Characters are reserved before work starts (`reserve`, `spending`) and settled after: see usage_store.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from service.db.errors import StoreWriteFailed
from service.key_store import KeyStore, StoredKey
from service.settings import Settings
from service.usage_store import LEASE_SECONDS, QuotaExceeded, Reservation, TenantUsage, UsageStore

__all__ = [
    "Access", "KeyMissing", "KeyRefused", "Principal", "QuotaExceeded", "RateLimited", "Reservation", "key_id"
]  # fmt: skip
log = logging.getLogger(__name__)

# Buckets kept at most: a flood of new addresses must not grow memory without end; the oldest go first.
MAX_CALLERS = 10_000
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Principal:
    tenant: str  # safe to log: a key's name, `key-<digest>`, or `anonymous`
    bucket: str  # its rate bucket: the tenant, or `addr-<address>` for the anonymous tenant
    quota: int | None = None  # characters it may have translated; None: no limit
    rate: int | None = None  # requests a minute; None: no limit

    @property
    def id(self) -> str:
        """How the request log names the caller."""
        return self.bucket


class KeyMissing(Exception):
    """Keys are required and none was offered."""


class KeyRefused(Exception):
    """The key offered is not one of the service's (or it was revoked)."""


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


class Access:
    def __init__(
        self,
        keys: Sequence[str],
        *,
        per_minute: int | None = None,
        burst: int = 10,
        clock: Callable[[], float] = time.monotonic,
        quota: int | None = None,
        db: Path | str | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        """`keys`: GAZETTE_API_KEYS; `db`: the SQLite file of the managed keys and the usage (opened on
        first use); without one, only `keys` count and nothing is reserved."""
        self._keys = tuple(keys)
        self._per_minute = per_minute
        self._burst = max(1, burst)
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self.quota = quota
        self._db = db
        self._key_store: KeyStore | None = None
        self._usage: UsageStore | None = None
        self._lease_seconds = lease_seconds  # of requests' reservations: see keep_reservations

    @classmethod
    def from_settings(cls, settings: Settings) -> Access:
        return cls(
            settings.api_keys,
            per_minute=settings.rate_limit,
            burst=settings.rate_burst,
            quota=settings.character_quota,
            db=settings.jobs_db(),
            lease_seconds=settings.lease_seconds,
        )

    # -- who -------------------------------------------------------------------------------------

    async def keys_required(self) -> bool:
        return bool(self._keys) or (self._db is not None and await asyncio.to_thread(self.key_store.any_made))

    async def principal(self, offered: str | None, address: str | None) -> Principal:
        """Who this is, admitted by its rate bucket: KeyMissing, KeyRefused or RateLimited otherwise."""
        principal = await self.identify(offered or "", address)
        self.admit(principal)
        return principal

    async def identify(self, offered: str, address: str | None) -> Principal:
        """Who this is (KeyMissing or KeyRefused otherwise), without taking from its rate."""
        if self._keys and key_matches(offered, self._keys):
            tenant = key_id(offered)
            return Principal(tenant, tenant, self.quota, self._per_minute)
        if self._db is not None and offered:
            found = await self.key_store.find(offered)
            if found is not None:
                await self._touch(found)
                quota = found.quota if found.quota is not None else self.quota
                rate = found.rate if found.rate is not None else self._per_minute
                return Principal(found.name, found.name, quota, rate)
        if await self.keys_required():
            raise KeyRefused("the API key is not valid") if offered else KeyMissing("an API key is needed")
        return Principal(ANONYMOUS, f"addr-{address or 'unknown'}", self.quota, self._per_minute)

    async def _touch(self, found: StoredKey) -> None:
        """Note when the key was last used; a disk that cannot take the note does not refuse the caller."""
        try:
            await self.key_store.touch(found)
        except StoreWriteFailed as error:
            log.warning("key %s: last use not noted: %s", found.name, error)

    def admit(self, principal: Principal) -> None:
        """Take a token from the principal's bucket, or refuse with the seconds until one is back."""
        if principal.rate is None:
            return
        per_second = principal.rate / 60
        now = self._clock()
        bucket = self._bucket(principal.bucket, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * per_second)
        bucket.updated = now
        if bucket.tokens < 1:
            raise RateLimited(max(1, math.ceil((1 - bucket.tokens) / per_second)))
        bucket.tokens -= 1

    def _bucket(self, name: str, now: float) -> _Bucket:
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = self._buckets[name] = _Bucket(float(self._burst), now)
            if len(self._buckets) > MAX_CALLERS:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(name)
        return bucket

    # -- what they spend -------------------------------------------------------------------------

    async def reserve(self, principal: Principal, characters: int, *, durable: bool = False) -> Reservation:
        """`characters` reserved (committed), or QuotaExceeded; settle it once the work is done. Without a
        quota, and unless `durable` (a job's, settled by another process maybe), nothing is written now:
        the count is only for reporting, and a disk that cannot write it must not stop the work."""
        if principal.quota is None and not durable:
            return Reservation(None, principal.tenant, characters)
        return await self.usage_store.reserve(principal.tenant, characters, principal.quota)

    async def settle(self, reservation: Reservation, used: int) -> None:
        try:
            await self.usage_store.settle(reservation, used)
        except StoreWriteFailed as error:
            if reservation.id is not None:
                raise
            log.warning("characters used not counted: %s", error)

    @asynccontextmanager
    async def spending(self, principal: Principal, characters: int) -> AsyncIterator[None]:
        """Reserved for the block; charged in full if it succeeds, given back whole if it raises."""
        reservation = await self.reserve(principal, characters)
        used = 0
        try:
            yield
            used = characters
        finally:
            await asyncio.shield(self.settle(reservation, used))

    async def usage(self, principal: Principal) -> TenantUsage:
        return await self.usage_store.usage(principal.tenant)

    # -- the files -------------------------------------------------------------------------------

    def start(self) -> None:
        """As the server starts: carry over the counts of GAZETTE_API_KEYS kept by earlier versions, and
        give back the reservations of requests a stopped process left."""
        if self._db is None:
            return
        for key in self._keys:
            self.usage_store.carry_over(key, key_id(key))
        self.usage_store.release_orphans()

    async def keep_reservations(self) -> None:
        """While the server runs: the heartbeat of this process's requests' reservations, every third of
        the lease, which also gives back those of any replica that stopped renewing its own (it died)."""
        if self._db is None:
            return
        while True:
            await asyncio.sleep(self._lease_seconds / 3)
            try:
                await asyncio.to_thread(self.usage_store.renew)
                released = await asyncio.to_thread(self.usage_store.release_expired)
            except StoreWriteFailed as error:  # tried again at the next beat; the lease outlasts two misses
                log.warning("reservations not renewed: %s", error)
                continue
            except Exception:  # a heartbeat that stopped would lose every request's reservation
                log.exception("reservations not renewed")
                continue
            if released:
                log.info("gave back %d reservations of requests whose process stopped", released)

    def close(self) -> None:
        for store in (self._usage, self._key_store):
            if store is not None:
                store.close()
        self._usage = self._key_store = None

    @property
    def key_store(self) -> KeyStore:
        if self._key_store is None:
            self._key_store = KeyStore(self._required_db())
        return self._key_store

    @property
    def usage_store(self) -> UsageStore:
        if self._usage is None:
            self._usage = UsageStore(self._required_db(), lease_seconds=self._lease_seconds)
        return self._usage

    def _required_db(self) -> Path | str:
        if self._db is None:
            raise RuntimeError("managed keys and usage need the service's database file")
        return self._db
