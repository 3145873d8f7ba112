"""The OAuth2 access token, shared by every process through the Django cache (Redis in production).

A token is renewed ahead of its expiry: 5 minutes before it, or a fifth of its lifetime for short-lived tokens.
Only one process renews at a time (a cache lock taken with `cache.add`); the others keep using the current token
while it is still valid, or wait briefly and re-read the cache when there is none.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable

logger = logging.getLogger("servicetitan.client")

REFRESH_BEFORE_EXPIRY = 300.0  # seconds
SHORT_LIFETIME_FRACTION = 0.2  # renew after 80 % of a short lifetime


def refresh_margin(lifetime: float) -> float:
    """How long before expiry a token of this lifetime is renewed."""
    return min(REFRESH_BEFORE_EXPIRY, lifetime * SHORT_LIFETIME_FRACTION)


def usable_margin(lifetime: float) -> float:
    """How long before expiry a token is no longer handed out (a request needs a little time to reach ServiceTitan)."""
    return min(30.0, lifetime * 0.1)


class TokenProvider:
    """Hands out a valid access token, renewing it through `fetch() -> (access_token, lifetime_seconds)`."""

    def __init__(
        self,
        fetch: Callable[[], tuple[str, float]],
        *,
        namespace: str,
        cache=None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        lock_timeout: float = 30.0,
        poll_interval: float = 0.05,
    ):
        if cache is None:
            from django.core.cache import cache
        self._fetch = fetch
        self._cache = cache
        self._clock = clock
        self._sleep = sleep
        self._lock_timeout = lock_timeout
        self._poll_interval = poll_interval
        # The namespace (auth URL + client id + secret) is hashed: cache keys show up in monitoring, credentials must not.
        digest = hashlib.sha256(namespace.encode()).hexdigest()[:16]
        self.cache_key = f"servicetitan:token:{digest}"
        self.lock_key = f"servicetitan:token-lock:{digest}"

    def get(self) -> str:
        """A token that is valid now; renews it (once, across processes) when it is due."""
        entry = self._cache.get(self.cache_key)
        if entry and self._clock() < entry["refresh_at"]:
            return entry["access_token"]
        return self._renew(rejected=None)

    def cached(self) -> dict | None:
        """The cached entry (access_token, expires_at, refresh_at, usable_until as epoch seconds), if any."""
        return self._cache.get(self.cache_key)

    def refresh(self, rejected: str | None = None) -> str:
        """A new token after ServiceTitan refused `rejected` (401): drop it, unless another process already did."""
        entry = self._cache.get(self.cache_key)
        if entry and entry["access_token"] == rejected:
            self._cache.delete(self.cache_key)
        return self._renew(rejected=rejected)

    def renew_now(self) -> str:
        """A newly fetched token, whatever the cache holds (checks the credentials)."""
        entry = self._cache.get(self.cache_key)
        return self.refresh(rejected=entry["access_token"] if entry else None)

    def _renew(self, *, rejected: str | None) -> str:
        owner = uuid.uuid4().hex
        while True:
            if self._cache.add(self.lock_key, owner, timeout=max(1, int(self._lock_timeout))):
                try:
                    # Another process may have renewed between our read and our lock.
                    entry = self._cache.get(self.cache_key)
                    if entry and entry["access_token"] != rejected and self._clock() < entry["refresh_at"]:
                        return entry["access_token"]
                    return self._fetch_and_store()
                finally:
                    if self._cache.get(self.lock_key) == owner:
                        self._cache.delete(self.lock_key)
            # Someone else is renewing: keep using the current token while it is valid, else wait for the new one.
            entry = self._cache.get(self.cache_key)
            if entry and entry["access_token"] != rejected and self._clock() < entry["usable_until"]:
                return entry["access_token"]
            self._sleep(self._poll_interval)

    def _fetch_and_store(self) -> str:
        access_token, lifetime = self._fetch()
        now = self._clock()
        entry = {
            "access_token": access_token,
            "expires_at": now + lifetime,
            "refresh_at": now + lifetime - refresh_margin(lifetime),
            "usable_until": now + lifetime - usable_margin(lifetime),
        }
        self._cache.set(self.cache_key, entry, timeout=max(1, int(lifetime)))
        logger.info("ServiceTitan access token obtained (valid %.0f s)", lifetime)
        return access_token
