"""`st_sync [TARGET …] [--full]`: mirror ServiceTitan now. Exit 0 only when every entity's run succeeded; 2 for an
unknown target, 3 (one line, no traceback) when Redis is unreachable."""

from django.core.management.base import BaseCommand, CommandError
from redis.exceptions import RedisError

from servicetitan.models import SyncRun
from servicetitan.sync.engine import sync_targets
from servicetitan.sync.services import queue_problem
from servicetitan.sync.streams import resolve_targets


class TqdmProgress:
    """A progress bar per entity (records stored), shown only on a terminal."""

    def __init__(self, stream):
        self.stream = stream
        self.bar = None

    def started(self, stream, run):
        from tqdm import tqdm

        self.bar = tqdm(desc=f"{stream.key:<28}", unit=" records", file=self.stream, leave=False, dynamic_ncols=True)

    def page(self, stream, run, records):
        if self.bar is not None:
            self.bar.update(records)

    def finished(self, stream, run):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = (
        "Sync from ServiceTitan. TARGET is a module (pricebook, crm, jobs, dispatch, accounting, inventory) or "
        "module.entity (pricebook.materials, crm.customers, …); none = all. Incremental unless --full."
    )

    def add_arguments(self, parser):
        parser.add_argument("targets", nargs="*", metavar="TARGET")
        parser.add_argument("--full", action="store_true", help="Fetch everything again instead of changes only.")

    def handle(self, *args, targets, full, **options):
        try:
            resolve_targets(targets or None)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        problem = queue_problem()
        if problem:
            raise CommandError(problem, returncode=3)
        progress = TqdmProgress(self.stdout._out) if self.stdout.isatty() else None
        try:
            runs = sync_targets(targets or None, full=full, progress=progress, triggered_by="command")
        except (RedisError, OSError) as exc:  # Redis went away mid-run (locks live there)
            raise CommandError(
                f"Redis (the task queue and sync locks) became unreachable ({exc.__class__.__name__}); "
                "the pages stored so far are kept, run again later.",
                returncode=3,
            ) from None
        for run in runs:
            style = self.style.SUCCESS if run.status == SyncRun.Status.SUCCEEDED else self.style.ERROR
            self.stdout.write(style(run.summary()))
        failed = [run.target for run in runs if run.status != SyncRun.Status.SUCCEEDED]
        if failed:
            raise CommandError(f"{len(failed)} of {len(runs)} entities did not succeed: {', '.join(failed)}")
