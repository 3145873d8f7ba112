"""`make bench` part of the overrides: N pending overrides pushed, bulk path versus one PATCH each.

`bench_push(server, n)` is called by `st_bench` with a started SimulatorServer whose pricebook is already synced
into the database (and settings.SERVICE_TITAN pointed at it). It changes the simulator's and the mirror's prices of
up to `n` materials, and removes the overrides it made.
"""

from __future__ import annotations

import time
from decimal import Decimal

from django.db import transaction

from pricebook.models import Material, PricebookOverride, PricebookOverrideChange
from pricebook.services.overrides import save_override
from pricebook.services.push import push_overrides


def _make_pending(materials, bump: Decimal) -> list[int]:
    ids = []
    with transaction.atomic():
        for material in materials:
            override = save_override(
                item_type="material",
                st_id=material.st_id,
                tenant_id=material.tenant_id,
                values={"price": (material.price or Decimal(0)) + bump},
                queue_push=False,  # pushed below, measured
            )
            ids.append(override.pk)
    return ids


def _measure(server, ids: list[int], mode: str, label: str) -> dict:
    server.reset_stats()
    started = time.perf_counter()
    result = push_overrides(ids, mode=mode)
    seconds = time.perf_counter() - started
    stats = server.stats.snapshot()
    return {
        "name": label,
        "overrides": len(ids),
        "synced": len(result.synced),
        "failed": len(result.failed),
        "requests": stats["total"],
        "seconds": round(seconds, 2),
        "per_second": round(len(result.synced) / seconds, 1) if seconds else None,
        "by_route": stats["by_route"],
    }


def bench_push(server, n: int = 1000) -> list[dict]:
    """Rows {name, overrides, synced, failed, requests, seconds, per_second, by_route}: bulk, then one by one."""
    materials = list(Material.objects.filter(deleted=False).order_by("st_id")[:n])
    rows = []
    made: set[int] = set()
    try:
        ids = _make_pending(materials, Decimal("1.00"))
        made.update(ids)
        rows.append(_measure(server, ids, "bulk", f"push {len(ids)} overrides: bulk PATCH /pricebook"))
        for material in materials:
            material.refresh_from_db(fields=["price"])
        ids = _make_pending(materials, Decimal("1.00"))
        made.update(ids)
        rows.append(_measure(server, ids, "single", f"push {len(ids)} overrides: one GET + PATCH each"))
    finally:
        PricebookOverrideChange.objects.filter(override_id__in=made).delete()
        PricebookOverride.objects.filter(pk__in=made).delete()
    return rows


# --- margin-lists: the materials API and admin list at 25,000 items, sorted and filtered by margin ------------------------
def bench_margin_lists(log, n: int = 25_000, repeat: int = 7) -> list[str]:
    """Page 1 and the last page of `?ordering=margin_percent&margin_percent__lt=40` (API) and of the admin list sorted
    by margin with "below 40%", beside a bare indexed `SELECT … ORDER BY margin_percent LIMIT` of the same rows:
    queries and milliseconds (median of `repeat`), and whether PostgreSQL's plan uses the margin index."""
    import random
    import statistics

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from pricebook.admin import MaterialAdmin

    tenant_id, base = 990_001, 8_800_000_000
    rng = random.Random(8)
    log(f"margin-lists: {n:,} materials …")
    with transaction.atomic():
        rows = []
        for i in range(n):
            price = Decimal(rng.randrange(100, 200_000)) / 100
            cost = (price * Decimal(rng.randrange(20, 95)) / 100).quantize(Decimal("0.01")) if i % 50 else Decimal(0)
            rows.append(Material(tenant_id=tenant_id, st_id=base + i, code=f"BM-{i:06}", name=f"Bench {i}",
                                 cost=cost, price=price, member_price=price * Decimal("0.9")))  # fmt: skip
        Material.objects.bulk_create(rows, batch_size=5000)
        # A few pending overrides, so the effective values are really looked up.
        PricebookOverride.objects.bulk_create(
            PricebookOverride(
                tenant_id=tenant_id, item_type="material", st_pricebook_id=base + i, override_price=Decimal(99)
            )
            for i in range(0, n, 97)
        )
        user = get_user_model().objects.create_superuser("bench-margins", "bench@example.com", "bench-only")
    with connection.cursor() as cursor:
        # What autovacuum does after a sync: statistics, and the visibility map index-only scans need.
        cursor.execute("VACUUM ANALYZE pricebook_material")
        cursor.execute("VACUUM ANALYZE pricebook_pricebookoverride")
    try:
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            return _margin_measurements(log, user, repeat, statistics, Client, CaptureQueriesContext, reverse,
                                        MaterialAdmin)  # fmt: skip
    finally:
        with transaction.atomic():
            PricebookOverride.objects.filter(tenant_id=tenant_id).delete()
            Material.objects.filter(tenant_id=tenant_id).delete()
            user.delete()


