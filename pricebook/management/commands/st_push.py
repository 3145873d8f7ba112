"""`st_push [--dry-run]`: push every pending pricebook override to ServiceTitan now."""

from django.core.management.base import BaseCommand, CommandError

from pricebook.models import MarkupTierEdit
from pricebook.services.markup import push_markup_edits
from pricebook.services.push import push_pending
from tenants.cli import tenant_id_option


class Command(BaseCommand):
    help = (
        "Push everything pending to ServiceTitan now: pricebook overrides and markup-tier edits "
        "(what the scheduled task does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be pushed.")
        parser.add_argument(
            "--mode",
            choices=["auto", "bulk", "single"],
            default="auto",
            help="auto: bulk update for many items of a kind, one by one for a few (default).",
        )
        parser.add_argument(
            "--tenant",
            metavar="NAME",
            help="Only this tenant's overrides (name or ServiceTitan id); default: every tenant.",
        )

    def handle(self, *args, dry_run=False, mode="auto", tenant=None, **options):
        result = push_pending(dry_run=dry_run, mode=mode, tenant_id=tenant_id_option(tenant))
        if dry_run:
            self.stdout.write(result.summary())
            pending_tiers = MarkupTierEdit.objects.filter(status=MarkupTierEdit.Status.PENDING).count()
            if pending_tiers:
                self.stdout.write(f"{pending_tiers} markup tier edit(s) would be pushed (POST / PUT)")
            return
        for override_id, message in sorted(result.failed.items()):
            self.stderr.write(f"override {override_id}: {message}")
        self.stdout.write(result.summary())
        tiers = push_markup_edits()
        for edit_id, message in sorted(tiers.failed.items()):
            self.stderr.write(f"markup tier edit {edit_id}: {message}")
        if tiers.pushed or tiers.failed or tiers.retry:
            self.stdout.write(tiers.summary())
        if result.error and not result.synced:
            raise CommandError(result.error)
        if result.failed:
            raise CommandError(f"{len(result.failed)} override(s) failed; see their messages in the admin.")
        if tiers.failed:
            raise CommandError(f"{len(tiers.failed)} markup tier edit(s) refused; see their messages in the admin.")
