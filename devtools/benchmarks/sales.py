"""`make bench` part of how each pricebook item sells (section "item-sales").

A tenant of its own: 25,000 materials, 4,000 services and 1,000 equipment; invoice and estimate lines generated in
SQL (`INSERT … SELECT … FROM generate_series`, seeded): set-based and seconds long, where the same rows through the
simulator and the sync would take minutes and measure the sync (the harness's own comparison does that), not the
figures. Lines spread over 400 days, 80 % materials, 15 % services, 5 % equipment, skewed towards a few best sellers;
2 % of inactive or deleted invoices. Everything is removed afterwards.

1. At 250,000 invoice lines: the materials list (API and admin) sorted by "sold 90 days", page 1 and a deep page:
   queries per page and milliseconds, beside the same pages in their default order.
2. At 500,000 invoice lines and 200,000 estimate lines: the figures of the whole pricebook (all items, 90 days) by
   `item_sales_grouped` and by the correlated `item_sales`, beside a bare `GROUP BY` of the same invoice lines.
"""

from __future__ import annotations

import datetime
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction

TENANT = 990_003
MATERIALS, SERVICES, EQUIPMENT = 25_000, 4_000, 1_000
# ServiceTitan ids of the bench items: one range per type, so a line's SKU names one item of its type.
BASES = {"Material": 7_000_000_000, "Service": 7_100_000_000, "Equipment": 7_200_000_000}
COUNTS = {"Material": MATERIALS, "Service": SERVICES, "Equipment": EQUIPMENT}
LIST_LINES, ALL_LINES, ESTIMATE_LINES = 250_000, 500_000, 200_000
DAYS = 90
REPEAT = 5


def _items() -> None:
    from pricebook.models import Equipment, Material, Service

    for model, line_type in ((Material, "Material"), (Service, "Service"), (Equipment, "Equipment")):
        base = BASES[line_type]
        model.objects.bulk_create(
            [
                model(
                    tenant_id=TENANT,
                    st_id=base + i,
                    code=f"S{line_type[0]}-{i:06d}",
                    name=f"Bench {line_type} {i}",
                    cost=Decimal(2 + i % 300),
                    price=Decimal(5 + i % 300) * 2,
                )
                for i in range(COUNTS[line_type])
            ],
            batch_size=5000,
        )


def _sku_and_type_sql() -> tuple[str, str]:
    """SQL of a line's type and SKU from `k` (0–19: its type) and `r` (uniform in [0, 1): skewed to low ids)."""
    kind = "CASE WHEN k < 16 THEN 'Material' WHEN k < 19 THEN 'Service' ELSE 'Equipment' END"
    sku = (
        f"CASE WHEN k < 16 THEN {BASES['Material']} + floor({MATERIALS} * r * r)::bigint "
        f"WHEN k < 19 THEN {BASES['Service']} + floor({SERVICES} * r * r)::bigint "
        f"ELSE {BASES['Equipment']} + floor({EQUIPMENT} * r * r)::bigint END"
    )
    return kind, sku


def _insert_generated(model, first: int, last: int, columns: dict[str, str]) -> None:
    """Rows `first`..`last` of `model` in one INSERT … SELECT over generate_series (`g`, with `k` = g mod 20 and a
    seeded random `r`): `columns` are SQL per column; other NOT NULL columns take the field's default."""
    # The generated SQL's modulo signs, escaped: the defaults below are the statement's parameters.
    values = {name: sql.replace("%", "%%") for name, sql in columns.items()}
    params = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.null or field.column in values:
            continue
        values[field.column] = "%s"
        params.append(field.get_db_prep_save(field.get_default(), connection))
    names = ", ".join(connection.ops.quote_name(name) for name in values)
    select = ", ".join(values.values())
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {select} FROM "  # noqa: S608 - bench-made SQL, no input
        f"(SELECT g, g %% 20 AS k, random() AS r, random() AS r2 FROM generate_series({first}, {last}) g) lines"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _invoice_lines(first: int, last: int) -> None:
    from accounting.models import InvoiceItem

    kind, sku = _sku_and_type_sql()
    quantity = "(1 + floor(r2 * 5))::numeric"
    price = "(10 + floor(r2 * 90))::numeric"
    _insert_generated(
        InvoiceItem,
        first,
        last,
        {
            "tenant_id": str(TENANT),
            "st_id": "g",
            "invoice_st_id": "g / 4",
            "invoice_date": "now() - (g % 400) * interval '1 day' - (g % 24) * interval '1 hour'",
            "item_type": kind,
            "sku_st_id": sku,
            "quantity": quantity,
            "price": price,
            "total": f"{quantity} * {price}",
            "cost": f"round({price} * 0.45, 2)",
            "total_cost": f"round({quantity} * {price} * 0.45, 2)",
            "active": "g % 100 <> 0",
            "deleted": "g % 100 = 1",
        },
    )


