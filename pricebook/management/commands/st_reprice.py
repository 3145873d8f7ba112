"""`st_reprice [TARGET …] [--category ST_ID] [--dry-run] [--approve]`: the pricing rules applied from the command line.

Prints the totals and the batch id. Exit codes: 0 done, 1 the reprice failed (e.g. nothing to approve), 2 bad target
or category."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pricebook.services.reprice import (
    RepriceError,
    UnknownTarget,
    approve_batch,
    preview_reprice,
    propose_reprice,
    totals_text,
)
from tenants.cli import tenant_id_option
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Reprice pricebook items by the pricing rules: a proposed batch waits for approval in the admin "
        "(or is approved here with --approve, all but the flagged rows)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "targets", nargs="*", help="pricebook, pricebook.materials, pricebook.services, pricebook.equipment"
        )
        parser.add_argument("--category", type=int, help="only this category (ServiceTitan id) and its subcategories")
        parser.add_argument("--dry-run", action="store_true", help="print the totals; save nothing")
        parser.add_argument(
            "--approve",
            action="store_true",
            help="approve every unflagged row now (as the operator) and queue the push",
        )
        parser.add_argument(
            "--tenant", help="the tenant: its name or ServiceTitan id (default: the default tenant, SERVICE_TITAN_*)"
        )

    def handle(self, *args, targets=(), category=None, dry_run=False, approve=False, tenant=None, **options):
        if dry_run and approve:
            raise CommandError("--dry-run and --approve exclude each other.", returncode=2)
        # A number that names no tenant row is still taken as a ServiceTitan id (as before tenants were data).
        if tenant is not None and str(tenant).strip().isdigit() and not Tenant.objects.filter(name=tenant).exists():
            tenant_id = int(tenant)
        else:
            tenant_id = tenant_id_option(tenant) if tenant is not None else _default_tenant()
        if tenant_id is None:
            raise CommandError("Which tenant? Set SERVICE_TITAN_TENANT_ID or pass --tenant.", returncode=2)
        asked = {"tenant_id": tenant_id, "targets": list(targets), "category_st_id": category}
        try:
            if dry_run:
                preview = preview_reprice(**asked)
                self.stdout.write(f"Dry run: {totals_text(preview.totals)}. Nothing saved.")
                return
            batch = propose_reprice(**asked)
        except UnknownTarget as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except RepriceError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(f"Reprice #{batch.pk}: {totals_text(batch.totals)}.")
        if not batch.totals.get("changed"):
            self.stdout.write(f"Reprice #{batch.pk}: no price would change.")
            return
        if not approve:
            self.stdout.write(f"Reprice #{batch.pk} is proposed; it waits for approval in the admin.")
            return
        try:
            result = approve_batch(batch, rows="unflagged", operator=True)
        except RepriceError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            f"Reprice #{batch.pk} approved: {result.approved} row(s) approved, {result.not_approved} flagged left "
            "out; the push is queued."
        )
        if result.stale:
            self.stdout.write(f"{result.stale} row(s) left out: their prices changed since the preview.")


def _default_tenant():
    value = settings.SERVICE_TITAN.get("TENANT_ID")
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None
