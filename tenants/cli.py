"""The `--tenant NAME` option every management command takes."""

from __future__ import annotations

from django.core.management.base import CommandError

from tenants.models import Tenant


def add_tenant_argument(parser, *, all_by_default: bool = False) -> None:
    default = "every active tenant" if all_by_default else "the default tenant (SERVICE_TITAN_*)"
    parser.add_argument(
        "--tenant", metavar="NAME", default=None, help=f"The tenant (its name or ServiceTitan id); default: {default}."
    )


def tenant_option(name: str | None) -> Tenant | None:
    """The tenant `--tenant` names (None: not given); a CommandError listing the names when unknown."""
    from tenants.selectors import UnknownTenant, tenant_named

    if name in (None, ""):
        return None
    try:
        return tenant_named(name)
    except UnknownTenant as exc:
        raise CommandError(str(exc), returncode=2) from None


def tenant_id_option(name: str | None) -> int | None:
    """`--tenant`'s ServiceTitan tenant id; None (the default tenant) when not given."""
    tenant = tenant_option(name)
    return tenant.st_tenant_id if tenant else None


def tenant_id_or_default(name: str | None) -> int | None:
    """`--tenant`'s ServiceTitan tenant id; not given: the default tenant's; None only when no tenant is configured
    at all (a deployment without SERVICE_TITAN_TENANT_ID nor Tenant rows: every row, as before tenants were data)."""
    from tenants.selectors import default_tenant

    tenant = tenant_option(name) or default_tenant()
    return tenant.st_tenant_id if tenant else None
