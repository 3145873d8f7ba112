"""Reads of the integration core for staff pages: how fresh each module's mirror is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from servicetitan.models import SyncRun
from servicetitan.sync.streams import all_streams


@dataclass
class ModuleFreshness:
    module: str
    entities: list[str]
    last_success: datetime.datetime | None = None
    # Entities whose latest run failed, and entities never synced successfully.
    failing: list[str] = field(default_factory=list)
    never: list[str] = field(default_factory=list)

    @property
    def age(self) -> datetime.timedelta | None:
        return timezone.now() - self.last_success if self.last_success else None


def module_freshness(runs=None) -> list[ModuleFreshness]:
    """Per module (in stream order): the latest successful sync of any of its entities, and which entities are
    failing (latest run failed) or were never synced. Two queries whatever the number of runs. `runs`: the sync runs
    to read (one tenant's), all by default."""
    runs = SyncRun.objects.all() if runs is None else runs
    keys = list(all_streams())
    succeeded = dict(
        runs.filter(status=SyncRun.Status.SUCCEEDED, target__in=keys)
        .values("target")
        .annotate(at=Max("finished_at"))
        .values_list("target", "at")
    )
    latest = runs.filter(target=OuterRef("target")).order_by("-started_at", "-id").values("status")[:1]
    latest_status = dict(
        runs.filter(target__in=keys)
        .values("target")
        .distinct()
        .annotate(status=Subquery(latest))
        .values_list("target", "status")
    )
    modules: dict[str, ModuleFreshness] = {}
    for key in keys:
        module = key.split(".", 1)[0]
        row = modules.setdefault(module, ModuleFreshness(module, []))
        row.entities.append(key)
        at = succeeded.get(key)
        if at and (row.last_success is None or at > row.last_success):
            row.last_success = at
        if latest_status.get(key) == SyncRun.Status.FAILED:
            row.failing.append(key)
        if at is None:
            row.never.append(key)
    return list(modules.values())
