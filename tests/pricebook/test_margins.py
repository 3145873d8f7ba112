"""Margin and markup: arithmetic (hand-computed), the stored generated columns, a service's rolled-up cost, the admin
list (columns, sorting, filters), the API (fields, filters, ordering), exports, and constant query counts."""

from __future__ import annotations

import csv
import io
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from pricebook.models import Equipment, Material, RawService, Service, ServiceEquipment, ServiceMaterial
from pricebook.selectors import (
    effective_margins,
    margin_percent,
    markup_percent,
    service_cost_breakdown,
    with_margins,
)
from pricebook.services.costs import refresh_service_costs
from pricebook.services.overrides import save_override
from pricebook.services.spreadsheets import export_rows, preview_import, write_csv
from tests.pricebook.factories import TENANT_ID, make_material

D = Decimal
pytestmark = pytest.mark.django_db
_ids = itertools.count(9_500_001)


def material(cost, price, **fields) -> Material:
    return make_material(cost=D(cost), price=str(price), **fields)


def make_service(cost, price, **fields) -> Service:
    st_id = next(_ids)
    return Service.objects.create(
        tenant_id=TENANT_ID, st_id=st_id, code=f"SVC-{st_id}", name=f"Service {st_id}", cost=D(cost), price=D(price),
        st_modified_on=timezone.now(), **fields,
    )  # fmt: skip


def make_equipment(cost, price) -> Equipment:
    st_id = next(_ids)
    return Equipment.objects.create(
        tenant_id=TENANT_ID, st_id=st_id, code=f"EQ-{st_id}", name=f"Equipment {st_id}", cost=D(cost), price=D(price)
    )


# --- arithmetic -------------------------------------------------------------------------------------------------------
def test_margin_and_markup_by_hand():
    # price 10, cost 6: margin (10-6)/10 = 40 %, markup (10-6)/6 = 66.6667 %.
    assert margin_percent(D(10), D(6)) == D("40.0000") and markup_percent(D(10), D(6)) == D("66.6667")
    # A 100 % markup is a 50 % margin.
    assert margin_percent(D(20), D(10)) == D(50) and markup_percent(D(20), D(10)) == D(100)
    # Cost 0: markup undefined ("cost missing"), margin 100 %. Price 0: margin undefined, markup -100 %.
    assert markup_percent(D(5), D(0)) is None and margin_percent(D(5), D(0)) == D(100)
    assert margin_percent(D(0), D(3)) is None and markup_percent(D(0), D(3)) == D(-100)
    # Below cost: negative margin.
    assert margin_percent(D(8), D(10)) == D(-25) and markup_percent(D(8), D(10)) == D(-20)


def test_the_database_stores_the_same_margins():
    rows = {
        "a": material("6", "10"),
        "b": material("0", "5"),
        "c": material("3", "0"),
        "d": material("1.8", "3"),  # 40 % exactly (a float computation would give 40.000000000000014)
        "e": material("12.40", "18.99"),
    }
    for row in rows.values():
        row.refresh_from_db()
    assert (rows["a"].margin_percent, rows["a"].markup_percent) == (D(40), D("66.6667"))
    assert (rows["b"].margin_percent, rows["b"].markup_percent) == (D(100), None)
    assert (rows["c"].margin_percent, rows["c"].markup_percent) == (None, D(-100))
    assert rows["d"].margin_percent == D(40)
    # (18.99-12.40)/18.99 = 34.7025 %, (18.99-12.40)/12.40 = 53.1452 %.
    assert (rows["e"].margin_percent, rows["e"].markup_percent) == (D("34.7025"), D("53.1452"))
    # Boundaries of the filters: 40 % is not below 40 %.
    below = set(Material.objects.filter(margin_percent__lt=40).values_list("pk", flat=True))
    assert below == {rows["e"].pk}
    # Generated columns follow every write of price or cost, whoever writes them.
    Material.objects.filter(pk=rows["a"].pk).update(price=D(12))
    rows["a"].refresh_from_db()
    assert rows["a"].margin_percent == D(50)


