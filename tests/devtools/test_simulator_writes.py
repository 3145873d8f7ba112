"""Writes: pricebook PATCH and bulk validation, images, job cancel, CRM and job/appointment creation."""

import pytest

from devtools.simulator import SimulatorServer
from devtools.simulator.spec import module_schemas, resource_schema_names
from tests.devtools.simulator_support import Api, schema_errors


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(scale=0.01, seed=7) as server:
        yield server


@pytest.fixture
def api(server):
    return Api(server)


def first_id(server, key, **where):
    for record in server.dataset.records(key):
        if not server.dataset.is_deleted(key, record["id"]) and all(record[k] == v for k, v in where.items()):
            return record["id"]
    raise AssertionError(f"no {key} record with {where}")


def assert_answer_valid(key, action, body):
    api_module = {"pricebook": "pricebook", "crm": "crm", "jobs": "jpm"}[key.split(".")[0]]
    name = resource_schema_names(key)[f"{action}.response"]
    assert not schema_errors(api_module, name, body)


# --- single-item PATCH ----------------------------------------------------------------------------------------------
def test_patch_updates_the_item_and_answers_the_full_record(api, server):
    key = "pricebook.materials"
    record_id = first_id(server, key)
    before = server.dataset.get(key, record_id)
    response = api.write(key, "update", record_id, json={"price": 99.5, "displayName": "Renamed part"})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == record_id
    assert (body["price"], body["displayName"], body["code"]) == (99.5, "Renamed part", before["code"])
    assert body["modifiedOn"] > before["modifiedOn"]
    assert server.dataset.get(key, record_id) == body
    assert_answer_valid(key, "update", body)


@pytest.mark.parametrize("field", ["price", "memberPrice", "addOnPrice", "cost"])
def test_negative_money_is_refused_with_an_rfc7807_body(api, server, field):
    key = "pricebook.services"
    record_id = first_id(server, key)
    before = server.dataset.get(key, record_id)
    response = api.write(key, "update", record_id, json={field: -1})
    assert response.status_code == 400
    body = response.json()
    label = field[0].upper() + field[1:]
    assert body["errors"] == {label: [f"{label} must be greater than or equal to 0"]}
    assert body["status"] == 400 and body["title"] and body["traceId"] and body["data"] == {}
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert server.dataset.get(key, record_id) == before


def test_patch_checks_types_and_ids(api, server):
    key = "pricebook.equipment"
    record_id = first_id(server, key)
    response = api.write(key, "update", record_id, json={"price": "cheap", "active": "yes"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"Price", "Active"}
    assert api.write(key, "update", 12345, json={"price": 1}).status_code == 404
    assert api.write(key, "update", record_id, data="not json").status_code == 400
    assert api.write(key, "update", record_id, json={"categories": [42]}).status_code == 400


def test_patch_assets_and_service_categories_answer_in_the_response_shape(api, server):
    key = "pricebook.services"
    record_id = first_id(server, key)
    category = next(
        r for r in server.dataset.records("pricebook.categories") if r["categoryType"] == "Services" and r["active"]
    )
    asset = {"type": "Image", "url": "Images/abc.png", "alias": "Front", "isDefault": True}
    response = api.write(key, "update", record_id, json={"assets": [asset], "categories": [category["id"]]})
    assert response.status_code == 200
    body = response.json()
    assert body["assets"] == [{**asset, "fileName": "abc.png"}]
    assert body["defaultAssetUrl"] == "Images/abc.png"
    assert body["categories"] == [{"id": category["id"], "name": category["name"], "active": category["active"]}]
    assert_answer_valid(key, "update", body)


def test_patch_a_category(api, server):
    key = "pricebook.categories"
    record_id = first_id(server, key, parentId=None)
    response = api.write(key, "update", record_id, json={"name": "Water Heaters", "active": False})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["active"]) == ("Water Heaters", False)
    assert_answer_valid(key, "update", response.json())
    assert api.write(key, "update", record_id, json={"parentId": record_id}).status_code == 400


# --- bulk -------------------------------------------------------------------------------------------------------
BULK_SCHEMAS = {
    "materials": "Pricebook.V2.MaterialBulkUpdateRequest",
    "services": "Pricebook.V2.ServiceBulkUpdateRequest",
    "equipment": "Pricebook.V2.EquipmentBulkUpdateRequest",
}
RESPONSE_NAMES = {
    "variationMaterials": "variationsOrConfigurableMaterials",
    "variationEquipment": "variationsOrConfigurableEquipment",
}


def complete_item(group: str, record: dict) -> dict:
    """Every field the bulk request schema requires, from the record (as a pushing client would build it)."""
    schemas = module_schemas("pricebook")
    required = schemas.resolve(schemas.named(BULK_SCHEMAS[group]))["required"]
    item = {"id": record["id"]}
    for name in required:
        value = record.get(RESPONSE_NAMES.get(name, name))
        if name == "categories" and group == "services":
            value = [category["id"] for category in record["categories"]]
        item[name] = value
    return item


