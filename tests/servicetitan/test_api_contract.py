"""The REST contract every list shares: page sizes, cursor pages, unknown parameters and fields, money as strings,
datetimes out of range, the API root and the offline docs."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from pricebook.models import Material, PricebookOverride
from tests.pricebook.factories import make_material

pytestmark = pytest.mark.django_db
URL = "/api/v1/pricebook/materials/"


@pytest.fixture
def api(django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_superuser("root", "root@example.com", "x"))
    return client


def make_materials(n: int) -> list[Material]:
    return [make_material(code=f"M-{i:03}") for i in range(n)]


def test_page_size_is_honoured_up_to_the_maximum(api):
    make_materials(7)
    page = api.get(URL, {"page_size": 3})
    assert page.status_code == 200 and len(page.json()["results"]) == 3 and page.json()["count"] == 7
    assert "page_size=3" in page.json()["next"]
    assert len(api.get(URL, {"page_size": 3, "page": 3}).json()["results"]) == 1
    too_big = api.get(URL, {"page_size": 5000})
    assert too_big.status_code == 400 and "1 to 1000" in too_big.json()["page_size"][0]
    assert api.get(URL, {"page_size": "lots"}).status_code == 400


def test_lists_are_ordered_by_tenant_and_servicetitan_id(api):
    made = make_materials(5)
    got = [row["st_id"] for row in api.get(URL).json()["results"]]
    assert got == sorted(m.st_id for m in made)


def test_cursor_pages_walk_the_whole_table_once(api):
    made = make_materials(7)
    seen, url, params = [], URL, {"cursor": "", "page_size": 3}
    while url:
        answer = api.get(url, params)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert body["count"] is None and body["previous"] is None
        seen += [row["st_id"] for row in body["results"]]
        url, params = body["next"], None
    assert seen == sorted(m.st_id for m in made)
    assert api.get(URL, {"cursor": "not-a-cursor"}).status_code == 400
    assert api.get(URL, {"cursor": "", "ordering": "-code"}).status_code == 400


def test_unknown_query_parameters_answer_400_with_the_allowed_ones(api):
    make_materials(2)
    answer = api.get(URL, {"actve": "false"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["unknown"] == ["actve"]
    for known in ("active", "code", "search", "ordering", "page", "page_size", "cursor", "modified_since"):
        assert known in body["allowed"]
    # Every known one still works.
    assert api.get(URL, {"active": "true", "search": "M-", "ordering": "code", "page_size": 1}).status_code == 200
    overrides = api.get("/api/v1/pricebook/overrides/", {"sttus": "pending"})
    assert overrides.status_code == 400 and "cursor" not in overrides.json()["allowed"]


@pytest.mark.parametrize(
    "value", ["2020-01-01T00:00:00+99:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "soon"]
)
def test_datetime_filters_out_of_range_answer_400(api, value):
    make_materials(1)
    answer = api.get(URL, {"modified_since": value})
    assert answer.status_code == 400, answer.content
    assert "modified_since" in answer.json()
    assert api.get("/api/v1/sync/runs/", {"started_since": value}).status_code == 400


def test_money_is_a_string_with_the_columns_decimals_inside_effective_too(api):
    material = make_material(price="10.5", cost="3")
    api.post(
        "/api/v1/pricebook/overrides/",
        {"item_type": "material", "st_pricebook_id": material.st_id, "override_price": "12.25"},
        format="json",
    )
    row = api.get(f"{URL}{material.st_id}/").json()
    places = Material._meta.get_field("price").decimal_places
    assert row["price"] == f"{10.5:.{places}f}"
    assert row["effective"]["price"] == f"{12.25:.{places}f}"
    assert row["effective"]["cost"] == f"{3:.{places}f}"
    assert row["effective"]["active"] is True and isinstance(row["effective"]["name"], str)


def test_an_override_equal_to_servicetitan_is_refused_in_plain_words(api):
    material = make_material(price="10.00")
    answer = api.post(
        "/api/v1/pricebook/overrides/",
        {"item_type": "material", "st_pricebook_id": material.st_id, "override_price": "10.0000"},
        format="json",
    )
    assert answer.status_code == 400 and "Nothing differs from ServiceTitan" in answer.content.decode()
    assert not PricebookOverride.objects.exists()
    # Only the differing field is kept, as the admin's form does.
    kept = api.post(
        "/api/v1/pricebook/overrides/",
        {"item_type": "material", "st_pricebook_id": material.st_id, "override_price": "10", "override_name": "New"},
        format="json",
    )
    assert kept.status_code == 201
    override = PricebookOverride.objects.get()
    assert override.override_price is None and override.override_name == "New"
    assert api.get(f"/api/v1/pricebook/overrides/{override.pk}/").status_code == 200


def test_a_wrong_field_name_is_an_unknown_field(api):
    material = make_material()
    answer = api.post(
        "/api/v1/pricebook/overrides/",
        {"item_type": "material", "st_pricebook_id": material.st_id, "price": "12.00"},
        format="json",
    )
    assert answer.status_code == 400
    assert "Unknown field" in answer.json()["price"][0] and "override_price" in answer.json()["price"][0]
    assert not PricebookOverride.objects.exists()


def test_write_through_inputs_refuse_unknown_fields(api):
    answer = api.post("/api/v1/crm/customers/", {"name": "A", "nmae": "typo"}, format="json")
    assert answer.status_code == 400 and "nmae" in answer.json()


def test_api_root_lists_every_route(api):
    assert APIClient().get("/api/v1/").status_code == 401
    body = api.get("/api/v1/").json()
    assert body["routes"]["pricebook"]["materials"].endswith("/api/v1/pricebook/materials/")
    assert body["routes"]["inventory"]["purchase-orders"].endswith("/api/v1/inventory/purchase-orders/")
    assert body["routes"]["sync"]["runs"].endswith("/api/v1/sync/runs/")
    for module in ("pricebook", "crm", "jobs", "dispatch", "accounting", "inventory", "sync"):
        for url in body["routes"][module].values():
            assert api.get(url).status_code in (200, 405), url  # `sync` itself is POST only
    assert body["schema"].endswith("/api/schema/") and body["docs"].endswith("/api/docs/")


@override_settings(STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}})
def test_docs_use_local_static_files_and_the_schema_shows_in_a_browser(api):
    docs = api.get("/api/docs/").content.decode()
    assert "swagger-ui-dist" in docs and "drf_spectacular_sidecar" in docs
    assert "cdn" not in docs.lower() and "://" not in docs.split("<body")[1].split("</body>")[0].replace(
        "http://testserver", ""
    )
    browser = api.get("/api/schema/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert browser.status_code == 200 and browser["Content-Type"].startswith("application/json")
    assert browser.json()["openapi"].startswith("3.")
    tool = api.get("/api/schema/")
    assert tool.status_code == 200 and b"openapi:" in tool.content  # YAML for tools, as before
    assert APIClient().get("/api/docs/").status_code in (401, 403)
