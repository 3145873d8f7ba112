"""`make bench` part of the overrides: N pending overrides pushed, bulk path versus one PATCH each.

`bench_push(server, n)` is called by `st_bench` with a started SimulatorServer whose pricebook is already synced
into the database (and settings.SERVICE_TITAN pointed at it). It changes the simulator's and the mirror's prices of
up to `n` materials, and removes the overrides it made.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from decimal import Decimal

from django.db import connection, transaction

from pricebook.models import Material, PricebookOverride, PricebookOverrideChange, RawMaterial
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


# --- Reprice and the push of an approved batch (st_bench sections "reprice" and "push-batch") -----------------------
BENCH_TENANT = 990_001
REPRICE_ITEMS = 25_000
BATCH_ITEMS = 5_000


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def _make_reprice_items(n: int) -> tuple[list, object]:
    """n materials of a bench tenant in 50 categories (two levels), each priced 10–40% off cost × 1.6."""
    from django.utils import timezone

    from pricebook.models import Category, PricingRule

    now = timezone.now()
    root = Category.objects.create(tenant_id=BENCH_TENANT, st_id=1, name="Bench", path="Bench", st_modified_on=now)
    children = Category.objects.bulk_create(
        [
            Category(
                tenant_id=BENCH_TENANT,
                st_id=10 + i,
                name=f"C{i}",
                parent=root,
                parent_st_id=1,
                depth=1,
                path=f"Bench > C{i}",
                st_modified_on=now,
            )
            for i in range(50)
        ]
    )
    materials = Material.objects.bulk_create(
        [
            Material(
                tenant_id=BENCH_TENANT,
                st_id=100_000 + i,
                code=f"B-{i:06d}",
                name=f"Bench material {i}",
                cost=Decimal(5 + i % 400) + Decimal("0.40"),
                price=(Decimal(5 + i % 400) * Decimal("1.2")).quantize(Decimal("0.01")),
                member_price=Decimal(1),
                st_modified_on=now,
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    through = Material.categories.through
    through.objects.bulk_create(
        [through(material_id=m.pk, category_id=children[i % 50].pk) for i, m in enumerate(materials)], batch_size=5000
    )
    PricingRule.objects.create(
        tenant_id=BENCH_TENANT, name="bench default", item_type="material", markup="percent", markup_percent=60,
        rounding="up_99", max_change_percent=40, min_margin_percent=30,
    )  # fmt: skip
    PricingRule.objects.create(
        tenant_id=BENCH_TENANT, name="bench C0", item_type="material", category_st_id=10, markup="percent",
        markup_percent=80, rounding="up_99",
    )  # fmt: skip
    return materials, root


def _bulk_insert_overrides(materials) -> float:
    """The yardstick: one bulk INSERT of these items' override rows, nothing else."""
    rows = [
        PricebookOverride(
            tenant_id=m.tenant_id, item_type="material", st_pricebook_id=m.st_id, override_price=m.price + 1, revision=1
        )
        for m in materials
    ]
    with transaction.atomic():
        seconds, _ = _timed(lambda: PricebookOverride.objects.bulk_create(rows, batch_size=5000))
    PricebookOverride.objects.filter(tenant_id=BENCH_TENANT).delete()
    return seconds


def _clean_reprice(everything: bool = False) -> None:
    from pricebook.models import Category, PricingRule, RepriceBatch

    RepriceBatch.objects.filter(tenant_id=BENCH_TENANT).delete()
    PricebookOverrideChange.objects.filter(tenant_id=BENCH_TENANT).delete()
    PricebookOverride.objects.filter(tenant_id=BENCH_TENANT).delete()
    if everything:
        PricingRule.objects.filter(tenant_id=BENCH_TENANT).delete()
        Material.objects.filter(tenant_id=BENCH_TENANT).delete()
        Category.objects.filter(tenant_id=BENCH_TENANT).delete()


