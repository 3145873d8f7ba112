"""`st_import_costs FILE --vendor NAME [--dry-run] [--tenant NAME]`: a vendor's price file in, as cost overrides of one
tenant's materials (default: the default tenant's; a drop-folder cron per tenant). Exit 2 for an unknown tenant."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pricebook.services.reprice import totals_text as reprice_totals_text
from pricebook.services.vendor_costs import (
    VendorFileError,
    apply_vendor_costs,
    guess_columns,
    preview_vendor_costs,
    read_price_file,
)
from tenants.cli import add_tenant_argument, tenant_id_or_default


class Command(BaseCommand):
    help = (
        "Read a vendor price file (CSV or Excel): costs matched by the vendor's part numbers, then by item code; "
        "creates cost overrides (pending push). Columns by the mapping saved for the vendor, else by their headings "
        "(vendor_part or part, cost, optionally code, description)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the price file (.csv or .xlsx)")
        parser.add_argument("--vendor", required=True, help="the vendor's name, as ServiceTitan lists it on materials")
        parser.add_argument("--dry-run", action="store_true", help="only count; write nothing")
        add_tenant_argument(parser)

    def handle(self, *args, file, vendor, dry_run=False, tenant=None, **options):
        tenant_id = tenant_id_or_default(tenant)
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
        try:
            headers, grid = read_price_file(path.name, content)
            preview = preview_vendor_costs(vendor, headers, grid, guess_columns(headers, vendor), tenant_id=tenant_id)
        except VendorFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        counts = preview.counts()
        self.stdout.write(
            f"{path.name} ({vendor}): {counts['rows']} rows; matched {counts['matched']}, changed {counts['changed']}, "
            f"unmatched {counts['unmatched']}, ambiguous {counts['ambiguous']}, invalid {counts['invalid']}"
        )
        for problem in (*preview.invalid, *preview.ambiguous)[:20]:
            self.stderr.write(f"line {problem.line}: {problem.reason}")
        if dry_run:
            self.stdout.write("dry run: nothing written")
            return
        applied = apply_vendor_costs(preview)
        self.stdout.write(f"cost overrides written: {len(applied.override_ids)} (pending push to ServiceTitan)")
        if applied.batch is not None:
            self.stdout.write(
                f"reprice batch #{applied.batch.pk} proposed by the pricing rules: "
                f"{reprice_totals_text(applied.batch.totals)}; it waits for approval"
            )
