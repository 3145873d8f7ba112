"""Every write LAZI performs, driven through LAZI's own services against a ServiceTitan stand-in built from the
OpenAPI specs alone (`spec_write_standin`): each request must be an operation of the specs (method and path), with
only declared query parameters (the required ones present) and a body that validates against the operation's
request schema (`additionalProperties: false`, nullable, formats); each stand-in answer validates against the
operation's response schema, so what LAZI reads back is the spec's shape.

The records LAZI starts from are the spec's too, in the `spec_standin` variants (required fields only, every nullable
one null, every field set): the payload builders must turn any record the spec allows into a body the spec takes.
Every test also asserts what was sent (the edited values) and that the write took effect, so no check passes on
silence.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import responses
from PIL import Image

from pricebook.models import MarkupTier, MarkupTierEdit, PricebookOverride
from pricebook.selectors import item_kind
from pricebook.services.images import CheckedImage, fetch_image
from pricebook.services.markup import push_markup_edits, save_tier_edit
from pricebook.services.overrides import save_override
from pricebook.services.push import push_overrides
from servicetitan.client.errors import ApiError
from servicetitan.registry import get_resource
from servicetitan.writethrough import store_records
from tests.servicetitan.client_support import API, APP_KEY, AUTH, CLIENT_ID, SECRET, TENANT, add_tokens, make_client
from tests.servicetitan.spec_standin import VARIANTS, generate
from tests.servicetitan.spec_write_standin import WriteStandIn, find_operation, schema_errors

pytestmark = pytest.mark.django_db
Status = PricebookOverride.Status
PB = "/pricebook/v2/tenant/{tenant}"
# Spec operations the tests of this file sent a conforming request to (checked by the last test).
EXERCISED: set[str] = set()


@pytest.fixture
def standin(settings):
    settings.SERVICE_TITAN = {
        **settings.SERVICE_TITAN,
        "API_URL": API,
        "AUTH_URL": AUTH,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": SECRET,
        "APP_KEY": APP_KEY,
        "TENANT_ID": str(TENANT),
    }
    responses.start()
    add_tokens("token-1")
    server = WriteStandIn(TENANT)
    yield server
    EXERCISED.update(exchange.operation for exchange in server.exchanges if not exchange.errors)
    responses.stop()
    responses.reset()


def collection_of(resource_key: str) -> str:
    resource = get_resource(resource_key)
    return (resource.list_path or resource.export_path).rsplit("/", 1)[-1]


def seed(server: WriteStandIn, resource_key: str, variant: str, count: int = 1, *, seed_no: int = 0) -> list[dict]:
    """`count` spec records of one variant, in ServiceTitan (the stand-in) and in the mirror (as a sync stores them)."""
    resource = get_resource(resource_key)
    operation = resource.export_operation or resource.list_operation
    records = generate(resource, operation, variant, count, seed=seed_no)
    server.seed(collection_of(resource_key), records)
    store_records(resource_key, records, TENANT)
    return records


def gif(color=(200, 30, 30)) -> CheckedImage:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(buffer, format="GIF")
    return CheckedImage(content=buffer.getvalue(), mime_type="image/gif", filename="swatch.gif")


def assert_conforming(server: WriteStandIn) -> None:
    assert server.errors == [], "\n".join(server.errors)


# --- the stand-in's own checks: they can fail ----------------------------------------------------------------------
def test_the_standin_refuses_what_the_specs_do_not_allow(standin):
    """A wrong key, a wrong type, a null where none is allowed, an unknown query parameter, an unknown path: each is
    reported (the checks below are the ones every other test relies on)."""
    client = make_client()
    with pytest.raises(ApiError):
        client._perform("GET", f"{API}/pricebook/v2/tenant/{TENANT}/no-such-thing", label="x")
    standin.seed("materials", [{"id": 5, "active": True}])
    client._perform(
        "PATCH",
        f"{API}/pricebook/v2/tenant/{TENANT}/materials/5",
        label="x",
        json={"name": "not the spec's key", "price": "12", "primaryVendor": None},
        params={"pageSize": 3},
    )
    text = "\n".join(standin.errors)
    assert "no operation of the specs" in text
    assert "'name' was unexpected" in text  # additionalProperties: false
    assert "'12' is not of type 'number'" in text
    assert "None is not valid" in text or "None is not of type 'object'" in text  # primaryVendor is not nullable
    assert "query parameter 'pageSize' is not in the spec" in text


def test_the_json_schema_conversion_keeps_nullable_and_formats():
    assert schema_errors("pricebook", {"type": "string", "nullable": True}, None, "x") == []
    assert schema_errors("pricebook", {"type": "string"}, None, "x")
    assert schema_errors("pricebook", {"type": "integer", "format": "int32"}, 2**31, "x")
    assert schema_errors("pricebook", {"type": "integer", "format": "int64"}, 2**53, "x") == []
    assert schema_errors("pricebook", {"type": "string", "format": "date-time"}, "yesterday", "x")
    op, params = find_operation("PATCH", f"{API}/pricebook/v2/tenant/{TENANT}/materials/12")
    assert op.template == "/tenant/{tenant}/materials/{id}" and params == {"tenant": str(TENANT), "id": "12"}
    assert find_operation("PATCH", f"{API}/pricebook/v2/tenant/{TENANT}/nothing/12") == (None, {})


# --- overrides pushed one by one: PATCH …/{id} (and the image upload) ------------------------------------------------
SINGLE_VALUES = {
    "material": {"name": "Spec name", "price": Decimal("123.45"), "member_price": Decimal("99.5"),
                 "add_on_price": Decimal("80"), "description": "<p>Spec</p>", "active": False, "cost": Decimal("40.25")},
    "service": {"name": "Spec name", "price": Decimal("210"), "member_price": Decimal("190.75"),
                "add_on_price": Decimal("150"), "description": "Spec", "active": True},
    "equipment": {"name": "Spec name", "price": Decimal("3100"), "member_price": Decimal("2900"),
                  "add_on_price": Decimal("2800"), "description": "Spec", "active": True, "cost": Decimal("1500.5")},
    "category": {"name": "Spec category", "description": "Spec", "active": False},
    "discount_fee": {"display_name": "Spec fee", "amount_type": "Fixed", "amount": Decimal("25"),
                     "limit": Decimal("100"), "taxable": True, "description": "Spec", "active": True},
}  # fmt: skip
# The body key each value travels under.
SINGLE_KEYS = {
    "name": "displayName", "price": "price", "member_price": "memberPrice", "add_on_price": "addOnPrice",
    "description": "description", "active": "active", "cost": "cost", "display_name": "displayName",
    "amount_type": "amountType", "amount": "amount", "limit": "limit", "taxable": "taxable",
}  # fmt: skip


def _json(value):
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("item_type", ["material", "service", "equipment", "category", "discount_fee"])
def test_single_push_sends_spec_bodies(standin, item_type, variant):
    kind = item_kind(item_type)
    record = seed(standin, kind.resource_key, variant)[0]
    priced = kind.priced
    override = save_override(
        item_type=item_type,
        st_id=record["id"],
        tenant_id=TENANT,
        values=SINGLE_VALUES[item_type],
        image=gif() if priced else None,
        queue_push=False,
    )
    if item_type in ("material", "service", "equipment"):
        # Categories overridden too, and (for those with vendors) a vendor's cost from its price file.
        categories = seed(standin, "pricebook.categories", "minimal", 2, seed_no=5)
        PricebookOverride.objects.filter(pk=override.pk).update(override_category_ids=[c["id"] for c in categories])

    result = push_overrides([override.pk], client=make_client(), mode="single")

    assert_conforming(standin)
    assert result.synced == [override.pk], (result.failed, result.error)
    collection = collection_of(kind.resource_key)
    patches = standin.sent(f"PATCH {PB}/{collection}/{{id}}")
    assert len(patches) == 1 and patches[0].path_params["id"] == str(record["id"])
    body = patches[0].body
    name_key = "name" if item_type == "category" else "displayName"
    for name, value in SINGLE_VALUES[item_type].items():
        key = name_key if name == "name" else SINGLE_KEYS[name]
        if record.get(key) != _json(value):
            assert body[key] == _json(value), f"{key} not sent as edited"
    if priced:
        uploads = standin.sent(f"POST {PB}/images")
        assert len(uploads) == 1 and uploads[0].body["file"].startswith(b"GIF")
        if item_type == "category":
            assert body["image"].startswith("Images/")
        else:
            assert [a for a in body["assets"] if a["isDefault"]] == [
                {"type": "Image", "url": body["assets"][-1]["url"], "alias": "swatch.gif", "isDefault": True}
            ]
    if item_type in ("material", "service", "equipment"):
        assert sorted(body["categories"]) == sorted(c["id"] for c in categories)


@pytest.mark.parametrize("variant", VARIANTS)
def test_single_push_of_a_vendor_cost_sends_whole_vendors(standin, variant):
    """A cost from a vendor's price file also goes as that vendor's cost (`primaryVendor`/`otherVendors`, whole)."""
    record = seed(standin, "pricebook.materials", "full")[0]
    vendor = record["primaryVendor"]["vendorName"]
    override = save_override(
        item_type="material", st_id=record["id"], tenant_id=TENANT, values={"cost": Decimal("7.5")}, queue_push=False
    )
    PricebookOverride.objects.filter(pk=override.pk).update(cost_vendor=vendor)
    if variant != "full":
        # The vendor's optional parts absent (minimal) or null (nulls), as the spec allows in ServiceTitan's record.
        for key in ("memo", "vendorPart", "primarySubAccount", "otherSubAccounts"):
            if variant == "minimal":
                record["primaryVendor"].pop(key, None)
            else:
                record["primaryVendor"][key] = None
        standin.seed("materials", [record])
        store_records("pricebook.materials", [record], TENANT)

    result = push_overrides([override.pk], client=make_client(), mode="single")

    assert_conforming(standin)
    assert result.synced == [override.pk], (result.failed, result.error)
    body = standin.sent(f"PATCH {PB}/materials/{{id}}")[0].body
    assert body["cost"] == 7.5 and body["primaryVendor"]["cost"] == 7.5
    assert body["primaryVendor"]["vendorId"] == record["primaryVendor"]["vendorId"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_rate_sheet_push_sends_spec_exceptions(standin, variant):
    record = seed(standin, "sales.rate-sheets", variant)[0]
    wanted = [
        {"skuId": 2**40 + 3, "value": 12.5, "valueType": "Percent"},
        {"skuId": 17, "value": 3, "valueType": "FlatPrice"},
    ]
    override = save_override(
        item_type="rate_sheet", st_id=record["id"], tenant_id=TENANT, values={"exceptions": wanted}, queue_push=False
    )

    result = push_overrides([override.pk], client=make_client(), mode="single")

    assert_conforming(standin)
    assert result.synced == [override.pk], (result.failed, result.error)
    patch = standin.sent(f"PATCH {PB}/clientspecificpricing/{{rateSheetId}}")
    assert len(patch) == 1 and patch[0].path_params["rateSheetId"] == str(record["id"])
    assert sorted(patch[0].body["exceptions"], key=lambda e: e["skuId"]) == [
        {"skuId": 17, "value": 3, "valueType": "FlatPrice"},
        {"skuId": 2**40 + 3, "value": 12.5, "valueType": "Percent"},
    ]
    # Read through the list's `ids` (no get by id), before and after.
    reads = standin.sent(f"GET {PB}/clientspecificpricing")
    assert reads and all(r.query["ids"] == str(record["id"]) for r in reads)


# --- many overrides of one kind: PATCH /pricebook with complete items, then re-read --------------------------------
@pytest.mark.parametrize("item_type", ["material", "service", "equipment"])
def test_bulk_push_sends_complete_spec_items(standin, item_type):
    kind = item_kind(item_type)
    records = [
        r for no, variant in enumerate(VARIANTS) for r in seed(standin, kind.resource_key, variant, 2, seed_no=no)
    ]
    overrides = [
        save_override(
            item_type=item_type,
            st_id=record["id"],
            tenant_id=TENANT,
            values={"price": Decimal("321.5") + n, "name": f"Bulk {n}", "active": True},
            queue_push=False,
        )
        for n, record in enumerate(records)
    ]

    result = push_overrides([o.pk for o in overrides], client=make_client(), mode="bulk")

    assert_conforming(standin)
    assert sorted(result.synced) == sorted(o.pk for o in overrides), (result.failed, result.error)
    batches = standin.sent(f"PATCH {PB}/pricebook")
    items = [item for batch in batches for item in batch.body[kind.bulk_collection]]
    # An item without a primary vendor cannot be a complete bulk item (the schema requires one): it goes alone.
    alone = [
        e.body | {"id": int(e.path_params["id"])}
        for e in standin.sent(f"PATCH {PB}/{collection_of(kind.resource_key)}/{{id}}")
    ]
    without_vendor = {r["id"] for r in records if item_type != "service" and not r.get("primaryVendor")}
    assert {item["id"] for item in alone} == without_vendor
    assert sorted(item["id"] for item in items + alone) == sorted(r["id"] for r in records)
    assert len(items) >= 2  # the others (with their vendors) went in bulk
    by_id = {item["id"]: item for item in items + alone}
    for n, record in enumerate(records):
        assert by_id[record["id"]]["price"] == _json(Decimal("321.5") + n)
        assert by_id[record["id"]]["displayName"] == f"Bulk {n}"
    # The pushed items re-read (the bulk PATCH answers without them): list queries the spec declares.
    assert standin.sent(f"GET {PB}/{collection_of(kind.resource_key)}")


# --- items created from LAZI: POST …/{materials|services|equipment} -------------------------------------------------
CREATE_INPUT = {
    "material": {"code": "NEW-1", "description": "New", "name": "New material", "price": "12.50", "cost": "5",
                 "member_price": "11", "unit_of_measure": "Each", "is_inventory": True, "taxable": True},
    "service": {"code": "NEW-2", "description": "New", "name": "New service", "price": "99", "duration_hours": "1.5",
                "is_labor": True, "pays_commission": True},
    "equipment": {"code": "NEW-3", "description": "New", "name": "New unit", "price": "1999", "cost": "900",
                  "manufacturer": "Acme", "model": "X1", "is_inventory": False},
}  # fmt: skip


@pytest.mark.parametrize("item_type", ["material", "service", "equipment"])
def test_item_create_sends_the_spec_create_body(standin, item_type, admin_client):
    categories = seed(standin, "pricebook.categories", "full", 1, seed_no=3)
    url = f"/api/v1/pricebook/{collection_of(item_kind(item_type).resource_key)}/"
    payload = {**CREATE_INPUT[item_type], "categories": [categories[0]["id"]], "confirm_warnings": True}

    response = admin_client.post(url, payload, content_type="application/json")

    assert response.status_code == 201, response.content
    assert_conforming(standin)
    collection = collection_of(item_kind(item_type).resource_key)
    (sent,) = standin.sent(f"POST {PB}/{collection}")
    assert sent.body["code"] == payload["code"] and sent.body["displayName"] == payload["name"]
    assert sent.body["categories"] == [categories[0]["id"]]


# --- the markup table: POST and PUT …/materialsmarkup ---------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_markup_tier_edits_send_spec_bodies(standin, variant):
    tier = seed(standin, "pricebook.markup-tiers", variant)[0]
    MarkupTier.objects.filter(tenant_id=TENANT).update(from_cost=0, to_cost=100, percent=50)
    standin.records[("materialsmarkup", tier["id"])].update({"from": 0, "to": 100, "percent": 50})
    changed = save_tier_edit(tenant_id=TENANT, tier_st_id=tier["id"], from_cost=0, to_cost=100, percent="42.5")
    new = save_tier_edit(tenant_id=TENANT, tier_st_id=None, from_cost=100, to_cost=1000, percent=30)

    result = push_markup_edits([changed.pk, new.pk], client=make_client())

    assert_conforming(standin)
    assert sorted(result.pushed) == sorted([changed.pk, new.pk]), result.failed
    (put,) = standin.sent(f"PUT {PB}/materialsmarkup/{{id}}")
    assert put.path_params["id"] == str(tier["id"]) and put.body["percent"] == 42.5
    (post,) = standin.sent(f"POST {PB}/materialsmarkup")
    assert (post.body["from"], post.body["to"], post.body["percent"]) == (100, 1000, 30)
    assert not MarkupTierEdit.objects.exists()


# --- images read back: GET …/images?path= (a redirect to the file) --------------------------------------------------
def test_image_download_asks_the_spec_way(standin):
    content, mime = fetch_image(make_client(), "Images/Pricebook/1.gif")

    assert_conforming(standin)
    assert content.startswith(b"GIF") and mime == "image/gif"
    (sent,) = standin.sent(f"GET {PB}/images")
    assert sent.query == {"path": "Images/Pricebook/1.gif"}


# --- jobs and appointments (ServiceTitan's JPM): created, changed, cancelled, held, rescheduled through the API ------
JPM = "/jpm/v2/tenant/{tenant}"
TOMORROW = "2030-05-06T09:00:00Z"
WINDOW = {"start": TOMORROW, "end": "2030-05-06T11:00:00Z"}


def _active(records: list[dict]) -> list[dict]:
    return [{**record, "active": True} for record in records]


def seed_active(server: WriteStandIn, resource_key: str, variant: str) -> dict:
    """One active record (reasons and the like must be active to be chosen)."""
    resource = get_resource(resource_key)
    record = _active(generate(resource, resource.export_operation or resource.list_operation, variant, 1, seed=7))[0]
    server.seed(collection_of(resource_key), [record])
    store_records(resource_key, [record], TENANT)
    return record


@pytest.mark.parametrize("variant", VARIANTS)
def test_job_writes_send_spec_bodies(standin, admin_client, variant):
    job = seed(standin, "jobs.jobs", variant)[0]
    appointment = seed(standin, "jobs.appointments", variant, seed_no=2)[0]
    cancel_reason = seed_active(standin, "jobs.job-cancel-reasons", variant)
    hold_reason = seed_active(standin, "jobs.job-hold-reasons", variant)
    ids = {"customer_st_id": 2**40 + 1, "location_st_id": 2**40 + 2, "business_unit_st_id": 31, "job_type_id": 32,
           "campaign_id": 2**33, "priority": "High"}  # fmt: skip
    calls = [
        ("post", "/api/v1/jobs/jobs/", {**ids, "summary": "New job", "tag_type_ids": [5],
         "appointments": [{**WINDOW, "technician_st_ids": [2**35]}]}, 201),
        ("patch", f"/api/v1/jobs/jobs/{job['id']}/", {**ids, "summary": "Changed", "customer_po": "PO-1",
         "tag_type_ids": []}, 200),
        ("post", f"/api/v1/jobs/jobs/{job['id']}/hold/", {"reason_id": hold_reason["id"], "memo": "Parts"}, 200),
        ("post", f"/api/v1/jobs/jobs/{job['id']}/cancel/", {"reason_id": cancel_reason["id"], "memo": ""}, 200),
        ("post", "/api/v1/jobs/appointments/", {"job_st_id": job["id"], **WINDOW,
         "arrival_window_start": TOMORROW, "arrival_window_end": "2030-05-06T10:00:00Z",
         "special_instructions": "Gate code 12"}, 201),
        ("post", f"/api/v1/jobs/appointments/{appointment['id']}/reschedule/", WINDOW, 200),
    ]  # fmt: skip

    for method, url, payload, status in calls:
        response = getattr(admin_client, method)(url, payload, content_type="application/json")
        assert response.status_code == status, (url, response.content)

    assert_conforming(standin)
    (create,) = standin.sent(f"POST {JPM}/jobs")
    assert create.body["customerId"] == 2**40 + 1 and create.body["appointments"][0]["technicianIds"] == [2**35]
    (update,) = standin.sent(f"PATCH {JPM}/jobs/{{id}}")
    assert update.body["summary"] == "Changed" and update.path_params["id"] == str(job["id"])
    (hold,) = standin.sent(f"PUT {JPM}/jobs/{{id}}/hold")
    assert hold.body == {"reasonId": hold_reason["id"], "memo": "Parts"}
    (cancel,) = standin.sent(f"PUT {JPM}/jobs/{{id}}/cancel")
    assert cancel.body == {"reasonId": cancel_reason["id"], "memo": ""}
    (new_appointment,) = standin.sent(f"POST {JPM}/appointments")
    assert new_appointment.body["jobId"] == job["id"] and new_appointment.body["specialInstructions"] == "Gate code 12"
    (reschedule,) = standin.sent(f"PATCH {JPM}/appointments/{{id}}/reschedule")
    assert reschedule.path_params["id"] == str(appointment["id"])
    # A cancel and a hold answer without the job: it is read back by id (GET, no query).
    assert len(standin.sent(f"GET {JPM}/jobs/{{id}}")) >= 2


# --- customers and locations (CRM) ---------------------------------------------------------------------------------
CRM = "/crm/v2/tenant/{tenant}"
ADDRESS = {"street": "1 Main St", "unit": None, "city": "Springfield", "state": "IL", "zip": "62701",
           "country": "USA", "latitude": 39.8, "longitude": -89.6}  # fmt: skip


@pytest.mark.parametrize("variant", VARIANTS)
def test_crm_writes_send_spec_bodies(standin, admin_client, variant):
    customer = seed(standin, "crm.customers", variant)[0]
    location = seed(standin, "crm.locations", variant, seed_no=2)[0]
    calls = [
        ("post", "/api/v1/crm/customers/", {"name": "New customer", "type": "Residential", "address": ADDRESS,
         "do_not_mail": True, "credit_limit": "1500.50", "payment_term_id": 2**34}, 201),
        ("patch", f"/api/v1/crm/customers/{customer['id']}/", {"name": "Renamed", "address": {"city": "Shelbyville",
         "latitude": 39.7, "longitude": -88.9}, "tax_exempt": True}, 200),
        ("post", "/api/v1/crm/locations/", {"customer_st_id": customer["id"], "name": "Cabin", "address": ADDRESS}, 201),
        ("patch", f"/api/v1/crm/locations/{location['id']}/", {"name": "Main house", "tax_zone_id": 9,
         "address": {"street": "2 Side St", "unit": None}}, 200),  # no unit: null is allowed in LAZI
    ]  # fmt: skip
    if (customer.get("address") or {}).get("latitude") is None:
        # ServiceTitan's customer update takes latitude and longitude, never null: without them LAZI refuses
        # (a 400 naming them) and sends nothing.
        refused = admin_client.patch(
            f"/api/v1/crm/customers/{customer['id']}/",
            {"address": {"city": "Ogdenville"}},
            content_type="application/json",
        )
        assert refused.status_code == 400 and "latitude" in refused.json()["address"][0], refused.content
        assert standin.sent(f"PATCH {CRM}/customers/{{id}}") == []

    for method, url, payload, status in calls:
        response = getattr(admin_client, method)(url, payload, content_type="application/json")
        assert response.status_code == status, (url, response.content)

    assert_conforming(standin)
    (create,) = standin.sent(f"POST {CRM}/customers")
    assert create.body["name"] == "New customer" and create.body["locations"][0]["address"]["city"] == "Springfield"
    (update,) = standin.sent(f"PATCH {CRM}/customers/{{id}}")
    assert update.body["name"] == "Renamed" and update.body["address"]["city"] == "Shelbyville"
    assert update.body["taxExempt"] is True
    (new_location,) = standin.sent(f"POST {CRM}/locations")
    assert new_location.body["customerId"] == customer["id"]
    (location_update,) = standin.sent(f"PATCH {CRM}/locations/{{id}}")
    assert location_update.body["name"] == "Main house" and location_update.body["taxZoneId"] == 9
    assert location_update.body["address"]["street"] == "2 Side St"  # completed from the mirror, whole


def test_every_write_in_the_registry_was_sent_here():
    """Each write operation LAZI declares (`writes` in the registry) went through one of the tests above, conforming:
    a new write without a case here fails this test. (Run with the whole file: it reads what the others sent.)"""
    from servicetitan.registry import RESOURCES

    if not EXERCISED:
        pytest.skip("reads what the other tests of this file sent: run the whole file")
    declared = {
        f"{op.method} {resource.prefix}{op.path}" for resource in RESOURCES.values() for op in resource.writes.values()
    }
    assert sorted(declared - EXERCISED) == []
