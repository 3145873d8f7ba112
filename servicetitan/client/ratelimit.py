"""The request budget shared by every process of a deployment: requests per window and requests in flight.

ServiceTitan counts requests per application per tenant, whichever process sends them, so with REDIS_URL the budget
lives in Redis: one Lua script checks and takes every window and a concurrency slot atomically (sliding windows kept
as sorted sets of grant times; slots as a sorted set scored by lease expiry, so a process that dies mid-request frees
its slot when the lease runs out). Without Redis the same rules hold inside this process, thread-safely.

Waiting for budget only sleeps; it never fails a request. After a 429, `pause(seconds)` holds back every process.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger("servicetitan.client")

# How often a caller re-checks when every concurrency slot is taken.
CONCURRENCY_POLL = 0.02


@dataclass(frozen=True)
class Window:
    limit: int  # requests allowed …
    seconds: float  # … in any span of this length


def windows_from_rates(per_second: int = 0, per_minute: int = 0, per_hour: int = 0) -> list[Window]:
    """Windows for the configured rates; 0 disables a window."""
    rates = [(per_second, 1.0), (per_minute, 60.0), (per_hour, 3600.0)]
    return [Window(int(limit), seconds) for limit, seconds in rates if limit and limit > 0]


@dataclass
class Permit:
    """One granted request; release it once the answer is read. `waited`: the budget made the caller wait."""

    waited: bool = False
    granted_at: float = 0.0  # the limiter's clock (Redis' for the shared one): when the budget granted it
    _release: Callable[[], None] | None = field(default=None, repr=False)

    def release(self) -> None:
        if self._release is not None:
            release, self._release = self._release, None
            release()

    def __enter__(self) -> Permit:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class RateLimiter:
    """Interface: `acquire()` blocks until the budget allows one more request."""

    windows: Sequence[Window] = ()
    max_concurrency: int = 0

    def acquire(self) -> Permit:
        raise NotImplementedError

    def pause(self, seconds: float) -> None:
        """Hold back every request for `seconds` (ServiceTitan answered 429)."""


class UnlimitedRateLimiter(RateLimiter):
    def acquire(self) -> Permit:
        return Permit()


class LocalRateLimiter(RateLimiter):
    """The budget inside one process (no Redis): sliding windows of grant times and a counted set of slots."""

    def __init__(
        self,
        windows: Sequence[Window] = (),
        max_concurrency: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.windows = tuple(windows)
        self.max_concurrency = max_concurrency
        self._clock = clock
        self._sleep = sleep
        self._grants = [deque() for _ in self.windows]
        self._in_flight = 0
        self._paused_until = 0.0
        self._condition = threading.Condition()

    def acquire(self) -> Permit:
        waited = False
        while True:
            with self._condition:
                now = self._clock()
                wait = self._paused_until - now
                if wait <= 0:
                    if self.max_concurrency and self._in_flight >= self.max_concurrency:
                        # A slot frees when a request finishes: wait for its notification, not a guessed time.
                        waited = True
                        self._condition.wait(CONCURRENCY_POLL)
                        continue
                    wait = self._window_wait(now)
                if wait <= 0:
                    for grants in self._grants:
                        grants.append(now)
                    self._in_flight += 1
                    return Permit(waited=waited, granted_at=now, _release=self._release)
            waited = True
            self._sleep(wait)

    def _window_wait(self, now: float) -> float:
        wait = 0.0
        for window, grants in zip(self.windows, self._grants, strict=True):
            while grants and grants[0] <= now - window.seconds:
                grants.popleft()
            if len(grants) >= window.limit:
                wait = max(wait, grants[0] + window.seconds - now)
        return wait

    def _release(self) -> None:
        with self._condition:
            self._in_flight -= 1
            self._condition.notify()

    def pause(self, seconds: float) -> None:
        with self._condition:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


# KEYS[1] = slots (member -> lease expiry ms), KEYS[2] = pause flag, KEYS[3..] = one sorted set per window.
# ARGV[1] = member, ARGV[2] = max concurrency (0 = none), ARGV[3] = lease ms, then (limit, window ms) per window.
# Returns {wait, now}: wait is 0 when granted, the ms to wait for a window or the pause, or -1 when every slot is
# taken; now is Redis' clock in ms (one clock for every process).
_ACQUIRE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {paused, now} end
local max_slots = tonumber(ARGV[2])
if max_slots > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= max_slots then return {-1, now} end
end
local wait = 0
for i = 3, #KEYS do
  local limit = tonumber(ARGV[4 + (i - 3) * 2])
  local span = tonumber(ARGV[5 + (i - 3) * 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - span)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local until_free = tonumber(oldest[2]) + span - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return {wait, now} end
for i = 3, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[5 + (i - 3) * 2]))
end
if max_slots > 0 then
  local lease = tonumber(ARGV[3])
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease)
end
return {0, now}
"""


