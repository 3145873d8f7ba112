"""Who sees which tenant's rows, and which tenant a request is working in.

- `tenants_for(user)`: the tenants a user may see (their memberships; superusers all).
- `request_scope(request, wanted)`: the tenant a request works in, from what it asked for (the admin's switcher, the
  API's `X-LAZI-Tenant` header or `?tenant=`), or the user's only/default tenant when it asked for none.
- `scope_queryset(queryset, scope)`: the rows of that tenant (models with `tenant_id`; others are shared).

Shared across tenants (no `tenant_id`, on purpose): vendor price file mappings (a vendor's file reads the same
whoever buys from it), users, groups and API tokens, periodic tasks, and inbound webhook events (operators only; the
sync each one queues is the tenant's). Everything else LAZI stores carries `tenant_id` and is scoped: mirrors, raw
rows, overrides and their history, price history, pricing rules, reprice batches (their rows through the batch),
markup tier edits, sync runs, cursors and record problems.

Backward compatible: with no Tenant rows every staff user sees every row, as before tenants existed; with exactly
one Tenant every staff user works in it, member or not (a one-tenant deployment configures no memberships).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tenants.models import Tenant
from tenants.selectors import default_tenant

NO_TENANT_MESSAGE = (
    "You are not a member of any ServiceTitan tenant in LAZI yet: ask an administrator to add you to one."
)


class TenantNotAllowed(Exception):
    """The request named a tenant the user is not in (or one that does not exist)."""


@dataclass(frozen=True)
class TenantScope:
    # The tenant the request works in; None with `unrestricted` (no tenants defined) or when the user has none.
    tenant: Tenant | None
    # No Tenant rows at all: nothing to scope by, every row is visible (as before tenants existed).
    unrestricted: bool = False
    # The tenants the user may switch between (the switcher lists these).
    choices: tuple[Tenant, ...] = field(default=())

    @property
    def st_tenant_id(self) -> int | None:
        return self.tenant.st_tenant_id if self.tenant else None

    @property
    def cache_key(self) -> str:
        """A tenant-specific suffix for anything cached from a scoped query."""
        return "all" if self.unrestricted else str(self.st_tenant_id)


def tenants_for(user):
    """The tenants `user` may see: all for a superuser (and for every staff user while there is only one tenant),
    otherwise their memberships."""
    tenants = Tenant.objects.order_by("name")
    if user is None or not user.is_authenticated or not user.is_active:
        return tenants.none()
    if user.is_superuser or len(tenants[:2]) == 1:
        return tenants
    return tenants.filter(users=user)


def has_model_tenant(model) -> bool:
    """Whether `model`'s rows belong to one tenant (they carry ServiceTitan's `tenant_id`; a foreign key to a `Tenant`
    row, whose attname is also `tenant_id`, is not that)."""
    return any(f.attname == "tenant_id" and not f.is_relation for f in model._meta.concrete_fields)


def find_tenant(choices, wanted: str) -> Tenant:
    """The tenant among `choices` named `wanted` (its name, case-insensitive, or its ServiceTitan id)."""
    wanted = str(wanted).strip()
    for tenant in choices:
        if tenant.name.lower() == wanted.lower() or str(tenant.st_tenant_id) == wanted:
            return tenant
    raise TenantNotAllowed(f"You have no access to the tenant “{wanted}”, or it does not exist.")


def request_scope(user, wanted: str | None = None, *, remembered: str | None = None) -> TenantScope:
    """The scope of a request by `user`. `wanted` (asked for explicitly) must be one of the user's tenants, else
    `TenantNotAllowed`; `remembered` (e.g. the admin session's last choice) is used when still allowed, else ignored."""
    if not Tenant.objects.exists():
        return TenantScope(tenant=None, unrestricted=True)
    choices = tuple(tenants_for(user))
    if wanted not in (None, ""):
        return TenantScope(tenant=find_tenant(choices, wanted), choices=choices)
    if remembered not in (None, ""):
        try:
            return TenantScope(tenant=find_tenant(choices, remembered), choices=choices)
        except TenantNotAllowed:
            pass  # membership removed since: fall back to the default below
    return TenantScope(tenant=_preferred(choices), choices=choices)


def _preferred(choices: tuple[Tenant, ...]) -> Tenant | None:
    if not choices:
        return None
    if len(choices) == 1:
        return choices[0]
    default = default_tenant()
    if default is not None and any(t.pk == default.pk for t in choices):
        return default
    return choices[0]


def scope_queryset(queryset, scope: TenantScope):
    """`queryset` limited to the scope's tenant (models without `tenant_id` are shared across tenants)."""
    if scope.unrestricted or not has_model_tenant(queryset.model):
        return queryset
    if scope.tenant is None:
        return queryset.none()
    return queryset.filter(tenant_id=scope.tenant.st_tenant_id)
