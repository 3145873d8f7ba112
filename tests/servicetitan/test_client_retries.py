"""Retries: 429 with Retry-After, 5xx/timeouts/broken bodies with backoff, and POSTs that must not be sent twice."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import responses
import urllib3

from servicetitan.client.client import backoff_delay, parse_retry_after
from servicetitan.client.errors import (
    BadResponseError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
)
from servicetitan.client.ratelimit import Permit, RateLimiter
from tests.servicetitan.client_support import add_tokens, api_calls, make_client, module_url

MATERIAL_URL = module_url("pricebook", "/materials/11")
CUSTOMERS_URL = module_url("crm", "/customers")


def refused() -> requests.ConnectionError:
    """What requests raises when nothing listens: the request never left this machine."""
    cause = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", reason=cause))


@pytest.fixture(autouse=True)
def _token():
    responses.start()
    add_tokens("token-1")
    yield
    responses.stop()
    responses.reset()


def test_429_waits_the_retry_after_seconds_then_succeeds():
    responses.add(responses.GET, MATERIAL_URL, status=429, headers={"Retry-After": "7"}, json={"title": "Too many"})
    responses.add(responses.GET, MATERIAL_URL, json={"id": 11})
    client = make_client()

    assert client.get("pricebook.materials", 11) == {"id": 11}

    assert client.sleeps == [7.0]
    assert client.stats.snapshot() == {"calls": 2, "retries": 1, "throttled": 0}


def test_429_with_an_http_date_waits_until_that_date():
    when = datetime.now(UTC) + timedelta(seconds=30)
    responses.add(responses.GET, MATERIAL_URL, status=429, headers={"Retry-After": format_datetime(when, usegmt=True)})
    responses.add(responses.GET, MATERIAL_URL, json={"id": 11})
    client = make_client()

    client.get("pricebook.materials", 11)

    assert len(client.sleeps) == 1
    assert 25 <= client.sleeps[0] <= 30


def test_retry_after_parsing():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:45 GMT", now=now) == 45.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0  # in the past: go now
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after("inf") is None


def test_429_pauses_the_shared_budget_for_every_process():
    class SpyLimiter(RateLimiter):
        paused: list = []

        def acquire(self):
            return Permit()

        def pause(self, seconds):
            self.paused.append(seconds)

    limiter = SpyLimiter()
    responses.add(responses.GET, MATERIAL_URL, status=429, headers={"Retry-After": "4"})
    responses.add(responses.GET, MATERIAL_URL, json={"id": 11})

    make_client(limiter=limiter).get("pricebook.materials", 11)

    assert limiter.paused == [4.0]


def test_429_on_every_attempt_raises_rate_limited():
    responses.add(responses.GET, MATERIAL_URL, status=429, headers={"Retry-After": "1"})
    client = make_client()

    with pytest.raises(RateLimitedError):
        client.get("pricebook.materials", 11)

    assert len(api_calls()) == 4
    assert client.sleeps == [1.0, 1.0, 1.0]


def test_5xx_backs_off_exponentially_then_succeeds():
    responses.add(responses.GET, MATERIAL_URL, status=500)
    responses.add(responses.GET, MATERIAL_URL, status=502)
    responses.add(responses.GET, MATERIAL_URL, status=503)
    responses.add(responses.GET, MATERIAL_URL, json={"id": 11})
    client = make_client()

    assert client.get("pricebook.materials", 11) == {"id": 11}

    assert client.sleeps == [0.5, 1.0, 2.0]  # jitter pinned to the top of each range
    assert client.stats.retries == 3


def test_backoff_jitter_stays_within_half_and_all_of_the_capped_delay():
    assert backoff_delay(1, 0.5, 60, rng=lambda: 0.0) == 0.25
    assert backoff_delay(3, 0.5, 60, rng=lambda: 1.0) == 2.0
    assert backoff_delay(20, 0.5, 60, rng=lambda: 1.0) == 60.0
    assert backoff_delay(20, 0.5, 60, rng=lambda: 0.0) == 30.0


def test_5xx_on_every_attempt_raises_server_error():
    body = {"type": "x", "title": "Internal failure", "status": 500, "traceId": "abc"}
    responses.add(responses.GET, MATERIAL_URL, status=500, json=body)
    client = make_client()

    with pytest.raises(ServerError) as raised:
        client.get("pricebook.materials", 11)

    assert raised.value.status == 500
    assert raised.value.trace_id == "abc"
    assert str(raised.value) == "Internal failure"
    assert len(api_calls()) == 4
    assert len(client.sleeps) == 3


def test_timeouts_and_dropped_connections_are_retried_for_reads():
    responses.add(responses.GET, MATERIAL_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    responses.add(responses.GET, MATERIAL_URL, body=requests.ConnectionError("Connection aborted"))
    responses.add(responses.GET, MATERIAL_URL, json={"id": 11})
    client = make_client()

    assert client.get("pricebook.materials", 11) == {"id": 11}
    assert client.stats.calls == 3


def test_transport_failure_on_every_attempt_raises_transport_error():
    responses.add(responses.GET, MATERIAL_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    client = make_client()

    with pytest.raises(TransportError, match="ReadTimeout"):
        client.get("pricebook.materials", 11)
    assert len(api_calls()) == 4


@pytest.mark.parametrize(
    "broken",
    [
        '{"id": 11, "name": "Copper pi',  # cut short
        "<html>Service Unavailable</html>",  # a gateway page with a 200
        requests.exceptions.ChunkedEncodingError("IncompleteRead(120 bytes read, 380 more expected)"),
    ],
)
def test_broken_bodies_are_retried(broken):
    responses.add(responses.GET, MATERIAL_URL, body=broken)
    responses.add(responses.GET, MATERIAL_URL, json={"id": 11})
    client = make_client()

    assert client.get("pricebook.materials", 11) == {"id": 11}
    assert client.stats.retries == 1


def test_a_body_broken_on_every_attempt_raises_bad_response():
    responses.add(responses.GET, MATERIAL_URL, body='{"data": [')
    client = make_client()

    with pytest.raises(BadResponseError):
        client.get("pricebook.materials", 11)
    assert len(api_calls()) == 4


def test_pages_without_their_shape_are_retried():
    responses.add(responses.GET, CUSTOMERS_URL, json={"unexpected": True})
    responses.add(responses.GET, CUSTOMERS_URL, json={"page": 1, "pageSize": 5000, "hasMore": False, "data": []})
    client = make_client()

    pages = list(client.iter_pages("crm.customers"))

    assert len(pages) == 1
    assert client.stats.retries == 1


def test_post_is_not_resent_after_a_5xx():
    responses.add(responses.POST, CUSTOMERS_URL, status=500, json={"title": "Oops"})
    responses.add(responses.POST, CUSTOMERS_URL, json={"id": 1})
    client = make_client()

    with pytest.raises(ServerError):
        client.create("crm.customers", {"name": "Ada"})
    assert len(api_calls()) == 1


def test_post_is_not_resent_after_a_read_timeout():
    responses.add(responses.POST, CUSTOMERS_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    client = make_client()

    with pytest.raises(TransportError):
        client.create("crm.customers", {"name": "Ada"})
    assert len(api_calls()) == 1


def test_post_is_not_resent_after_a_dropped_connection():
    responses.add(responses.POST, CUSTOMERS_URL, body=requests.ConnectionError("Connection aborted."))
    client = make_client()

    with pytest.raises(TransportError, match="Connection aborted"):
        client.create("crm.customers", {"name": "Ada"})
    assert len(api_calls()) == 1


def test_post_is_not_resent_after_a_broken_answer():
    responses.add(responses.POST, CUSTOMERS_URL, body='{"id": 1, "na')
    client = make_client()

    with pytest.raises(BadResponseError):
        client.create("crm.customers", {"name": "Ada"})
    assert len(api_calls()) == 1


@pytest.mark.parametrize(
    "first",
    [
        {"status": 429, "headers": {"Retry-After": "2"}},
        {"body": requests.exceptions.ConnectTimeout("connect timed out")},
        {"body": refused()},
    ],
    ids=["429", "connect-timeout", "refused"],
)
def test_post_is_resent_when_it_provably_did_not_reach_servicetitan(first):
    responses.add(responses.POST, CUSTOMERS_URL, **first)
    responses.add(responses.POST, CUSTOMERS_URL, json={"id": 1})
    client = make_client()

    assert client.create("crm.customers", {"name": "Ada"}) == {"id": 1}
    assert len(api_calls()) == 2
    assert api_calls()[1].request.body == b'{"name": "Ada"}'


def test_patch_and_put_are_retried_after_a_5xx():
    responses.add(responses.PATCH, MATERIAL_URL, status=503)
    responses.add(responses.PATCH, MATERIAL_URL, json={"id": 11, "price": 5})
    cancel_url = module_url("jpm", "/jobs/9/cancel")
    responses.add(responses.PUT, cancel_url, status=500)
    responses.add(responses.PUT, cancel_url, body="")
    client = make_client()

    assert client.update("pricebook.materials", 11, {"price": 5}) == {"id": 11, "price": 5}
    assert client.call("jobs.jobs", "cancel", st_id=9, json={"reasonId": 1, "memo": "x"}) is None
    assert len(api_calls()) == 4


def test_client_errors_are_not_retried():
    responses.add(responses.PATCH, MATERIAL_URL, status=400, json={"title": "Bad", "errors": {"price": ["No"]}})
    client = make_client()

    with pytest.raises(ValidationError):
        client.update("pricebook.materials", 11, {"price": -1})
    assert len(api_calls()) == 1
    assert client.sleeps == []


def test_waiting_for_the_budget_is_counted_as_throttled():
    class WaitingLimiter(RateLimiter):
        def acquire(self):
            return Permit(waited=True)

    responses.add(responses.GET, MATERIAL_URL, json={"id": 11})
    client = make_client(limiter=WaitingLimiter())

    client.get("pricebook.materials", 11)

    assert client.stats.snapshot() == {"calls": 1, "retries": 0, "throttled": 1}


def test_every_attempt_holds_and_releases_a_budget_permit():
    class CountingLimiter(RateLimiter):
        def __init__(self):
            self.held = 0
            self.granted = 0

        def acquire(self):
            self.held += 1
            self.granted += 1
            return Permit(_release=self._release)

        def _release(self):
            self.held -= 1

    limiter = CountingLimiter()
    responses.add(responses.GET, MATERIAL_URL, status=500)
    responses.add(responses.GET, MATERIAL_URL, body=requests.exceptions.ReadTimeout("slow"))
    responses.add(responses.GET, MATERIAL_URL, json={"id": 11})

    make_client(limiter=limiter).get("pricebook.materials", 11)

    assert limiter.granted == 3
    assert limiter.held == 0


# --- The classification alone -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("idempotent", "error", "status", "expected"),
    [
        (True, None, 429, True),
        (False, None, 429, True),  # refused before any work: even a POST goes again
        (True, None, 400, False),
        (True, None, 404, False),
        (True, None, 401, False),  # the one renewal of the token is the loop's, not a retry
        (True, None, 500, True),
        (True, None, 503, True),
        (False, None, 502, False),  # a POST may have been carried out
        (True, None, 200, True),  # a broken body
        (False, None, 201, False),
        (True, requests.ReadTimeout(), None, True),
        (False, requests.ReadTimeout(), None, False),  # it may have arrived
        (False, requests.ConnectTimeout(), None, True),  # it provably never left
        (False, "refused", None, True),
        (False, requests.exceptions.ChunkedEncodingError(), None, False),  # the answer broke off: it arrived
        (True, requests.exceptions.ChunkedEncodingError(), None, True),
        (False, requests.exceptions.SSLError(), None, False),
    ],
)
def test_may_retry_classifies_each_failure(idempotent, error, status, expected):
    from servicetitan.client.client import may_retry

    error = refused() if error == "refused" else error
    assert may_retry(idempotent=idempotent, error=error, status=status) is expected