class RedisRateLimiter(RateLimiter):
    """The budget shared by every process through Redis.

    `lease` bounds how long a slot stays taken when its holder dies without releasing it; it must outlast the
    longest request (connect + read timeouts).
    """

    def __init__(
        self,
        redis_client,
        namespace: str,
        windows: Sequence[Window] = (),
        max_concurrency: int = 0,
        *,
        lease: float = 180.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.windows = tuple(windows)
        self.max_concurrency = max_concurrency
        self._redis = redis_client
        self._sleep = sleep
        self._lease_ms = max(1, int(lease * 1000))
        self.slots_key = f"{namespace}:slots"
        self.pause_key = f"{namespace}:pause"
        self._window_keys = [f"{namespace}:window:{w.seconds:g}s" for w in self.windows]
        self._window_args = [str(v) for w in self.windows for v in (w.limit, max(1, int(w.seconds * 1000)))]
        self._script = redis_client.register_script(_ACQUIRE_SCRIPT)

    def acquire(self) -> Permit:
        member = uuid.uuid4().hex
        keys = [self.slots_key, self.pause_key, *self._window_keys]
        args = [member, self.max_concurrency, self._lease_ms, *self._window_args]
        waited = False
        while True:
            wait_ms, now_ms = (int(value) for value in self._script(keys=keys, args=args))
            if wait_ms == 0:
                release = (lambda: self._redis.zrem(self.slots_key, member)) if self.max_concurrency else None
                return Permit(waited=waited, granted_at=now_ms / 1000, _release=release)
            waited = True
            self._sleep(CONCURRENCY_POLL if wait_ms < 0 else wait_ms / 1000)

    def pause(self, seconds: float) -> None:
        milliseconds = int(seconds * 1000)
        if milliseconds <= 0:
            return
        # Keep the longer of an existing pause and this one.
        current = self._redis.pttl(self.pause_key)
        if current is None or current < milliseconds:
            self._redis.set(self.pause_key, 1, px=milliseconds)


_local_limiters: dict[tuple, LocalRateLimiter] = {}
_redis_clients: dict[str, object] = {}
_registry_lock = threading.Lock()


def redis_client_for(url: str):
    """One connection pool per Redis URL and process."""
    with _registry_lock:
        client = _redis_clients.get(url)
        if client is None:
            import redis

            client = _redis_clients[url] = redis.Redis.from_url(url)
        return client


def shared_rate_limiter(
    namespace: str,
    windows: Sequence[Window],
    max_concurrency: int,
    *,
    redis_url: str = "",
    lease: float = 180.0,
) -> RateLimiter:
    """The limiter every client of this deployment shares for `namespace` (one app on one tenant)."""
    if not windows and not max_concurrency:
        return UnlimitedRateLimiter()
    if redis_url:
        return RedisRateLimiter(redis_client_for(redis_url), namespace, windows, max_concurrency, lease=lease)
    key = (namespace, tuple(windows), max_concurrency)
    with _registry_lock:
        limiter = _local_limiters.get(key)
        if limiter is None:
            limiter = _local_limiters[key] = LocalRateLimiter(windows, max_concurrency)
        return limiter
