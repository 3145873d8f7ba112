"""`st_bench --only serving`: the lists staff and API consumers read, at 10,000 and 100,000 rows.

For each list (the API's materials and customers, the admin's materials and customers), page 1 and a deep page (80 %
into the table) are timed three ways, side by side in the same run, best of `REPEAT`:

- bare: the indexed `SELECT … ORDER BY … LIMIT` of the same rows as model rows, nothing else (the yardstick; the
  same SQL fetched as tuples is shown beside it);
- list: what the list asks the database for that page: the rows, their overrides (pricebook), the row count (the
  planner's estimate on an unfiltered large table) — the target is within 3x bare, flat from 10,000 to 100,000;
- before: the same page with effective values as 9 correlated subqueries in the SELECT (how lists were served).

Then the whole HTTP request (Django test client, signed in; JSON or the admin's HTML) with its number of queries,
which must not grow with the table. Rows are inserted directly (bulk, in batches) under a tenant of their own, with
one pending override per 100 materials, and removed at the end.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

# `LAZI_BENCH_SERVING_SIZES=1000,5000` for a quick look.
SIZES = tuple(int(n) for n in os.environ.get("LAZI_BENCH_SERVING_SIZES", "10000,100000").split(","))
REPEAT = 7
BENCH_TENANT = 990_001
DEEP = 0.8


@dataclass(frozen=True)
class ListCase:
    label: str
    model_label: str
    url: str
    ordering: tuple[str, ...]
    per_page: int
    api: bool

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_label)

    @property
    def pricebook(self) -> bool:
        return self.model_label.startswith("pricebook.")


CASES = (
    ListCase("API materials", "pricebook.Material", "/api/v1/pricebook/materials/", ("tenant_id", "st_id"), 100, True),
    ListCase("API customers", "crm.Customer", "/api/v1/crm/customers/", ("tenant_id", "st_id"), 100, True),
    ListCase("admin materials", "pricebook.Material", "/admin/pricebook/material/", ("code", "-id"), 50, False),
    ListCase("admin customers", "crm.Customer", "/admin/crm/customer/", ("name", "-id"), 50, False),
)


def _best(fn) -> float:
    """Median of REPEAT runs after one warm-up, in milliseconds."""
    fn()
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# --- data -----------------------------------------------------------------------------------------------------------
def _fill(n: int, log) -> None:
    from crm.models import Customer
    from pricebook.models import Material, PricebookOverride

    _clean()
    now = timezone.now()
    states = ["CA", "TX", "NY", "FL", "WA", "OR", "AZ", "NV", "CO", "IL"]
    batch = 5000
    log(f"serving: inserting {n:,} customers and {n:,} materials …")
    with transaction.atomic():
        for start in range(0, n, batch):
            ids = range(start + 1, min(start + batch, n) + 1)
            Customer.objects.bulk_create(
                Customer(
                    tenant_id=BENCH_TENANT,
                    st_id=i,
                    name=f"Customer {i * 7919 % n:07d}",
                    balance=Decimal(i % 500),
                    state=states[i % len(states)],
                    city=f"City {i % 300}",
                    st_modified_on=now,
                    synced_at=now,
                )
                for i in ids
            )
            Material.objects.bulk_create(
                Material(
                    tenant_id=BENCH_TENANT,
                    st_id=i,
                    code=f"MAT-{i * 7919 % n:07d}",
                    name=f"Material {i}",
                    cost=Decimal(i % 90) + Decimal("0.25"),
                    price=Decimal(i % 200) + Decimal("0.99"),
                    st_modified_on=now,
                    synced_at=now,
                )
                for i in ids
            )
        PricebookOverride.objects.bulk_create(
            PricebookOverride(
                tenant_id=BENCH_TENANT,
                item_type="material",
                st_pricebook_id=i,
                override_price=Decimal("1.23"),
                status=PricebookOverride.Status.PENDING,
                changed_at=now,
            )
            for i in range(1, n + 1, 100)
        )
    with connection.cursor() as cursor:
        for model in (Customer, Material, PricebookOverride):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _clean() -> None:
    from crm.models import Customer
    from pricebook.models import Material, PricebookOverride

    for model in (Customer, Material, PricebookOverride):
        qs = model.objects.filter(tenant_id=BENCH_TENANT)
        qs._raw_delete(qs.db)


# --- the three ways of reading one page -------------------------------------------------------------------------------
def _order_sql(case: ListCase) -> str:
    qn = connection.ops.quote_name
    return ", ".join(f"{qn(c.lstrip('-'))} {'DESC' if c.startswith('-') else 'ASC'}" for c in case.ordering)


def _bare(case: ListCase, offset: int, after: tuple | None):
    """The same rows by the plain indexed query, as model rows (what any list of them costs at least)."""
    qs = case.model.objects.order_by(*case.ordering)
    if after is not None:
        qs = qs.filter(TupleGreaterThan(Tuple(F("tenant_id"), F("st_id")), after))
        return lambda: list(qs[: case.per_page + 1])
    return lambda: list(qs[offset : offset + case.per_page])


def _raw_sql(case: ListCase, offset: int, after: tuple | None):
    table = connection.ops.quote_name(case.model._meta.db_table)
    where, params = "", []
    if after is not None:
        where, params = "WHERE (tenant_id, st_id) > (%s, %s)", list(after)
    sql = f"SELECT * FROM {table} {where} ORDER BY {_order_sql(case)} LIMIT %s OFFSET %s"  # noqa: S608 - our names

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, case.per_page, 0 if after is not None else offset])
            return cursor.fetchall()

    return run


def _list(case: ListCase, offset: int, after: tuple | None, *, before: bool = False):
    from servicetitan.paginators import LargeTablePaginator

    model = case.model

    def queryset():
        qs = model.objects.all()
        if case.pricebook:
            from pricebook.selectors import with_effective_values

            qs = _annotated(qs) if before else with_effective_values(qs, "material")
        return qs.order_by(*case.ordering)

    def run():
        qs = queryset()
        if after is not None:  # the API's cursor page: keyset, no count
            qs = qs.filter(TupleGreaterThan(Tuple(F("tenant_id"), F("st_id")), after))
            return list(qs[: case.per_page + 1])
        paginator = LargeTablePaginator(qs, case.per_page)
        page = paginator.page(offset // case.per_page + 1)
        return list(page.object_list)

    return run


def _annotated(qs):
    """The former `with_effective_values`: every effective value as a correlated subquery in the SELECT."""
    from django.db.models import Subquery

    from pricebook.models import override_fields_for
    from pricebook.selectors import effective_value_expression, overrides_for

    overrides = overrides_for("material")
    annotations = {
        "override_id_sql": Subquery(overrides.values("id")[:1]),
        "override_status_sql": Subquery(overrides.values("status")[:1]),
    }
    for field in override_fields_for("material"):
        annotations[f"effective_{field.name}_sql"] = effective_value_expression("material", field.name)
    return qs.annotate(**annotations)


def _request(client: Client, case: ListCase, offset: int, after_cursor: str | None):
    if case.api:
        params = {"cursor": after_cursor} if after_cursor is not None else {}
    else:
        params = {"p": offset // case.per_page + 1} if offset else {}

    def run():
        response = client.get(case.url, params, HTTP_HOST="localhost")
        assert response.status_code == 200, (case.url, params, response.status_code)
        return response

    return run


def _cursor_for(case: ListCase, offset: int) -> tuple[tuple, str]:
    from servicetitan.api.pagination import encode_cursor

    row = case.model.objects.order_by("tenant_id", "st_id").values_list("tenant_id", "st_id")[offset - 1]
    return tuple(row), encode_cursor(row)


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def serving(log) -> list[str]:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-serving", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    results = []
    try:
        for n in SIZES:
            _fill(n, log)
            for case in CASES:
                for page_label, offset in (("page 1", 0), ("deep", int(n * DEEP) // case.per_page * case.per_page)):
                    after, cursor = _cursor_for(case, offset) if (case.api and offset) else (None, None)
                    log(f"serving: {n:,} rows, {case.label}, {page_label} …")
                    raw = _best(_raw_sql(case, offset, after))
                    bare = _best(_bare(case, offset, after))
                    listed = _best(_list(case, offset, after))
                    before = _best(_list(case, offset, after, before=True)) if case.pricebook else None
                    request = _request(client, case, offset, cursor)
                    results.append(
                        {
                            "rows": n,
                            "list": case.label,
                            "page": page_label if not cursor else "deep (cursor)",
                            "raw": raw,
                            "bare": bare,
                            "listed": listed,
                            "before": before,
                            "request": _best(request),
                            "queries": _queries(request),
                        }
                    )
    finally:
        _clean()
        user.delete()
    return render(results)


def render(results: list[dict]) -> list[str]:
    lines = [
        "## Serving lists at scale (`st_bench --only serving`)",
        "",
        f"Median of {REPEAT} runs. *SQL only*: that query's rows as tuples, no model rows; "
        "*bare*: the indexed `SELECT … ORDER BY … LIMIT` of the same rows as model rows; *list*: the "
        "page's database work as the list does it (rows, their overrides, the count); *before*: effective values as "
        "correlated subqueries (the former way); *request*: the whole HTTP request with rendering.",
        "",
        "| rows | list | page | SQL only ms | bare ms | list ms | list / bare | before ms | before / bare | request ms "
        "| queries |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        before = f"{r['before']:.2f}" if r["before"] is not None else "—"
        before_ratio = f"{r['before'] / r['bare']:.1f}x" if r["before"] is not None else "—"
        lines.append(
            f"| {r['rows']:,} | {r['list']} | {r['page']} | {r['raw']:.2f} | {r['bare']:.2f} | {r['listed']:.2f} | "
            f"{r['listed'] / r['bare']:.1f}x | {before} | {before_ratio} | {r['request']:.1f} | {r['queries']} |"
        )
    worst = max(r["listed"] / r["bare"] for r in results)
    by_size = {}
    for r in results:
        by_size.setdefault((r["list"], r["page"]), {})[r["rows"]] = r
    flat = [
        f"{key[0]} {key[1]}: {sizes[SIZES[-1]]['listed'] / sizes[SIZES[0]]['listed']:.1f}x time, "
        f"queries {sizes[SIZES[0]]['queries']} → {sizes[SIZES[-1]]['queries']}"
        for key, sizes in by_size.items()
        if len(sizes) == len(SIZES)
    ]
    lines += [
        "",
        f"Worst list / bare: {worst:.1f}x (target ≤ 3x). From {SIZES[0]:,} to {SIZES[-1]:,} rows: " + "; ".join(flat),
    ]
    return lines