def _estimate_lines(first: int, last: int) -> None:
    from sales.models import EstimateItem

    kind, sku = _sku_and_type_sql()
    _insert_generated(
        EstimateItem,
        first,
        last,
        {
            "tenant_id": str(TENANT),
            "st_id": "g",
            "estimate_st_id": "g / 3",
            "estimate_created_on": "now() - ((g / 3) % 400) * interval '1 day'",
            "status": "CASE WHEN (g / 3) % 3 = 0 THEN 'Sold' WHEN (g / 3) % 3 = 1 THEN 'Open' ELSE 'Dismissed' END",
            "sku_type": kind,
            "sku_st_id": sku,
            "quantity": "1",
            "unit_rate": "20",
            "total": "20",
            "active": "true",
        },
    )


def _analyze() -> None:
    with connection.cursor() as cursor:
        for table in ("accounting_invoiceitem", "sales_estimateitem", "pricebook_material", "pricebook_service",
                      "pricebook_equipment"):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")


def _clean() -> None:
    from accounting.models import InvoiceItem
    from pricebook.models import Equipment, Material, Service
    from sales.models import EstimateItem

    with transaction.atomic():
        for model in (InvoiceItem, EstimateItem, Material, Service, Equipment):
            model.objects.filter(tenant_id=TENANT)._raw_delete(connection.alias)


def _median_ms(run, repeat: int = REPEAT) -> float:
    run()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _alternating(runs: dict, repeat: int = REPEAT) -> dict[str, float]:
    """Median seconds of each run, the runs taking turns (so load on the machine hits them alike)."""
    for run in runs.values():
        run()  # warm
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def _list_pages(log) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from pricebook.admin import MaterialAdmin

    user = get_user_model().objects.create_superuser("bench-sales", "bench@example.com", "bench-only")
    client = Client()
    client.force_login(user)
    api = "/api/v1/pricebook/materials/"
    admin_url = reverse("admin:pricebook_material_changelist")
    column = list(MaterialAdmin.list_display).index("sold_90_days") + 1
    deep_api, deep_admin = MATERIALS // 100 - 5, MATERIALS // MaterialAdmin.list_per_page - 10
    pages = {
        "API, default order, page 1": f"{api}?page=1",
        f"API, default order, page {deep_api}": f"{api}?page={deep_api}",
        "API, -sold_90_days, page 1": f"{api}?ordering=-sold_90_days&page=1",
        f"API, -sold_90_days, page {deep_api}": f"{api}?ordering=-sold_90_days&page={deep_api}",
        "admin, sold 90 days ↓, page 1": f"{admin_url}?o=-{column}",
        f"admin, sold 90 days ↓, page {deep_admin}": f"{admin_url}?o=-{column}&p={deep_admin}",
    }
    lines = ["| list page | queries | ms (median of 5) |", "|---|---:|---:|"]
    try:
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            for label, url in pages.items():
                log(f"item-sales: {label} …")

                def get(url=url):
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)

                with CaptureQueriesContext(connection) as captured:
                    get()
                lines.append(f"| {label} | {len(captured)} | {_median_ms(get):.0f} |")
    finally:
        user.delete()
    return lines


