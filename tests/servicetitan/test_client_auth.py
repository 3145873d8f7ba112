"""The OAuth token: fetched once, cached for every process, renewed ahead of expiry by one process, 401 recovery."""

import threading
import time
from urllib.parse import parse_qs

import pytest
import responses

from servicetitan.client import get_client
from servicetitan.client.auth import TokenProvider
from servicetitan.client.errors import AuthenticationError, ConfigurationError
from tests.servicetitan.client_support import (
    APP_KEY,
    CLIENT_ID,
    SECRET,
    TOKEN_URL,
    add_tokens,
    api_calls,
    make_client,
    module_url,
    private_cache,
    token_calls,
)

CUSTOMER_URL = module_url("crm", "/customers/7")


class FakeClock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


class CountingFetch:
    def __init__(self, lifetime: float = 3600):
        self.count = 0
        self.lifetime = lifetime

    def __call__(self):
        self.count += 1
        return f"token-{self.count}", self.lifetime


@pytest.fixture
def cache():
    """The cache the processes of one deployment share (the Redis-backed case: test_client_token_redis.py)."""
    return private_cache()


def make_provider(fetch, cache, clock=None, sleep=None):
    return TokenProvider(
        fetch, namespace="deployment", cache=cache, clock=clock or FakeClock(), sleep=sleep or (lambda s: None)
    )


@responses.activate
def test_token_is_fetched_with_client_credentials_and_sent_on_every_request():
    add_tokens("token-1")
    responses.add(responses.GET, CUSTOMER_URL, json={"id": 7})
    client = make_client()

    assert client.get("crm.customers", 7) == {"id": 7}
    assert client.get("crm.customers", 7) == {"id": 7}

    assert len(token_calls()) == 1
    form = parse_qs(token_calls()[0].request.body)
    assert form == {"grant_type": ["client_credentials"], "client_id": [CLIENT_ID], "client_secret": [SECRET]}
    assert token_calls()[0].request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    for call in api_calls():
        assert call.request.headers["Authorization"] == "Bearer token-1"
        assert call.request.headers["ST-App-Key"] == APP_KEY


@responses.activate
def test_token_is_shared_through_the_cache_by_every_client():
    add_tokens("token-1", "token-2")
    responses.add(responses.GET, CUSTOMER_URL, json={"id": 7})
    shared = private_cache()

    make_client(cache=shared).get("crm.customers", 7)
    make_client(cache=shared).get("crm.customers", 7)

    assert len(token_calls()) == 1
    assert [c.request.headers["Authorization"] for c in api_calls()] == ["Bearer token-1"] * 2


def test_token_is_renewed_five_minutes_before_expiry(cache):
    clock, fetch = FakeClock(), CountingFetch(lifetime=3600)
    provider = make_provider(fetch, cache, clock)
    start = clock.now

    assert provider.get() == "token-1"
    clock.now = start + 3600 - 301
    assert provider.get() == "token-1"
    clock.now = start + 3600 - 299
    assert provider.get() == "token-2"
    assert fetch.count == 2


def test_short_lived_token_is_renewed_after_four_fifths_of_its_life(cache):
    clock, fetch = FakeClock(), CountingFetch(lifetime=5)
    provider = make_provider(fetch, cache, clock)
    start = clock.now

    assert provider.get() == "token-1"
    clock.now = start + 3.9
    assert provider.get() == "token-1"
    clock.now = start + 4.1
    assert provider.get() == "token-2"


@responses.activate
def test_short_lifetime_from_the_token_endpoint_is_respected():
    add_tokens("token-1", expires_in=5)
    responses.add(responses.GET, CUSTOMER_URL, json={"id": 7})
    client = make_client()

    client.get("crm.customers", 7)

    entry = client._tokens.cached()
    assert entry["expires_at"] - entry["refresh_at"] == pytest.approx(1.0)


def test_while_another_process_renews_the_current_valid_token_is_used(cache):
    clock, fetch = FakeClock(), CountingFetch(lifetime=3600)
    provider = make_provider(fetch, cache, clock)
    provider.get()
    clock.now += 3400  # due for renewal, still valid
    cache.add(provider.lock_key, "another-process", timeout=30)

    assert provider.get() == "token-1"
    assert fetch.count == 1


def test_without_a_token_a_waiting_process_picks_up_the_one_another_process_stored(cache):
    clock, fetch = FakeClock(), CountingFetch()
    renewing = make_provider(CountingFetch(), cache, clock)
    cache.add(renewing.lock_key, "another-process", timeout=30)

    def sleep(seconds):
        # Meanwhile the other process stores its token and lets go of the lock.
        renewing._fetch_and_store()
        cache.delete(renewing.lock_key)

    waiting = make_provider(fetch, cache, clock, sleep=sleep)

    assert waiting.get() == "token-1"
    assert fetch.count == 0


def test_a_lock_left_by_a_dead_process_expires_and_the_waiter_renews(cache):
    clock, fetch = FakeClock(), CountingFetch()
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            cache.delete(provider.lock_key)  # the lock's timeout runs out

    provider = make_provider(fetch, cache, clock, sleep=sleep)
    cache.add(provider.lock_key, "dead-process", timeout=30)

    assert provider.get() == "token-1"
    assert len(sleeps) == 3
    assert cache.get(provider.lock_key) is None  # released after renewing


