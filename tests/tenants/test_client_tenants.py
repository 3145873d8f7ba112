"""get_client(tenant_id): the settings' tenant without any row, another tenant's own credentials, and per-tenant
tokens and budgets (ServiceTitan's limit is per application per tenant)."""

import re
from urllib.parse import parse_qs

import pytest
import responses

from servicetitan.client import get_client
from servicetitan.client.errors import ConfigurationError
from tenants.models import Tenant

pytestmark = pytest.mark.django_db

API = "https://api.st.test"
AUTH = "https://auth.st.test"


@pytest.fixture
def two_tenants(settings):
    from django.core.cache import cache

    cache.clear()
    settings.SERVICE_TITAN = {
        **settings.SERVICE_TITAN,
        "CLIENT_ID": "alpha-client",
        "CLIENT_SECRET": "alpha-secret-1111",
        "APP_KEY": "alpha-app-key",
        "TENANT_ID": "4242",
        "API_URL": API,
        "AUTH_URL": AUTH,
        "RATE_PER_SECOND": 1,
        "RATE_PER_MINUTE": 0,
        "RATE_PER_HOUR": 0,
        "MAX_ATTEMPTS": 1,
    }
    beta = Tenant(
        name="beta", st_tenant_id=5151, client_id="beta-client", api_url=API, auth_url=AUTH, rate_per_second=1
    )
    beta.client_secret = "beta-secret-2222"
    beta.app_key = "beta-app-key"
    beta.save()
    yield beta
    cache.clear()


def _token_answers():
    def issue(request):
        client_id = parse_qs(request.body)["client_id"][0]
        return 200, {}, f'{{"access_token": "token-of-{client_id}", "expires_in": 900}}'

    responses.add_callback(responses.POST, f"{AUTH}/connect/token", callback=issue)
    responses.add(
        responses.GET, re.compile(rf"{API}/crm/v2/tenant/\d+/customers/7"), json={"id": 7, "name": "A customer"}
    )


def test_no_tenant_is_the_settings_tenant_without_any_row(two_tenants):
    Tenant.objects.all().delete()
    client = get_client()
    assert (client.tenant_id, client.config.client_id) == (4242, "alpha-client")
    assert not Tenant.objects.exists()


def test_an_unknown_tenant_is_a_configuration_error(two_tenants):
    with pytest.raises(ConfigurationError, match="No tenant with ServiceTitan tenant id 6000"):
        get_client(6000)


@responses.activate
def test_each_tenant_has_its_own_token_and_requests_go_to_its_path(two_tenants):
    _token_answers()
    alpha, beta = get_client(), get_client(5151)
    assert (beta.tenant_id, beta.config.client_id, beta.config.rate_per_second) == (5151, "beta-client", 1)
    alpha.get("crm.customers", 7)
    beta.get("crm.customers", 7)
    alpha.get("crm.customers", 7)
    api = [call.request for call in responses.calls if "/crm/" in call.request.url]
    assert [request.url.split("/tenant/")[1].split("/")[0] for request in api] == ["4242", "5151", "4242"]
    assert [request.headers["Authorization"] for request in api] == [
        "Bearer token-of-alpha-client",
        "Bearer token-of-beta-client",
        "Bearer token-of-alpha-client",
    ]
    assert [request.headers["ST-App-Key"] for request in api] == ["alpha-app-key", "beta-app-key", "alpha-app-key"]
    tokens = [call for call in responses.calls if call.request.url.endswith("/connect/token")]
    assert len(tokens) == 2  # one per tenant, then cached


@responses.activate
def test_budgets_are_separate_per_tenant(two_tenants, settings, redis_url):
    """1 request/second each: one request of each tenant in the same second waits for nothing; a second one of the
    same tenant waits for its own budget (in Redis, where the budget shared across processes lives)."""
    assert redis_url == settings.REDIS_URL
    _token_answers()
    alpha, beta = get_client(), get_client(5151)
    assert alpha._limiter.slots_key != beta._limiter.slots_key
    assert ":4242:" in alpha._limiter.slots_key and ":5151:" in beta._limiter.slots_key
    alpha.get("crm.customers", 7)
    beta.get("crm.customers", 7)
    assert (alpha.stats.throttled, beta.stats.throttled) == (0, 0)
    alpha.get("crm.customers", 7)
    assert (alpha.stats.throttled, beta.stats.throttled) == (1, 0)
