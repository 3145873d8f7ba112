"""`st_rebuild [TARGET …] [--tenant NAME]`: rebuild master rows (and relations) from the stored raw JSON, without
calling ServiceTitan: one tenant's rows (default: the default tenant's). Exit 2 for an unknown target or tenant."""

from django.core.management.base import BaseCommand, CommandError

from servicetitan.sync.engine import rebuild_targets
from servicetitan.sync.streams import resolve_targets
from tenants.cli import add_tenant_argument, tenant_id_or_default


class Command(BaseCommand):
    help = "Rebuild master rows from raw rows (no ServiceTitan calls). TARGET as for st_sync; none = all."

    def add_arguments(self, parser):
        parser.add_argument("targets", nargs="*", metavar="TARGET")
        add_tenant_argument(parser)

    def handle(self, *args, targets, tenant=None, **options):
        try:
            resolve_targets(targets or None)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        tenant_id = tenant_id_or_default(tenant)
        for key, count in rebuild_targets(targets or None, tenant_id=tenant_id).items():
            self.stdout.write(f"{key:<28} {count} rows rebuilt")
