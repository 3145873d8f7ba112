"""`st_rebuild [TARGET …]`: rebuild master rows (and relations) from the stored raw JSON, without calling ServiceTitan."""

from django.core.management.base import BaseCommand, CommandError

from servicetitan.sync.engine import rebuild_targets
from servicetitan.sync.streams import resolve_targets


class Command(BaseCommand):
    help = "Rebuild master rows from raw rows (no ServiceTitan calls). TARGET as for st_sync; none = all."

    def add_arguments(self, parser):
        parser.add_argument("targets", nargs="*", metavar="TARGET")

    def handle(self, *args, targets, **options):
        try:
            resolve_targets(targets or None)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        for key, count in rebuild_targets(targets or None).items():
            self.stdout.write(f"{key:<28} {count} rows rebuilt")
