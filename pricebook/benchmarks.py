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
    from django.db import connection
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
        f"- queries per page of {reprice.PAGE_SIZE:,} items: {queries_25k / pages:.1f} (constant: items, their "
        "categories; the rows' INSERT; plus a few for the rules, tiers and categories once)",
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


def bench_push_batch(log) -> list[str]:
    """An approved batch of 5,000 pushed against a simulator: requests vs the minimum, local seconds vs the request
    floor at ServiceTitan's 60 requests/s."""
    from django.conf import settings

    from pricebook.models import PricingRule
    from pricebook.services import overrides as override_services
    from pricebook.services import reprice
    from pricebook.services.push import batch_size
    from servicetitan.client import get_client
    from servicetitan.simulator import DEMO_TENANT_ID
    from servicetitan.sync import bench
    from servicetitan.sync.engine import sync_targets

    keys = ["pricebook.categories", "pricebook.materials"]
    log("push-batch: simulator at scale 1.2 …")
    simulator = bench.RemoteSimulator(1.2)
    saved_settings = dict(settings.SERVICE_TITAN)
    queued: list[int] = []
    original_enqueue = override_services.enqueue_push
    try:
        simulator.warm_up(keys)
        simulator.point_settings_here()
        bench.truncate_mirror(bench.bench_streams())
        sync_targets(keys, full=True, triggered_by="bench")
        # A few more than needed: an item whose price would not change is no row.
        materials = list(
            Material.objects.filter(active=True, deleted=False, cost__gt=0).order_by("st_id")[: BATCH_ITEMS + 100]
        )
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
    finally:
        override_services.enqueue_push = original_enqueue
        simulator.stop()
        settings.SERVICE_TITAN.clear()
        settings.SERVICE_TITAN.update(saved_settings)
    n = len(approval.override_ids)
    page_size = settings.SERVICE_TITAN["PAGE_SIZE"]
    token = sum(count for route, count in stats["by_route"].items() if "connect/token" in route)
    minimum = -(-n // batch_size()) + -(-n // page_size) + token
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
        f"{n:,} materials repriced, approved (operator), pushed by `push_overrides` against the simulator "
        f"(bulk `PATCH /pricebook` in batches of {batch_size()}, then the re-read of what changed, pages of "
        f"{page_size:,}). Local work = wall time − time waiting for the simulator.",
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


BENCH_SECTIONS = {"reprice": bench_reprice, "push-batch": bench_push_batch}
