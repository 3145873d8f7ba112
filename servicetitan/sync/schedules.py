"""The default beat schedules, created by name and never overwritten: staff adjust them in the admin.

Syncs are scheduled per tenant: each active tenant has its own incremental and nightly task per module (kwargs
`tenant_id`), so staff can time one tenant's syncs apart from another's. The default tenant's keep the names they
had before tenants were data ("LAZI: pricebook incremental sync"); another tenant's name its ServiceTitan id
("LAZI: pricebook incremental sync (tenant 2000002)", stable across renames). A tenant deactivated or deleted loses
its schedules (`remove_tenant_schedules`, from the tenant's signals); the push and log schedules are shared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from django.db import transaction

TASK = "servicetitan.tasks.sync_targets_task"


@dataclass(frozen=True)
class DefaultSchedule:
    name: str
    targets: tuple[str, ...] | None  # None = every module
    full: bool
    description: str
    every_minutes: int | None = None
    # Crontab fields (UTC) when not an interval.
    minute: str = "0"
    hour: str = "*"
    # The task it runs: a sync unless said otherwise (other tasks, e.g. the override push, take no arguments).
    task: str = TASK
    # The tenant a sync is of (ServiceTitan's id); None: the settings' tenant (no tenant configured at all).
    tenant_id: int | None = None

    def kwargs(self) -> str:
        if self.task != TASK:
            return "{}"
        kwargs = {
            "targets": list(self.targets) if self.targets else None,
            "full": self.full,
            "triggered_by": "schedule",
        }
        if self.tenant_id is not None:
            kwargs["tenant_id"] = self.tenant_id
        return json.dumps(kwargs)


# Every module's incremental sync (how often) and nightly full pass (when, UTC, staggered so they do not overlap).
MODULE_TIMINGS: dict[str, tuple[int, str, str]] = {
    # module: (incremental every N minutes, nightly minute, nightly hour)
    "pricebook": (15, "30", "3"),
    "crm": (15, "0", "2"),
    "jobs": (15, "15", "2"),
    "dispatch": (60, "30", "2"),
    "accounting": (30, "45", "2"),
    "inventory": (30, "0", "3"),
    "sales": (30, "15", "3"),
    "memberships": (60, "45", "3"),
}


def _module_schedules(module: str, every: int, minute: str, hour: str) -> tuple[DefaultSchedule, ...]:
    return (
        DefaultSchedule(
            f"LAZI: {module} incremental sync",
            (module,),
            full=False,
            every_minutes=every,
            description=f"Changes to {module} since the last run, every {every} minutes.",
        ),
        DefaultSchedule(
            f"LAZI: {module} full sync (nightly)",
            (module,),
            full=True,
            minute=minute,
            hour=hour,
            description=f"Every {module} record again, nightly at {int(hour):02d}:{int(minute):02d} UTC: catches "
            "anything an incremental run missed.",
        ),
    )


SYNC_SCHEDULES: tuple[DefaultSchedule, ...] = tuple(
    schedule for module, timing in MODULE_TIMINGS.items() for schedule in _module_schedules(module, *timing)
)
SHARED_SCHEDULES: tuple[DefaultSchedule, ...] = (
    DefaultSchedule(
        "LAZI: push pending pricebook overrides",
        None,
        full=False,
        every_minutes=5,
        description="Safety net: pushes every override still pending (e.g. after ServiceTitan was unreachable).",
        task="pricebook.tasks.push_pending_task",
    ),
    DefaultSchedule(
        "LAZI: delete old logs",
        None,
        full=False,
        minute="15",
        hour="4",
        description="Deletes webhook deliveries and sync runs older than LAZI_LOG_RETENTION_DAYS (default 30), "
        "daily at 04:15 UTC; the latest run of every entity is kept.",
        task="servicetitan.tasks.purge_logs_task",
    ),
)
# Every schedule of a one-tenant deployment (the default tenant's syncs, then the shared tasks).
DEFAULT_SCHEDULES: tuple[DefaultSchedule, ...] = (*SYNC_SCHEDULES, *SHARED_SCHEDULES)


def tenant_schedules(tenant) -> tuple[DefaultSchedule, ...]:
    """The sync schedules of one tenant (a `Tenant`, or None: the settings' tenant before any is configured)."""
    if tenant is None:
        return SYNC_SCHEDULES
    suffix = "" if tenant.is_default else f" (tenant {tenant.st_tenant_id})"
    return tuple(
        replace(
            schedule,
            name=schedule.name + suffix,
            tenant_id=tenant.st_tenant_id,
            description=schedule.description + ("" if tenant.is_default else f" Tenant {tenant.name}."),
        )
        for schedule in SYNC_SCHEDULES
    )


def schedules_for(tenants) -> tuple[DefaultSchedule, ...]:
    """Every default schedule: each tenant's syncs (`tenants`: the active ones; empty: the settings' tenant), then
    the shared tasks."""
    synced = [schedule for tenant in tenants for schedule in tenant_schedules(tenant)] or list(SYNC_SCHEDULES)
    return (*synced, *SHARED_SCHEDULES)


def _kwargs(task) -> dict:
    try:
        value = json.loads(task.kwargs or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _sync_task_ids(wanted) -> list[int]:
    """The periodic sync tasks whose arguments satisfy `wanted(kwargs)` (whatever staff renamed them to)."""
    from django_celery_beat.models import PeriodicTask

    return [task.pk for task in PeriodicTask.objects.filter(task=TASK).only("pk", "kwargs") if wanted(_kwargs(task))]


def _delete_tasks(ids: list[int]) -> list[str]:
    from django_celery_beat.models import PeriodicTask

    tasks = PeriodicTask.objects.filter(pk__in=ids)
    names = sorted(tasks.values_list("name", flat=True))
    tasks.delete()
    return names


def tenant_schedule_ids(st_tenant_id: int) -> list[int]:
    """The periodic sync tasks of one tenant (by their `tenant_id` argument, whatever staff renamed them to)."""
    return _sync_task_ids(lambda kwargs: kwargs.get("tenant_id") == st_tenant_id)


def remove_tenant_schedules(st_tenant_id: int) -> list[str]:
    """Delete one tenant's periodic syncs (deactivated or deleted: beat must not sync it). Returns their names."""
    return _delete_tasks(tenant_schedule_ids(st_tenant_id))


def stale_tenant_schedules(active_ids) -> list[str]:
    """Remove the periodic syncs naming a tenant that is not active (deleted or deactivated while the signals were
    not there, e.g. in a data migration). Returns their names."""
    active = set(active_ids)
    return _delete_tasks(_sync_task_ids(lambda kwargs: "tenant_id" in kwargs and kwargs["tenant_id"] not in active))


@transaction.atomic
def setup_schedules(schedules: tuple[DefaultSchedule, ...] = DEFAULT_SCHEDULES) -> list[tuple[str, bool]]:
    """Create each missing schedule. An existing one keeps its timing, enabled state and arguments (staff edits);
    only the task it runs and the tenant it syncs are corrected, as those are code. Returns (name, created) pairs."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    outcome = []
    for schedule in schedules:
        existing = PeriodicTask.objects.filter(name=schedule.name).first()
        if existing is not None:
            changed = []
            if existing.task != schedule.task:
                existing.task = schedule.task
                changed.append("task")
            kwargs = _kwargs(existing)
            if (
                schedule.task == TASK
                and schedule.tenant_id is not None
                and kwargs.get("tenant_id") != schedule.tenant_id
            ):
                existing.kwargs = json.dumps({**kwargs, "tenant_id": schedule.tenant_id})
                changed.append("kwargs")
            if changed:
                existing.save(update_fields=changed)
            outcome.append((schedule.name, False))
            continue
        timing = {}
        if schedule.every_minutes:
            timing["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=schedule.every_minutes, period=IntervalSchedule.MINUTES
            )
        else:
            timing["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=schedule.minute,
                hour=schedule.hour,
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="UTC",
            )
        PeriodicTask.objects.create(
            name=schedule.name,
            task=schedule.task,
            kwargs=schedule.kwargs(),
            description=schedule.description,
            enabled=True,
            **timing,
        )
        outcome.append((schedule.name, True))
    return outcome
