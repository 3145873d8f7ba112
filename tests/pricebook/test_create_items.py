"""Creating materials, services and equipment in ServiceTitan from LAZI, and deactivating them (issue 13, "Write"):
the API against the simulator, the real database behind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from pricebook.api.create import CREATE_INPUTS
from pricebook.models import Category, Equipment, Material, PricebookOverride, RawMaterial, Service
from servicetitan.models import servicetitan_key
from servicetitan.registry import RESOURCES

pytestmark = pytest.mark.django_db

CREATE_SCHEMAS = {
    "material": "Pricebook.V2.MaterialCreateRequest",
    "service": "Pricebook.V2.ServiceCreateRequest",
    "equipment": "Pricebook.V2.EquipmentCreateRequest",
}
ROUTES = {"material": "materials", "service": "services", "equipment": "equipment"}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("item_type", list(CREATE_INPUTS))
def test_input_requires_what_the_spec_requires_and_sends_only_its_keys(item_type):
    from devtools.simulator.spec import load_spec

    spec = load_spec("pricebook")
    schema = spec["components"]["schemas"][CREATE_SCHEMAS[item_type]]
    path = RESOURCES[f"pricebook.{ROUTES[item_type]}"].writes["create"].path
    assert spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        CREATE_SCHEMAS[item_type]
    )
    serializer = CREATE_INPUTS[item_type]()
    renames = serializer.renames
    required = {renames.get(name, servicetitan_key(name)) for name, f in serializer.fields.items() if f.required}
    assert required == set(schema["required"])
    sent = {renames.get(name, servicetitan_key(name)) for name in serializer.fields if name != "confirm_warnings"}
    assert sent <= set(schema["properties"]), sent - set(schema["properties"])


def test_editor_creates_a_material_in_servicetitan_and_gets_the_mirrored_row(synced, editor):
    category = Category.objects.order_by("st_id").first()
    body = {
        "code": "NEW-PIPE-1",
        "name": "Copper pipe ½ in",
        "description": "Copper pipe, per foot",
        "cost": "2.50",
        "price": "6.00",
        "member_price": "5.50",
        "unit_of_measure": "ft",
        "categories": [category.st_id],
    }
    response = client_for(editor).post("/api/v1/pricebook/materials/", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["code"] == "NEW-PIPE-1" and created["name"] == "Copper pipe ½ in"
    assert Decimal(created["price"]) == Decimal("6.00") and created["active"] is True

    in_servicetitan = synced.dataset.get("pricebook.materials", created["st_id"])
    assert in_servicetitan["displayName"] == "Copper pipe ½ in" and in_servicetitan["cost"] == 2.5
    assert in_servicetitan["categories"] == [category.st_id]
    # Stored like a sync page: the raw record as answered, the master row, the category link.
    material = Material.objects.get(st_id=created["st_id"])
    assert RawMaterial.objects.filter(st_id=material.st_id, tenant_id=material.tenant_id).exists()
    assert list(material.categories.values_list("st_id", flat=True)) == [category.st_id]
    assert synced.stats.calls("POST", "/pricebook/v2/tenant/{tenant}/materials") == 1


def test_services_and_equipment_are_created_too(synced, editor):
    client = client_for(editor)
    service = client.post(
        "/api/v1/pricebook/services/",
        {"code": "SVC-NEW", "description": "Drain cleaning", "price": "150", "duration_hours": "1.5"},
        format="json",
    )
    assert service.status_code == 201, service.content
    assert Service.objects.get(st_id=service.json()["st_id"]).duration_hours == Decimal("1.5")
    equipment = client.post(
        "/api/v1/pricebook/equipment/",
        {"code": "EQ-NEW", "description": "Water heater 50 gal", "manufacturer": "Rheem", "cost": "700"},
        format="json",
    )
    assert equipment.status_code == 201, equipment.content
    row = Equipment.objects.get(st_id=equipment.json()["st_id"])
    assert row.manufacturer == "Rheem" and row.cost == Decimal("700")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "no code"}, "code"),
        ({"code": "X-1"}, "description"),
        ({"code": "X-1", "description": "d", "price": "-1"}, "price"),
        ({"code": "X-1", "description": "d", "cost": "-0.01"}, "cost"),
        ({"code": "X-1", "description": "d", "categories": [987654321]}, "categories"),
        ({"code": "X-1", "description": "d", "price": "10", "member_price": "12"}, "confirm_warnings"),
        ({"code": "X-1", "description": "d", "sku": "typo"}, "sku"),
    ],
)
def test_invalid_input_is_refused_before_any_request(synced, editor, body, field):
    response = client_for(editor).post("/api/v1/pricebook/materials/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert synced.stats.total == 0
    assert not Material.objects.filter(code="X-1").exists()


def test_a_warning_confirmed_is_created(synced, editor):
    body = {"code": "X-2", "description": "d", "price": "10", "member_price": "12", "confirm_warnings": True}
    response = client_for(editor).post("/api/v1/pricebook/materials/", body, format="json")
    assert response.status_code == 201, response.content
    assert "confirmWarnings" not in synced.dataset.get("pricebook.materials", response.json()["st_id"])


def test_servicetitan_refusal_is_answered_in_words_with_its_field_errors(synced, editor):
    # A category the mirror still has but ServiceTitan no longer does: LAZI's checks pass, ServiceTitan refuses.
    known = Category.objects.order_by("st_id").first()
    gone = Category.objects.create(tenant_id=known.tenant_id, st_id=known.st_id + 900_000, name="Removed since")
    before = Material.objects.count()
    response = client_for(editor).post(
        "/api/v1/pricebook/materials/", {"code": "X-3", "description": "d", "categories": [gone.st_id]}, format="json"
    )
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["servicetitan_status"] == 400
    assert answer["errors"] == {"Categories": [f"Category {gone.st_id} does not exist"]}
    assert f"Category {gone.st_id} does not exist" in answer["detail"]
    assert Material.objects.count() == before


def test_permissions_viewers_cannot_create_or_deactivate(synced, viewer):
    client = client_for(viewer)
    assert (
        client.post("/api/v1/pricebook/materials/", {"code": "V", "description": "d"}, format="json").status_code == 403
    )
    material = Material.objects.filter(active=True).first()
    assert client.post(f"/api/v1/pricebook/materials/{material.st_id}/deactivate/").status_code == 403
    assert APIClient().post("/api/v1/pricebook/materials/", {}, format="json").status_code == 401
    assert synced.stats.total == 0


def test_deactivate_sets_the_item_inactive_in_servicetitan_and_keeps_it(synced, editor):
    material = Material.objects.filter(active=True).order_by("st_id").first()
    response = client_for(editor).post(f"/api/v1/pricebook/materials/{material.st_id}/deactivate/")
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    record = synced.dataset.get("pricebook.materials", material.st_id)
    assert record is not None and record["active"] is False
    material.refresh_from_db()
    assert material.active is False and not material.deleted
    # Through the one write path: the override, pushed (PATCH), never a DELETE.
    override = PricebookOverride.objects.get(item_type="material", st_pricebook_id=material.st_id)
    assert override.status == PricebookOverride.Status.SYNCED and override.override_active is False
    assert synced.stats.calls("PATCH", "/pricebook/v2/tenant/{tenant}/materials/{id}") == 1
    assert not any(route.startswith("DELETE") for route in synced.stats.snapshot()["by_route"])


def test_deactivate_while_servicetitan_is_down_waits_as_a_pending_override(synced, editor):
    from devtools.simulator.faults import FaultConfig

    service = Service.objects.filter(active=True).order_by("st_id").first()
    synced.faults.error_rate = 1.0
    response = client_for(editor).post(f"/api/v1/pricebook/services/{service.st_id}/deactivate/")
    synced.faults.error_rate = FaultConfig().error_rate
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "waiting"
    override = PricebookOverride.objects.get(item_type="service", st_pricebook_id=service.st_id)
    assert override.status == PricebookOverride.Status.PENDING and override.override_active is False
    assert response.json()["item"]["effective"]["active"] is False


# --- Admin ---------------------------------------------------------------------------------------------------------
def test_admin_add_material_creates_in_servicetitan_and_lands_on_the_new_page(synced, editor, client):
    from django.urls import reverse

    client.force_login(editor)
    listed = client.get(reverse("admin:pricebook_material_changelist"))
    assert b'id="pb-create-link"' in listed.content and b"Add material" in listed.content
    url = reverse("admin:pricebook_material_create")
    page = client.get(url)
    assert page.status_code == 200
    category = Category.objects.exclude(category_type="Services").order_by("path").first()
    assert (category.path or category.name).encode() in page.content  # categories are chosen by name
    response = client.post(
        url,
        {
            "code": "ADM-1",
            "name": "Ball valve",
            "description": "Ball valve ¾ in",
            "cost": "4",
            "price": "12",
            "category": category.pk,
            "active": "on",
        },
    )
    material = Material.objects.get(code="ADM-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:pricebook_material_change", args=[material.pk])
    assert synced.dataset.get("pricebook.materials", material.st_id)["categories"] == [category.st_id]
    assert list(material.categories.all()) == [category]


def test_admin_add_keeps_what_was_typed_when_refused(synced, editor, client):
    from django.urls import reverse

    client.force_login(editor)
    url = reverse("admin:pricebook_service_create")
    # LAZI's own check: negative price, before any request.
    refused = client.post(url, {"code": "ADM-2", "description": "Typed text stays", "price": "-5"})
    assert refused.status_code == 200
    assert b"cannot be negative" in refused.content
    assert b"Typed text stays" in refused.content and b'value="ADM-2"' in refused.content
    assert synced.stats.total == 0
    # ServiceTitan's refusal (a category it no longer has), in words, the form kept.
    known = Category.objects.filter(category_type="Services").order_by("st_id").first()
    gone = Category.objects.create(
        tenant_id=known.tenant_id, st_id=known.st_id + 900_000, name="Removed since", category_type="Services"
    )
    response = client.post(url, {"code": "ADM-2", "description": "Typed text stays", "category": gone.pk})
    assert response.status_code == 200
    assert f"Category {gone.st_id} does not exist".encode() in response.content
    assert b'value="ADM-2"' in response.content
    assert not Service.objects.filter(code="ADM-2").exists()


def test_admin_add_is_for_editors_and_the_mirror_stays_read_only(synced, viewer, client):
    from django.urls import reverse

    client.force_login(viewer)
    assert b"pb-create-link" not in client.get(reverse("admin:pricebook_material_changelist")).content
    assert client.get(reverse("admin:pricebook_material_create")).status_code == 403
    assert (
        client.post(reverse("admin:pricebook_equipment_create"), {"code": "V", "description": "d"}).status_code == 403
    )
    assert client.get(reverse("admin:pricebook_material_add")).status_code == 403
    material = Material.objects.first()
    assert client.post(reverse("admin:pricebook_material_deactivate", args=[material.pk])).status_code == 403
    assert synced.stats.total == 0


def test_admin_deactivate_action_confirms_then_deactivates(synced, editor, client):
    from django.contrib.admin import helpers
    from django.urls import reverse

    client.force_login(editor)
    items = list(Material.objects.filter(active=True).order_by("st_id")[:3])
    selected = [str(m.pk) for m in items]
    url = reverse("admin:pricebook_material_changelist")
    confirm = client.post(url, {"action": "deactivate_selected", helpers.ACTION_CHECKBOX_NAME: selected, "index": 0})
    assert confirm.status_code == 200 and b"Yes, deactivate in ServiceTitan" in confirm.content
    assert synced.stats.total == 0  # nothing sent before the confirmation
    done = client.post(
        url, {"action": "deactivate_selected", helpers.ACTION_CHECKBOX_NAME: selected, "_confirm": "1"}, follow=True
    )
    assert done.status_code == 200
    assert b"3 item(s) deactivated in ServiceTitan" in done.content
    for material in items:
        material.refresh_from_db()
        assert material.active is False and not material.deleted
        assert synced.dataset.get("pricebook.materials", material.st_id)["active"] is False


def test_admin_deactivate_button_on_the_item_page(synced, editor, client):
    from django.urls import reverse

    client.force_login(editor)
    equipment = Equipment.objects.filter(active=True).order_by("st_id").first()
    page = client.get(reverse("admin:pricebook_equipment_change", args=[equipment.pk]))
    assert b'id="pb-deactivate-link"' in page.content
    url = reverse("admin:pricebook_equipment_deactivate", args=[equipment.pk])
    assert b"Yes, deactivate in ServiceTitan" in client.get(url).content
    response = client.post(url, {"_confirm": "1"})
    assert response.status_code == 302
    equipment.refresh_from_db()
    assert equipment.active is False
    assert synced.dataset.get("pricebook.equipment", equipment.st_id)["active"] is False
