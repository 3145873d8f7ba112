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
