"""Tenants in the admin: superusers only; secrets typed into password fields, never shown back, never logged."""

import logging
import re

import pytest
import responses
from django.urls import reverse

from tenants.models import Tenant
from tenants.secrets import decrypt
from tests.admin_support import staff_client

pytestmark = pytest.mark.django_db

SECRET, APP_KEY, HOOK = "typed-secret-5c4b3a", "typed-app-key-9z8y", "typed-hook-key-1q2w"


def _form(**extra):
    return {
        "name": "gamma",
        "st_tenant_id": "7007",
        "client_id": "gamma-client",
        "client_secret": SECRET,
        "app_key": APP_KEY,
        "webhook_key": HOOK,
        "api_url": "https://api.st.test",
        "auth_url": "https://auth.st.test",
        "rate_per_second": "40",
        "active": "on",
        **extra,
    }


def test_only_superusers_see_tenants():
    staff = staff_client(superuser=False)
    assert staff.get(reverse("admin:tenants_tenant_changelist")).status_code == 403
    assert "tenants/tenant" not in staff.get(reverse("admin:index")).content.decode()
    superuser = staff_client()
    assert superuser.get(reverse("admin:tenants_tenant_changelist")).status_code == 200


def test_secrets_are_stored_encrypted_and_never_rendered_back(caplog):
    admin = staff_client()
    with caplog.at_level(logging.DEBUG):
        response = admin.post(reverse("admin:tenants_tenant_add"), _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    tenant = Tenant.objects.get(name="gamma")
    assert decrypt(tenant.client_secret_encrypted) == SECRET
    assert decrypt(tenant.app_key_encrypted) == APP_KEY and decrypt(tenant.webhook_key_encrypted) == HOOK
    page = admin.get(reverse("admin:tenants_tenant_change", args=[tenant.pk])).content.decode()
    assert "Set — type a new one to replace it" in page
    for secret in (SECRET, APP_KEY, HOOK, tenant.client_secret_encrypted):
        assert secret not in page
        assert secret not in caplog.text
    assert re.search(r'<input type="password" name="client_secret"[^>]*>', page)


def test_an_empty_secret_field_keeps_the_stored_one():
    admin = staff_client()
    admin.post(reverse("admin:tenants_tenant_add"), _form())
    tenant = Tenant.objects.get(name="gamma")
    response = admin.post(
        reverse("admin:tenants_tenant_change", args=[tenant.pk]),
        _form(client_secret="", app_key="", webhook_key="", rate_per_second="30"),
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.rate_per_second == 30 and decrypt(tenant.client_secret_encrypted) == SECRET


@responses.activate
def test_test_connection_reports_the_error_in_words_without_the_secret(caplog):
    responses.add(responses.POST, "https://auth.st.test/connect/token", status=400, json={"error": "invalid_client"})
    admin = staff_client()
    admin.post(reverse("admin:tenants_tenant_add"), _form())
    tenant = Tenant.objects.get(name="gamma")
    with caplog.at_level(logging.DEBUG):
        response = admin.post(
            reverse("admin:tenants_tenant_changelist"),
            {"action": "test_connection", "_selected_action": [tenant.pk]},
            follow=True,
        )
    said = [str(message) for message in response.context["messages"]]
    about_gamma = [message for message in said if message.startswith("gamma: ")]
    assert len(about_gamma) == 1 and "connected" not in about_gamma[0] and len(about_gamma[0]) > len("gamma: ")
    page = response.content.decode()
    assert SECRET not in page and SECRET not in caplog.text and not any(SECRET in m for m in said)


@responses.activate
def test_test_connection_succeeds_with_a_token():
    responses.add(
        responses.POST, "https://auth.st.test/connect/token", json={"access_token": "tok-abc", "expires_in": 900}
    )
    admin = staff_client()
    admin.post(reverse("admin:tenants_tenant_add"), _form())
    tenant = Tenant.objects.get(name="gamma")
    response = admin.post(
        reverse("admin:tenants_tenant_changelist"),
        {"action": "test_connection", "_selected_action": [tenant.pk]},
        follow=True,
    )
    said = [str(message) for message in response.context["messages"]]
    assert "gamma: connected (a token was issued)." in said
    assert "tok-abc" not in response.content.decode() and not any("tok-abc" in m for m in said)
