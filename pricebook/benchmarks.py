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


# --- Pricebook health at 100,000 items (section "health") ------------------------------------------------------------
HEALTH_TENANT = 990_001  # a tenant of its own, removed afterwards
HEALTH_ITEMS = 100_000


def _health_data(n: int) -> None:
    """n materials (a few per check's condition), n/5 services with two linked materials each, n/20 equipment,
    rules, tiers, categories and cost history; written with COPY."""
    import random

    from django.utils import timezone

    from pricebook.models import (
        Category,
        Equipment,
        MarkupTier,
        PriceHistory,
        PricingRule,
        Service,
        ServiceMaterial,
    )
    from servicetitan.sync.bulk import insert_rows

    rng = random.Random(12)
    now = timezone.now()
    tenant = HEALTH_TENANT
    categories = []
    for i in range(200):
        parent = None if i < 20 else categories[i % 20]
        categories.append(
            {
                "tenant_id": tenant,
                "st_id": 1 + i,
                "name": f"Category {i}",
                "path": f"Category {i}" if parent is None else f"{parent['path']} > Category {i}",
                "depth": 0 if parent is None else 1,
                "parent_st_id": None if parent is None else parent["st_id"],
                "active": i % 37 != 0,
                "st_modified_on": now,
            }
        )
    insert_rows(Category, categories)
    category_pk = dict(Category.objects.filter(tenant_id=tenant).values_list("st_id", "pk"))

    def item(i: int, prefix: str) -> dict:
        cost = Decimal(rng.choice((0, 1, 5, 12, 40, 90, 250, 800))) if i % 50 else Decimal(0)
        price = (cost * Decimal(rng.choice(("0.8", "1.6", "2", "2.4")))).quantize(Decimal("0.01"))
        return {
            "tenant_id": tenant,
            "st_id": 1_000_000 + i,
            "code": f"{prefix}-{i:06d}",
            "name": f"{prefix} part {i % (n // 3)}",  # a third of the names repeat
            "cost": cost,
            "price": price,
            "member_price": price * Decimal("0.9") if i % 40 else price,
            "default_image_url": "" if i % 25 == 0 else f"Images/{prefix}-{i}.png",
            "active": i % 30 != 0,
            "st_modified_on": now,
        }

    insert_rows(
        Material,
        [
            {
                **item(i, "MAT"),
                "vendor_name": f"Vendor {i % 5}",
                "vendor_part": "" if i % 11 == 0 else f"VP-{i % (n - 500)}",
            }
            for i in range(n)
        ],
    )
    insert_rows(Service, [{**item(i, "SVC"), "st_id": 3_000_000 + i} for i in range(n // 5)])
    insert_rows(Equipment, [{**item(i, "EQP"), "st_id": 5_000_000 + i} for i in range(n // 20)])
    for model in (Material, Service, Equipment):
        through = model.categories.through
        owner = f"{model._meta.model_name}_id"
        pks = model.objects.filter(tenant_id=tenant).values_list("pk", flat=True)
        insert_rows(
            through,
            [{owner: pk, "category_id": category_pk[1 + rng.randrange(200)]} for pk in pks if pk % 17],
        )
    materials = list(Material.objects.filter(tenant_id=tenant).values_list("pk", "st_id"))
    insert_rows(
        ServiceMaterial,
        [
            {"tenant_id": tenant, "service_id": pk, "material_id": m[0], "target_st_id": m[1], "quantity": 1}
            for pk in Service.objects.filter(tenant_id=tenant).values_list("pk", flat=True)
            for m in (materials[rng.randrange(len(materials))], materials[rng.randrange(len(materials))])
        ],
    )
    for st_id, (low, high, percent) in enumerate([(0, 10, 100), (10, 100, 60), (100, 1000, 40), (1000, 10**6, 25)]):
        MarkupTier.objects.create(
            tenant_id=tenant, st_id=st_id + 1, from_cost=low, to_cost=high, percent=percent, st_modified_on=now
        )
    rules = [
        PricingRule(tenant_id=tenant, name="default", item_type=t, min_margin_percent=45, max_change_percent=10)
        for t in ("material", "service", "equipment")
    ]
    rules += [
        PricingRule(
            tenant_id=tenant, name=f"rule {i}", item_type="material", category_st_id=1 + i, min_margin_percent=30
        )
        for i in range(0, 200, 9)
    ]
    PricingRule.objects.bulk_create(rules)
    insert_rows(
        PriceHistory,
        [
            {
                "tenant_id": tenant,
                "item_type": "material",
                "st_pricebook_id": st_id,
                "field": field,
                "old_value": Decimal(1),
                "new_value": Decimal(2),
                "source": "sync",
                "changed_at": now - timezone.timedelta(hours=hours),
            }
            for _, st_id in materials[: n // 5]
            for field, hours in (("cost", 1), ("price", 2 if st_id % 2 else 0))
        ],
    )


def _health_cleanup(tenant_id: int = HEALTH_TENANT) -> None:
    """Remove the section's tenant: a few set-based DELETEs (the ORM's cascade would load every row first)."""
    from django.db import connection

    from pricebook.models import (
        Category,
        Equipment,
        MarkupTier,
        PriceHistory,
        PricingRule,
        Service,
        ServiceMaterial,
    )

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    with connection.cursor() as cursor:
        for model in (PriceHistory, PricingRule, MarkupTier, ServiceMaterial):
            cursor.execute(f"DELETE FROM {table(model)} WHERE tenant_id = %s", [tenant_id])  # noqa: S608
        for model in (Material, Service, Equipment):
            through = model.categories.through
            owner = f"{model._meta.model_name}_id"
            cursor.execute(
                f"DELETE FROM {table(through)} WHERE {owner} IN "  # noqa: S608
                f"(SELECT id FROM {table(model)} WHERE tenant_id = %s)",
                [tenant_id],
            )
        for model in (Service, Equipment, Material, Category):
            cursor.execute(f"DELETE FROM {table(model)} WHERE tenant_id = %s", [tenant_id])  # noqa: S608


def bench_health(log) -> list[str]:
    """Each check's query at HEALTH_ITEMS materials (plus services and equipment): ms (best of 3), queries, count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pricebook.health import CHECKS, run_check

    log(
        f"health: writing {HEALTH_ITEMS:,} materials, {HEALTH_ITEMS // 5:,} services, {HEALTH_ITEMS // 20:,} equipment …"
    )
    _health_cleanup()
    _health_data(HEALTH_ITEMS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    lines = [
        f"## Pricebook health at {HEALTH_ITEMS:,} materials ({HEALTH_ITEMS // 5:,} services, "
        f"{HEALTH_ITEMS // 20:,} equipment)",
        "",
        "| check | items | found | queries | ms (best of 3) |",
        "|---|---|---:|---:|---:|",
    ]
    total = 0.0
    try:
        for check in CHECKS:
            for item_type in check.item_types:
                best = None
                for _ in range(3):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        line = run_check(check, item_type, HEALTH_TENANT)
                        seconds = time.perf_counter() - started
                    best = seconds if best is None else min(best, seconds)
                total += best
                lines.append(f"| {check.label} | {item_type} | {line.count:,} | {len(queries)} | {best * 1000:.0f} |")
        lines += ["", f"All checks: {total * 1000:.0f} ms."]
    finally:
        _health_cleanup()
    return lines


BENCH_SECTIONS = globals().get("BENCH_SECTIONS", {})
BENCH_SECTIONS["health"] = bench_health


# --- Vendor price file preview, 20,000 rows (section "vendor-import") --------------------------------------------------
VENDOR_TENANT = 990_002
VENDOR_ROWS = 20_000
VENDOR_MATERIALS = 100_000


class _Rollback(Exception):
    pass


def bench_vendor_import(log) -> list[str]:
    """Preview of a 20,000-row price file against 100,000 materials, as a ratio to reading the file alone; and the
    confirmation (bulk cost overrides, rolled back)."""
    import csv
    import io

    from django.db import connection, transaction
    from django.utils import timezone

    from pricebook.services.vendor_costs import (
        apply_vendor_costs,
        guess_columns,
        preview_vendor_costs,
        read_price_file,
    )
    from servicetitan.sync.bulk import insert_rows

    vendor = "Bench Supply"
    now = timezone.now()
    log(f"vendor-import: {VENDOR_MATERIALS:,} materials, a {VENDOR_ROWS:,}-row price file …")
    _health_cleanup(VENDOR_TENANT)
    insert_rows(
        Material,
        [
            {
                "tenant_id": VENDOR_TENANT,
                "st_id": 7_000_000 + i,
                "code": f"VB-{i:06d}",
                "name": f"Bench part {i}",
                "cost": Decimal(10 + i % 90),
                "price": Decimal(30 + i % 90),
                "vendor_name": vendor if i % 4 == 0 else f"Other {i % 9}",
                "vendor_part": f"BS-{i:06d}" if i % 4 == 0 else f"OT-{i:06d}",
                "other_vendors": [{"vendorName": vendor, "vendorPart": f"BX-{i:06d}", "cost": 1}]
                if i % 10 == 1
                else [],
                "st_modified_on": now,
            }
            for i in range(VENDOR_MATERIALS)
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pricebook_material")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Description", "Net Price", "UOM", "Mfr Part #", "Item Code"])
    for n in range(VENDOR_ROWS):
        if n % 40 == 0:
            writer.writerow([f"Unknown {n}", "5.00", "Each", f"ZZ-{n}", ""])
        elif n % 50 == 0:
            writer.writerow([f"Bad {n}", "call", "Each", f"BS-{n * 4:06d}", ""])
        elif n % 9 == 0:
            writer.writerow([f"By code {n}", "12.34", "Each", "", f"VB-{n * 4 + 2:06d}"])
        elif n % 7 == 0:
            writer.writerow([f"Other vendor {n}", "3.21", "Each", f"BX-{(n * 10 + 1) % VENDOR_MATERIALS:06d}", ""])
        else:
            writer.writerow([f"Part {n}", f"{11 + n % 97}.50", "Each", f"BS-{(n * 4) % VENDOR_MATERIALS:06d}", ""])
    content = buffer.getvalue().encode()

    def best(run, times=3):
        seconds = []
        for _ in range(times):
            started = time.perf_counter()
            result = run()
            seconds.append(time.perf_counter() - started)
        return min(seconds), result

    def read():
        return read_price_file("bench.csv", content)

    def preview():
        headers, grid = read()
        return preview_vendor_costs(vendor, headers, grid, guess_columns(headers, vendor))

    try:
        read_seconds, _ = best(read)
        preview_seconds, result = best(preview)
        counts = result.counts()
        apply_seconds = None
        try:
            with transaction.atomic():
                started = time.perf_counter()
                ids = apply_vendor_costs(result)
                apply_seconds = time.perf_counter() - started
                raise _Rollback  # the overrides (and their queued push) go away
        except _Rollback:
            pass
    finally:
        _health_cleanup(VENDOR_TENANT)
    return [
        f"## Vendor price file: {VENDOR_ROWS:,} rows against {VENDOR_MATERIALS:,} materials",
        "",
        "| step | seconds (best of 3) | ratio to reading the file |",
        "|---|---:|---:|",
        f"| reading the file alone (CSV → rows) | {read_seconds:.3f} | 1.0 |",
        f"| reading + preview (match by vendor part, then code; old → new cost) | {preview_seconds:.3f} | "
        f"{preview_seconds / read_seconds:.1f} |",
        f"| confirm: {len(ids):,} cost overrides + history, bulk (rolled back) | {apply_seconds:.3f} | "
        f"{apply_seconds / read_seconds:.1f} |",
        "",
        f"Rows: {counts['matched']:,} matched ({counts['changed']:,} with a new cost), {counts['unmatched']:,} "
        f"unmatched, {counts['ambiguous']:,} ambiguous, {counts['invalid']:,} invalid.",
    ]


BENCH_SECTIONS["vendor-import"] = bench_vendor_import