def test_bulk_update_applies_complete_items(api, server):
    materials = [r for r in server.dataset.records("pricebook.materials") if r["active"]][:2]
    (service,) = [r for r in server.dataset.records("pricebook.services") if r["active"]][:1]
    body = {
        "materials": [{**complete_item("materials", r), "price": 10.0 + n} for n, r in enumerate(materials)],
        "services": [{**complete_item("services", service), "displayName": "Bulk renamed"}],
    }
    response = api.write("pricebook.bulk", "update", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [r["price"] for r in answer["materials"]] == [10.0, 11.0]
    assert answer["services"][0]["displayName"] == "Bulk renamed"
    assert server.dataset.get("pricebook.materials", materials[1]["id"])["price"] == 11.0


def test_bulk_refuses_the_whole_batch_when_one_item_is_incomplete_or_invalid(api, server):
    materials = [r for r in server.dataset.records("pricebook.materials") if r["active"]][:4]
    items = [complete_item("materials", r) for r in materials]
    del items[3]["price"]
    items[1]["memberPrice"] = -5
    before = [server.dataset.get("pricebook.materials", r["id"]) for r in materials]
    response = api.write("pricebook.bulk", "update", json={"materials": items})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["materials[3].price"] == ["The price field is required."]
    assert errors["materials[1].memberPrice"] == ["MemberPrice must be greater than or equal to 0"]
    assert [server.dataset.get("pricebook.materials", r["id"]) for r in materials] == before


def test_bulk_needs_ids_that_exist(api, server):
    (record,) = server.dataset.records("pricebook.equipment")[:1]
    missing_id = {k: v for k, v in complete_item("equipment", record).items() if k != "id"}
    unknown = {**complete_item("equipment", record), "id": 1}
    response = api.write("pricebook.bulk", "update", json={"equipment": [missing_id, unknown]})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"equipment[0].id", "equipment[1].id"}


# --- images -----------------------------------------------------------------------------------------------------
def test_image_upload_then_download_through_a_redirect(api):
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    response = api.write("pricebook.images", "upload", files={"file": ("photo.png", content, "image/png")})
    assert response.status_code == 201
    path = response.json()["path"]
    assert path.startswith("Images/") and path.endswith(".png")
    redirect = api.write("pricebook.images", "download", params={"path": path})
    assert redirect.status_code == 302
    served = api.http.get(redirect.headers["Location"])
    assert served.status_code == 200
    assert served.content == content
    assert served.headers["Content-Type"] == "image/png"
    assert api.write("pricebook.images", "download", params={"path": "Images/nope.png"}).status_code == 404


def test_image_upload_needs_the_file_part(api):
    response = api.write("pricebook.images", "upload", files={"other": ("a.png", b"x", "image/png")})
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_seeded_asset_images_can_be_fetched(api, server):
    url = next(
        r["assets"][0]["url"]
        for key in ("pricebook.materials", "pricebook.services", "pricebook.equipment")
        for r in server.dataset.records(key)
        if r["assets"]
    )
    redirect = api.write("pricebook.images", "download", params={"path": url})
    assert redirect.status_code == 302
    assert api.http.get(redirect.headers["Location"]).content.startswith(b"\x89PNG")


# --- jobs and appointments --------------------------------------------------------------------------------------
def test_cancel_a_job(api, server):
    job_id = next(r["id"] for r in server.dataset.records("jobs.jobs") if r["jobStatus"] != "Canceled")
    reason = server.dataset.id_at("jobs.job-cancel-reasons", 0)
    assert api.write("jobs.jobs", "cancel", job_id, json={"memo": "no reason"}).status_code == 400
    unknown = api.write("jobs.jobs", "cancel", job_id, json={"reasonId": 1, "memo": "x"})
    assert unknown.status_code == 400 and "ReasonId" in unknown.json()["errors"]
    response = api.write("jobs.jobs", "cancel", job_id, json={"reasonId": reason, "memo": "Customer called"})
    assert response.status_code == 200
    assert server.dataset.get("jobs.jobs", job_id)["jobStatus"] == "Canceled"
    assert api.write("jobs.jobs", "cancel", job_id, json={"reasonId": reason, "memo": "again"}).status_code == 400
    assert api.write("jobs.jobs", "cancel", 5, json={"reasonId": reason, "memo": "x"}).status_code == 404


def test_put_a_job_on_hold(api, server):
    job_id = next(r["id"] for r in server.dataset.records("jobs.jobs") if r["jobStatus"] == "Scheduled")
    reason = server.dataset.id_at("jobs.job-hold-reasons", 0)
    cancel_reason = server.dataset.id_at("jobs.job-cancel-reasons", 0)
    # A cancel reason is not a hold reason.
    assert api.write("jobs.jobs", "hold", job_id, json={"reasonId": cancel_reason, "memo": "x"}).status_code == 400
    response = api.write("jobs.jobs", "hold", job_id, json={"reasonId": reason, "memo": "Waiting on parts"})
    assert response.status_code == 200
    assert server.dataset.get("jobs.jobs", job_id)["jobStatus"] == "Hold"
    assert api.write("jobs.jobs", "hold", job_id, json={"reasonId": reason, "memo": "again"}).status_code == 400