def _margin_measurements(log, user, repeat, statistics, Client, CaptureQueriesContext, reverse, MaterialAdmin):
    from django.db import connection

    below = Material.objects.filter(margin_percent__lt=40).count()
    api_pages = -(-below // 100)
    admin_pages = -(-below // MaterialAdmin.list_per_page)
    column = list(MaterialAdmin.list_display).index("margin") + 1
    client = Client()
    client.force_login(user)
    api = "/api/v1/pricebook/materials/?ordering=margin_percent&margin_percent__lt=40"
    admin_url = f"{reverse('admin:pricebook_material_changelist')}?o={column}&margin_below=40"
    bare = (
        "SELECT id, code, name, cost, price, member_price, margin_percent, markup_percent FROM pricebook_material "
        "WHERE margin_percent < 40 ORDER BY margin_percent, id LIMIT %s OFFSET %s"
    )

    def timed(fn):
        fn()  # warm
        times, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                fn()
                times.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
        return statistics.median(times), queries, captured

    def get(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    def raw(limit, offset):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(bare, [limit, offset])
                cursor.fetchall()

        return run

    def uses_index(sql: str, params) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
        if "pricebook_material_margin" in plan:
            return "yes (margin index)"
        return "no: " + ("seq scan" if "Seq Scan" in plan else plan[:60])

    cases = [
        ("API page 1", get(f"{api}&page=1"), raw(100, 0)),
        (f"API last page ({api_pages})", get(f"{api}&page={api_pages}"), raw(100, (api_pages - 1) * 100)),
        ("admin page 1", get(admin_url), raw(MaterialAdmin.list_per_page, 0)),
        (
            f"admin last page ({admin_pages})",
            get(f"{admin_url}&p={admin_pages}"),
            raw(MaterialAdmin.list_per_page, (admin_pages - 1) * MaterialAdmin.list_per_page),
        ),
    ]
    lines = [
        "## Margin columns on lists (`margin-lists`)",
        "",
        f"{Material.objects.count():,} materials, {below:,} below 40% margin; sorted by margin, filtered "
        f'`margin_percent__lt=40` (API, 100 a page) / "below 40%" (admin, {MaterialAdmin.list_per_page} a page); '
        f"median of {repeat}. Bare: `SELECT … WHERE margin_percent < 40 ORDER BY margin_percent, id LIMIT … OFFSET …`.",
        "",
        "| list | queries | ms | bare SELECT ms | ratio | plan of the page query uses the index |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, full, bare_run in cases:
        log(f"margin-lists: {label} …")
        ms, queries, captured = timed(full)
        bare_ms, _, _ = timed(bare_run)
        # The page's ids query (the shortest one ordering by margin): the one the index is for.
        page_sql = min(
            (q["sql"] for q in captured if '"margin_percent"' in q["sql"] and "ORDER BY" in q["sql"]),
            key=len,
            default="",
        )
        plan = uses_index(page_sql, None) if page_sql else "—"
        ratio = f"{ms / bare_ms:.1f}x" if bare_ms else "—"
        lines.append(f"| {label} | {queries} | {ms:.1f} | {bare_ms:.2f} | {ratio} | {plan} |")
    lines.append("")
    lines.append(
        "Page 1 and the last page take the same number of queries (none per row). Pages are read late "
        "(`servicetitan.pagination`): the page's ids through the margin index, then those rows with their effective "
        "values. The ratio is the whole request (session, filters, count, serialization or template) against the "
        "bare indexed read."
    )
    return lines


BENCH_SECTIONS = {"margin-lists": bench_margin_lists}
