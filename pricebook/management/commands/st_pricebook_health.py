"""`st_pricebook_health [--tenant NAME]`: the pricebook health checks of one tenant (default: the default tenant),
one line per check (name, count). Exit 2 for an unknown tenant."""

from django.core.management.base import BaseCommand

from pricebook.health import pricebook_health
from tenants.cli import add_tenant_argument, tenant_id_or_default


class Command(BaseCommand):
    help = "Print the pricebook health checks (cost 0, price below cost, …): one line per check, its name and count."

    def add_arguments(self, parser):
        add_tenant_argument(parser)

    def handle(self, *args, tenant=None, **options):
        lines = pricebook_health(tenant_id=tenant_id_or_default(tenant))
        width = max(len(line.name) for line in lines)
        for line in lines:
            self.stdout.write(f"{line.name:<{width}}  {line.count}")