def test_create_a_job_with_its_appointment_then_reschedule(api, server):
    location = next(r for r in server.dataset.records("crm.locations") if r["active"])
    body = {
        "customerId": location["customerId"],
        "locationId": location["id"],
        "businessUnitId": server.dataset.ids("dispatch.business-units")[0],
        "jobTypeId": 5000001,
        "priority": "Normal",
        "campaignId": 6000001,
        "appointments": [{"start": "2026-12-01T15:00:00Z", "end": "2026-12-01T17:00:00Z"}],
        "summary": "New water heater",
    }
    response = api.write("jobs.jobs", "create", json=body)
    assert response.status_code == 200, response.text
    job = response.json()
    assert_answer_valid("jobs.jobs", "create", job)
    assert (job["customerId"], job["summary"], job["appointmentCount"]) == (
        location["customerId"],
        "New water heater",
        1,
    )
    appointment = server.dataset.get("jobs.appointments", job["firstAppointmentId"])
    assert appointment["jobId"] == job["id"]
    assert appointment["start"] == "2026-12-01T15:00:00.000000Z"

    moved = api.write(
        "jobs.appointments",
        "reschedule",
        appointment["id"],
        json={"start": "2026-12-02T09:00:00Z", "end": "2026-12-02T11:00:00Z"},
    )
    assert moved.status_code == 200
    assert moved.json()["start"] == "2026-12-02T09:00:00.000000Z"
    assert_answer_valid("jobs.appointments", "reschedule", moved.json())
    backwards = {"start": "2026-12-02T11:00:00Z", "end": "2026-12-02T09:00:00Z"}
    assert api.write("jobs.appointments", "reschedule", appointment["id"], json=backwards).status_code == 400

    extra = api.write(
        "jobs.appointments",
        "create",
        json={"jobId": job["id"], "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T10:00:00Z"},
    )
    assert extra.status_code == 200
    assert_answer_valid("jobs.appointments", "create", extra.json())
    assert server.dataset.get("jobs.jobs", job["id"])["appointmentCount"] == 2
    assert api.write("jobs.jobs", "create", json={**body, "locationId": 1}).status_code == 400


def test_patch_a_job(api, server):
    job_id = server.dataset.ids("jobs.jobs")[0]
    response = api.write("jobs.jobs", "update", job_id, json={"summary": "Updated summary", "priority": "High"})
    assert response.status_code == 200
    assert (response.json()["summary"], response.json()["priority"]) == ("Updated summary", "High")
    assert_answer_valid("jobs.jobs", "update", response.json())


# --- crm ----------------------------------------------------------------------------------------------------------
ADDRESS = {"street": "1 Main St", "city": "Austin", "state": "TX", "zip": "78701", "country": "USA"}


def test_create_and_update_a_customer(api, server):
    body = {"name": "Ada Lovelace", "address": ADDRESS, "locations": [{"name": "Home", "address": ADDRESS}]}
    response = api.write("crm.customers", "create", json=body)
    assert response.status_code == 200, response.text
    customer = response.json()
    assert_answer_valid("crm.customers", "create", customer)
    assert customer["name"] == "Ada Lovelace" and customer["active"] is True
    assert customer["address"]["street"] == "1 Main St"
    (location,) = customer["locations"]
    assert server.dataset.get("crm.locations", location["id"])["customerId"] == customer["id"]
    assert api.get("crm.customers", customer["id"]).json()["name"] == "Ada Lovelace"

    updated = api.write("crm.customers", "update", customer["id"], json={"name": "Ada King", "doNotMail": True})
    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["doNotMail"]) == ("Ada King", True)
    assert_answer_valid("crm.customers", "update", updated.json())

    missing = api.write("crm.customers", "create", json={"address": ADDRESS, "locations": []})
    assert missing.status_code == 400
    assert "Name" in missing.json()["errors"]


def test_create_and_update_a_location(api, server):
    customer_id = first_id(server, "crm.customers")
    response = api.write(
        "crm.locations", "create", json={"name": "Cabin", "address": ADDRESS, "customerId": customer_id}
    )
    assert response.status_code == 200, response.text
    assert_answer_valid("crm.locations", "create", response.json())
    location_id = response.json()["id"]
    updated = api.write("crm.locations", "update", location_id, json={"name": "Lake cabin"})
    assert updated.json()["name"] == "Lake cabin"
    unknown = api.write("crm.locations", "create", json={"name": "X", "address": ADDRESS, "customerId": 3})
    assert unknown.status_code == 400
