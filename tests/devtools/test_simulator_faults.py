"""Faults, the request budget, stats, the HTTP controls and the pytest fixtures."""

import json
import time

import pytest
import requests

from devtools.simulator import FaultConfig, SimulatorServer
from tests.devtools.simulator_support import Api


@pytest.fixture
def server():
    with SimulatorServer(scale=0.01, seed=11) as server:
        yield server


@pytest.fixture
def api(server):
    return Api(server)


def statuses(api, n, key="crm.customers"):
    return [api.list(key, pageSize=1).status_code for _ in range(n)]


def test_error_rate_gives_5xx_with_problem_or_html_bodies(api, server):
    api.fetch_token()
    server.faults.update(error_rate=0.3, seed=1)
    responses = [api.list("crm.customers", pageSize=1) for _ in range(200)]
    failed = [r for r in responses if r.status_code >= 500]
    assert 40 <= len(failed) <= 80
    assert {r.status_code for r in failed} == {500, 502, 503}
    kinds = {r.headers["Content-Type"].split(";")[0] for r in failed}
    assert kinds == {"application/problem+json", "text/html"}
    for response in failed:
        if "json" in response.headers["Content-Type"]:
            assert response.json()["status"] == response.status_code
    assert all(r.status_code == 200 for r in responses if r.status_code < 500)


def test_faults_are_deterministic_for_a_seed():
    def run():
        with SimulatorServer(faults=FaultConfig(error_rate=0.2, rate_limit_rate=0.2, seed=4)) as server:
            api = Api(server)
            api.fetch_token()
            return statuses(api, 60)

    first = run()
    assert first == run()
    assert {200, 429} <= set(first)


def test_rate_limit_faults_answer_429_with_a_small_retry_after(api, server):
    api.fetch_token()
    server.faults.update(rate_limit_rate=0.5, retry_after=0, seed=2)
    responses = [api.list("crm.customers", pageSize=1) for _ in range(40)]
    limited = [r for r in responses if r.status_code == 429]
    assert 8 <= len(limited) <= 32
    assert {r.headers["Retry-After"] for r in limited} == {"0"}
    assert limited[0].json()["status"] == 429


def test_truncated_bodies_are_cut_mid_json(api, server):
    api.fetch_token()
    server.faults.truncate_rate = 1.0
    response = api.list("pricebook.materials", pageSize=10)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content) > 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    server.faults.truncate_rate = 0.0
    assert api.list("pricebook.materials", pageSize=10).json()["data"]


def test_latency_is_added_to_api_requests(api, server):
    api.fetch_token()
    server.faults.latency = 0.2
    started = time.monotonic()
    assert api.list("crm.customers", pageSize=1).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_faults_spare_the_controls_and_by_default_the_token_endpoint(api, server):
    server.faults.error_rate = 1.0
    assert requests.get(f"{server.url}/_simulator/health").status_code == 200
    assert api.fetch_token().status_code == 200
    assert api.list("crm.customers").status_code >= 500
    server.faults.token_errors = True
    assert api.fetch_token().status_code >= 500


def test_request_budget_answers_429_beyond_the_rate():
    with SimulatorServer(rate_per_second=5) as server:
        api = Api(server)
        api.fetch_token()
        responses = [api.list("crm.customers", pageSize=1) for _ in range(12)]
        codes = [r.status_code for r in responses]
        assert codes.count(200) == 5
        assert codes.count(429) == 7
        assert all(int(r.headers["Retry-After"]) >= 1 for r in responses if r.status_code == 429)


def test_faults_can_be_changed_over_http(server):
    response = requests.post(f"{server.url}/_simulator/faults", json={"error_rate": 0.5, "token_lifetime": 60})
    assert response.status_code == 200
    assert response.json()["error_rate"] == 0.5
    assert (server.faults.error_rate, server.faults.token_lifetime) == (0.5, 60)
    assert requests.post(f"{server.url}/_simulator/faults", json={"nonsense": 1}).status_code == 400
    assert requests.get(f"{server.url}/_simulator/faults").json()["token_lifetime"] == 60


