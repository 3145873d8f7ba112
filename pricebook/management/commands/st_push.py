"""`st_push [--dry-run]`: push every pending pricebook override to ServiceTitan now."""

from django.core.management.base import BaseCommand, CommandError

from pricebook.services.push import push_pending


class Command(BaseCommand):
    help = "Push every pending pricebook override to ServiceTitan now (what the scheduled task does)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be pushed.")
        parser.add_argument(
            "--mode",
            choices=["auto", "bulk", "single"],
            default="auto",
            help="auto: bulk update for many items of a kind, one by one for a few (default).",
        )

    def handle(self, *args, dry_run=False, mode="auto", **options):
        result = push_pending(dry_run=dry_run, mode=mode)
        if dry_run:
            self.stdout.write(result.summary())
            return
        for override_id, message in sorted(result.failed.items()):
            self.stderr.write(f"override {override_id}: {message}")
        self.stdout.write(result.summary())
        if result.error and not result.synced:
            raise CommandError(result.error)
        if result.failed:
            raise CommandError(f"{len(result.failed)} override(s) failed; see their messages in the admin.")
