"""Reads as ServiceTitan serves them: auth, list semantics, exports with continuation tokens, determinism."""

import time
from datetime import UTC, datetime

import pytest
import requests

from devtools.simulator import DEMO_APP_KEY, Dataset, FaultConfig, SimulatorServer
from tests.devtools.simulator_support import Api


@pytest.fixture
def server():
    with SimulatorServer(scale=0.01, seed=5, export_batch_size=40) as server:
        yield server


@pytest.fixture
def api(server):
    return Api(server)


def active_ids(server, key):
    dataset = server.dataset
    return {r["id"] for r in dataset.records(key) if not dataset.is_deleted(key, r["id"]) and dataset.is_active(key, r)}


# --- token and auth ---------------------------------------------------------------------------------------------
def test_token_endpoint_checks_the_client_credentials(api):
    assert api.fetch_token(client_secret="wrong").status_code == 400
    assert api.fetch_token(client_secret="wrong").json() == {"error": "invalid_client"}
    response = api.fetch_token()
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"]


def test_api_calls_need_a_valid_token_app_key_and_tenant(api, server):
    url = api.url("pricebook.materials", "/tenant/{tenant}/materials")
    assert requests.get(url, headers={"ST-App-Key": DEMO_APP_KEY}).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer nope", "ST-App-Key": DEMO_APP_KEY}).status_code == 401
    headers = api.headers()
    assert requests.get(url, headers={"Authorization": headers["Authorization"]}).status_code == 401
    assert requests.get(url, headers={**headers, "ST-App-Key": "other"}).status_code == 403
    other_tenant = Api(server, tenant=42)
    other_tenant.token = api.token
    assert other_tenant.list("pricebook.materials").status_code == 403
    assert api.list("pricebook.materials").status_code == 200


def test_an_expired_token_is_refused(server):
    server.faults.token_lifetime = 1
    api = Api(server)
    assert api.fetch_token().json()["expires_in"] == 1
    assert api.list("crm.customers").status_code == 200
    time.sleep(1.05)
    response = api.list("crm.customers")
    assert response.status_code == 401
    assert "expired" in response.headers["WWW-Authenticate"]
    api.fetch_token()
    assert api.list("crm.customers").status_code == 200


def test_expire_tokens_refuses_tokens_already_issued(api, server):
    assert api.list("crm.customers").status_code == 200
    server.expire_tokens()
    assert api.list("crm.customers").status_code == 401


def test_unknown_paths_are_404_and_wrong_methods_405(api):
    assert api.call("GET", f"{api.server.url}/pricebook/v2/tenant/1000001/nothing").status_code == 404
    assert api.call("DELETE", api.url("pricebook.materials", "/tenant/{tenant}/materials")).status_code == 405


# --- list semantics -----------------------------------------------------------------------------------------------
def test_lists_show_active_records_unless_asked_for_all(api, server):
    key = "pricebook.materials"
    everything = {r["id"] for r in server.dataset.records(key)}
    active = active_ids(server, key)
    assert everything - active, "the data should have inactive records"
    assert {r["id"] for r in api.list_all(key)} == active
    assert {r["id"] for r in api.list_all(key, active="Any")} == everything
    assert {r["id"] for r in api.list_all(key, active="True")} == active
    assert {r["id"] for r in api.list_all(key, active="False")} == everything - active
    assert api.list(key, active="sometimes").status_code == 400


@pytest.mark.parametrize(
    ("key", "param", "all_value", "inactive_value"),
    [
        ("dispatch.teams", "includeInactive", "true", None),
        ("accounting.invoices", "activeState", "All", "InactiveOnly"),
        ("accounting.payments", "activeState", "All", "InactiveOnly"),
    ],
)
def test_resources_with_their_own_inactive_parameter(api, server, key, param, all_value, inactive_value):
    server.dataset.deactivate(key, 1)
    everything = {r["id"] for r in server.dataset.records(key)}
    active = active_ids(server, key)
    assert {r["id"] for r in api.list_all(key)} == active
    assert {r["id"] for r in api.list_all(key, **{param: all_value})} == everything
    if inactive_value:
        assert {r["id"] for r in api.list_all(key, **{param: inactive_value})} == everything - active


def test_resources_without_an_active_parameter_list_everything_that_exists(api, server):
    server.dataset.deactivate("crm.contacts", 3)
    deleted = server.dataset.delete("crm.contacts", 2)
    listed = {r["id"] for r in api.list_all("crm.contacts")}
    assert listed == {r["id"] for r in server.dataset.records("crm.contacts")} - set(deleted)


