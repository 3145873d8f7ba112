"""The client end to end against the simulator's faults: every record arrives once, no write is sent twice."""

from dataclasses import replace

from devtools.simulator import FaultConfig
from servicetitan.client import ClientConfig, ServiceTitanClient
from servicetitan.client.errors import ServiceTitanError
from servicetitan.client.ratelimit import UnlimitedRateLimiter
from tests.servicetitan.client_support import RecordedSleep

FAULTS = FaultConfig(error_rate=0.15, rate_limit_rate=0.15, truncate_rate=0.15, seed=7)


def faulty_client() -> ServiceTitanClient:
    """A client that records its waits (backoff, Retry-After) instead of sleeping, with attempts to spare."""
    config = replace(ClientConfig.from_settings(), max_attempts=12)
    return ServiceTitanClient(config, limiter=UnlimitedRateLimiter(), sleep=RecordedSleep())


def existing_ids(simulator, key):
    return {r["id"] for r in simulator.dataset.records(key) if not simulator.dataset.is_deleted(key, r["id"])}


def test_list_and_export_survive_errors_429s_and_truncated_bodies(make_simulator):
    simulator = make_simulator(faults=FAULTS)
    client = faulty_client()

    listed = [item["id"] for page in client.iter_pages("pricebook.materials", page_size=7) for item in page.items]
    exported = [item["id"] for batch in client.iter_export("pricebook.materials") for item in batch.items]

    assert sorted(listed) == sorted(existing_ids(simulator, "pricebook.materials"))
    assert {r["id"] for r in simulator.dataset.records("pricebook.materials")} == set(exported)
    assert client.stats.retries > 0
    assert client.stats.calls == simulator.stats.total - simulator.stats.calls("POST", "/connect/token")


def test_creates_are_never_duplicated_under_faults(make_simulator):
    simulator = make_simulator(faults=FAULTS)
    client = faulty_client()
    before = existing_ids(simulator, "crm.customers")

    created, failed = 0, 0
    for n in range(12):
        try:
            client.create("crm.customers", {"name": f"Fault test {n}", "type": "Residential", "locations": []})
            created += 1
        except ServiceTitanError:  # a 5xx or broken answer to a POST is reported, never resent
            failed += 1

    new = existing_ids(simulator, "crm.customers") - before
    # A failed answer may still have created the customer, but no POST ever created two.
    assert created <= len(new) <= created + failed
    assert simulator.stats.calls("POST", "/crm/v2/tenant/{tenant}/customers") == client.stats.calls
