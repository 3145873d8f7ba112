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

from django.conf import settings
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


# The bare statements: the same rows as the figures (per item type, the same conditions), summed, nothing else.
BARE_INVOICE_SQL = (
    "SELECT tenant_id, sku_st_id, sum(quantity), sum(total), sum(quantity * cost) "
    "FROM accounting_invoiceitem WHERE tenant_id = %s AND item_type = %s AND invoice_date >= %s AND active "
    "AND NOT deleted GROUP BY tenant_id, sku_st_id"
)
BARE_ESTIMATE_SQL = (
    "SELECT tenant_id, sku_st_id, count(DISTINCT estimate_st_id), "
    "count(DISTINCT estimate_st_id) FILTER (WHERE status = 'Sold') FROM sales_estimateitem "
    "WHERE tenant_id = %s AND sku_type = %s AND estimate_created_on >= %s AND active AND NOT deleted "
    "GROUP BY tenant_id, sku_st_id"
)


def _bare_group_by(tenant_id: int, since, *statements) -> list:
    """The bare statements run for every item type; their rows."""
    from sales.selectors import ITEM_TYPES

    rows = []
    with connection.cursor() as cursor:
        for sql in statements:
            for _, line_type in ITEM_TYPES.values():
                cursor.execute(sql, [tenant_id, line_type, since])
                rows += cursor.fetchall()
    return rows


def _whole_pricebook(log) -> list[str]:
    from django.utils import timezone

    from pricebook.models import Material
    from pricebook.selectors import items_with_sold_90_days
    from sales.selectors import FIGURES, ITEM_TYPES, item_sales, item_sales_grouped, item_sales_grouped_sql

    since = timezone.now() - datetime.timedelta(days=DAYS)
    bare_sql, bare_estimates_sql = BARE_INVOICE_SQL, BARE_ESTIMATE_SQL

    def fetch(*statements):
        _bare_group_by(TENANT, since, *statements)

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


# --- item-sales-sync: the same volumes served by the simulator and mirrored by the real sync ------------------------
SYNC_KEYS = ("accounting.invoices", "sales.estimates")
PRICEBOOK_KEYS = ("pricebook.categories", "pricebook.materials", "pricebook.services", "pricebook.equipment")
LINE_MODELS = {"accounting.invoices": "accounting.InvoiceItem", "sales.estimates": "sales.EstimateItem"}
# Lines per invoice or estimate: the simulator spreads a resource's line total evenly (2 or 3 each).
LINES_PER_RECORD = 2.5
# (invoice lines, estimate lines): a tenth of the sizes, then the (ALL_LINES, ESTIMATE_LINES).
SYNC_SIZES = ((ALL_LINES // 10, ESTIMATE_LINES // 10), (ALL_LINES, ESTIMATE_LINES))
# The pricebook the lines sell, at the simulator's scale 1.0 (5,000 materials, 1,500 services, 500 equipment).
SYNC_SCALE = 1.0


def sync_tenant(invoice_lines: int, estimate_lines: int) -> dict:
    """The simulator's arguments for a tenant whose invoices hold `invoice_lines` lines in all and whose estimates
    hold `estimate_lines`, both resources generated record by record as they are read (never held whole)."""
    return {
        "counts": {
            "accounting.invoices": max(1, round(invoice_lines / LINES_PER_RECORD)),
            "sales.estimates": max(1, round(estimate_lines / LINES_PER_RECORD)),
        },
        "lines": {"accounting.invoices": invoice_lines, "sales.estimates": estimate_lines},
        "on_demand": SYNC_KEYS,
    }


def mirrored_counts(tenant_id: int, keys=SYNC_KEYS) -> dict[str, dict]:
    """What the mirror holds of each resource: records (master rows, inactive and deleted ones included, as the
    export serves them) and lines."""
    from django.apps import apps

    from servicetitan.sync.streams import all_streams

    streams = all_streams()
    return {
        key: {
            "records": streams[key].master().objects.filter(tenant_id=tenant_id).count(),
            "lines": apps.get_model(LINE_MODELS[key]).objects.filter(tenant_id=tenant_id).count(),
        }
        for key in keys
    }


def call_rows(streams: dict, batch: int) -> list[dict]:
    """Per stream of a sync probe: the calls of the full sync and of the incremental one with nothing changed, each
    beside its minimum (`harness.minimum_calls`, the sync comparison's definition: one per export batch of `batch`,
    at least one)."""
    from devtools.benchmarks.harness import minimum_calls

    return [
        {
            "key": key,
            "records": figures["records"],
            "calls": figures["calls"],
            "minimum": minimum_calls(figures["records"], batch),
            "quiet_calls": figures["quiet_calls"],
            "quiet_minimum": minimum_calls(0, batch),
        }
        for key, figures in streams.items()
    ]


def _empty_mirror(keys) -> None:
    """The mirror's tables of these streams, and their lines, emptied (the benchmark database's own)."""
    from django.apps import apps

    from devtools.benchmarks.harness import truncate_mirror
    from servicetitan.sync.streams import all_streams

    streams = all_streams()
    truncate_mirror([streams[key] for key in keys])
    tables = [apps.get_model(LINE_MODELS[key])._meta.db_table for key in keys if key in LINE_MODELS]
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)}")