def test_modified_on_or_after_filters_by_change_time(api, server):
    key = "crm.customers"
    changed = set(server.dataset.modify(key, 3))
    newest_before = sorted(r["modifiedOn"] for r in server.dataset.records(key) if r["id"] not in changed)[-1]
    since = min(r["modifiedOn"] for r in server.dataset.records(key) if r["id"] in changed)
    assert since > newest_before
    assert {r["id"] for r in api.list_all(key, modifiedOnOrAfter=since, active="Any")} == changed
    assert api.list(key, modifiedOnOrAfter="yesterday").status_code == 400
    # Date-only and offset forms are accepted too.
    assert api.list(key, modifiedOnOrAfter="2000-01-01").status_code == 200
    assert api.list(key, modifiedOnOrAfter="2000-01-01T00:00:00+00:00").status_code == 200


def test_paging_and_page_size_bounds(api, server):
    key = "crm.customers"
    active = active_ids(server, key)
    first = api.list(key, pageSize=7, page=1).json()
    assert (first["page"], first["pageSize"], first["hasMore"], first["totalCount"]) == (1, 7, True, None)
    assert len(first["data"]) == 7
    seen, page = [], 1
    while True:
        body = api.list(key, pageSize=17, page=page, includeTotal="true").json()
        assert body["totalCount"] == len(active)
        seen += [r["id"] for r in body["data"]]
        if not body["hasMore"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == len(active)
    assert api.list(key, page=page + 5).json()["data"] == []
    default = api.list(key).json()
    assert default["pageSize"] == 50 and len(default["data"]) == min(50, len(active))
    for bad in ({"pageSize": 0}, {"pageSize": 5001}, {"pageSize": "many"}, {"page": 0}):
        response = api.list(key, **bad)
        assert response.status_code == 400
        body = response.json()
        assert body["status"] == 400 and body["errors"] and body["traceId"]
    assert api.list(key, pageSize=5000).status_code == 200


def test_get_by_id_and_deleted_records(api, server):
    key = "pricebook.services"
    record = server.dataset.records(key)[0]
    assert api.get(key, record["id"]).json() == record
    (deleted,) = server.dataset.delete(key, 1)
    response = api.get(key, deleted)
    assert response.status_code == 404
    assert response.json()["status"] == 404
    assert api.get(key, 999).status_code == 404


def test_categories_nest_their_subcategories(api, server):
    categories = api.list_all("pricebook.categories", active="Any")
    by_id = {c["id"]: c for c in categories}
    children = [c for c in categories if c["parentId"] is not None]
    assert children, "the tree should have subcategories"
    for child in children:
        parent = by_id[child["parentId"]]
        assert child["id"] in [sub["id"] for sub in parent["subcategories"]]
        assert child["categoryType"] == parent["categoryType"]
    assert {c["categoryType"] for c in categories} == {"Materials", "Services"}


# --- exports ------------------------------------------------------------------------------------------------------
def test_full_export_then_caught_up(api, server):
    key = "pricebook.materials"
    records, token = api.export_all(key)
    assert len(records) == len(server.dataset.records(key)) > 40  # several batches of 40
    assert len({r["id"] for r in records}) == len(records)
    assert any(not r["active"] for r in records), "exports include inactive records"
    again = api.export(key, token).json()
    assert again == {"hasMore": False, "continueFrom": token, "data": []}


def test_export_batches_are_fixed_size(api):
    first = api.export("crm.customers").json()
    assert first["hasMore"] is True
    assert len(first["data"]) == 40


def test_export_from_a_token_returns_exactly_the_changes(api, server):
    key = "crm.customers"
    dataset = server.dataset
    _, token = api.export_all(key)
    modified = dataset.modify(key, 3)
    deactivated = dataset.deactivate(key, 2)
    created = dataset.create(key, 2)
    deleted = dataset.delete(key, 2)
    # A record changed twice is exported once, in its latest state.
    modified_again = dataset.modify(key, 1)
    changes, token = api.export_all(key, token)
    ids = [r["id"] for r in changes]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(modified) | set(deactivated) | set(created) | set(deleted) | set(modified_again)
    by_id = {r["id"]: r for r in changes}
    for record_id in deactivated:
        assert by_id[record_id]["active"] is False
    for record_id in deleted:
        assert by_id[record_id]["active"] is False
        assert api.get(key, record_id).status_code == 404
    for record_id in created:
        assert api.get(key, record_id).json() == by_id[record_id]
    # modifiedOn only grows, and the export is in change order.
    stamps = [r["modifiedOn"] for r in changes]
    assert stamps == sorted(stamps)
    assert api.export(key, token).json()["data"] == []


def test_writes_through_the_api_show_up_in_the_next_export(api, server):
    key = "pricebook.materials"
    _, token = api.export_all(key)
    record_id = server.dataset.ids(key)[0]
    assert api.write(key, "update", record_id, json={"price": 123.45}).status_code == 200
    changes, _ = api.export_all(key, token)
    assert [(r["id"], r["price"]) for r in changes] == [(record_id, 123.45)]


def test_export_from_a_date(api, server):
    key = "pricebook.equipment"
    changed = server.dataset.modify(key, 2)
    since = min(r["modifiedOn"] for r in server.dataset.records(key) if r["id"] in changed)
    records, token = api.export_all(key, since)
    assert {r["id"] for r in records} == set(changed)
    assert api.export(key, token).json()["data"] == []
    assert api.export(key, "not a token").status_code == 400


# --- data ---------------------------------------------------------------------------------------------------------
def test_same_scale_and_seed_give_identical_data():
    anchor = datetime(2026, 3, 1, tzinfo=UTC)
    first, second = Dataset(scale=0.01, seed=9, anchor=anchor), Dataset(scale=0.01, seed=9, anchor=anchor)
    # Generated lazily: ask in a different order, get the same data.
    for key in reversed(second.simulated_keys()):
        second.records(key)
    for key in first.simulated_keys():
        assert first.records(key) == second.records(key), key
    assert Dataset(scale=0.01, seed=10, anchor=anchor).records("crm.customers") != first.records("crm.customers")


def test_counts_scale_linearly_with_a_minimum():
    small, large = Dataset(scale=0.01), Dataset(scale=0.1)
    assert large.base_count("pricebook.materials") == 500
    assert small.base_count("pricebook.materials") == 50
    assert small.base_count("dispatch.business-units") >= 1


def test_generated_data_is_realistic_and_consistent():
    dataset = Dataset(scale=0.05, seed=2)
    categories = {r["id"]: r for r in dataset.records("pricebook.categories")}
    materials = dataset.records("pricebook.materials")
    material_ids = {r["id"] for r in materials}
    assert all(r["id"] > 999_999_999 for r in materials)
    assert all(r["code"].startswith("MAT-") for r in materials)
    assert all(r["price"] >= r["cost"] >= 0 and r["memberPrice"] <= r["price"] for r in materials)
    assert all(categories[c]["categoryType"] == "Materials" for r in materials for c in r["categories"])
    assert any(r["assets"] and r["assets"][0]["type"] == "Image" for r in materials)
    inactive = sum(not r["active"] for r in materials) / len(materials)
    assert 0.03 < inactive < 0.2
    services = dataset.records("pricebook.services")
    equipment_ids = {r["id"] for r in dataset.records("pricebook.equipment")}
    service_ids = {r["id"] for r in services}
    assert all(link["skuId"] in material_ids for r in services for link in r["serviceMaterials"])
    assert all(link["skuId"] in equipment_ids for r in services for link in r["serviceEquipment"])
    assert all(set(r["recommendations"]) <= service_ids for r in services)
    assert all(categories[c["id"]]["categoryType"] == "Services" for r in services for c in r["categories"])
    customers = {r["id"] for r in dataset.records("crm.customers")}
    assert all(r["customerId"] in customers for r in dataset.records("crm.locations"))
    locations = {r["id"]: r for r in dataset.records("crm.locations")}
    for job in dataset.records("jobs.jobs"):
        assert locations[job["locationId"]]["customerId"] == job["customerId"]
    jobs = {r["id"] for r in dataset.records("jobs.jobs")}
    assert all(r["jobId"] in jobs for r in dataset.records("jobs.appointments"))


def test_changes_get_strictly_increasing_modified_on():
    dataset = Dataset(scale=0.01, seed=4)
    newest = max(r["modifiedOn"] for r in dataset.records("crm.locations"))
    stamps = []
    for _ in range(3):
        ids = dataset.modify("crm.locations", 5)
        stamps += [dataset.get("crm.locations", i)["modifiedOn"] for i in ids]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert stamps[0] > newest


def test_the_faults_of_one_server_do_not_leak_into_another():
    with SimulatorServer(faults=FaultConfig(error_rate=1.0)) as broken, SimulatorServer() as healthy:
        assert Api(broken).list("crm.customers").status_code >= 500
        assert Api(healthy).list("crm.customers").status_code == 200


def test_lookup_by_ids(api, server):
    key = "pricebook.materials"
    wanted = [r["id"] for r in server.dataset.records(key) if r["active"]][:3]
    listed = api.list(key, ids=",".join(map(str, wanted))).json()["data"]
    assert sorted(r["id"] for r in listed) == sorted(wanted)
    assert api.list(key, ids=",".join(str(n) for n in range(51))).status_code == 400


def test_exact_counts_override_the_scale():
    dataset = Dataset(scale=0.01, counts={"pricebook.materials": 1234})
    assert len(dataset.records("pricebook.materials")) == 1234
    assert len(dataset.records("pricebook.services")) == 15
    with pytest.raises(ValueError, match="unknown resource"):
        Dataset(counts={"pricebook.nothing": 1})