def test_mutations_over_http(server):
    before = {r["id"]: r for r in server.dataset.records("pricebook.materials")}
    response = requests.post(
        f"{server.url}/_simulator/mutate",
        json={"resource": "pricebook.materials", "modify": 2, "create": 1, "delete": 1, "deactivate": 1},
    )
    assert response.status_code == 200
    changes = response.json()
    assert len(changes["modified"]) == 2 and len(changes["created"]) == 1
    assert changes["created"][0] not in before
    assert server.dataset.is_deleted("pricebook.materials", changes["deleted"][0])
    for record_id in changes["modified"]:
        assert server.dataset.get("pricebook.materials", record_id)["modifiedOn"] > before[record_id]["modifiedOn"]
    assert requests.post(f"{server.url}/_simulator/mutate", json={"resource": "nope"}).status_code == 400


def test_stats_count_requests_by_route_and_status(api, server):
    api.fetch_token()
    api.list("crm.customers")
    api.list("crm.customers")
    api.get("crm.customers", 1)
    stats = server.stats
    assert stats.calls("GET", "/crm/v2/tenant/{tenant}/customers") == 2
    assert stats.calls("GET", "/crm/v2/tenant/{tenant}/customers/{id}") == 1
    assert stats.calls("POST", "/connect/token") == 1
    assert stats.by_status[200] == 3 and stats.by_status[404] == 1
    assert stats.total == 4
    snapshot = requests.get(f"{server.url}/_simulator/stats").json()
    assert snapshot["by_route"]["GET /crm/v2/tenant/{tenant}/customers"] == 2
    assert snapshot["total"] == 4  # the control requests are not counted
    assert requests.post(f"{server.url}/_simulator/reset-stats").status_code == 200
    assert server.stats.total == 0
    api.list("crm.customers")
    server.reset_stats()
    assert server.stats.snapshot() == {"total": 0, "by_route": {}, "by_status": {}}


# --- the fixtures -------------------------------------------------------------------------------------------------
def test_the_simulator_fixture_points_settings_at_it(simulator, settings):
    config = settings.SERVICE_TITAN
    assert config["API_URL"] == config["AUTH_URL"] == simulator.url
    token = requests.post(
        f"{config['AUTH_URL']}/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": config["CLIENT_ID"],
            "client_secret": config["CLIENT_SECRET"],
        },
    ).json()["access_token"]
    response = requests.get(
        f"{config['API_URL']}/pricebook/v2/tenant/{config['TENANT_ID']}/materials",
        headers={"Authorization": f"Bearer {token}", "ST-App-Key": config["APP_KEY"]},
    )
    assert response.status_code == 200 and response.json()["data"]
    assert simulator.faults.error_rate == 0


def test_make_simulator_takes_custom_settings(make_simulator, settings):
    server = make_simulator(scale=0.02, seed=3, faults=FaultConfig(error_rate=1.0))
    assert settings.SERVICE_TITAN["API_URL"] == server.url
    assert server.dataset.base_count("pricebook.materials") == 100
    assert Api(server).list("crm.customers").status_code >= 500


def test_concurrent_reads_and_changes_are_served_consistently(server):
    import threading

    api = Api(server)
    api.fetch_token()
    results, stop = [], threading.Event()

    def read():
        reader = Api(server)
        reader.token = api.token
        for _ in range(15):
            response = reader.list("pricebook.materials", pageSize=100, active="Any")
            results.append((response.status_code, len(response.json()["data"])))

    def change():
        while not stop.is_set():
            server.dataset.mutate("pricebook.materials", modify=2, create=1)

    changer = threading.Thread(target=change)
    changer.start()
    readers = [threading.Thread(target=read) for _ in range(6)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    stop.set()
    changer.join()
    assert len(results) == 90
    assert all(status == 200 and size > 0 for status, size in results)
    assert server.app_errors == 0
