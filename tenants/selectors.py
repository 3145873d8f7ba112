"""Reads of tenants: the default one (from SERVICE_TITAN_*), the active ones, one by name, and a client config."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.db import IntegrityError, transaction

from servicetitan.client.config import ClientConfig
from servicetitan.client.errors import ConfigurationError
from tenants.models import Tenant


class UnknownTenant(ValueError):
    """No tenant by that name (or ServiceTitan id); the message lists the names there are."""


def _settings_tenant_id() -> int | None:
    raw = str((getattr(settings, "SERVICE_TITAN", None) or {}).get("TENANT_ID") or "").strip()
    return int(raw) if raw.isdigit() else None


def default_tenant() -> Tenant | None:
    """The tenant SERVICE_TITAN_* defines, created (or updated: id, URLs, client id) on first use; else the row
    marked default; None when neither exists (a deployment not configured yet). Its secrets stay in the settings:
    `client_config_for` reads them from there."""
    st = getattr(settings, "SERVICE_TITAN", None) or {}
    tenant_id = _settings_tenant_id()
    if tenant_id is None:
        return Tenant.objects.filter(is_default=True).first()
    wanted = {
        "client_id": str(st.get("CLIENT_ID") or "").strip(),
        "api_url": str(st.get("API_URL") or "https://api.servicetitan.io").rstrip("/"),
        "auth_url": str(st.get("AUTH_URL") or "https://auth.servicetitan.io").rstrip("/"),
        "rate_per_second": int(st.get("RATE_PER_SECOND") or 50),
    }
    tenant = Tenant.objects.filter(st_tenant_id=tenant_id).first()
    if tenant is not None and tenant.is_default and all(getattr(tenant, k) == v for k, v in wanted.items()):
        return tenant
    try:
        with transaction.atomic():
            Tenant.objects.filter(is_default=True).exclude(st_tenant_id=tenant_id).update(is_default=False)
            tenant, _ = Tenant.objects.update_or_create(
                st_tenant_id=tenant_id,
                defaults={**wanted, "is_default": True},
                create_defaults={**wanted, "is_default": True, "name": _free_name("default")},
            )
    except IntegrityError:  # a concurrent first use created it
        tenant = Tenant.objects.get(st_tenant_id=tenant_id)
    return tenant


def _free_name(base: str) -> str:
    name, n = base, 1
    while Tenant.objects.filter(name=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def active_tenants() -> list[Tenant]:
    """Every active tenant, the default one (from the settings) included."""
    default_tenant()
    return list(Tenant.objects.filter(active=True))


def active_tenant_ids() -> list[int | None]:
    """The ServiceTitan ids of the active tenants; [None] (the settings' tenant) when there is no tenant at all."""
    ids = [tenant.st_tenant_id for tenant in active_tenants()]
    return ids or [None]


def tenant_named(name: str) -> Tenant:
    """The tenant by name (or its ServiceTitan tenant id); UnknownTenant listing the names otherwise."""
    default_tenant()
    value = str(name).strip()
    tenant = Tenant.objects.filter(name=value).first()
    if tenant is None and value.isdigit():
        tenant = Tenant.objects.filter(st_tenant_id=int(value)).first()
    if tenant is None:
        names = ", ".join(Tenant.objects.values_list("name", flat=True)) or "none configured"
        raise UnknownTenant(f"No tenant named {value!r}. Tenants: {names}.")
    return tenant


def tenant_by_st_id(st_tenant_id: int) -> Tenant | None:
    return Tenant.objects.filter(st_tenant_id=st_tenant_id).first()


def client_config_for(tenant: Tenant) -> ClientConfig:
    """The client configuration of `tenant`: the settings' one (SERVICE_TITAN_*) with this tenant's id, URLs,
    credentials and budget. The default tenant without stored secrets uses the SERVICE_TITAN_* secrets."""
    from tenants.secrets import decrypt

    st = getattr(settings, "SERVICE_TITAN", None) or {}
    uses_settings = tenant.is_default and not tenant.client_secret_encrypted
    if uses_settings:
        return replace(ClientConfig.from_settings(), tenant_id=tenant.st_tenant_id)
    missing = [
        label
        for label, present in (
            ("client id", tenant.client_id),
            ("client secret", tenant.client_secret_encrypted),
            ("app key", tenant.app_key_encrypted or (tenant.is_default and st.get("APP_KEY"))),
        )
        if not present
    ]
    if missing:
        raise ConfigurationError(f"Tenant {tenant.name} is not configured: set its {', '.join(missing)} in the admin.")
    base = _base_config()
    return replace(
        base,
        client_id=tenant.client_id.strip(),
        client_secret=decrypt(tenant.client_secret_encrypted),
        app_key=decrypt(tenant.app_key_encrypted) if tenant.app_key_encrypted else str(st.get("APP_KEY") or ""),
        tenant_id=tenant.st_tenant_id,
        api_url=tenant.api_url.rstrip("/"),
        auth_url=tenant.auth_url.rstrip("/"),
        rate_per_second=tenant.rate_per_second,
    )


def _base_config() -> ClientConfig:
    """The tuning (timeouts, retries, page size, Redis) every tenant shares, from the settings; placeholders for the
    credentials a tenant brings."""
    try:
        return ClientConfig.from_settings()
    except ConfigurationError:
        return ClientConfig.from_settings_tuning()


def webhook_key_for(tenant: Tenant) -> str:
    """The HMAC key of `tenant`'s webhooks: its own, else (default tenant only) SERVICE_TITAN_WEBHOOK_SECRET."""
    from tenants.secrets import decrypt

    if tenant.webhook_key_encrypted:
        return decrypt(tenant.webhook_key_encrypted)
    if tenant.is_default:
        return (getattr(settings, "SERVICE_TITAN", None) or {}).get("WEBHOOK_SECRET") or ""
    return ""
