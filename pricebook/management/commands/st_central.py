"""`st_central [--central NAME] [--tenant NAME] [--refresh-mapping] [--dry-run]`: fan the central pricebook out to its
target tenants (every subscribed one: that is what a central pricebook is for; `--tenant` names one target only).

Prints one line per target tenant (items, field changes per field, policy, batch) and the totals. `--dry-run` only
previews. Exit codes: 0 done, 1 the fan-out failed, 2 no such (or no active) central pricebook, an unknown tenant, or
one subscribed to none of them."""

from django.core.management.base import BaseCommand, CommandError

from pricebook.models import CentralPricebook
from pricebook.services import central as central_services
from tenants.cli import tenant_option


class Command(BaseCommand):
    help = (
        "Fan the central pricebook's values out to its target tenants: one batch per tenant, applied, waiting for "
        "that tenant's approvers or dismissed, by the tenant's policy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--central", help="the central pricebook's name (default: every active one)")
        parser.add_argument(
            "--refresh-mapping", action="store_true", help="rebuild each subscription's mapping review first"
        )
        parser.add_argument("--dry-run", action="store_true", help="print what would be proposed; save nothing")
        parser.add_argument(
            "--tenant",
            metavar="NAME",
            help="only this target tenant (its name or ServiceTitan id); default: every subscribed tenant",
        )

    def handle(self, *args, central=None, refresh_mapping=False, dry_run=False, tenant=None, **options):
        target = tenant_option(tenant)
        books = CentralPricebook.objects.filter(active=True).select_related("source_tenant").order_by("name")
        if central:
            books = books.filter(name=central)
        books = list(books)
        if not books:
            names = ", ".join(CentralPricebook.objects.filter(active=True).values_list("name", flat=True)) or "none"
            asked = f"named {central!r}" if central else "at all"
            raise CommandError(f"There is no active central pricebook {asked} (active: {names}).", returncode=2)
        if target is not None:
            books = [book for book in books if book.subscriptions.filter(tenant=target, active=True).exists()]
            if not books:
                raise CommandError(f"{target} subscribes to no active central pricebook asked for.", returncode=2)
        settled = central_services.settle_batches()
        if settled:
            self.stdout.write(f"Pushed since the last run: central batch(es) {', '.join(f'#{pk}' for pk in settled)}.")
        failed = False
        for book in books:
            self.stdout.write(f"{book} (source {book.source_tenant}):")
            if refresh_mapping:
                subscriptions = book.subscriptions.filter(active=True)
                if target is not None:
                    subscriptions = subscriptions.filter(tenant=target)
                for subscription in subscriptions.select_related("tenant", "central__source_tenant"):
                    counts = central_services.refresh_mapping(subscription)
                    self.stdout.write(
                        f"  mapping of {subscription.tenant}: matched {counts['matched']}, missing in the target "
                        f"{counts['missing']}, code clash {counts['clash']}"
                    )
                    missing = central_services.missing_categories(subscription)
                    if missing:
                        self.stdout.write(f"    categories missing in the target: {', '.join(missing)}")
            try:
                result = central_services.fan_out(book, dry_run=dry_run, tenant=target)
            except central_services.CentralError as exc:
                self.stderr.write(f"  {exc}")
                failed = True
                continue
            for plan in result.plans:
                self.stdout.write(f"  {plan.line()}")
            t = result.totals
            verb = "Would propose" if dry_run else "Proposed"
            self.stdout.write(
                f"  {verb} {t['changes']} change(s) of {t['items']} item(s) to {t['tenants']} tenant(s); "
                f"{t['skipped']} skipped." + (" Nothing saved." if dry_run else "")
            )
        if failed:
            raise CommandError("The fan-out failed for at least one central pricebook.", returncode=1)
