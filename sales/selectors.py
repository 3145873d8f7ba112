"""How each pricebook item sells: per material, service or equipment over the last N days, from invoice items and
estimate items.

`item_sales(item_type, tenant_id, days)` annotates the pricebook items' queryset with the figures as correlated
subqueries over the (tenant, SKU, date)-indexed line tables, so a list page (sorted by any figure, filtered,
paginated) is one SQL statement whatever the number of lines. Ratios are derived from the sums per row
(`ItemSales.of`), never by querying again.

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

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
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


def item_sales(item_type: str, tenant_id: int | None = None, days: int = 90, *, now=None) -> QuerySet:
    """The `item_type` items (of a tenant, or all) annotated with `units_sold`, `revenue`, `cost_of_sales`,
    `estimate_appearances` and `estimates_sold` over the last `days` days."""
    model, line_type = ITEM_TYPES[item_type]
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    sold = sold_lines(since).filter(item_type=line_type)
    estimated = EstimateItem.objects.filter(
        sku_type=line_type, estimate_created_on__gte=since, active=True, deleted=False
    )
    items = model.objects.all() if tenant_id is None else model.objects.filter(tenant_id=tenant_id)
    line_cost = ExpressionWrapper(F("quantity") * F("cost"), output_field=AMOUNT)
    return items.annotate(
        units_sold=Coalesce(_grouped(sold, Sum("quantity")), ZERO, output_field=AMOUNT),
        revenue=Coalesce(_grouped(sold, Sum("total")), ZERO, output_field=AMOUNT),
        cost_of_sales=Coalesce(_grouped(sold, Sum(line_cost)), ZERO, output_field=AMOUNT),
        estimate_appearances=Coalesce(
            _grouped(estimated, Count("estimate_st_id", distinct=True)), 0, output_field=IntegerField()
        ),
        estimates_sold=Coalesce(
            _grouped(estimated.filter(status=Estimate.Status.SOLD), Count("estimate_st_id", distinct=True)),
            0,
            output_field=IntegerField(),
        ),
    )


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
