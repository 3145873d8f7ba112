"""Celery tasks of the integration core: thin wrappers around the sync engine."""

from celery import shared_task
from django.conf import settings

from servicetitan.sync.engine import sync_targets


@shared_task
def sync_targets_task(
    targets: list[str] | None = None, full: bool = False, triggered_by: str = "task", tenant_id: int | None = None
) -> dict:
    """Sync the targets (modules or entities; none = all) of one tenant (ServiceTitan's id). Without a tenant (the
    beat schedules): every active tenant, one task each when a broker is there (workers on several machines sync
    several tenants at once, each within its own budget), else one after another. Outcomes are in SyncRun."""
    if tenant_id is None:
        from tenants.selectors import active_tenant_ids

        tenant_ids = active_tenant_ids()
        if len(tenant_ids) > 1 and not settings.CELERY_TASK_ALWAYS_EAGER:
            for each in tenant_ids:
                sync_targets_task.delay(targets, full=full, triggered_by=triggered_by, tenant_id=each)
            return {"queued_tenants": tenant_ids}
        outcome = {}
        for each in tenant_ids:
            runs = sync_targets(targets or None, full=full, triggered_by=triggered_by, tenant_id=each)
            outcome.update({_key(run, len(tenant_ids)): run.status for run in runs})
        return outcome
    if triggered_by == "schedule" and not _active(tenant_id):
        # A tenant's schedules are removed with it; one left behind (e.g. edited in by hand) syncs nothing.
        return {"skipped": f"tenant {tenant_id} is not an active tenant"}
    runs = sync_targets(targets or None, full=full, triggered_by=triggered_by, tenant_id=tenant_id)
    return {run.target: run.status for run in runs}


def _active(tenant_id: int) -> bool:
    from tenants.models import Tenant

    return Tenant.objects.filter(st_tenant_id=tenant_id, active=True).exists() or not Tenant.objects.exists()


def _key(run, tenants: int) -> str:
    return f"{run.tenant_id}:{run.target}" if tenants > 1 else run.target


@shared_task
def purge_logs_task() -> dict:
    """Delete webhook and sync-run logs older than the retention (`LAZI_LOG_RETENTION_DAYS`)."""
    from servicetitan.retention import purge_old_logs

    return purge_old_logs()