def _sync_pricebook(log) -> dict:
    from servicetitan.sync.engine import sync_targets

    log("item-sales-sync: the pricebook the lines sell …")
    started = time.perf_counter()
    runs = sync_targets(list(PRICEBOOK_KEYS), full=True, triggered_by="bench")
    seconds = time.perf_counter() - started
    failed = [run.summary() for run in runs if run.status != "succeeded"]
    if failed:
        raise RuntimeError("the pricebook sync failed: " + "; ".join(failed))
    return {"records": sum(run.records for run in runs), "seconds": seconds}


def _synced_figures(tenant_id: int, log) -> list[str]:
    """The whole pricebook's figures over the synced lines (`item_sales_grouped`, the form `item-sales` times) beside
    the bare GROUP BYs of the same rows, taking turns; the figures' units add up to the bare statement's."""
    from django.utils import timezone

    from sales.selectors import ITEM_TYPES, item_sales_grouped

    log("item-sales-sync: the whole pricebook's figures over the synced lines …")
    with connection.cursor() as cursor:
        for table in ("accounting_invoiceitem", "sales_estimateitem", "pricebook_material", "pricebook_service",
                      "pricebook_equipment"):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")
    since = timezone.now() - datetime.timedelta(days=DAYS)
    results = {}

    def grouped():
        results["grouped"] = {t: item_sales_grouped(t, tenant_id, DAYS) for t in ITEM_TYPES}

    def bare():
        results["bare"] = _bare_group_by(tenant_id, since, BARE_INVOICE_SQL)

    runs = {
        "bare GROUP BY of the invoice lines": bare,
        "bare GROUP BYs of the invoice and estimate lines": lambda: _bare_group_by(
            tenant_id, since, BARE_INVOICE_SQL, BARE_ESTIMATE_SQL
        ),
        "item_sales_grouped (3 item types, all figures)": grouped,
    }
    seconds = _alternating(runs)
    units = sum(row["units_sold"] for rows in results["grouped"].values() for row in rows.values())
    bare_units = sum(row[2] for row in results["bare"])
    if units != bare_units:
        raise RuntimeError(f"the figures' units sold ({units}) differ from the bare GROUP BY's ({bare_units})")
    items = sum(len(rows) for rows in results["grouped"].values())
    sold = sum(1 for rows in results["grouped"].values() for row in rows.values() if row["units_sold"])
    invoice_bare = seconds["bare GROUP BY of the invoice lines"]
    both_bare = seconds["bare GROUP BYs of the invoice and estimate lines"]
    whole = seconds["item_sales_grouped (3 item types, all figures)"]
    lines = ["| run | seconds (median of 5) | vs bare invoice GROUP BY | vs bare GROUP BYs of both |",
             "|---|---:|---:|---:|"]  # fmt: skip
    lines += [f"| {name} | {value:.3f} | {value / invoice_bare:.2f}x | {value / both_bare:.2f}x |"
              for name, value in seconds.items()]  # fmt: skip
    lines += [
        "",
        f"- {items:,} mirrored items, {sold:,} of them sold in the last {DAYS} days; the figures' units sold add up to "
        f"the bare GROUP BY's ({units:,.0f}, checked)",
        f"- whole pricebook over the synced rows: **{whole:.3f} s** (target: under 1 s), **{whole / invoice_bare:.2f}x** "
        f"the bare invoice-lines GROUP BY, {whole / both_bare:.2f}x the bare GROUP BYs of both line tables",
    ]
    return lines


def measure_sync(invoice_lines: int, estimate_lines: int, log, *, sync_pricebook: bool, database_url: str) -> dict:
    """One size: a simulator of its own serving the tenant, the pricebook synced here (when asked), the invoices and
    estimates fully synced then synced again with nothing changed in a fresh process (`harness.sync_probe`); the
    simulator's counts beside the mirror's."""
    from devtools.benchmarks import harness

    tenant = sync_tenant(invoice_lines, estimate_lines)
    simulator = harness.RemoteSimulator(SYNC_SCALE, **tenant)
    saved = dict(settings.SERVICE_TITAN)
    try:
        # Generated before anything is timed: the pricebook (the lines' prices and costs come from it); invoices
        # and estimates are made as they are read, so counting them costs nothing.
        for key in PRICEBOOK_KEYS:
            simulator.counts(key)
        simulator.point_settings_here()
        pricebook = None
        if sync_pricebook:
            _empty_mirror([*PRICEBOOK_KEYS, *SYNC_KEYS])
            pricebook = _sync_pricebook(log)
        else:
            _empty_mirror(SYNC_KEYS)
        log(f"item-sales-sync: {invoice_lines:,} invoice and {estimate_lines:,} estimate lines, full sync in a fresh "
            "process …")  # fmt: skip
        probe = harness.run_sync_probe_subprocess(list(SYNC_KEYS), simulator, database_url)
        served = {key: simulator.counts(key) for key in SYNC_KEYS}
        tenant_id = int(simulator.environment()["TENANT_ID"])
    finally:
        simulator.stop()
        settings.SERVICE_TITAN.clear()
        settings.SERVICE_TITAN.update(saved)
    return {
        "invoice_lines": invoice_lines,
        "estimate_lines": estimate_lines,
        "tenant_id": tenant_id,
        "batch": harness.EXPORT_BATCH,  # the simulator's export batch (RemoteSimulator's default)
        "probe": probe,
        "served": served,
        "mirrored": mirrored_counts(tenant_id),
        "pricebook": pricebook,
    }


