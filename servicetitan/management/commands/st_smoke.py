"""`st_smoke`: a token, then one cheap call per ServiceTitan module; a table of results, non-zero exit on any failure."""

import time
from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError

from servicetitan.client import ClientConfig, ServiceTitanClient
from servicetitan.client.errors import ConfigurationError, ServiceTitanError
from servicetitan.management.commands._table import format_table
from servicetitan.registry import get_resource
from tenants.cli import add_tenant_argument, tenant_option
from tenants.selectors import client_config_for

# One list endpoint per ServiceTitan API module LAZI uses: module -> resource key.
CHECKS = {
    "pricebook": "pricebook.categories",
    "crm": "crm.customers",
    "jpm": "jobs.jobs",
    "settings": "dispatch.technicians",
    "dispatch": "dispatch.zones",
    "accounting": "accounting.invoices",
    "inventory": "inventory.warehouses",
    "sales": "sales.estimates",
    "memberships": "memberships.memberships",
    "service-agreements": "memberships.service-agreements",
}


class Command(BaseCommand):
    help = "Check the ServiceTitan connection: a token, then one page of one record from every module."

    def add_arguments(self, parser):
        parser.add_argument(
            "--attempts", type=int, default=2, help="Attempts per call before reporting a failure (default 2)."
        )
        add_tenant_argument(parser)

    def handle(self, *args, attempts, tenant=None, **options):
        chosen = tenant_option(tenant)
        try:
            config = client_config_for(chosen) if chosen else ClientConfig.from_settings()
        except ConfigurationError as exc:
            raise CommandError(str(exc)) from None
        client = ServiceTitanClient(replace(config, max_attempts=max(1, attempts)))

        rows = [self._check("auth", "POST /connect/token", lambda: client.authenticate(fresh=True) or "token obtained")]
        for module, key in CHECKS.items():
            resource = get_resource(key)
            endpoint = f"GET {resource.prefix}{resource.list_path}"
            rows.append(self._check(module, endpoint, lambda key=key: self._first_page(client, key)))

        self.stdout.write(format_table(["module", "endpoint", "status", "ms", "message"], rows))
        failures = [row for row in rows if row[2] != "OK"]
        if failures:
            raise CommandError(f"{len(failures)} of {len(rows)} checks failed: {', '.join(r[0] for r in failures)}")
        self.stdout.write(self.style.SUCCESS(f"All {len(rows)} checks passed (tenant {client.tenant_id})."))

    @staticmethod
    def _first_page(client: ServiceTitanClient, key: str) -> str:
        page = next(client.iter_pages(key, page_size=1, include_inactive=False))
        return f"{key}: {len(page.items)} record(s) on page 1" + (", more available" if page.has_more else "")

    @staticmethod
    def _check(module: str, endpoint: str, call) -> list:
        started = time.monotonic()
        try:
            message, status = call(), "OK"
        except ServiceTitanError as exc:
            message, status = f"{type(exc).__name__}: {exc}", "FAIL"
        elapsed = round((time.monotonic() - started) * 1000)
        return [module, endpoint, status, elapsed, message]