# --- a service's cost: labour + linked materials and equipment ----------------------------------------------------------
def test_service_cost_rolls_up_linked_items_and_breaks_down():
    pipe, valve = material("2", "5"), material("1.5", "4")
    heater = make_equipment("10", "30")
    service = make_service("5", "48")
    ServiceMaterial.objects.create(tenant_id=TENANT_ID, service=service, material=pipe, target_st_id=pipe.st_id,
                                   quantity=D(3))  # fmt: skip
    ServiceMaterial.objects.create(tenant_id=TENANT_ID, service=service, material=valve, target_st_id=valve.st_id,
                                   quantity=D(2))  # fmt: skip
    ServiceMaterial.objects.create(
        tenant_id=TENANT_ID, service=service, material=None, target_st_id=123, quantity=D(7)
    )  # fmt: skip  (not mirrored: counts 0)
    ServiceEquipment.objects.create(tenant_id=TENANT_ID, service=service, equipment=heater,
                                    target_st_id=heater.st_id, quantity=D(1))  # fmt: skip

    assert refresh_service_costs(TENANT_ID, material_st_ids=[pipe.st_id]) == 1
    service.refresh_from_db()
    # labour 5 + materials 3x2 + 2x1.5 = 9 + equipment 1x10 = 10 -> 24; price 48: margin 50 %, markup 100 %.
    assert (service.materials_cost, service.equipment_cost, service.total_cost) == (D(9), D(10), D(24))
    assert (service.margin_percent, service.markup_percent) == (D(50), D(100))

    breakdown = service_cost_breakdown(service)
    assert breakdown.labor_cost == D(5) and breakdown.total == D(24)
    assert [(line.kind, line.quantity, line.total) for line in breakdown.lines] == [
        ("material", D(3), D(6)), ("material", D(2), D(3)), ("material", D(7), D(0)), ("equipment", D(1), D(10)),
    ]  # fmt: skip
    # A pending cost override of a linked material shows in the breakdown, not in ServiceTitan's roll-up.
    save_override(item_type="material", st_id=pipe.st_id, values={"cost": D(3)})
    breakdown = service_cost_breakdown(service)
    assert breakdown.total == D(24) and breakdown.effective_total == D(27)

    # The material's cost moves (a sync): its services follow.
    Material.objects.filter(pk=pipe.pk).update(cost=D(4))
    refresh_service_costs(TENANT_ID, material_st_ids=[pipe.st_id])
    service.refresh_from_db()
    assert service.total_cost == D(30) and service.margin_percent == D("37.5000")


def test_synced_services_carry_their_rolled_up_cost(synced):
    """Against the simulator: every service's total = its labour cost + Σ quantity x linked cost, from the raw JSON."""
    costs = {
        **dict(Material.objects.values_list("st_id", "cost")),
        **dict(Equipment.objects.values_list("st_id", "cost")),
    }
    live = set(Material.objects.filter(deleted=False).values_list("st_id", flat=True))
    live |= set(Equipment.objects.filter(deleted=False).values_list("st_id", flat=True))
    checked = linked = 0
    for raw in RawService.objects.all():
        expected = D(str(raw.payload.get("cost") or 0))
        for key in ("serviceMaterials", "serviceEquipment"):
            for link in raw.payload.get(key) or []:
                if link["skuId"] in live:
                    expected += D(str(link.get("quantity") or 0)) * costs[link["skuId"]]
                    linked += 1
        service = Service.objects.get(st_id=raw.st_id)
        assert service.total_cost == expected.quantize(D("0.0001")), service.st_id
        checked += 1
    assert checked and linked  # the simulator's services do link materials and equipment


# --- API --------------------------------------------------------------------------------------------------------------
@pytest.fixture
def api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


def test_api_margin_fields_filters_and_ordering(api):
    low, mid, high, free = material("9", "10"), material("6", "10"), material("2", "10"), material("1", "0")
    save_override(item_type="material", st_id=high.st_id, values={"price": D(20)})
    url = "/api/v1/pricebook/materials/"
    body = api.get(url, {"ordering": "margin_percent"}).json()
    rows = {row["st_id"]: row for row in body["results"]}
    defined = [row["st_id"] for row in body["results"] if row["margin_percent"] is not None]
    assert defined == [low.st_id, mid.st_id, high.st_id]
    assert D(rows[low.st_id]["margin_percent"]) == 10 and D(rows[low.st_id]["markup_percent"]) == D("11.1111")
    assert rows[free.st_id]["margin_percent"] is None
    # ServiceTitan's margin stays 80 %; the effective one (pending price 20) is (20-2)/20 = 90 %.
    assert D(rows[high.st_id]["margin_percent"]) == 80
    assert D(rows[high.st_id]["effective_margins"]["margin_percent"]) == 90
    assert D(rows[high.st_id]["effective_margins"]["price"]) == 20

    def ids(**params):
        return {row["st_id"] for row in api.get(url, params).json()["results"]}

    assert ids(margin_percent__lt=40) == {low.st_id}
    assert ids(margin_percent__gte=40) == {mid.st_id, high.st_id}  # 40 % exactly is "at least 40"
    assert ids(margin_percent__gte=10, margin_percent__lt=80) == {low.st_id, mid.st_id}
    assert ids(cost_missing="true") == set()
    assert api.get(url, {"margin_percent__lt": "abc"}).status_code == 400


