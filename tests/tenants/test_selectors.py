"""The default tenant from SERVICE_TITAN_*, tenants by name, and each tenant's client configuration."""

import pytest

from servicetitan.client.errors import ConfigurationError
from tenants.models import Tenant
from tenants.selectors import (
    UnknownTenant,
    active_tenants,
    client_config_for,
    default_tenant,
    tenant_named,
    webhook_key_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(settings):
    settings.SERVICE_TITAN = {
        **settings.SERVICE_TITAN,
        "CLIENT_ID": "env-client",
        "CLIENT_SECRET": "env-secret-1234",
        "APP_KEY": "env-app-key",
        "TENANT_ID": "4242",
        "API_URL": "https://api.st.test",
        "AUTH_URL": "https://auth.st.test",
        "WEBHOOK_SECRET": "env-webhook-key",
    }
    return settings


def test_no_settings_and_no_rows_means_no_default_tenant(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "TENANT_ID": ""}
    assert default_tenant() is None
    assert active_tenants() == []


def test_the_settings_define_the_default_tenant(configured):
    tenant = default_tenant()
    assert (tenant.st_tenant_id, tenant.is_default, tenant.client_id) == (4242, True, "env-client")
    assert tenant.client_secret_encrypted == ""  # the settings keep it; nothing copied into the database
    assert default_tenant().pk == tenant.pk and Tenant.objects.count() == 1
    config = client_config_for(tenant)
    assert (config.tenant_id, config.client_secret, config.api_url) == (4242, "env-secret-1234", "https://api.st.test")
    assert webhook_key_for(tenant) == "env-webhook-key"


def test_a_changed_tenant_id_moves_the_default(configured):
    first = default_tenant()
    configured.SERVICE_TITAN = {**configured.SERVICE_TITAN, "TENANT_ID": "5151"}
    second = default_tenant()
    first.refresh_from_db()
    assert second.st_tenant_id == 5151 and second.is_default and not first.is_default


def test_a_tenant_of_its_own_uses_its_credentials(configured):
    other = Tenant(name="east", st_tenant_id=9001, client_id="east-client", rate_per_second=7)
    other.client_secret = "east-secret"
    other.app_key = "east-app"
    other.webhook_key = "east-hook"
    other.save()
    config = client_config_for(other)
    assert (config.tenant_id, config.client_id, config.client_secret, config.app_key, config.rate_per_second) == (
        9001,
        "east-client",
        "east-secret",
        "east-app",
        7,
    )
    assert webhook_key_for(other) == "east-hook"
    assert [t.name for t in active_tenants()] == ["default", "east"]


def test_an_unconfigured_tenant_says_what_is_missing(configured):
    bare = Tenant.objects.create(name="bare", st_tenant_id=9002)
    with pytest.raises(ConfigurationError, match="client id, client secret, app key"):
        client_config_for(bare)
    assert webhook_key_for(bare) == ""


def test_tenant_named_by_name_or_id_and_unknown_names_listed(configured):
    Tenant.objects.create(name="west", st_tenant_id=9003)
    assert tenant_named("west").st_tenant_id == 9003
    assert tenant_named("9003").name == "west"
    with pytest.raises(UnknownTenant, match=r"No tenant named 'nowhere'\. Tenants: default, west\."):
        tenant_named("nowhere")
