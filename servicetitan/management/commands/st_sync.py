"""`st_sync [TARGET …] [--full] [--tenant NAME]`: mirror ServiceTitan now (one tenant, or every active one in turn). Exit 0 only when every entity's run succeeded; 2 for an
unknown target, 3 (one line, no traceback) when Redis is unreachable."""

import time

from django.core.management.base import BaseCommand, CommandError
from redis.exceptions import RedisError

from servicetitan.models import SyncRun
from servicetitan.sync.engine import sync_targets
from servicetitan.sync.services import queue_problem
from servicetitan.sync.streams import resolve_targets
from tenants.cli import add_tenant_argument, tenant_option


class LineProgress:
    """One line per entity, written when it finishes (its run's summary); on a terminal a bar of the records stored
    while it runs, erased before that line."""

    def __init__(self, command, *, bar: bool):
        self.command = command
        self.show_bar = bar
        self.bar = None
        self.reported: set[int] = set()

    def started(self, stream, run):
        if self.show_bar:
            from tqdm import tqdm

            self.bar = tqdm(
                desc=f"{stream.key:<28}", unit=" records", file=self.command.stdout._out, leave=False, ncols=100
            )

    def page(self, stream, run, records):
        if self.bar is not None:
            self.bar.update(records)

    def finished(self, stream, run):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.report(run)

    def report(self, run):
        if run.pk in self.reported:
            return
        self.reported.add(run.pk)
        style = self.command.style.SUCCESS if run.status == SyncRun.Status.SUCCEEDED else self.command.style.ERROR
        self.command.stdout.write(style(run.summary()))
        self.command.stdout.flush()


class Command(BaseCommand):
    help = (
        "Sync from ServiceTitan. TARGET is a module (pricebook, crm, jobs, dispatch, accounting, inventory) or "
        "module.entity (pricebook.materials, crm.customers, …); none = all. Incremental unless --full."
    )

    def add_arguments(self, parser):
        parser.add_argument("targets", nargs="*", metavar="TARGET")
        parser.add_argument("--full", action="store_true", help="Fetch everything again instead of changes only.")
        add_tenant_argument(parser, all_by_default=True)

    def handle(self, *args, targets, full, tenant=None, **options):
        try:
            resolve_targets(targets or None)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        chosen = tenant_option(tenant)
        problem = queue_problem()
        if problem:
            raise CommandError(problem, returncode=3)
        progress = LineProgress(self, bar=self.stdout.isatty())
        started = time.monotonic()
        try:
            runs = []
            tenant_ids = [chosen.st_tenant_id] if chosen else _every_tenant()
            several = len(tenant_ids) > 1
            for tenant_id in tenant_ids:
                if several:
                    self.stdout.write(f"tenant {tenant_id}:")
                runs += sync_targets(
                    targets or None, full=full, progress=progress, triggered_by="command", tenant_id=tenant_id
                )
        except (RedisError, OSError) as exc:  # Redis went away mid-run (locks live there)
            raise CommandError(
                f"Redis (the task queue and sync locks) became unreachable ({exc.__class__.__name__}); "
                "the pages stored so far are kept, run again later.",
                returncode=3,
            ) from None
        for run in runs:  # runs that never started (skipped: another run held the lock) have had no line yet
            progress.report(run)
        failed = [
            f"{run.tenant_id}:{run.target}" if several else run.target
            for run in runs
            if run.status != SyncRun.Status.SUCCEEDED
        ]
        self.stdout.write(
            f"{len(runs)} entities, {len(runs) - len(failed)} succeeded, in {time.monotonic() - started:.1f}s"
        )
        if failed:
            raise CommandError(f"{len(failed)} of {len(runs)} entities did not succeed: {', '.join(failed)}")


def _every_tenant() -> list[int | None]:
    """Every active tenant's ServiceTitan id; [None] (the SERVICE_TITAN_* tenant, as before tenants) when no tenant
    is configured at all."""
    from tenants.selectors import active_tenant_ids

    ids = active_tenant_ids()
    return [None] if len(ids) == 1 and _is_settings_default(ids[0]) else ids


def _is_settings_default(tenant_id) -> bool:
    from tenants.selectors import default_tenant

    tenant = default_tenant()
    return tenant_id is None or (tenant is not None and tenant.st_tenant_id == tenant_id)
