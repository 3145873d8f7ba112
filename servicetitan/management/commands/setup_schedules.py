"""`setup_schedules [--tenant NAME]`: create the default beat schedules that are missing; existing ones keep staff's
edits. Syncs are scheduled per tenant: without `--tenant`, every active tenant's (and the shared push and log
schedules; the syncs of tenants no longer active are removed); with it, that tenant's only. Exit 2 for an unknown
tenant."""

from django.core.management.base import BaseCommand

from servicetitan.sync.schedules import (
    remove_tenant_schedules,
    schedules_for,
    setup_schedules,
    stale_tenant_schedules,
    tenant_schedules,
)
from tenants.cli import add_tenant_argument, tenant_option


class Command(BaseCommand):
    help = (
        "Create or update the default Celery beat schedules by name, keeping staff edits (timing, enabled): each "
        "active tenant's syncs (one task per tenant and module), the override push and the log retention."
    )

    def add_arguments(self, parser):
        add_tenant_argument(parser, all_by_default=True)

    def handle(self, *args, tenant=None, **options):
        from tenants.selectors import active_tenants

        chosen = tenant_option(tenant)
        if chosen is not None and not chosen.active:
            for name in remove_tenant_schedules(chosen.st_tenant_id):
                self.stdout.write(f"removed {name}")
            self.stdout.write(f"{chosen} is inactive: it has no schedules.")
            return
        if chosen is not None:
            outcome = setup_schedules(tenant_schedules(chosen))
        else:
            tenants = active_tenants()
            outcome = setup_schedules(schedules_for(tenants))
            for name in stale_tenant_schedules(t.st_tenant_id for t in tenants):
                self.stdout.write(f"removed {name}")
        for name, created in outcome:
            self.stdout.write(f"{'created' if created else 'kept   '} {name}")