def bench_reprice(log) -> list[str]:
    """Reprice preview + proposed rows for 25,000 items; 5,000 of them proposed and approved into overrides, beside a
    bulk INSERT of the same 5,000 override rows (median of 3 each, taking turns)."""
    from django.test.utils import CaptureQueriesContext

    from pricebook.services import overrides as override_services
    from pricebook.services import reprice

    _clean_reprice(everything=True)
    original_enqueue = override_services.enqueue_push
    # Measured without a worker: the push the approval queues is the "push-batch" section's business.
    override_services.enqueue_push = lambda ids: None
    try:
        log(f"reprice: {REPRICE_ITEMS:,} materials …")
        materials, _ = _make_reprice_items(REPRICE_ITEMS)
        chosen = materials[:BATCH_ITEMS]
        chosen_ids = [m.st_id for m in chosen]
        with CaptureQueriesContext(connection) as captured:
            seconds_25k, batch = _timed(lambda: reprice.propose_reprice(tenant_id=BENCH_TENANT))
        queries_25k = len(captured)
        totals = batch.totals
        pages = -(-REPRICE_ITEMS // reprice.PAGE_SIZE)
        _clean_reprice()

        propose, approve, insert = [], [], []
        for attempt in range(3):
            log(f"reprice: {BATCH_ITEMS:,} items, attempt {attempt + 1} …")
            insert.append(_bulk_insert_overrides(chosen))
            with transaction.atomic():
                seconds, batch5 = _timed(lambda: reprice.propose_reprice(tenant_id=BENCH_TENANT, st_ids=chosen_ids))
            propose.append(seconds)
            made = batch5.rows.count()
            with transaction.atomic():
                seconds, approval = _timed(lambda b=batch5: reprice.approve_batch(b, rows="all", operator=True))
            approve.append(seconds)
            assert len(approval.override_ids) == made
            _clean_reprice()
    finally:
        override_services.enqueue_push = original_enqueue
        _clean_reprice(everything=True)
    m_insert, m_propose, m_approve = _median(insert), _median(propose), _median(approve)
    return [
        "## Reprice (pricing rules → proposed batch → overrides)",
        "",
        f"{REPRICE_ITEMS:,} materials in 50 categories, two rules (default + one category), PostgreSQL. Median of "
        "3 runs for the 5,000-item rows; the approval (`approve_batch`) creates the 5,000 overrides through the bulk "
        "path (`save_overrides_bulk`: overrides, history entries naming the batch, revisions, pending status, row "
        "statuses and links), beside one bulk INSERT of the same 5,000 override rows alone.",
        "",
        "| run | items | rows | seconds | queries |",
        "|---|---:|---:|---:|---:|",
        f"| preview + proposed batch, all items | {REPRICE_ITEMS:,} | {totals['changed']:,} | {seconds_25k:.2f} | "
        f"{queries_25k} ({pages} pages of {reprice.PAGE_SIZE:,}) |",
        f"| preview + proposed batch, chosen items | {BATCH_ITEMS:,} | {BATCH_ITEMS:,} | {m_propose:.2f} | |",
        f"| approval: {made:,} rows → overrides through the bulk path | {made:,} | {made:,} | {m_approve:.2f} | |",
        f"| bulk INSERT of the same {BATCH_ITEMS:,} override rows | {BATCH_ITEMS:,} | {BATCH_ITEMS:,} | "
        f"{m_insert:.2f} | 1 |",
        "",
        f"- queries per page of {reprice.PAGE_SIZE:,} items: {queries_25k / pages:.1f} (constant: items with "
        "their rule id, their overrides; the rows' INSERT; plus a few for the rules, tiers and categories once)",
        f"- totals: {reprice.totals_text(totals)}",
        f"- 5,000-item proposal vs bulk INSERT: **{m_propose / m_insert:.2f}x**; approval (bulk override path) vs "
        f"bulk INSERT: **{m_approve / m_insert:.2f}x** (target: within 5x)",
    ]


class _TimedClient:
    """The client as the push uses it, adding up the time spent waiting for ServiceTitan."""

    def __init__(self, client):
        self._client = client
        self.waiting = 0.0

    def __getattr__(self, name):
        return getattr(self._client, name)

    def _timed(self, method, *args, **kwargs):
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            self.waiting += time.perf_counter() - started

    def call(self, *args, **kwargs):
        return self._timed(self._client.call, *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._timed(self._client.get, *args, **kwargs)

    def update(self, *args, **kwargs):
        return self._timed(self._client.update, *args, **kwargs)

    def iter_pages(self, *args, **kwargs):
        pages = self._client.iter_pages(*args, **kwargs)
        while True:
            started = time.perf_counter()
            try:
                page = next(pages)
            except StopIteration:
                self.waiting += time.perf_counter() - started
                return
            self.waiting += time.perf_counter() - started
            yield page


def _with_primary_vendor(tenant_id: int) -> set[int]:
    """The tenant's mirrored materials (ServiceTitan ids) whose record names a primary vendor."""
    return {
        st_id
        for st_id, payload in RawMaterial.objects.filter(tenant_id=tenant_id).values_list("st_id", "payload")
        if payload.get("primaryVendor")
    }


# Enough materials for 5,000 with a primary vendor (about 40% of the simulator's have one).
PUSH_BATCH_SCALE = 3.5


def bench_push_batch(log) -> list[str]:
    """An approved batch of 5,000 pushed against a simulator: requests vs the minimum, local seconds vs the request
    floor at ServiceTitan's 60 requests/s."""
    from django.conf import settings

    from devtools.benchmarks import harness as bench
    from devtools.simulator import DEMO_TENANT_ID
    from pricebook.models import PricingRule
    from pricebook.services import overrides as override_services
    from pricebook.services import reprice
    from pricebook.services.push import batch_size
    from servicetitan.client import get_client
    from servicetitan.sync.engine import sync_targets

    keys = ["pricebook.categories", "pricebook.materials"]
    log(f"push-batch: simulator at scale {PUSH_BATCH_SCALE} …")
    simulator = bench.RemoteSimulator(PUSH_BATCH_SCALE)
    saved_settings = dict(settings.SERVICE_TITAN)
    queued: list[int] = []
    original_enqueue = override_services.enqueue_push
    try:
        simulator.warm_up(keys)
        simulator.point_settings_here()
        bench.truncate_mirror(bench.bench_streams())
        sync_targets(keys, full=True, triggered_by="bench")
        # What autovacuum does after a sync: statistics for the planner, and no dead rows left by the sections before
        # (the reprice section deletes its 25,000 items) in the tables and indexes the push writes.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        # The bulk path's batch: materials with a primary vendor (the bulk schema requires one; the others take a
        # PATCH each, one request per item, which is not what this measures). A few more than needed: an item whose
        # price would not change is no row.
        vendored = _with_primary_vendor(DEMO_TENANT_ID)
        candidates = Material.objects.filter(active=True, deleted=False, cost__gt=0).order_by("st_id")
        materials = [m for m in candidates if m.st_id in vendored][: BATCH_ITEMS + 100]
        rule = PricingRule.objects.create(
            tenant_id=DEMO_TENANT_ID, name="bench push", item_type="material", markup="percent", markup_percent=73
        )
        batch = reprice.propose_reprice(tenant_id=DEMO_TENANT_ID, st_ids=[m.st_id for m in materials])
        # The push the approval queues is run below, measured, instead of by a worker.
        override_services.enqueue_push = lambda ids: queued.extend(ids)
        rows = list(batch.rows.order_by("pk").values_list("pk", flat=True)[:BATCH_ITEMS])
        approval = reprice.approve_batch(batch, rows=rows, operator=True)
        override_services.enqueue_push = original_enqueue
        client = _TimedClient(get_client())
        simulator.reset_stats()
        log(f"push-batch: pushing {len(approval.override_ids):,} overrides …")
        seconds, result = _timed(lambda: push_overrides(approval.override_ids, client=client))
        stats = simulator.stats.snapshot()
        batch.refresh_from_db()
        # Materials without a primary vendor cannot be bulk items (the bulk schema requires one): a PATCH each.
        pushed_ids = set(
            PricebookOverride.objects.filter(pk__in=approval.override_ids).values_list("st_pricebook_id", flat=True)
        )
        alone = len(pushed_ids - _with_primary_vendor(DEMO_TENANT_ID))
    finally:
        override_services.enqueue_push = original_enqueue
        simulator.stop()
        settings.SERVICE_TITAN.clear()
        settings.SERVICE_TITAN.update(saved_settings)
    n = len(approval.override_ids)
    page_size = settings.SERVICE_TITAN["PAGE_SIZE"]
    token = sum(count for route, count in stats["by_route"].items() if "connect/token" in route)
    minimum = -(-(n - alone) // batch_size()) + -(-n // page_size) + token + alone
    requests = stats["total"]
    floor = requests / 60
    local = seconds - client.waiting
    try:
        PricebookOverrideChange.objects.filter(override_id__in=approval.override_ids).delete()
        PricebookOverride.objects.filter(pk__in=approval.override_ids).delete()
        rule.delete()
    except Exception:  # noqa: S110 - the bench database is thrown away anyway
        pass
    routes = ", ".join(f"{route}: {count}" for route, count in stats["by_route"].items())
    return [
        "## Push of an approved reprice batch",
        "",
        f"{n:,} materials with a primary vendor repriced, approved (operator), pushed by `push_overrides` against "
        f"the simulator (bulk `PATCH /pricebook` in batches of {batch_size()}, then the re-read of what changed, "
        f"pages of {page_size:,}; {alone:,} of them without a primary vendor, which the bulk schema requires, by "
        "`PATCH …/materials/{id}` each). A material without a primary vendor always takes a request of its own, "
        "so the batch is of materials that have one: the bulk path is what is measured. Local work = wall time − "
        "time waiting for the simulator.",
        "",
        "| overrides | synced | failed | requests | minimum | wall s | waiting s | local s | floor at 60 req/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {n:,} | {len(result.synced):,} | {len(result.failed)} | {requests} | {minimum} | {seconds:.2f} | "
        f"{client.waiting:.2f} | {local:.2f} | {floor:.2f} s |",
        "",
        f"- requests by route: {routes}",
        f"- batch status after the push: {batch.status}",
        f"- local work vs the request floor: **{local / floor:.2f}x** (target: within 5x); per item "
        f"{local / n * 1000:.2f} ms",
    ]


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
                ids = apply_vendor_costs(result).override_ids
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


# --- margin-lists: the materials API and admin list at 25,000 items, sorted and filtered by margin ------------------------
def bench_margin_lists(log, n: int = 25_000, repeat: int = 7) -> list[str]:
    """Page 1 and the last page of `?ordering=margin_percent&margin_percent__lt=40` (API) and of the admin list sorted
    by margin with "below 40%", beside a bare indexed `SELECT … ORDER BY margin_percent LIMIT` of the same rows:
    queries and milliseconds (median of `repeat`), and whether PostgreSQL's plan uses the margin index."""
    import random
    import statistics

    from django.contrib.auth import get_user_model
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
        "Page 1 and the last page take the same number of queries (none per row): the page is read through the "
        "margin index, then its rows' overrides in one query (effective values attached in Python). The ratio is the whole request (session, filters, count, serialization or template) against the "
        "bare indexed read."
    )
    return lines


# --- Central pricebook fan-out (section "central-fanout") -------------------------------------------------------------
# A central price change of N materials fanned out to 10 target tenants, each on a simulator of its own, every
# tenant's batch applied (policy auto) and pushed with that tenant's client: requests per tenant against the minimum (bulk PATCH per 500, the re-read pages, the
# token), and seconds (fan-out: mapping review + changes + overrides of every tenant; push: every tenant in turn).
#
# The simulators run in threads of this process (each serves one tenant id, from the same seed, so codes match): their
# work is inside the push seconds, which are therefore an upper bound of LAZI's own.
CENTRAL_TARGETS = 10
CENTRAL_ITEMS = 500
CENTRAL_SOURCE_TENANT = 990_200
CENTRAL_MATERIALS_PER_SCALE = 5000


def _central_client(server, tenant_id: int):
    from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
    from servicetitan.client import ServiceTitanClient
    from servicetitan.client.config import ClientConfig

    return ServiceTitanClient(
        ClientConfig(
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            app_key=DEMO_APP_KEY,
            tenant_id=tenant_id,
            api_url=server.url,
            auth_url=server.url,
        )
    )


def _central_cleanup(tenant_ids: list[int]) -> None:
    from pricebook.models import (
        Category,
        CentralPricebook,
        Material,
        PricebookOverride,
        PricebookOverrideChange,
        PriceHistory,
        RawCategory,
        RawMaterial,
    )
    from tenants.models import Tenant

    CentralPricebook.objects.filter(source_tenant__st_tenant_id=CENTRAL_SOURCE_TENANT).delete()
    PricebookOverrideChange.objects.filter(override__tenant_id__in=tenant_ids).delete()
    for model in (PricebookOverride, PriceHistory, Material, RawMaterial, Category, RawCategory):
        model.objects.filter(tenant_id__in=tenant_ids).delete()
    Tenant.objects.filter(st_tenant_id__in=tenant_ids).delete()


def bench_central_fanout(log, n: int = CENTRAL_ITEMS, targets: int = CENTRAL_TARGETS) -> list[str]:
    from django.conf import settings
    from django.db.models import F

    from devtools.benchmarks.harness import free_port
    from devtools.simulator import SimulatorServer
    from devtools.simulator.dataset import Dataset
    from pricebook.models import CentralPricebook, CentralSubscription, Material
    from pricebook.services import central
    from pricebook.services.push import batch_size
    from servicetitan.sync.engine import sync_targets
    from tenants.models import Tenant

    tenant_ids = [CENTRAL_SOURCE_TENANT + i for i in range(targets + 1)]
    scale = n / CENTRAL_MATERIALS_PER_SCALE
    servers, clients = {}, {}
    log(f"central-fanout: {targets + 1} simulators at scale {scale:.2f}, syncing their materials …")
    load = os.getloadavg()[0]
    try:
        for tenant_id in tenant_ids:
            server = SimulatorServer(
                port=free_port(), dataset=Dataset(scale=scale, seed=1, tenant_id=tenant_id)
            ).start()
            servers[tenant_id] = server
            clients[tenant_id] = _central_client(server, tenant_id)
            runs = sync_targets(["pricebook.categories", "pricebook.materials"], full=True, client=clients[tenant_id])
            if any(run.status != "succeeded" for run in runs):
                raise RuntimeError(f"the sync of tenant {tenant_id} failed: {[(r.target, r.error) for r in runs]}")
        source = Tenant.objects.create(name="Bench head office", st_tenant_id=CENTRAL_SOURCE_TENANT)
        book = CentralPricebook.objects.create(name="Bench central", source_tenant=source)
        subscriptions = [
            CentralSubscription.objects.create(
                central=book,
                tenant=Tenant.objects.create(name=f"Bench branch {i}", st_tenant_id=tenant_id),
                policy="auto",
                locked_fields=["price"],
            )
            for i, tenant_id in enumerate(tenant_ids[1:], start=1)
        ]
        # Materials with a primary vendor: the bulk path's items (one without takes a PATCH of its own, as the bulk
        # schema requires a vendor), so the fan-out's requests are the bulk path's.
        vendored = _with_primary_vendor(CENTRAL_SOURCE_TENANT)
        changed = Material.objects.filter(
            tenant_id=CENTRAL_SOURCE_TENANT, active=True, deleted=False, st_id__in=vendored
        )
        items = changed.count()
        changed.update(price=F("price") + 7)

        log(f"central-fanout: mapping review and fan-out of {items:,} price changes to {targets} tenants …")
        started = time.perf_counter()
        for subscription in subscriptions:
            central.refresh_mapping(subscription)
            central.confirm_mapping(subscription)
        mapping_seconds = time.perf_counter() - started
        started = time.perf_counter()
        result = central.fan_out(book)
        fanout_seconds = time.perf_counter() - started

        rows = []
        page_size = settings.SERVICE_TITAN["PAGE_SIZE"]
        push_seconds = 0.0
        for plan in result.plans:
            tenant_id = plan.batch.tenant_id
            servers[tenant_id].reset_stats()
            started = time.perf_counter()
            push = central.push_batch(plan.batch, client=clients[tenant_id])
            push_seconds += time.perf_counter() - started
            stats = servers[tenant_id].stats.snapshot()
            token = sum(count for route, count in stats["by_route"].items() if "connect/token" in route)
            pushed = len(push.synced)
            pushed_items = set(
                PricebookOverride.objects.filter(pk__in=push.synced).values_list("st_pricebook_id", flat=True)
            )
            alone = len(pushed_items - _with_primary_vendor(tenant_id))
            bulk = pushed - alone
            minimum = math.ceil(bulk / batch_size()) + math.ceil(pushed / page_size) + alone + token
            plan.batch.refresh_from_db()
            rows.append((tenant_id, len(plan.changes), pushed, len(push.failed), stats["total"], minimum, plan.batch))
    finally:
        for server in servers.values():
            server.stop()
        # The bench database is thrown away anyway: a failed cleanup must not hide the section's own error.
        with contextlib.suppress(Exception):
            _central_cleanup(tenant_ids)
    at_minimum = sum(1 for _, _, _, _, requests, minimum, _ in rows if requests == minimum)
    total_requests = sum(r[4] for r in rows)
    return [
        "## Central pricebook: a price change fanned out to 10 tenants",
        "",
        f"{items:,} head-office material prices changed (materials with a primary vendor), fanned out to {targets} "
        f"target tenants (policy auto, price locked), each on a simulator of its own (threads of this process), pushed with its own client: bulk "
        f"`PATCH /pricebook` per {batch_size()}, the re-read in pages of {page_size:,}. Load average at the start: "
        f"{load:.2f} on {os.cpu_count()} CPUs.",
        "",
        "| tenant | changes | synced | failed | requests | minimum | batch |",
        "|---:|---:|---:|---:|---:|---:|---|",
        *(
            f"| {tenant_id} | {changes:,} | {pushed:,} | {failed} | {requests} | {minimum} | {batch.status} |"
            for tenant_id, changes, pushed, failed, requests, minimum, batch in rows
        ),
        "",
        f"- tenants at the minimum of requests: **{at_minimum} of {len(rows)}**; {total_requests} requests in all",
        f"- mapping review of {targets} tenants: {mapping_seconds:.2f} s; fan-out (changes + {targets} batches of "
        f"overrides through the bulk path): {fanout_seconds:.2f} s; pushes of {targets} tenants in turn: "
        f"{push_seconds:.2f} s (simulators included)",
    ]


BENCH_SECTIONS = {
    "central-fanout": bench_central_fanout,
    "margin-lists": bench_margin_lists,
    "reprice": bench_reprice,
    "push-batch": bench_push_batch,
    "health": bench_health,
    "vendor-import": bench_vendor_import,
}
