"""The default beat schedules, created by name and never overwritten: staff adjust them in the admin."""

from __future__ import annotations

import json
from dataclasses import dataclass

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

    def kwargs(self) -> str:
        if self.task != TASK:
            return "{}"
        return json.dumps(
            {"targets": list(self.targets) if self.targets else None, "full": self.full, "triggered_by": "schedule"}
        )


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


DEFAULT_SCHEDULES: tuple[DefaultSchedule, ...] = (
    *(schedule for module, timing in MODULE_TIMINGS.items() for schedule in _module_schedules(module, *timing)),
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


@transaction.atomic
def setup_schedules(schedules: tuple[DefaultSchedule, ...] = DEFAULT_SCHEDULES) -> list[tuple[str, bool]]:
    """Create each missing schedule. An existing one keeps its timing, enabled state and arguments (staff edits);
    only the task it runs is corrected, as that is code. Returns (name, created) pairs."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    outcome = []
    for schedule in schedules:
        existing = PeriodicTask.objects.filter(name=schedule.name).first()
        if existing is not None:
            if existing.task != schedule.task:
                existing.task = schedule.task
                existing.save(update_fields=["task"])
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
