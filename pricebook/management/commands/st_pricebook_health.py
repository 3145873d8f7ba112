"""`st_pricebook_health`: the pricebook health checks, one line per check (name, count)."""

from django.core.management.base import BaseCommand

from pricebook.health import pricebook_health


class Command(BaseCommand):
    help = "Print the pricebook health checks (cost 0, price below cost, …): one line per check, its name and count."

    def handle(self, *args, **options):
        lines = pricebook_health()
        width = max(len(line.name) for line in lines)
        for line in lines:
            self.stdout.write(f"{line.name:<{width}}  {line.count}")
