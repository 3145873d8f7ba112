"""Shared set-up for the client's unit tests: a client against fake hosts, a recorded sleep, token answers."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
import responses
from django.core.cache.backends.locmem import LocMemCache

from servicetitan.client import ClientConfig, ServiceTitanClient
from servicetitan.client.ratelimit import UnlimitedRateLimiter

API = "https://api.st.test"
AUTH = "https://auth.st.test"
TOKEN_URL = f"{AUTH}/connect/token"
CLIENT_ID = "lazi-test-client"
SECRET = "client-secret-never-logged"
APP_KEY = "app-key-never-logged"
TENANT = 4242

CONFIG = ClientConfig(
    client_id=CLIENT_ID,
    client_secret=SECRET,
    app_key=APP_KEY,
    tenant_id=TENANT,
    api_url=API,
    auth_url=AUTH,
    max_attempts=4,
    backoff_base=0.5,
    backoff_max=8.0,
    page_size=5000,
)


class RecordedSleep:
    """Stands in for time.sleep: records every wait instead of waiting."""

    def __init__(self):
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def private_cache() -> LocMemCache:
    """A token cache of this test alone (the shared Django cache may be one Redis for parallel test workers)."""
    return LocMemCache(f"client-test-{uuid.uuid4().hex}", {})


def make_client(*, limiter=None, cache=None, rng=lambda: 1.0, **config) -> ServiceTitanClient:
    """A client whose waits are recorded in `client.sleeps` (jitter pinned to the top of the range by default)."""
    sleep = RecordedSleep()
    client = ServiceTitanClient(
        replace(CONFIG, **config),
        limiter=limiter or UnlimitedRateLimiter(),
        cache=cache or private_cache(),
        sleep=sleep,
        rng=rng,
    )
    client.sleeps = sleep.calls
    return client


def client_redis_url(url: str) -> str:
    """The client's own Redis database (1) on the server of `url`, so the per-test flush of the cache (REDIS_URL's
    database) never touches the keys of a test in flight; database 15 when REDIS_URL itself is database 1."""
    parts = urlsplit(url)
    database = "15" if parts.path.strip("/") == "1" else "1"
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def module_url(module: str, path: str = "") -> str:
    return f"{API}/{module}/v2/tenant/{TENANT}{path}"


def add_tokens(*tokens: str, expires_in: float = 900) -> None:
    """Token answers, one per fetch, in order (the last one repeats)."""
    for token in tokens:
        responses.add(
            responses.POST, TOKEN_URL, json={"access_token": token, "token_type": "Bearer", "expires_in": expires_in}
        )


def api_calls() -> list:
    return [call for call in responses.calls if call.request.url.startswith(API)]


def token_calls() -> list:
    return [call for call in responses.calls if call.request.url.startswith(TOKEN_URL)]


def query_of(call) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(call.request.url).query).items()}


def page_body(items: list, *, page: int = 1, has_more: bool = False) -> str:
    return json.dumps({"page": page, "pageSize": 5000, "hasMore": has_more, "data": items})


@pytest.fixture
def token_one():
    """`responses` faking ServiceTitan, with one token ("token-1") ready; reset afterwards."""
    responses.start()
    add_tokens("token-1")
    yield
    responses.stop()
    responses.reset()
