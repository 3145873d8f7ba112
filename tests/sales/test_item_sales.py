"""How each pricebook item sells: the figures against sums computed by hand, the window, the API."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pricebook.models import Service
from sales.selectors import FIGURES, ItemSales, item_sales, item_sales_grouped, item_sales_windows
from tests.accounting.factories import InvoiceItemFactory
from tests.api_support import client_for
from tests.factories import InvoiceFactory, UserFactory, viewer
from tests.pricebook.factories import TENANT_ID, make_material
from tests.sales.factories import EstimateItemFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/sales/item-sales/"
D = Decimal


def ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def sell(item, *, quantity, price, cost, days_ago, line_type="Material", invoice=None, **fields):
    invoice = invoice or InvoiceFactory(tenant_id=TENANT_ID)
    return InvoiceItemFactory(
        tenant_id=TENANT_ID,
        invoice_st_id=invoice.st_id,
        invoice_date=ago(days_ago),
        item_type=line_type,
        sku_st_id=item.st_id,
        quantity=D(quantity),
        price=D(price),
        total=D(quantity) * D(price),
        cost=D(cost),
        **fields,
    )


def estimate(item, *, status, days_ago, estimate_st_id=None, sku_type="Material", **fields):
    extra = {"estimate_st_id": estimate_st_id} if estimate_st_id else {}
    return EstimateItemFactory(
        tenant_id=TENANT_ID,
        sku_st_id=item.st_id,
        sku_type=sku_type,
        status=status,
        estimate_created_on=ago(days_ago),
        **extra,
        **fields,
    )


@pytest.fixture
def pipe():
    """A material with lines in and out of the windows, and lines that must not count."""
    item = make_material(price="20.00", cost=D("8.00"))
    sell(item, quantity="3", price="20.00", cost="8.00", days_ago=5)
    sell(item, quantity="2", price="18.00", cost="8.00", days_ago=20)
    sell(item, quantity="5", price="19.00", cost="7.50", days_ago=60)
    sell(item, quantity="10", price="15.00", cost="6.00", days_ago=200)
    sell(item, quantity="99", price="1.00", cost="1.00", days_ago=500)  # outside every window
    sell(item, quantity="50", price="1.00", cost="1.00", days_ago=1, line_type="Service")  # a service, same id
    sell(item, quantity="40", price="1.00", cost="1.00", days_ago=1, active=False)  # an inactive invoice
    sell(item, quantity="30", price="1.00", cost="1.00", days_ago=1, deleted=True)
    first = estimate(item, status="Sold", days_ago=3)
    estimate(item, status="Sold", days_ago=4, estimate_st_id=first.estimate_st_id)  # twice on one estimate
    estimate(item, status="Dismissed", days_ago=10)
    estimate(item, status="Open", days_ago=50)
    estimate(item, status="Sold", days_ago=100)
    estimate(item, status="Sold", days_ago=2, sku_type="Service")
    return item


@pytest.mark.parametrize(
    ("days", "units", "revenue", "cost", "appearances", "sold"),
    [
        # 30 days: 3 x 20 + 2 x 18; cost 5 x 8; estimates: the sold one (twice on it) and the dismissed one.
        (30, "5", "96.00", "40.00", 2, 1),
        # 90 days: + 5 x 19 at cost 7.50; + the open estimate.
        (90, "10", "191.00", "77.50", 3, 1),
        # 365 days: + 10 x 15 at cost 6; + the estimate sold 100 days ago.
        (365, "20", "341.00", "137.50", 4, 2),
    ],
)
def test_figures_match_the_hand_computed_sums(pipe, days, units, revenue, cost, appearances, sold):
    row = item_sales("material", TENANT_ID, days).get(pk=pipe.pk)
    assert (row.units_sold, row.revenue, row.cost_of_sales) == (D(units), D(revenue), D(cost))
    assert (row.estimate_appearances, row.estimates_sold) == (appearances, sold)
    ratios = ItemSales.of(row)
    average = D(revenue) / D(units)
    assert ratios.average_price == average.quantize(D("0.0001"))
    assert ratios.price_vs_list_percent == ((average - D("20")) / D("20") * 100).quantize(D("0.01"))
    assert ratios.realised_margin_percent == ((D(revenue) - D(cost)) / D(revenue) * 100).quantize(D("0.01"))
    assert ratios.list_margin_percent == D("60.00")
    assert ratios.estimate_sold_rate_percent == (D(sold) / appearances * 100).quantize(D("0.01"))


def test_an_item_that_never_sold_has_zeros_and_no_ratios():
    idle = make_material(price="0.00")
    row = item_sales("material", TENANT_ID, 90).get(pk=idle.pk)
    assert (row.units_sold, row.revenue, row.estimate_appearances) == (0, 0, 0)
    ratios = ItemSales.of(row)
    assert ratios == ItemSales(None, None, None, None, None)


def test_services_count_service_lines_only(pipe):
    service = Service.objects.create(tenant_id=TENANT_ID, st_id=pipe.st_id + 1, code="SVC-1", price=D("100"))
    sell(service, quantity="1", price="90.00", cost="30.00", days_ago=2, line_type="Service")
    row = item_sales("service", TENANT_ID, 30).get(pk=service.pk)
    assert (row.units_sold, row.revenue, row.cost_of_sales) == (D("1"), D("90.00"), D("30.00"))


def test_the_api_lists_sorts_and_filters_in_one_query(pipe):
    quiet = make_material(price="5.00")
    sell(quiet, quantity="1", price="5.00", cost="2.00", days_ago=3)
    for _ in range(3):
        make_material()
    client = client_for(viewer())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"item_type": "material", "days": 30, "ordering": "-units_sold"})
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["st_id"] for row in rows[:2]] == [pipe.st_id, quiet.st_id]
    first = rows[0]
    assert (D(first["units_sold"]), D(first["revenue"]), first["estimates_sold"]) == (D("5"), D("96.00"), 1)
    assert D(first["price_vs_list_percent"]) == D("-4.00")  # 19.20 average against 20.00 list
    # Auth, then the page and its count: the figures cost no query per row.
    # The figures of the whole page in one statement; beside it only the paginator's count (and its size estimate).
    figure_queries = [q for q in queries.captured_queries if "estimates_sold" in q["sql"]]
    assert len(figure_queries) == 1, [q["sql"][:80] for q in figure_queries]

    assert [r["st_id"] for r in client.get(URL, {"units_sold__gte": 2, "days": 30}).json()["results"]] == [pipe.st_id]
    detail = client.get(f"{URL}{pipe.st_id}/", {"days": 365})
    assert detail.status_code == 200 and D(detail.json()["units_sold"]) == D("20")


def test_the_api_refuses_an_unknown_window_or_type_and_needs_the_view_permission(pipe):
    client = client_for(viewer())
    bad = client.get(URL, {"days": 45})
    assert bad.status_code == 400 and "days" in bad.json()
    assert client.get(URL, {"item_type": "category"}).status_code == 400
    assert client_for(UserFactory()).get(URL).status_code == 403
    assert client_for().get(URL).status_code == 401


@pytest.mark.parametrize("days", [30, 90, 365])
def test_the_grouped_form_equals_the_correlated_one(pipe, days):
    other = make_material(price="4.00")
    sell(other, quantity="7", price="3.50", cost="1.25", days_ago=25)
    estimate(other, status="Sold", days_ago=12)
    make_material()  # sold nothing
    service = Service.objects.create(tenant_id=TENANT_ID, st_id=pipe.st_id, code="SVC-2", price=D("10"))
    sell(service, quantity="2", price="9.00", cost="3.00", days_ago=2, line_type="Service")
    for item_type in ("material", "service"):
        correlated = {
            row["pk"]: {name: row[name] for name in FIGURES}
            for row in item_sales(item_type, TENANT_ID, days).values("pk", *FIGURES)
        }
        grouped = item_sales_grouped(item_type, TENANT_ID, days)
        assert grouped == correlated
    assert item_sales_grouped("material", TENANT_ID, days)[other.pk]["units_sold"] == D(
        "7"
    )  # every window holds its sale 25 days ago
    assert item_sales_grouped("material", TENANT_ID + 1, days) == {}  # another tenant's items only


def test_the_item_windows_are_read_in_one_query(pipe):
    with CaptureQueriesContext(connection) as queries:
        windows = item_sales_windows(pipe, "material")
    assert len(queries) == 1
    assert [w.days for w in windows] == [30, 90, 365]
    assert [w.figures["units_sold"] for w in windows] == [D("5"), D("10"), D("20")]
    assert [w.figures["estimate_appearances"] for w in windows] == [2, 3, 4]
    assert windows[1].ratios.average_price == D("19.1000")  # 191.00 / 10
    assert windows[1].ratios.realised_margin_percent == D("59.42")  # (191 - 77.50) / 191


def test_a_services_list_margin_is_on_its_rolled_up_cost():
    service = Service.objects.create(
        tenant_id=TENANT_ID, st_id=77_001, code="SVC-3", price=D("100"), cost=D("20"), materials_cost=D("10")
    )
    service.refresh_from_db()
    windows = item_sales_windows(service, "service")
    assert windows[0].ratios.list_margin_percent == D("70.00")  # (100 - 30) / 100