def bench_item_sales_sync(log) -> list[str]:
    from devtools.benchmarks import harness

    url = harness.database_url_of_current_connection()
    sizes, figures = [], []
    started = time.perf_counter()
    try:
        for number, (invoice_lines, estimate_lines) in enumerate(SYNC_SIZES):
            sizes.append(measure_sync(invoice_lines, estimate_lines, log, sync_pricebook=number == 0,
                                      database_url=url))  # fmt: skip
        figures = _synced_figures(sizes[-1]["tenant_id"], log)
    finally:
        _empty_mirror([*PRICEBOOK_KEYS, *SYNC_KEYS])
    total = time.perf_counter() - started
    return render_sync(sizes, figures, total)


def render_sync(sizes: list[dict], figures: list[str], total_seconds: float) -> list[str]:
    pricebook = next(size["pricebook"] for size in sizes if size["pricebook"])
    lines = [
        "## Syncing the sales lines (invoice and estimate items through the simulator)",
        "",
        f"A tenant whose invoices hold the invoice lines and whose estimates the estimate lines, {LINES_PER_RECORD} "
        "a record (2 or 3), each resource generated record by record as the export reads it (the simulator holds "
        f"none of them: a process of its own, its work not LAZI's), beside a pricebook at scale {SYNC_SCALE} "
        f"({pricebook['records']:,} records, synced once first in {pricebook['seconds']:.1f} s). At each size a "
        "fresh process runs the engine's full sync of `accounting.invoices` and `sales.estimates` (each page: raw, "
        "master and its lines in one transaction), then an incremental sync with nothing changed; peak RSS is that "
        f"process's own. Export batches of {sizes[-1]['batch']:,}. Whole section: {total_seconds:.0f} s.",
        "",
        "| invoice lines | estimate lines | invoices + estimates | seconds | records/s | lines/s | peak RSS (MB) | "
        "RSS after start-up (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        probe = size["probe"]
        records = sum(stream["records"] for stream in probe["streams"].values())
        mirrored_lines = sum(counts["lines"] for counts in size["mirrored"].values())
        lines.append(
            f"| {size['invoice_lines']:,} | {size['estimate_lines']:,} | {records:,} | {probe['seconds']:.1f} | "
            f"{records / probe['seconds']:,.0f} | {mirrored_lines / probe['seconds']:,.0f} | "
            f"{probe['peak_rss_mb']:.0f} | {probe['baseline_mb']:.0f} |"
        )
    small, large = sizes[0]["probe"], sizes[-1]["probe"]
    lines += [
        "",
        f"- peak RSS at {sizes[-1]['invoice_lines'] // max(1, sizes[0]['invoice_lines'])}x the lines: "
        f"**{large['peak_rss_mb'] / small['peak_rss_mb']:.2f}x** ({small['peak_rss_mb']:.0f} → "
        f"{large['peak_rss_mb']:.0f} MB; flat means bounded by the page, not the collection)",
        "",
        "| size (invoice lines) | entity | records | calls | minimum | incremental, nothing changed | minimum |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        for row in call_rows(size["probe"]["streams"], size["batch"]):
            lines.append(
                f"| {size['invoice_lines']:,} | {row['key']} | {row['records']:,} | {row['calls']} | "
                f"{row['minimum']} | {row['quiet_calls']} | {row['quiet_minimum']} |"
            )
    lines += [
        "",
        "| size (invoice lines) | entity | records: simulator / mirror | lines: simulator / mirror | equal |",
        "|---:|---|---:|---:|---|",
    ]
    for size in sizes:
        for key in SYNC_KEYS:
            served, mirrored = size["served"][key], size["mirrored"][key]
            lines.append(
                f"| {size['invoice_lines']:,} | {key} | {served['records']:,} / {mirrored['records']:,} | "
                f"{served['lines']:,} / {mirrored['lines']:,} | {'yes' if served == mirrored else '**NO**'} |"
            )
    lines += [
        "",
        f"### The whole pricebook's figures ({DAYS} days) over the synced rows "
        f"({sizes[-1]['invoice_lines']:,} invoice and {sizes[-1]['estimate_lines']:,} estimate lines)",
        "",
        *figures,
    ]
    return lines


BENCH_SECTIONS = {"item-sales": bench_item_sales, "item-sales-sync": bench_item_sales_sync}
