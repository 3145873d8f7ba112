"""Faults and the request budget: what makes the simulator misbehave the way ServiceTitan sometimes does."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field, fields


@dataclass
class FaultConfig:
    """Fault rates (0..1 of API requests), mutable while the server runs (also via POST /_simulator/faults).

    Draws come from a generator seeded with `seed`, two per API request whatever the rates, so a given sequence of
    requests meets the same faults every run.
    """

    error_rate: float = 0.0  # 500/502/503, RFC 7807 or HTML body
    rate_limit_rate: float = 0.0  # 429 with Retry-After: retry_after
    latency: float = 0.0  # seconds added to every API request
    truncate_rate: float = 0.0  # a 200 whose body is cut mid-JSON
    token_lifetime: int = 3600  # seconds, for tokens issued from now on
    seed: int = 0
    retry_after: int = 1  # the Retry-After of 429s (seconds)
    token_errors: bool = False  # the token endpoint gets 5xx faults too
    _rng: random.Random = field(default=None, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __post_init__(self):
        self._rng = random.Random(self.seed)

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "seed" and getattr(self, "_lock", None) is not None:
            self._rng = random.Random(value)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if not f.name.startswith("_"))

    def update(self, **changes) -> FaultConfig:
        unknown = set(changes) - set(self.field_names())
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        for name, value in changes.items():
            kind = type(getattr(self, name))
            setattr(self, name, kind(value) if kind is not bool else _as_bool(value))
        return self

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.field_names()}

    def draws(self) -> tuple[float, float]:
        with self._lock:
            return self._rng.random(), self._rng.random()


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class RequestBudget:
    """At most `rate_per_second` API requests in any one-second window; beyond it the caller answers 429."""

    def __init__(self, rate_per_second: int | None):
        self.rate_per_second = rate_per_second
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> int | None:
        """None when the request may go on, else the seconds to wait (the Retry-After)."""
        if not self.rate_per_second:
            return None
        now = time.monotonic()
        with self._lock:
            times = self._times
            while times and times[0] <= now - 1.0:
                times.popleft()
            if len(times) >= self.rate_per_second:
                return max(1, math.ceil(times[0] + 1.0 - now))
            times.append(now)
            return None
