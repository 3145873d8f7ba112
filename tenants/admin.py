"""Tenants in the admin: superusers only. Secrets are typed into password fields and never rendered back."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from servicetitan.logging import redact
from tenants.models import Tenant

SECRETS = (
    ("client_secret", "client_secret_encrypted", "Client secret"),
    ("app_key", "app_key_encrypted", "App key"),
    ("webhook_key", "webhook_key_encrypted", "Webhook key"),
)


class TenantForm(forms.ModelForm):
    client_secret = forms.CharField(label="Client secret", required=False, strip=True)
    app_key = forms.CharField(label="App key", required=False, strip=True)
    webhook_key = forms.CharField(label="Webhook key", required=False, strip=True)
    # ServiceTitan is served over HTTPS: a URL typed without a scheme means https (as Django 6 will assume).
    api_url = forms.URLField(label="API URL", initial="https://api.servicetitan.io", assume_scheme="https")
    auth_url = forms.URLField(label="Auth URL", initial="https://auth.servicetitan.io", assume_scheme="https")

    class Meta:
        model = Tenant
        fields = ["name", "st_tenant_id", "client_id", "api_url", "auth_url", "rate_per_second", "active", "users"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, stored, label in SECRETS:
            # Never rendered back: the page only says whether one is set.
            self.fields[field].widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
            is_set = bool(getattr(self.instance, stored, ""))
            self.fields[field].help_text = (
                "Set — type a new one to replace it; leave empty to keep it."
                if is_set
                else f"Not set. {label} from ServiceTitan's developer portal"
                + (" (the default tenant falls back to SERVICE_TITAN_*)." if self.instance.is_default else ".")
            )

    def save(self, commit=True):
        tenant = super().save(commit=False)
        for field, _, _ in SECRETS:
            if self.cleaned_data.get(field):
                setattr(tenant, field, self.cleaned_data[field])  # encrypted by the model's setter
        if commit:
            tenant.save()
            self.save_m2m()
        return tenant

    def clean(self):
        cleaned = super().clean()
        from tenants.secrets import EncryptionUnavailable, encrypt

        if any(cleaned.get(field) for field, _, _ in SECRETS):
            try:
                encrypt("check")
            except EncryptionUnavailable as exc:
                raise forms.ValidationError(str(exc)) from None
        return cleaned


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    form = TenantForm
    list_display = ("name", "st_tenant_id", "client_id", "api_url", "rate_per_second", "active", "is_default")
    list_filter = ("active",)
    search_fields = ("name", "st_tenant_id")
    readonly_fields = ("is_default", "created_at", "updated_at")
    filter_horizontal = ("users",)
    actions = ["test_connection"]

    # Superusers only: others (staff included) neither see the model nor reach its pages.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission

    @admin.action(description="Test connection (fetch a token)")
    def test_connection(self, request, queryset):
        from servicetitan.client import ServiceTitanClient
        from tenants.services import connection_problem

        for tenant in queryset:
            problem = connection_problem(tenant, client_class=ServiceTitanClient)
            if problem:
                self.message_user(request, f"{tenant.name}: {redact(problem)}", messages.ERROR)
            else:
                self.message_user(request, f"{tenant.name}: connected (a token was issued).", messages.SUCCESS)