def _plan_of_the_sorted_page() -> str:
    """The node types PostgreSQL plans for page 1 of the materials sorted by units sold (an index on the lines'
    (tenant, SKU, date) expected, no sequential scan of them)."""
    from pricebook.models import Material
    from pricebook.selectors import items_with_sold_90_days

    qs = items_with_sold_90_days(Material.objects.filter(tenant_id=TENANT), "material").order_by("-sold_90_days")[:100]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    lines_scan = "Seq Scan on accounting_invoiceitem" in plan
    index = next((name for name in ("accounting_item_sold", "accounting_item_sku_date") if name in plan), None)
    only = "Index Only Scan" in plan
    return f"plan of the sorted page: {f'index {index}' if index else 'NO index'}{' (index-only)' if only else ''}" + (
        ", a SEQUENTIAL SCAN of the lines" if lines_scan else ", no sequential scan of the lines"
    )


INDEX = "accounting_item_sold"


def _without_index(run) -> None:
    """`run` as it was before the index: dropped in a transaction rolled back afterwards (cheap both ways)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX {INDEX}")
        run()
        transaction.set_rollback(True)


def _whole_pricebook(log) -> list[str]:
    from django.utils import timezone

    from pricebook.models import Material
    from pricebook.selectors import items_with_sold_90_days
    from sales.selectors import FIGURES, ITEM_TYPES, item_sales, item_sales_grouped, item_sales_grouped_sql

    since = timezone.now() - datetime.timedelta(days=DAYS)
    # The bare statements: the same rows as the figures (per item type, the same conditions), summed, nothing else.
    bare_sql = (
        "SELECT tenant_id, sku_st_id, sum(quantity), sum(total), sum(quantity * cost) "
        "FROM accounting_invoiceitem WHERE tenant_id = %s AND item_type = %s AND invoice_date >= %s AND active "
        "AND NOT deleted GROUP BY tenant_id, sku_st_id"
    )
    bare_estimates_sql = (
        "SELECT tenant_id, sku_st_id, count(DISTINCT estimate_st_id), "
        "count(DISTINCT estimate_st_id) FILTER (WHERE status = 'Sold') FROM sales_estimateitem "
        "WHERE tenant_id = %s AND sku_type = %s AND estimate_created_on >= %s AND active AND NOT deleted "
        "GROUP BY tenant_id, sku_st_id"
    )

    def fetch(*statements):
        with connection.cursor() as cursor:
            for sql in statements:
                for _, line_type in ITEM_TYPES.values():
                    cursor.execute(sql, [TENANT, line_type, since])
                    cursor.fetchall()

    results = {}

    def grouped():
        results["grouped"] = {t: item_sales_grouped(t, TENANT, DAYS) for t in ITEM_TYPES}

    def correlated():
        results["correlated"] = {
            t: {row[0]: dict(zip(FIGURES, row[1:], strict=True))
                for row in item_sales(t, TENANT, DAYS).values_list("pk", *FIGURES)}
            for t in ITEM_TYPES
        }  # fmt: skip

    def sorted_page():
        qs = items_with_sold_90_days(Material.objects.filter(tenant_id=TENANT), "material")
        list(qs.order_by("-sold_90_days").values_list("pk", "sold_90_days")[:100])

    runs = {
        "bare GROUP BY of the invoice lines": lambda: fetch(bare_sql),
        "bare GROUP BYs of the invoice and estimate lines": lambda: fetch(bare_sql, bare_estimates_sql),
        "item_sales_grouped (3 item types, all figures)": grouped,
        "item_sales, correlated (3 item types, all figures)": correlated,
        f"item_sales_grouped without the {INDEX} index": lambda: _without_index(grouped),
        "materials sorted by sold_90_days, first 100 (the list's statement)": sorted_page,
        f"the same without the {INDEX} index": lambda: _without_index(sorted_page),
    }
    log("item-sales: the whole pricebook, the forms taking turns …")
    seconds = _alternating(runs)
    assert results["grouped"] == results["correlated"], "the grouped and correlated forms disagree"
    with_index = seconds["item_sales_grouped (3 item types, all figures)"]
    without_index = seconds[f"item_sales_grouped without the {INDEX} index"]
    page, page_without = (
        seconds["materials sorted by sold_90_days, first 100 (the list's statement)"],
        seconds[f"the same without the {INDEX} index"],
    )
    items = sum(len(rows) for rows in results["grouped"].values())
    sold = sum(1 for rows in results["grouped"].values() for row in rows.values() if row["units_sold"])
    bare = seconds["bare GROUP BY of the invoice lines"]
    bare_both = seconds["bare GROUP BYs of the invoice and estimate lines"]
    lines = ["| run | seconds (median of 5) | vs bare invoice GROUP BY | vs bare GROUP BYs of both |",
             "|---|---:|---:|---:|"]  # fmt: skip
    for name, value in seconds.items():
        lines.append(f"| {name} | {value:.3f} | {value / bare:.2f}x | {value / bare_both:.2f}x |")
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN " + item_sales_grouped_sql("material", TENANT, DAYS)[0],
            item_sales_grouped_sql("material", TENANT, DAYS)[1],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    scan = (
        "an index-only scan of accounting_item_sold"
        if "Index Only Scan using accounting_item_sold" in plan
        else "NO index-only scan of the lines"
    )
    lines += [
        "",
        f"- plan of the grouped form (materials): {scan}; estimate lines: "
        + ("a sequential scan" if "Seq Scan on sales_estimateitem" in plan else "an index"),
        f"- the {INDEX} index (tenant, type, SKU, date, covering quantity, total, cost; active, not deleted lines): "
        f"whole pricebook {without_index:.3f} s → {with_index:.3f} s (**{without_index / with_index:.2f}x**), the "
        f"sorted list statement {page * 1000:.0f} ms → {page_without * 1000:.0f} ms without it "
        f"(**{page_without / page:.2f}x**), alternating in the same session",
        f"- {items:,} items, {sold:,} of them sold in the last {DAYS} days; both forms give the same figures "
        "(checked above)",
        f"- whole pricebook by the grouped form: **{seconds['item_sales_grouped (3 item types, all figures)']:.3f} s**"
        f" (target: under 1 s), **{seconds['item_sales_grouped (3 item types, all figures)'] / bare:.2f}x** the bare "
        "invoice-lines GROUP BY",
    ]
    return lines


def bench_item_sales(log) -> list[str]:
    _clean()
    try:
        log(f"item-sales: {MATERIALS + SERVICES + EQUIPMENT:,} items, {LIST_LINES:,} invoice lines …")
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.13)")
        started = time.perf_counter()
        with transaction.atomic():
            _items()
            _invoice_lines(1, LIST_LINES)
        first_insert = time.perf_counter() - started
        _analyze()
        list_lines = _list_pages(log)
        plan = _plan_of_the_sorted_page()
        log(f"item-sales: up to {ALL_LINES:,} invoice lines and {ESTIMATE_LINES:,} estimate lines …")
        started = time.perf_counter()
        with transaction.atomic():
            _invoice_lines(LIST_LINES + 1, ALL_LINES)
            _estimate_lines(1, ESTIMATE_LINES)
        second_insert = time.perf_counter() - started
        _analyze()
        whole = _whole_pricebook(log)
    finally:
        _clean()
    return [
        "## How each item sells (sales per pricebook item)",
        "",
        f"{MATERIALS:,} materials, {SERVICES:,} services, {EQUIPMENT:,} equipment of one tenant; invoice and estimate "
        "lines generated in SQL (one `INSERT … SELECT … generate_series` each, seeded: "
        f"{first_insert:.1f} s for the items and {LIST_LINES:,} lines, {second_insert:.1f} s for "
        f"{ALL_LINES - LIST_LINES:,} more and {ESTIMATE_LINES:,} estimate lines), then VACUUM ANALYZE.",
        "",
        f'### Materials list with "sold 90 days" at {LIST_LINES:,} invoice lines',
        "",
        *list_lines,
        "",
        f"- {plan}",
        "",
        f"### The whole pricebook's figures ({DAYS} days) at {ALL_LINES:,} invoice and {ESTIMATE_LINES:,} estimate lines",
        "",
        *whole,
    ]


BENCH_SECTIONS = {"item-sales": bench_item_sales}
