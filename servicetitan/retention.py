"""How long the database keeps its logs: webhook deliveries and sync runs older than `LAZI_LOG_RETENTION_DAYS` are
deleted by the scheduled `purge_logs_task` (see `sync/schedules.py`). The latest run and the latest successful run of
every entity are always kept: the sync status page reads them."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from servicetitan.models import SyncRun, WebhookEvent

logger = logging.getLogger(__name__)


def retention() -> datetime.timedelta:
    return datetime.timedelta(days=settings.LAZI_LOG_RETENTION_DAYS)


def purge_old_logs(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete what is older than the retention. Returns how many rows went, per log."""
    cutoff = (now or timezone.now()) - retention()
    webhooks, _ = WebhookEvent.objects.filter(received_at__lt=cutoff).delete()
    keep = set()
    for status in (None, SyncRun.Status.SUCCEEDED):
        runs = SyncRun.objects.all() if status is None else SyncRun.objects.filter(status=status)
        latest = runs.values("target").annotate(last=Max("started_at"))
        for row in latest:
            keep.update(runs.filter(target=row["target"], started_at=row["last"]).values_list("pk", flat=True))
    old_runs = SyncRun.objects.filter(started_at__lt=cutoff).exclude(status=SyncRun.Status.RUNNING).exclude(pk__in=keep)
    runs, _ = old_runs.delete()
    outcome = {"webhook_events": webhooks, "sync_runs": runs}
    logger.info("log retention (%s days): deleted %s", retention().days, outcome)
    return outcome
