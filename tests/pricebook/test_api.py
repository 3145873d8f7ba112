"""The pricebook REST API: the mirror by ServiceTitan id with filters, and overrides written through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pricebook.models import PricebookOverride, PricebookOverrideChange
from tests.pricebook.factories import make_category, make_material
from tests.pricebook.images import image_bytes

pytestmark = pytest.mark.django_db
Status = PricebookOverride.Status


@pytest.fixture
def api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


def st_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["st_id"] for row in response.json()["results"]}


def test_materials_by_st_id_with_filters_and_search(api):
    root = make_category("Plumbing")
    valves = make_category("Valves", parent=root)
    valve = make_material(code="VAL-1", name="Ball valve", categories=[valves])
    old = make_material(
        code="OLD-9", name="Old pipe", active=False, st_modified_on=timezone.now() - datetime.timedelta(days=40)
    )
    url = "/api/v1/pricebook/materials/"

    detail = api.get(f"{url}{valve.st_id}/")
    assert detail.status_code == 200 and detail.json()["code"] == "VAL-1"
    assert detail.json()["override_status"] is None
    assert st_ids(api.get(url, {"code": "VAL-1"})) == {valve.st_id}
    assert st_ids(api.get(url, {"active": "false"})) == {old.st_id}
    assert st_ids(api.get(url, {"category": root.st_id})) == {valve.st_id}  # subcategories included
    since = (timezone.now() - datetime.timedelta(days=7)).isoformat()
    assert st_ids(api.get(url, {"modified_since": since})) == {valve.st_id}
    assert st_ids(api.get(url, {"search": "ball"})) == {valve.st_id}


def test_categories_services_equipment_are_listed(api):
    category = make_category("Electrical")
    assert st_ids(api.get("/api/v1/pricebook/categories/")) == {category.st_id}
    assert api.get(f"/api/v1/pricebook/categories/{category.st_id}/").json()["path"] == "Electrical"
    assert api.get("/api/v1/pricebook/services/").status_code == 200
    assert api.get("/api/v1/pricebook/equipment/").status_code == 200
    # The mirror's rows are never written through the API; a POST creates an item in ServiceTitan (issue 13), and an
    # empty one is refused before any request, naming what ServiceTitan requires.
    refused = api.post("/api/v1/pricebook/materials/", {}, format="json")
    assert refused.status_code == 400 and {"code", "description"} <= set(refused.json())
    for method in ("patch", "put", "delete"):
        assert getattr(api, method)(f"/api/v1/pricebook/categories/{category.st_id}/", {}).status_code in (403, 405)


def test_create_update_delete_override(api, editor):
    material = make_material(price="10.00")
    url = "/api/v1/pricebook/overrides/"

    created = api.post(
        url, {"item_type": "material", "st_pricebook_id": material.st_id, "override_price": "12.00"}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "pending" and body["pending_sync"] is True and body["changed_by"] == "editor"
    # The mirror shows the effective value while pending.
    item = api.get(f"/api/v1/pricebook/materials/{material.st_id}/").json()
    assert item["override_status"] == "pending"
    assert Decimal(item["effective"]["price"]) == Decimal("12") and Decimal(item["price"]) == Decimal("10")

    changed = api.patch(f"{url}{body['id']}/", {"override_name": "Renamed"}, format="json")
    assert changed.status_code == 200
    override = PricebookOverride.objects.get()
    assert override.override_name == "Renamed" and override.override_price == Decimal("12")

    # Writing an item that has an override changes that override.
    again = api.post(
        url, {"item_type": "material", "st_pricebook_id": material.st_id, "override_price": "13.00"}, format="json"
    )
    assert again.status_code == 201 and again.json()["id"] == body["id"]

    assert api.get(url, {"status": "pending"}).json()["count"] == 1
    assert api.delete(f"{url}{body['id']}/").status_code == 204
    assert not PricebookOverride.objects.exists()
    assert PricebookOverrideChange.objects.filter(action="discarded", st_pricebook_id=material.st_id).exists()


def test_create_queues_the_push_on_commit(api, django_capture_on_commit_callbacks, monkeypatch):
    material = make_material()
    queued = []
    from pricebook import tasks

    monkeypatch.setattr(tasks.push_overrides_task, "delay", lambda ids: queued.append(ids))
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/pricebook/overrides/",
            {"item_type": "material", "st_pricebook_id": material.st_id, "override_price": "11.00"},
            format="json",
        )
    assert queued == [[created.json()["id"]]]


def test_override_validation(api):
    material = make_material()
    category = make_category("Tools")
    url = "/api/v1/pricebook/overrides/"
    missing = api.post(url, {"item_type": "material", "st_pricebook_id": 123, "override_price": "1"}, format="json")
    assert missing.status_code == 400 and "no material with ServiceTitan id 123" in missing.content.decode()
    priced = api.post(
        url, {"item_type": "category", "st_pricebook_id": category.st_id, "override_price": "1"}, format="json"
    )
    assert priced.status_code == 400 and "Categories have no prices" in priced.content.decode()
    empty = api.post(url, {"item_type": "material", "st_pricebook_id": material.st_id}, format="json")
    assert empty.status_code == 400


def test_image_upload_through_the_api(api):
    material = make_material()
    url = "/api/v1/pricebook/overrides/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    refused = api.post(
        url, {"item_type": "material", "st_pricebook_id": material.st_id, "image": bad}, format="multipart"
    )
    assert refused.status_code == 400 and "Only JPEG, PNG, GIF or WebP" in refused.content.decode()

    good = SimpleUploadedFile("x.webp", image_bytes("WEBP"), content_type="application/octet-stream")
    created = api.post(
        url, {"item_type": "material", "st_pricebook_id": material.st_id, "image": good}, format="multipart"
    )
    assert created.status_code == 201, created.content
    assert created.json()["has_image"] is True and created.json()["override_image_mime_type"] == "image/webp"


def test_clearing_every_value_discards_the_override(api, editor):
    material = make_material()
    created = api.post(
        "/api/v1/pricebook/overrides/",
        {"item_type": "material", "st_pricebook_id": material.st_id, "override_price": "15"},
        format="json",
    ).json()
    cleared = api.patch(f"/api/v1/pricebook/overrides/{created['id']}/", {"override_price": None}, format="json")
    assert cleared.status_code == 204
    assert not PricebookOverride.objects.exists()
