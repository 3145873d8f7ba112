"""Celery tasks of the integration core: thin wrappers around the sync engine."""

from celery import shared_task

from servicetitan.sync.engine import sync_targets


@shared_task
def sync_targets_task(targets: list[str] | None = None, full: bool = False, triggered_by: str = "task") -> dict:
    """Sync the targets (modules or entities; none = all). Outcomes are in SyncRun; returns {entity: status}."""
    runs = sync_targets(targets or None, full=full, triggered_by=triggered_by)
    return {run.target: run.status for run in runs}


@shared_task
def purge_logs_task() -> dict:
    """Delete webhook and sync-run logs older than the retention (`LAZI_LOG_RETENTION_DAYS`)."""
    from servicetitan.retention import purge_old_logs

    return purge_old_logs()
