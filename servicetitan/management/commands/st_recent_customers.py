"""`st_recent_customers [--days N] [--limit N]`: the customers changed most recently, straight from ServiceTitan."""

import heapq
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from servicetitan.client import get_client
from servicetitan.client.errors import ServiceTitanError
from servicetitan.conversions import utc_datetime
from servicetitan.management.commands._table import format_table
from tenants.cli import add_tenant_argument, tenant_id_option

# Before every real moment: a record whose modifiedOn is missing or unreadable sorts last.
_NEVER = datetime.min.replace(tzinfo=UTC)


def _moment(value) -> datetime:
    """A ServiceTitan date-time as an aware UTC moment. Its text does not sort: the same instant comes with 0 to 7
    fractional digits and `Z` or an offset ("…T07:34:56-05:00" is after "…T10:00:00Z")."""
    return (utc_datetime(value) or _NEVER).astimezone(UTC)


def _shown(value) -> str:
    moment = utc_datetime(value)
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}" if moment else ""


def _address(customer: dict) -> str:
    address = customer.get("address") or {}
    return ", ".join(str(part) for part in (address.get("city"), address.get("state")) if part)


class Command(BaseCommand):
    help = "List the customers created or changed in ServiceTitan in the last N days, most recent first."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="How far back to look (default 7).")
        parser.add_argument("--limit", type=int, default=20, help="How many customers to show (default 20).")
        add_tenant_argument(parser)

    def handle(self, *args, days, limit, tenant=None, **options):
        if days < 1 or limit < 1:
            raise CommandError("--days and --limit must be at least 1", returncode=2)
        since = timezone.now() - timedelta(days=days)
        try:
            client = get_client(tenant_id_option(tenant))
            # ServiceTitan does not sort lists: keep only the `limit` latest while paging, never the whole list.
            latest: list[tuple[datetime, int, int, dict]] = []
            seen = 0
            for page in client.iter_pages("crm.customers", modified_on_or_after=since):
                for customer in page.items:
                    seen += 1
                    # (modifiedOn, id, arrival) order the heap; the dict itself is never compared.
                    entry = (_moment(customer.get("modifiedOn")), int(customer.get("id") or 0), seen, customer)
                    if len(latest) < limit:
                        heapq.heappush(latest, entry)
                    elif entry[:3] > latest[0][:3]:
                        heapq.heapreplace(latest, entry)
        except ServiceTitanError as exc:
            raise CommandError(f"{type(exc).__name__}: {exc}") from None

        if not latest:
            self.stdout.write(f"No customers changed in the last {days} day(s).")
            return
        rows = [
            [
                customer.get("id"),
                customer.get("name") or "",
                customer.get("type") or "",
                "yes" if customer.get("active") else "no",
                _address(customer),
                _shown(customer.get("createdOn")),
                _shown(customer.get("modifiedOn")),
            ]
            for *_, customer in sorted(latest, key=lambda entry: entry[:3], reverse=True)
        ]
        self.stdout.write(format_table(["id", "name", "type", "active", "city", "created", "modified"], rows))
        self.stdout.write(f"{len(rows)} of {seen} customer(s) changed since {since:%Y-%m-%d %H:%M} UTC.")
