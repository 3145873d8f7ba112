"""How each pricebook item sells: per material, service or equipment over the last N days, from invoice items and
estimate items.

`item_sales(item_type, tenant_id, days)` annotates the pricebook items' queryset with the figures as correlated
subqueries over the indexed line tables, so a list page (sorted by any figure, filtered, paginated) is one SQL
statement whatever the number of lines. For the whole pricebook at once, `item_sales_grouped` gives the same figures
from each line table grouped once and joined back (a probe per item and figure costs more there);
`item_sales_windows` reads an item page's 30/90/365-day figures in one statement. Ratios are derived from the sums
per row (`ItemSales.of`), never by querying again.

What counts:
- sold: lines of active, not deleted invoices dated in the window (`invoice_date`), of that SKU and item type;
  units = Σ quantity, revenue = Σ line total, cost of sales = Σ quantity * the line's cost;
- estimated: estimate lines of that SKU and type on estimates created in the window (active, not deleted), counted
  per estimate; "sold" when the estimate's status is Sold.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounting.models import InvoiceItem
from pricebook.models import Equipment, Material, Service
from sales.models import Estimate, EstimateItem

WINDOWS = (30, 90, 365)
# LAZI's item types → (pricebook model, ServiceTitan's line type on invoices and estimates).
ITEM_TYPES = {
    "material": (Material, "Material"),
    "service": (Service, "Service"),
    "equipment": (Equipment, "Equipment"),
}
FIGURES = ("units_sold", "revenue", "cost_of_sales", "estimate_appearances", "estimates_sold")
AMOUNT = DecimalField(max_digits=20, decimal_places=4)
ZERO = Value(Decimal("0"), output_field=AMOUNT)


def _grouped(lines: QuerySet, value) -> Subquery:
    """One aggregate of the lines correlated to the outer item (by tenant and SKU)."""
    return Subquery(
        lines.filter(tenant_id=OuterRef("tenant_id"), sku_st_id=OuterRef("st_id"))
        .order_by()
        .values("sku_st_id")
        .annotate(value=value)
        .values("value")[:1]
    )


def sold_lines(since) -> QuerySet:
    """The invoice lines that count as sold from `since` on (of active, not deleted invoices, by invoice date)."""
    return InvoiceItem.objects.filter(invoice_date__gte=since, active=True, deleted=False)


def _figures(line_type: str, since, suffix: str = "") -> dict:
    """The five figures of the outer item from `since` on, as correlated subqueries named `<figure><suffix>`."""
    sold = sold_lines(since).filter(item_type=line_type)
    estimated = estimate_lines(line_type, since)
    line_cost = ExpressionWrapper(F("quantity") * F("cost"), output_field=AMOUNT)
    return {
        f"units_sold{suffix}": Coalesce(_grouped(sold, Sum("quantity")), ZERO, output_field=AMOUNT),
        f"revenue{suffix}": Coalesce(_grouped(sold, Sum("total")), ZERO, output_field=AMOUNT),
        f"cost_of_sales{suffix}": Coalesce(_grouped(sold, Sum(line_cost)), ZERO, output_field=AMOUNT),
        f"estimate_appearances{suffix}": Coalesce(
            _grouped(estimated, Count("estimate_st_id", distinct=True)), 0, output_field=IntegerField()
        ),
        f"estimates_sold{suffix}": Coalesce(
            _grouped(estimated.filter(status=Estimate.Status.SOLD), Count("estimate_st_id", distinct=True)),
            0,
            output_field=IntegerField(),
        ),
    }


def estimate_lines(line_type: str, since) -> QuerySet:
    """The estimate lines of that type that count from `since` on (estimates created then, active, not deleted)."""
    return EstimateItem.objects.filter(sku_type=line_type, estimate_created_on__gte=since, active=True, deleted=False)


def _since(days: int, now=None):
    return (now or timezone.now()) - datetime.timedelta(days=days)


def _items(model, tenant_id: int | None) -> QuerySet:
    return model.objects.all() if tenant_id is None else model.objects.filter(tenant_id=tenant_id)


def item_sales(item_type: str, tenant_id: int | None = None, days: int = 90, *, now=None) -> QuerySet:
    """The `item_type` items (of a tenant, or all) annotated with `units_sold`, `revenue`, `cost_of_sales`,
    `estimate_appearances` and `estimates_sold` over the last `days` days."""
    model, line_type = ITEM_TYPES[item_type]
    return _items(model, tenant_id).annotate(**_figures(line_type, _since(days, now)))


def units_sold(item_type: str, days: int = 90, *, now=None):
    """The units of the outer item (a pricebook row of `item_type`) sold over the last `days` days, 0 when none:
    one correlated subquery, to annotate or order a list page by."""
    sold = sold_lines(_since(days, now)).filter(item_type=ITEM_TYPES[item_type][1])
    return Coalesce(_grouped(sold, Sum("quantity")), ZERO, output_field=AMOUNT)


def item_sales_grouped_sql(item_type: str, tenant_id: int | None = None, days: int = 90, *, now=None) -> tuple:
    """The statement of `item_sales_grouped` and its parameters (also for EXPLAIN)."""
    model, line_type = ITEM_TYPES[item_type]
    since = _since(days, now)
    line_cost = ExpressionWrapper(F("quantity") * F("cost"), output_field=AMOUNT)
    sold = (
        sold_lines(since)
        .filter(item_type=line_type)
        .order_by()
        .values("tenant_id", "sku_st_id")
        .annotate(units_sold=Sum("quantity"), revenue=Sum("total"), cost_of_sales=Sum(line_cost))
    )
    estimated = (
        estimate_lines(line_type, since)
        .order_by()
        .values("tenant_id", "sku_st_id")
        .annotate(
            estimate_appearances=Count("estimate_st_id", distinct=True),
            estimates_sold=Count("estimate_st_id", distinct=True, filter=Q(status=Estimate.Status.SOLD)),
        )
    )
    items = _items(model, tenant_id).order_by().values("id", "tenant_id", "st_id")
    if tenant_id is not None:
        # Said of the lines too: the (tenant, type, date) index then reads the window's lines only.
        sold, estimated = sold.filter(tenant_id=tenant_id), estimated.filter(tenant_id=tenant_id)
    parts = [qs.query.sql_with_params() for qs in (items, sold, estimated)]
    # The parts are the ORM's own compiled statements; every value is a parameter.
    sql = (
        "SELECT i.id, COALESCE(s.units_sold, 0), COALESCE(s.revenue, 0), COALESCE(s.cost_of_sales, 0), "  # noqa: S608
        "COALESCE(e.estimate_appearances, 0), COALESCE(e.estimates_sold, 0) "
        f"FROM ({parts[0][0]}) i "
        f"LEFT JOIN ({parts[1][0]}) s ON s.tenant_id = i.tenant_id AND s.sku_st_id = i.st_id "
        f"LEFT JOIN ({parts[2][0]}) e ON e.tenant_id = i.tenant_id AND e.sku_st_id = i.st_id"
    )
    return sql, [*parts[0][1], *parts[1][1], *parts[2][1]]


def item_sales_grouped(item_type: str, tenant_id: int | None = None, days: int = 90, *, now=None) -> dict:
    """{item pk: {figure: value}} for every `item_type` item (of a tenant, or all): the same figures as
    `item_sales`, for the whole pricebook at once. One statement: each line table grouped once by (tenant, SKU)
    and joined back to the items, where `item_sales`'s correlated form costs an index probe per item and figure."""
    with connection.cursor() as cursor:
        cursor.execute(*item_sales_grouped_sql(item_type, tenant_id, days, now=now))
        return {pk: dict(zip(FIGURES, values, strict=True)) for pk, *values in cursor.fetchall()}


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ItemSales:
    """The ratios of one annotated item (None where undefined: nothing sold, list price 0, …)."""

    average_price: Decimal | None
    price_vs_list_percent: Decimal | None
    realised_margin_percent: Decimal | None
    list_margin_percent: Decimal | None
    estimate_sold_rate_percent: Decimal | None

    @classmethod
    def of(cls, item) -> ItemSales:
        units, revenue = item.units_sold or Decimal(0), item.revenue or Decimal(0)
        average = (revenue / units).quantize(Decimal("0.0001")) if units else None
        vs_list = _percent(average - item.price, item.price) if average is not None and item.price else None
        return cls(
            average_price=average,
            price_vs_list_percent=vs_list,
            realised_margin_percent=_percent(revenue - item.cost_of_sales, revenue) if revenue else None,
            list_margin_percent=_percent(item.price - item.cost, item.price) if item.price else None,
            estimate_sold_rate_percent=_percent(item.estimates_sold, item.estimate_appearances),
        )


@dataclass(frozen=True)
class SalesWindow:
    """One window of an item's page: the figures (sums, counts) and their ratios."""

    days: int
    figures: dict
    ratios: ItemSales


def item_sales_windows(item, item_type: str, *, now=None) -> list[SalesWindow]:
    """The item's figures and ratios over each of `WINDOWS` (30, 90, 365 days), read in one statement."""
    model, line_type = ITEM_TYPES[item_type]
    annotations = {}
    for days in WINDOWS:
        annotations.update(_figures(line_type, _since(days, now), suffix=f"_{days}"))
    row = model.objects.filter(pk=item.pk).annotate(**annotations).values(*annotations).get()
    # A service's margin is on its rolled-up cost (labour + linked items), as everywhere else.
    list_cost = item.total_cost if item_type == "service" else item.cost
    windows = []
    for days in WINDOWS:
        figures = {name: row[f"{name}_{days}"] for name in FIGURES}
        ratios = ItemSales.of(SimpleNamespace(price=item.price, cost=list_cost, **figures))
        windows.append(SalesWindow(days, figures, ratios))
    return windows
