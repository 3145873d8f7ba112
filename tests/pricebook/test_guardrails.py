"""Guardrails at every entry point (admin form, price change, import, API), and cost overrides pushed to the
simulator (single PATCH and bulk PATCH /pricebook)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from pricebook.models import Equipment, Material, PricebookOverride, Service
from pricebook.services.guardrails import price_errors, price_warnings
from pricebook.services.overrides import OverrideError, save_override
from pricebook.services.pricing import UnconfirmedWarnings, apply_price_change, preview_price_change, warnings_of
from pricebook.services.push import push_overrides
from pricebook.services.spreadsheets import preview_import
from tests.pricebook.factories import make_material

D = Decimal
BULK = "PATCH /pricebook/v2/tenant/{tenant}/pricebook"
PATCH_MATERIAL = "PATCH /pricebook/v2/tenant/{tenant}/materials/{id}"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# --- the rules --------------------------------------------------------------------------------------------------------
def test_errors_and_warnings():
    assert price_errors({"price": D(-1), "cost": D(2)}) == {
        "price": ["The price cannot be negative (-1.00); enter 0 or more."]
    }
    assert "cost" in price_errors({"cost": D("-0.01")})
    assert price_errors({"price": D(0), "member_price": None}) == {}
    codes = [w.code for w in price_warnings("material", {"price": D(10), "member_price": D(11)})]
    assert codes == ["member_price_above_price"]
    codes = [w.code for w in price_warnings("material", {"price": D(10), "member_price": D(10)})]
    assert codes == ["member_price_equals_price"]
    assert price_warnings("material", {"price": D(10), "member_price": D(0)}) == []  # no member price set
    codes = [w.code for w in price_warnings("material", {"price": D(5), "member_price": D(4)}, D(6))]
    assert codes == ["price_below_cost"]
    assert price_warnings("material", {"price": D(5), "member_price": D(4), "cost": D(4)}) == []


@pytest.mark.django_db
def test_the_service_refuses_negative_money_whoever_calls_it():
    item = make_material(price="10")
    with pytest.raises(OverrideError, match="cannot be negative"):
        save_override(item_type="material", st_id=item.st_id, values={"cost": D("-3")})
    assert not PricebookOverride.objects.exists()


# --- price change: the example ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_plus_five_percent_up_to_99_warns_when_member_price_reaches_price(editor):
    # 2.06 x 1.05 = 2.163 → .99 = 2.99; member 1.96 x 1.05 = 2.058 → .99 = 2.99: members would pay the price.
    item = make_material(price="2.06")
    Material.objects.filter(pk=item.pk).update(member_price=D("1.96"))
    item.refresh_from_db()
    options = {"fields": ["price", "member_price"], "mode": "percent", "amount": D(5), "rounding": "up_99"}
    rows = preview_price_change([item], **options)
    assert [(row.field, row.new) for row in rows] == [("price", D("2.99")), ("member_price", D("2.99"))]
    assert [w.code for w in warnings_of(rows)] == ["member_price_equals_price"]
    with pytest.raises(UnconfirmedWarnings):
        apply_price_change([item], user=editor, **options)
    assert not PricebookOverride.objects.exists()
    assert apply_price_change([item], user=editor, confirm_warnings=True, **options) == 1
    assert PricebookOverride.objects.get().override_member_price == D("2.99")


@pytest.mark.django_db
def test_price_change_preview_shows_warnings_and_apply_needs_confirmation(editor_client):
    item = make_material(price="2.06")
    Material.objects.filter(pk=item.pk).update(member_price=D("1.96"))
    url = reverse("admin:pricebook_material_changelist")
    form = {"action": "change_prices", "_selected_action": [item.pk], "fields_to_change": ["price", "member_price"],
            "mode": "percent", "amount": "5", "rounding": "up_99"}  # fmt: skip
    preview = editor_client.post(url, {**form, "_preview": "1"}).content.decode()
    assert 'id="pb-price-warnings"' in preview and "members get no discount" in preview
    refused = editor_client.post(url, {**form, "_apply": "1"})
    assert refused.status_code == 200 and "carry a warning" in refused.content.decode()
    assert not PricebookOverride.objects.exists()
    editor_client.post(url, {**form, "_apply": "1", "confirm_warnings": "on"})
    assert PricebookOverride.objects.get().override_price == D("2.99")


# --- admin item form ----------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_admin_form_refuses_negatives_and_asks_to_confirm_warnings(editor_client):
    item = make_material(price="10")  # member price 9
    url = reverse("admin:pricebook_material_change", args=[item.pk])
    base = {"name": item.name, "description": "", "active": "on", "_override": "1", "member_price": "9",
            "add_on_price": "0", "cost": "0"}  # fmt: skip
    page = editor_client.post(url, {**base, "price": "-1"})
    assert page.status_code == 200 and "The price cannot be negative" in page.content.decode()
    page = editor_client.post(url, {**base, "price": "10", "cost": "-2"})
    assert "The cost cannot be negative" in page.content.decode()
    assert not PricebookOverride.objects.exists()

    page = editor_client.post(url, {**base, "price": "8"})  # below the member price 9
    html = page.content.decode()
    assert page.status_code == 200 and 'id="pb-warnings"' in html and "members would pay more" in html
    assert 'name="confirm_warnings"' in html
    assert not PricebookOverride.objects.exists()
    confirmed = editor_client.post(url, {**base, "price": "8", "confirm_warnings": "on"})
    assert confirmed.status_code == 302
    assert PricebookOverride.objects.get().override_price == D(8)


@pytest.mark.django_db
def test_override_admin_form_has_the_same_guardrails(editor_client):
    item = make_material(price="10")
    url = reverse("admin:pricebook_pricebookoverride_add")
    form = {"item_type": "material", "st_pricebook_id": item.st_id, "override_active": "unknown"}
    page = editor_client.post(url, {**form, "override_cost": "-1"})
    assert "The cost cannot be negative" in page.content.decode()
    page = editor_client.post(url, {**form, "override_member_price": "12"})
    assert "members would pay more" in page.content.decode()
    assert not PricebookOverride.objects.exists()
    editor_client.post(url, {**form, "override_member_price": "12", "confirm_warnings": "on"})
    assert PricebookOverride.objects.get().override_member_price == D(12)


# --- import -------------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_import_refuses_negatives_and_flags_warnings(editor_client):
    make_material(code="G-1", price="10")
    make_material(code="G-2", price="10")
    make_material(code="G-3", price="10")
    content = b"code,price,member_price,cost\nG-1,-5,,\nG-2,8,,\nG-3,12,,4\n"
    preview = preview_import("material", "f.csv", content)
    assert [row.code for row in preview.with_errors] == ["G-1"]
    assert "cannot be negative" in preview.with_errors[0].errors[0]
    assert [row.code for row in preview.with_warnings] == ["G-2"]  # 8 is below the member price 9
    assert "members would pay more" in preview.with_warnings[0].warnings[0]

    url = reverse("admin:pricebook_material_import")
    upload = io.BytesIO(content)
    upload.name = "f.csv"
    page = editor_client.post(url, {"file": upload, "item_type": "material", "_preview": "1"}).content.decode()
    assert 'id="pb-import-warnings"' in page
    editor_client.post(url, {"_apply": "1"})  # not confirmed: nothing saved
    assert not PricebookOverride.objects.exists()
    upload.seek(0)
    editor_client.post(url, {"file": upload, "item_type": "material", "_preview": "1"})
    editor_client.post(url, {"_apply": "1", "confirm_warnings": "1"})
    saved = dict(PricebookOverride.objects.values_list("st_pricebook_id", "override_price"))
    assert sorted(saved.values()) == [D(8), D(12)]  # G-1 (negative) skipped
    assert PricebookOverride.objects.get(override_price=12).override_cost == D(4)


# --- API ----------------------------------------------------------------------------------------------------------------
@pytest.fixture
def api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.mark.django_db
def test_api_refuses_negatives_and_needs_confirm_warnings(api):
    item = make_material(price="10")
    url = "/api/v1/pricebook/overrides/"
    body = {"item_type": "material", "st_pricebook_id": item.st_id}
    negative = api.post(url, {**body, "override_cost": "-1"}, format="json")
    assert negative.status_code == 400 and "cannot be negative" in negative.json()["override_cost"][0]
    warned = api.post(url, {**body, "override_price": "8"}, format="json")
    assert warned.status_code == 400 and "members would pay more" in warned.json()["confirm_warnings"][0]
    assert not PricebookOverride.objects.exists()
    confirmed = api.post(url, {**body, "override_price": "8", "confirm_warnings": True}, format="json")
    assert confirmed.status_code == 201, confirmed.content
    # A partial update is checked against the values it leaves: member 9.50 is still above the pending price 8.
    patched = api.patch(f"{url}{confirmed.json()['id']}/", {"override_member_price": "9.5"}, format="json")
    assert patched.status_code == 400
    service_cost = api.post(url, {"item_type": "service", "st_pricebook_id": 1, "override_cost": "3"}, format="json")
    assert service_cost.status_code == 400


@pytest.mark.django_db
def test_the_schema_documents_confirm_warnings_and_margins(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    override = schema["components"]["schemas"]["PricebookOverride"]["properties"]
    assert "confirm_warnings" in override and "override_cost" in override
    material = schema["components"]["schemas"]["Material"]["properties"]
    assert {"margin_percent", "markup_percent", "effective_margins"} <= set(material)
    params = {p["name"] for p in schema["paths"]["/api/v1/pricebook/materials/"]["get"]["parameters"]}
    assert {"margin_percent__lt", "margin_percent__gte"} <= params


# --- cost overrides pushed to the simulator --------------------------------------------------------------------------------
def _routes(simulator) -> dict:
    return simulator.stats.snapshot()["by_route"]


def test_a_cost_override_is_pushed_alone_and_updates_the_margin(synced, editor):
    item = Material.objects.filter(active=True, deleted=False, price__gt=0).order_by("st_id").first()
    new_cost = (item.price / 2).quantize(D("0.01"))
    override = save_override(item_type="material", st_id=item.st_id, values={"cost": new_cost}, user=editor)
    sent = []
    from servicetitan.client.client import ServiceTitanClient

    original = ServiceTitanClient.update

    def recording(self, key, st_id, body):
        sent.append(body)
        return original(self, key, st_id, body)

    import unittest.mock

    with unittest.mock.patch.object(ServiceTitanClient, "update", recording):
        result = push_overrides([override.pk])
    assert result.synced == [override.pk]
    assert sent == [{"cost": float(new_cost)}]
    assert D(str(synced.dataset.get("pricebook.materials", item.st_id)["cost"])) == new_cost
    item.refresh_from_db()
    assert item.cost == new_cost
    assert item.margin_percent == ((item.price - new_cost) * 100 / item.price).quantize(D("0.0001"))


def test_cost_overrides_go_in_bulk_for_materials_and_equipment(synced, editor):
    used = Material.objects.filter(active=True, deleted=False, service_links__isnull=False).distinct()
    from tests.pricebook.factories import with_primary_vendor

    # With a primary vendor: the bulk schema requires one (the others are PATCHed by id).
    materials = list(with_primary_vendor(used).order_by("st_id")[:3])
    assert len(materials) == 3, "the simulator's pricebook is too small for this test"
    # The simulator's equipment has no primary vendor: PATCHed by id, one each (the bulk schema requires a vendor).
    equipment = list(Equipment.objects.filter(active=True, deleted=False).order_by("st_id")[:3])
    assert len(equipment) == 3, "the simulator's pricebook is too small for this test"
    ids = []
    for n, item in enumerate([*materials, *equipment]):
        kind = "material" if isinstance(item, Material) else "equipment"
        ids.append(save_override(item_type=kind, st_id=item.st_id, values={"cost": D(7 + n)}, user=editor).pk)
    linked = Service.objects.filter(material_links__material=materials[0]).first()

    result = push_overrides(ids, mode="bulk")

    assert sorted(result.synced) == sorted(ids) and not result.failed
    assert _routes(synced)[BULK] == 1  # the materials' batch
    assert PATCH_MATERIAL not in _routes(synced)
    assert _routes(synced)["PATCH /pricebook/v2/tenant/{tenant}/equipment/{id}"] == 3
    for n, item in enumerate([*materials, *equipment]):
        key = "pricebook.materials" if isinstance(item, Material) else "pricebook.equipment"
        assert synced.dataset.get(key, item.st_id)["cost"] == 7 + n
        item.refresh_from_db()
        assert item.cost == D(7 + n)
    # A service using the material follows its new cost (the write-back runs the sync's relation step).
    links = linked.material_links.select_related("material")
    expected = sum((link.quantity * link.material.cost for link in links if link.material and not link.material.deleted),
                   D(0))  # fmt: skip
    linked.refresh_from_db()
    assert linked.materials_cost == expected and linked.total_cost == linked.cost + expected + linked.equipment_cost
