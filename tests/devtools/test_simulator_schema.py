"""Every simulated answer validates against ServiceTitan's response schemas (required fields, types, no extras)."""

import pytest

from devtools.simulator import SimulatorServer
from devtools.simulator.spec import (
    build_snapshot,
    resource_schema_names,
    snapshot,
)
from servicetitan.registry import RESOURCES
from tests.devtools.simulator_support import Api, schema_errors

SERVED = [key for key, resource in RESOURCES.items() if resource.list_path]
# Collections ServiceTitan serves only through an export endpoint (job notes, …).
EXPORTED = [key for key, resource in RESOURCES.items() if resource.export_path]


def assert_valid(key: str, kind: str, body):
    errors = schema_errors(RESOURCES[key].api_module, resource_schema_names(key)[kind], body)
    assert not errors, f"{key} {kind}: " + "; ".join(errors)


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(scale=0.02, seed=3) as server:
        # Changes of every kind, so changed, inactive, created and deleted records are validated too.
        for key in server.dataset.simulated_keys():
            server.dataset.mutate(key, modify=2, deactivate=1, create=2, delete=1)
        yield server


@pytest.fixture(scope="module")
def api(server):
    return Api(server)


@pytest.mark.parametrize("key", SERVED)
def test_list_pages_match_the_schema(api, key):
    resource = RESOURCES[key]
    params = {"pageSize": 5000, "includeTotal": "true"}
    if resource.include_inactive:
        params[resource.include_inactive[0]] = resource.include_inactive[1]
    response = api.list(key, **params)
    assert response.status_code == 200
    body = response.json()
    assert body["data"], f"{key} listed nothing"
    assert body["totalCount"] == len(body["data"])
    assert_valid(key, "list", body)


@pytest.mark.parametrize("key", [key for key in SERVED if RESOURCES[key].get_path])
def test_get_answers_match_the_schema(api, server, key):
    ids = [i for i in server.dataset.ids(key) if not server.dataset.is_deleted(key, i)]
    for record_id in (ids[0], ids[-1]):
        response = api.get(key, record_id)
        assert response.status_code == 200
        body = response.json()
        # The markup table answers {"data": tier}, as its spec says; the others the record itself.
        record = body["data"] if key == "pricebook.markup-tiers" else body
        assert record["id"] == record_id
        assert_valid(key, "get", body)


@pytest.mark.parametrize("key", EXPORTED)
def test_export_batches_match_the_schema(api, key):
    response = api.export(key)
    assert response.status_code == 200
    body = response.json()
    assert body["data"]
    assert_valid(key, "export", body)


def test_error_answers_match_the_problem_schema(api):
    response = api.list("pricebook.materials", pageSize=0)
    assert response.status_code == 400
    assert_valid_problem(response.json())


def assert_valid_problem(body):
    assert not schema_errors("pricebook", "ApiErrorResponse", body)


def test_the_vendored_schema_snapshot_matches_the_specs():
    assert build_snapshot() == snapshot(), (
        "devtools/simulator/schemas.json is stale: run "
        "`python -c 'from devtools.simulator.spec import write_snapshot; write_snapshot()'`"
    )
