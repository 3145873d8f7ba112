"""The ServiceTitan tenants this LAZI mirrors, and who may see each.

Every mirrored row already carries `tenant_id`, ServiceTitan's numeric tenant id; a `Tenant` is that id with the
credentials to reach it. The `SERVICE_TITAN_*` variables define the default tenant, so a one-tenant deployment
configures nothing here.
"""

from django.conf import settings
from django.db import models


class Tenant(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # ServiceTitan's tenant id: the `tenant_id` of every mirrored row of this tenant.
    st_tenant_id = models.BigIntegerField("ServiceTitan tenant id", unique=True)
    client_id = models.CharField(max_length=200, blank=True)
    # Encrypted at rest (LAZI_ENCRYPTION_KEY); read and written only through tenants.secrets, never shown again.
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    app_key_encrypted = models.TextField(blank=True, editable=False)
    # The HMAC key of this tenant's webhooks (blank: the SERVICE_TITAN_WEBHOOK_SECRET, for the default tenant only).
    webhook_key_encrypted = models.TextField(blank=True, editable=False)
    api_url = models.URLField(default="https://api.servicetitan.io")
    auth_url = models.URLField(default="https://auth.servicetitan.io")
    # ServiceTitan's limit is per application per tenant: each tenant's own budget.
    rate_per_second = models.PositiveIntegerField(default=50)
    active = models.BooleanField(default=True)
    # The tenant the SERVICE_TITAN_* variables define (created or updated from them); at most one.
    is_default = models.BooleanField(default=False, editable=False)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="lazi_tenants")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="tenants_tenant_one_default"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.st_tenant_id})"

    def __repr__(self) -> str:
        return f"<Tenant {self.name} st_tenant_id={self.st_tenant_id}>"

    # Write-only: set a secret here (it is encrypted at once); read it only through `tenants.selectors`.
    def _write_only(self):
        raise AttributeError("tenant secrets are write-only; use tenants.selectors.client_config_for")

    def _set_client_secret(self, value: str) -> None:
        from tenants.secrets import encrypt

        self.client_secret_encrypted = encrypt(value)

    def _set_app_key(self, value: str) -> None:
        from tenants.secrets import encrypt

        self.app_key_encrypted = encrypt(value)

    def _set_webhook_key(self, value: str) -> None:
        from tenants.secrets import encrypt

        self.webhook_key_encrypted = encrypt(value)

    client_secret = property(_write_only, _set_client_secret)
    app_key = property(_write_only, _set_app_key)
    webhook_key = property(_write_only, _set_webhook_key)

    @property
    def has_client_secret(self) -> bool:
        return bool(self.client_secret_encrypted)

    @property
    def has_app_key(self) -> bool:
        return bool(self.app_key_encrypted)

    @property
    def has_webhook_key(self) -> bool:
        return bool(self.webhook_key_encrypted)
