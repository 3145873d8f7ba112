"""`make bench` section "tenants": N tenants × M materials synced by two `st_sync --tenant` processes in parallel,
against the same N × M materials in one tenant synced by one process.

Two processes run at a time (a pool of two, like two Celery workers), each syncing one tenant's materials from its
own simulator (its own tenant id and budget). The report gives wall seconds, and worker-seconds per item (the sum of
every process's wall time over the items): near 1x means several tenants cost what the same items in one tenant cost.
Sizes: LAZI_BENCH_TENANTS (default 10) and LAZI_BENCH_TENANT_ITEMS (default 25,000) per tenant.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from devtools.benchmarks.harness import ROOT, database_url_of_current_connection, free_port

KEY = "pricebook.materials"
WORKERS = 2
FIRST_TENANT_ID = 3_000_001


def _simulator(tenant_id: int, items: int):
    from devtools.simulator import SimulatorServer

    return SimulatorServer(port=free_port(), counts={KEY: items}, tenant_id=tenant_id, export_batch_size=5000).start()


def _tenant(name: str, tenant_id: int, url: str):
    from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
    from tenants.models import Tenant

    tenant = Tenant(name=name, st_tenant_id=tenant_id, client_id=DEMO_CLIENT_ID, api_url=url, auth_url=url)
    tenant.client_secret = DEMO_CLIENT_SECRET
    tenant.app_key = DEMO_APP_KEY
    # Far above what one sync needs: the budget is per tenant and must not be what is measured.
    tenant.rate_per_second = 1000
    tenant.save()
    return tenant


def _sync(name: str) -> float:
    return _manage("st_sync", KEY, "--full", "--tenant", name)


def _manage(*arguments: str) -> float:
    env = {**os.environ, "DJANGO_DEBUG": "true", "DATABASE_URL": database_url_of_current_connection()}
    command = [sys.executable, "manage.py", *arguments]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise RuntimeError(f"{' '.join(arguments)} failed: {done.stderr[-500:] or done.stdout[-500:]}")
    return time.perf_counter() - started


def _rows(tenant_ids) -> int:
    from pricebook.models import Material

    return Material.objects.filter(tenant_id__in=list(tenant_ids)).count()


def bench_tenants(log) -> list[str]:
    from tenants.models import Tenant

    count = int(os.environ.get("LAZI_BENCH_TENANTS", "10"))
    items = int(os.environ.get("LAZI_BENCH_TENANT_ITEMS", "25000"))
    ids = [FIRST_TENANT_ID + n for n in range(count)]
    single_id = FIRST_TENANT_ID + count
    log(f"tenants: {count} simulators × {items:,} materials, and one of {count * items:,} …")
    servers = [_simulator(tenant_id, items) for tenant_id in ids]
    servers.append(_simulator(single_id, count * items))
    try:
        names = [_tenant(f"bench-{n}", tenant_id, servers[n].url).name for n, tenant_id in enumerate(ids)]
        single = _tenant("bench-single", single_id, servers[-1].url).name
        log(f"tenants: {count} tenants on {WORKERS} processes …")
        started = time.perf_counter()
        with ThreadPoolExecutor(WORKERS) as pool:
            per_tenant = list(pool.map(_sync, names))
        several_wall = time.perf_counter() - started
        log("tenants: the same items in one tenant, one process …")
        single_wall = _sync(single)
        several_rows, single_rows = _rows(ids), _rows([single_id])
        # What a process costs before it syncs anything (Django start-up): paid once per tenant here.
        start_up = min(_manage("check") for _ in range(3))
    finally:
        for server in servers:
            server.stop()
        Tenant.objects.filter(name__startswith="bench-").delete()
    total = count * items
    several_per_item = sum(per_tenant) / total
    single_per_item = single_wall / total
    several_net = max(0.0, sum(per_tenant) - count * start_up) / total
    single_net = max(1e-9, single_wall - start_up) / total
    return [
        "",
        f"## Tenants: {count} × {items:,} materials on {WORKERS} processes vs {total:,} in one tenant",
        "",
        "Each tenant has its own simulator, credentials and budget; `st_sync KEY --full --tenant NAME` per tenant, "
        f"{WORKERS} at a time (start-up of every process included).",
        "",
        "| run | rows mirrored | wall seconds | worker-seconds per 1,000 items |",
        "|---|---:|---:|---:|",
        f"| {count} tenants, {WORKERS} processes | {several_rows:,} | {several_wall:.1f} | "
        f"{several_per_item * 1000:.3f} |",
        f"| 1 tenant, 1 process | {single_rows:,} | {single_wall:.1f} | {single_per_item * 1000:.3f} |",
        "",
        f"- per item, several tenants vs one: **{several_per_item / single_per_item:.2f}x** (near 1 is the target); "
        f"wall time {single_wall / several_wall:.2f}x faster with {WORKERS} processes.",
        f"- a process's start-up (`manage.py check`, best of 3): {start_up:.1f} s; without it, per item: "
        f"**{several_net / single_net:.2f}x**.",
    ]


BENCH_SECTIONS = {"tenants": bench_tenants}
