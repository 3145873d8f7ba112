"""Section "central-fanout" (registered in `devtools.benchmarks.pricebook`): a central price change of N materials
fanned out to 10 target tenants, each on a simulator of its own, every tenant's batch applied (policy auto) and pushed
with that tenant's client: requests per tenant against the minimum (bulk PATCH per 500, the re-read pages, the
token), and seconds (fan-out: mapping review + changes + overrides of every tenant; push: every tenant in turn).

The simulators run in threads of this process (each serves one tenant id, from the same seed, so codes match): their
work is inside the push seconds, which are therefore an upper bound of LAZI's own.
"""

from __future__ import annotations

import contextlib
import math
import os
import time

TARGETS = 10
ITEMS = 500
SOURCE_TENANT = 990_200
MATERIALS_PER_SCALE = 5000


def _client(server, tenant_id: int):
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


def _cleanup(tenant_ids: list[int]) -> None:
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

    CentralPricebook.objects.filter(source_tenant__st_tenant_id=SOURCE_TENANT).delete()
    PricebookOverrideChange.objects.filter(override__tenant_id__in=tenant_ids).delete()
    for model in (PricebookOverride, PriceHistory, Material, RawMaterial, Category, RawCategory):
        model.objects.filter(tenant_id__in=tenant_ids).delete()
    Tenant.objects.filter(st_tenant_id__in=tenant_ids).delete()


def bench_central_fanout(log, n: int = ITEMS, targets: int = TARGETS) -> list[str]:
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

    tenant_ids = [SOURCE_TENANT + i for i in range(targets + 1)]
    scale = n / MATERIALS_PER_SCALE
    servers, clients = {}, {}
    log(f"central-fanout: {targets + 1} simulators at scale {scale:.2f}, syncing their materials …")
    load = os.getloadavg()[0]
    try:
        for tenant_id in tenant_ids:
            server = SimulatorServer(
                port=free_port(), dataset=Dataset(scale=scale, seed=1, tenant_id=tenant_id)
            ).start()
            servers[tenant_id] = server
            clients[tenant_id] = _client(server, tenant_id)
            runs = sync_targets(["pricebook.categories", "pricebook.materials"], full=True, client=clients[tenant_id])
            if any(run.status != "succeeded" for run in runs):
                raise RuntimeError(f"the sync of tenant {tenant_id} failed: {[(r.target, r.error) for r in runs]}")
        source = Tenant.objects.create(name="Bench head office", st_tenant_id=SOURCE_TENANT)
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
        changed = Material.objects.filter(tenant_id=SOURCE_TENANT, active=True, deleted=False)
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
            minimum = math.ceil(pushed / batch_size()) + math.ceil(pushed / page_size) + token
            plan.batch.refresh_from_db()
            rows.append((tenant_id, len(plan.changes), pushed, len(push.failed), stats["total"], minimum, plan.batch))
    finally:
        for server in servers.values():
            server.stop()
        # The bench database is thrown away anyway: a failed cleanup must not hide the section's own error.
        with contextlib.suppress(Exception):
            _cleanup(tenant_ids)
    at_minimum = sum(1 for _, _, _, _, requests, minimum, _ in rows if requests == minimum)
    total_requests = sum(r[4] for r in rows)
    return [
        "## Central pricebook: a price change fanned out to 10 tenants",
        "",
        f"{items:,} head-office material prices changed, fanned out to {targets} target tenants (policy auto, price "
        f"locked), each on a simulator of its own (threads of this process), pushed with its own client: bulk "
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