def test_api_services_use_the_rolled_up_cost(api):
    service = make_service("5", "20", materials_cost=D(3), equipment_cost=D(2))
    row = api.get(f"/api/v1/pricebook/services/{service.st_id}/").json()
    assert D(row["total_cost"]) == 10 and D(row["margin_percent"]) == 50 and D(row["markup_percent"]) == 100
    assert D(row["effective_margins"]["cost"]) == 10


def _count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_api_and_admin_lists_answer_in_a_constant_number_of_queries(api, editor, client):
    Material.objects.bulk_create(
        Material(tenant_id=TENANT_ID, st_id=next(_ids), code=f"Q-{n:04}", cost=D(n % 9 + 1), price=D(10))
        for n in range(330)
    )
    for st_id in Material.objects.order_by("pk").values_list("st_id", flat=True)[::7]:
        save_override(item_type="material", st_id=st_id, values={"price": D(11)})
    url = "/api/v1/pricebook/materials/"
    params = {"ordering": "margin_percent", "margin_percent__lt": 80}
    count = api.get(url, params).json()["count"]
    last_page = -(-count // 100)
    assert last_page >= 3
    first = api.get(url, {**params, "page": 1}).json()
    last = api.get(url, {**params, "page": last_page}).json()
    assert len(first["results"]) == 100 and 0 < len(last["results"]) < 100
    page_one = _count_queries(lambda: api.get(url, {**params, "page": 1}))
    page_last = _count_queries(lambda: api.get(url, {**params, "page": last_page}))
    # The same queries for 100 rows and for the few of the last page: none per row.
    assert page_one == page_last

    client.force_login(editor)
    admin_url = reverse("admin:pricebook_material_changelist")
    query = f"o={_admin_column(client, admin_url, 'margin')}&margin_below=80"
    admin_last_page = -(-count // 50)
    assert client.get(f"{admin_url}?{query}&p={admin_last_page}").status_code == 200
    admin_one = _count_queries(lambda: client.get(f"{admin_url}?{query}"))
    admin_last = _count_queries(lambda: client.get(f"{admin_url}?{query}&p={admin_last_page}"))
    assert admin_one == admin_last


def _admin_column(client, url, name) -> int:
    """The admin's 1-based index of a list column (for `?o=`)."""
    from pricebook.admin import MaterialAdmin

    return list(MaterialAdmin.list_display).index(name) + 1


# --- admin ------------------------------------------------------------------------------------------------------------
def test_admin_list_shows_sorts_and_filters_margins(editor, client):
    for cost, code in (("9", "LOW"), ("5", "MID"), ("0", "ZERO")):
        material(cost, "10", code=code)
    client.force_login(editor)
    url = reverse("admin:pricebook_material_changelist")
    column = _admin_column(client, url, "margin")
    html = client.get(f"{url}?o={column}").content.decode()
    assert html.index(">LOW<") < html.index(">MID<") < html.index(">ZERO<")
    assert "10.0%" in html and "50.0%" in html and "cost missing" in html
    html = client.get(f"{url}?o=-{column}").content.decode()
    assert html.index(">ZERO<") < html.index(">MID<") < html.index(">LOW<")

    def codes(query):
        page = client.get(f"{url}?{query}").content.decode()
        return {code for code in ("LOW", "MID", "ZERO") if f">{code}<" in page}

    assert codes("margin_below=40") == {"LOW"}
    assert codes("margin_below=50.5") == {"LOW", "MID"}
    assert codes("margin_band=40-60") == {"MID"}
    assert codes("margin_band=60-") == {"ZERO"}
    assert codes("cost_missing=yes") == {"ZERO"}
    assert 'name="margin_below"' in client.get(url).content.decode()  # the "below N %" box


def test_item_pages_show_margins_and_the_service_breakdown(editor, client):
    pipe = material("2", "5")
    save_override(item_type="material", st_id=pipe.st_id, values={"price": D(8)})
    client.force_login(editor)
    html = client.get(reverse("admin:pricebook_material_change", args=[pipe.pk])).content.decode()
    assert 'id="pb-margins"' in html
    assert "60.0%" in html and "150.0%" in html  # ServiceTitan's: (5-2)/5, (5-2)/2
    assert "75.0%" in html and "300.0%" in html  # with the pending price 8: (8-2)/8, (8-2)/2

    service = make_service("5", "48")
    ServiceMaterial.objects.create(tenant_id=TENANT_ID, service=service, material=pipe, target_st_id=pipe.st_id,
                                   quantity=D(3))  # fmt: skip
    refresh_service_costs(TENANT_ID)
    html = client.get(reverse("admin:pricebook_service_change", args=[service.pk])).content.decode()
    breakdown = html[html.index('id="pb-cost-breakdown"') :]
    assert "Labour" in breakdown and pipe.name in breakdown and "11.00" in breakdown  # 5 + 3x2


# --- exports ----------------------------------------------------------------------------------------------------------
def test_exports_carry_cost_margin_and_markup():
    item = material("6", "10", code="EXP-1")
    save_override(item_type="material", st_id=item.st_id, values={"cost": D(5)})
    rows = export_rows(Material.objects.filter(pk=item.pk), "material")
    assert rows[0]["cost"] == D(5)  # effective (pending override)
    assert rows[0]["margin_percent"] == D(50) and rows[0]["servicetitan_margin_percent"] == D(40)
    table = list(csv.DictReader(io.StringIO(write_csv(rows).decode("utf-8-sig"))))
    assert table[0]["cost"] == "5.00" and table[0]["margin_percent"] == "50.00"
    assert table[0]["markup_percent"] == "100.00" and table[0]["servicetitan_markup_percent"] == "66.67"

    service = make_service("5", "20", materials_cost=D(3))
    rows = export_rows(Service.objects.filter(pk=service.pk), "service")
    assert rows[0]["cost"] == D(8) and rows[0]["margin_percent"] == D(60)


def test_import_sets_cost_overrides_and_refuses_a_service_cost():
    item = material("6", "10", code="IMP-1")
    preview = preview_import("material", "costs.csv", b"code,cost\nIMP-1,7.25\n")
    assert preview.changed[0].values == {"cost": D("7.2500")}
    service = make_service("5", "20")
    preview = preview_import("service", "s.csv", f"code,cost\n{service.code},9\n".encode())
    assert preview.with_errors and "cannot be set here" in preview.with_errors[0].errors[0]
    # The exported total comes back unchanged: no error.
    preview = preview_import("service", "s.csv", f"code,cost,price\n{service.code},5.00,21\n".encode())
    assert not preview.with_errors and preview.changed[0].values == {"price": D(21)}
    assert item.pk


def test_effective_margins_of_a_row_need_no_query():
    item = material("4", "10")
    save_override(item_type="material", st_id=item.st_id, values={"cost": D(5), "price": D(20)})
    row = with_margins(Material.objects.filter(pk=item.pk)).get()
    with CaptureQueriesContext(connection) as queries:
        margins = effective_margins(row)
    assert len(queries) == 0
    assert margins == {"cost": D(5), "price": D(20), "margin_percent": D(75), "markup_percent": D(300)}


def test_refreshing_costs_rewrites_only_the_services_whose_cost_moved():
    pipe, valve = material("1.1111", "5"), material("2", "5")
    # Quantity x cost has more decimals than the column keeps: stored rounded, and then equal to itself.
    odd = make_service("1", "10")
    ServiceMaterial.objects.create(tenant_id=TENANT_ID, service=odd, material=pipe, target_st_id=pipe.st_id,
                                   quantity=D("0.3333"))  # fmt: skip
    plain = make_service("1", "10")
    ServiceMaterial.objects.create(tenant_id=TENANT_ID, service=plain, material=valve, target_st_id=valve.st_id,
                                   quantity=D(2))  # fmt: skip
    alone = make_service("1", "10")  # nothing linked: keeps 0

    assert refresh_service_costs(TENANT_ID) == (2 if connection.vendor == "postgresql" else 3)
    odd.refresh_from_db(), plain.refresh_from_db(), alone.refresh_from_db()
    assert (odd.materials_cost, plain.materials_cost, alone.materials_cost) == (D("0.3703"), D(4), D(0))
    if connection.vendor == "postgresql":
        assert refresh_service_costs(TENANT_ID) == 0  # nothing moved: nothing written

    Material.objects.filter(pk=valve.pk).update(cost=D(3))
    refreshed = refresh_service_costs(TENANT_ID, material_st_ids=[pipe.st_id, valve.st_id])
    assert refreshed == (1 if connection.vendor == "postgresql" else 2)
    plain.refresh_from_db()
    assert plain.materials_cost == D(6)
    # A deleted material counts no more.
    Material.objects.filter(pk=valve.pk).update(deleted=True)
    refresh_service_costs(TENANT_ID, material_st_ids=[valve.st_id])
    plain.refresh_from_db()
    assert plain.materials_cost == D(0)
