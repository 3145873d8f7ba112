"""`st_sync [TARGET …] [--full]`: mirror ServiceTitan now. Exit 0 only when every entity's run succeeded."""

from django.core.management.base import BaseCommand, CommandError

from servicetitan.models import SyncRun
from servicetitan.sync.engine import sync_targets
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
        progress = TqdmProgress(self.stdout._out) if self.stdout.isatty() else None
        runs = sync_targets(targets or None, full=full, progress=progress, triggered_by="command")
        for run in runs:
            style = self.style.SUCCESS if run.status == SyncRun.Status.SUCCEEDED else self.style.ERROR
            self.stdout.write(style(run.summary()))
        failed = [run.target for run in runs if run.status != SyncRun.Status.SUCCEEDED]
        if failed:
            raise CommandError(f"{len(failed)} of {len(runs)} entities did not succeed: {', '.join(failed)}")