def test_concurrent_threads_renew_the_token_only_once(cache):
    calls = []

    def slow_fetch():
        calls.append(1)
        time.sleep(0.1)
        return "token-shared", 3600

    provider = TokenProvider(slow_fetch, namespace="deployment", cache=cache, poll_interval=0.01)
    start = threading.Barrier(8)
    results = []

    def worker():
        start.wait()
        results.append(provider.get())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == ["token-shared"] * 8
    assert len(calls) == 1


@responses.activate
def test_401_renews_the_token_once_and_retries_once():
    add_tokens("token-1", "token-2")
    responses.add(responses.GET, CUSTOMER_URL, status=401, json={"title": "Unauthorized", "status": 401})
    responses.add(responses.GET, CUSTOMER_URL, json={"id": 7})
    client = make_client()

    assert client.get("crm.customers", 7) == {"id": 7}

    assert [c.request.headers["Authorization"] for c in api_calls()] == ["Bearer token-1", "Bearer token-2"]
    assert len(token_calls()) == 2
    assert client.sleeps == []
    assert client.stats.calls == 2


@responses.activate
def test_a_second_401_is_an_authentication_error():
    add_tokens("token-1", "token-2", "token-3")
    responses.add(responses.GET, CUSTOMER_URL, status=401, json={"title": "Unauthorized", "status": 401})
    client = make_client()

    with pytest.raises(AuthenticationError) as raised:
        client.get("crm.customers", 7)

    assert raised.value.status == 401
    assert len(api_calls()) == 2
    assert len(token_calls()) == 2


@responses.activate
def test_refused_credentials_raise_a_clear_error_without_the_secret():
    responses.add(responses.POST, TOKEN_URL, status=400, json={"error": "invalid_client"})
    client = make_client()

    with pytest.raises(AuthenticationError) as raised:
        client.get("crm.customers", 7)

    message = str(raised.value)
    assert "SERVICE_TITAN_CLIENT_ID" in message and "SERVICE_TITAN_CLIENT_SECRET" in message
    assert SECRET not in message and SECRET not in repr(raised.value)
    assert len(token_calls()) == 1  # a refusal is not retried
    assert api_calls() == []


@responses.activate
def test_token_endpoint_outage_is_retried():
    responses.add(responses.POST, TOKEN_URL, status=503)
    add_tokens("token-1")
    responses.add(responses.GET, CUSTOMER_URL, json={"id": 7})
    client = make_client()

    assert client.get("crm.customers", 7) == {"id": 7}
    assert len(token_calls()) == 2
    assert len(client.sleeps) == 1


def test_configuration_error_names_the_missing_variables_but_no_values(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "CLIENT_ID": "", "APP_KEY": "", "CLIENT_SECRET": "hunter2-x"}
    settings.SERVICE_TITAN["TENANT_ID"] = "1000001"

    with pytest.raises(ConfigurationError) as raised:
        get_client()

    message = str(raised.value)
    assert "SERVICE_TITAN_CLIENT_ID" in message and "SERVICE_TITAN_APP_KEY" in message
    assert "SERVICE_TITAN_CLIENT_SECRET" not in message
    assert "hunter2-x" not in message


def test_configuration_error_for_a_non_numeric_tenant(settings):
    settings.SERVICE_TITAN = {
        **settings.SERVICE_TITAN,
        "CLIENT_ID": "id",
        "CLIENT_SECRET": "secret",
        "APP_KEY": "key",
        "TENANT_ID": "acme",
    }

    with pytest.raises(ConfigurationError, match="SERVICE_TITAN_TENANT_ID"):
        get_client()


def test_configured_client_takes_its_settings(settings):
    settings.SERVICE_TITAN = {
        **settings.SERVICE_TITAN,
        "CLIENT_ID": "id",
        "CLIENT_SECRET": "secret",
        "APP_KEY": "key",
        "TENANT_ID": "1000001",
        "PAGE_SIZE": 9000,
    }

    client = get_client()

    assert client.tenant_id == 1000001
    assert client.config.page_size == 5000  # ServiceTitan's maximum
    assert "secret" not in repr(client) and "secret" not in repr(client.config)


def test_the_cached_token_is_keyed_by_the_credentials_never_holding_the_secret():
    from tests.servicetitan.client_support import make_client, private_cache

    cache = private_cache()
    first = make_client(client_secret="secret-one", cache=cache)
    same = make_client(client_secret="secret-one", cache=cache)
    changed = make_client(client_secret="secret-two", cache=cache)
    other_auth = make_client(
        client_secret="secret-one", auth_url="https://auth-integration.servicetitan.io", cache=cache
    )

    assert first._tokens.cache_key == same._tokens.cache_key
    assert changed._tokens.cache_key != first._tokens.cache_key  # a new secret does not reuse the old token
    assert other_auth._tokens.cache_key != first._tokens.cache_key
    for client in (first, changed):
        assert "secret" not in client._tokens.cache_key and "secret" not in client._tokens.lock_key
