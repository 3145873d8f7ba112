"""The pricebook lists' "sold 90 days" (admin column, API field and ordering) and the item page's sales table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from pricebook.admin import MaterialAdmin
from pricebook.models import Equipment, Material, Service
from tests.pricebook.factories import TENANT_ID, _ids, make_material
from tests.sales.test_item_sales import estimate, sell

pytestmark = pytest.mark.django_db
D = Decimal
MATERIALS = "/api/v1/pricebook/materials/"


@pytest.fixture
def api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def three():
    """Three materials: LOTS sold 7 units in 90 days (and 100 more a year ago), SOME 2, NONE nothing."""
    lots, some, none = (make_material(code, "10.00") for code in ("LOTS", "SOME", "NONE"))
    sell(lots, quantity="4", price="10.00", cost="5.00", days_ago=10)
    sell(lots, quantity="3", price="9.00", cost="5.00", days_ago=80)
    sell(lots, quantity="100", price="9.00", cost="5.00", days_ago=200)  # outside 90 days
    sell(some, quantity="2", price="10.00", cost="5.00", days_ago=5)
    sell(none, quantity="50", price="10.00", cost="5.00", days_ago=5, deleted=True)  # a deleted invoice's line
    return lots, some, none


def _count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_the_api_lists_serve_and_order_by_sold_90_days(api, three):
    lots, some, _none = three
    ascending = api.get(MATERIALS, {"ordering": "sold_90_days"}).json()["results"]
    assert [row["code"] for row in ascending] == ["NONE", "SOME", "LOTS"]
    assert [D(row["sold_90_days"]) for row in ascending] == [D(0), D(2), D(7)]
    descending = api.get(MATERIALS, {"ordering": "-sold_90_days"}).json()["results"]
    assert [row["code"] for row in descending] == ["LOTS", "SOME", "NONE"]
    assert D(api.get(f"{MATERIALS}{lots.st_id}/").json()["sold_90_days"]) == 7
    # Services and equipment count their own line types only (a service with the same id sold nothing).
    service = Service.objects.create(tenant_id=TENANT_ID, st_id=lots.st_id, code="SVC", price=D(1))
    sell(service, quantity="6", price="1.00", cost="0", days_ago=3, line_type="Service")
    equipment = Equipment.objects.create(tenant_id=TENANT_ID, st_id=some.st_id, code="EQ", price=D(1))
    services = api.get("/api/v1/pricebook/services/", {"ordering": "-sold_90_days"}).json()["results"]
    assert [(row["code"], D(row["sold_90_days"])) for row in services] == [("SVC", D(6))]
    row = api.get(f"/api/v1/pricebook/equipment/{equipment.st_id}/").json()
    assert D(row["sold_90_days"]) == 0


def test_the_schema_lists_the_sold_ordering(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/pricebook/materials/"]["get"]["parameters"]
    ordering = next(p for p in parameters if p["name"] == "ordering")
    assert {"sold_90_days", "-sold_90_days"} <= set(ordering["schema"]["enum"])
    assert api.get("/api/v1/pricebook/categories/", {"ordering": "sold_90_days"}).status_code == 400


def test_pages_sorted_by_sold_cost_the_same_queries_first_and_deep(api, editor, client):
    Material.objects.bulk_create(
        Material(tenant_id=TENANT_ID, st_id=next(_ids), code=f"Q-{n:04}", cost=D(1), price=D(10)) for n in range(260)
    )
    for material in Material.objects.order_by("pk")[::9]:
        sell(material, quantity="2", price="10.00", cost="1.00", days_ago=15)
    params = {"ordering": "-sold_90_days"}
    last_page = -(-Material.objects.count() // 100)
    first = api.get(MATERIALS, {**params, "page": 1}).json()
    last = api.get(MATERIALS, {**params, "page": last_page}).json()
    assert D(first["results"][0]["sold_90_days"]) == 2 and D(last["results"][-1]["sold_90_days"]) == 0
    assert len(first["results"]) == 100 and 0 < len(last["results"]) < 100
    api_one = _count_queries(lambda: api.get(MATERIALS, {**params, "page": 1}))
    api_last = _count_queries(lambda: api.get(MATERIALS, {**params, "page": last_page}))
    assert api_one == api_last

    client.force_login(editor)
    url = reverse("admin:pricebook_material_changelist")
    column = list(MaterialAdmin.list_display).index("sold_90_days") + 1
    admin_last = -(-Material.objects.count() // MaterialAdmin.list_per_page)
    assert client.get(f"{url}?o=-{column}&p={admin_last}").status_code == 200
    admin_one_queries = _count_queries(lambda: client.get(f"{url}?o=-{column}"))
    admin_last_queries = _count_queries(lambda: client.get(f"{url}?o=-{column}&p={admin_last}"))
    assert admin_one_queries == admin_last_queries


def test_the_admin_list_shows_and_sorts_the_sold_column(editor, client, three):
    client.force_login(editor)
    url = reverse("admin:pricebook_material_changelist")
    column = list(MaterialAdmin.list_display).index("sold_90_days") + 1
    html = client.get(f"{url}?o=-{column}").content.decode()
    assert "Sold 90 days" in html
    assert html.index(">LOTS<") < html.index(">SOME<") < html.index(">NONE<")
    assert '<td class="field-sold_90_days">7</td>' in html
    html = client.get(f"{url}?o={column}").content.decode()
    assert html.index(">NONE<") < html.index(">SOME<") < html.index(">LOTS<")


def test_the_item_page_shows_the_three_windows_in_one_query(editor, client):
    pipe = make_material("PIPE", "20.00", cost=D("8.00"))
    sell(pipe, quantity="3", price="20.00", cost="8.00", days_ago=5)
    sell(pipe, quantity="2", price="18.00", cost="8.00", days_ago=20)
    sell(pipe, quantity="5", price="19.00", cost="7.50", days_ago=60)
    sell(pipe, quantity="10", price="15.00", cost="6.00", days_ago=200)
    estimate(pipe, status="Sold", days_ago=3)
    estimate(pipe, status="Open", days_ago=50)
    client.force_login(editor)
    url = reverse("admin:pricebook_material_change", args=[pipe.pk])
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    sales_queries = [q for q in queries.captured_queries if "estimates_sold_365" in q["sql"]]
    assert len(sales_queries) == 1
    table = html[html.index('id="pb-item-sales"') :]
    table = table[: table.index("</table>")]
    rows = table.split("<tr>")[2:]  # after the head
    assert [row.split("</td>")[0].split(">")[-1] for row in rows] == ["30 days", "90 days", "365 days"]
    # 30 days: 5 units, 96.00 (average 19.20: -4.0 % against 20.00), margin (96 - 40) / 96 = 58.3 %, list 60 %;
    # one estimate, sold.
    cells = [cell.split(">")[-1] for cell in rows[0].split("</td>")[:-1]]
    assert cells == ["30 days", "5", "96.00", "19.20", "-4.0%", "58.3%", "60.0%", "1", "1", "100.0%"]
    # 365 days: 20 units, 341.00 (average 17.05: -14.8 %), margin (341 - 137.50) / 341 = 59.7 %; 2 estimates, 1 sold.
    cells = [cell.split(">")[-1] for cell in rows[2].split("</td>")[:-1]]
    assert cells == ["365 days", "20", "341.00", "17.05", "-14.8%", "59.7%", "60.0%", "2", "1", "50.0%"]
