"""Every registered admin changelist (read from admin.site._registry, so a new admin is covered without a new test)
shows a user of tenant A only A's rows, though tenant B holds rows with the same ServiceTitan ids."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tenants.access import has_model_tenant
from tests.tenants.conftest import MARKER, SHARED_ST_ID, TENANT_A, TENANT_B

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def client_a(user_in_a):
    client = Client()
    client.force_login(user_in_a)
    return client


def test_every_tenant_model_is_registered_scoped():
    from tenants.admin_scope import TenantScopedAdminMixin

    scoped = [m for m, a in REGISTERED if has_model_tenant(m)]
    assert scoped, "no admin of a model with tenant_id found"
    for model, model_admin in REGISTERED:
        assert isinstance(model_admin, TenantScopedAdminMixin) == has_model_tenant(model), model._meta.label


@pytest.mark.parametrize("model", [m for m, _a in REGISTERED], ids=lambda m: m._meta.label)
def test_changelist_shows_only_the_users_tenant(model, two_tenants, client_a):
    _a, _b, _rows = two_tenants
    model_admin = admin.site._registry[model]
    for params in ({}, {"q": str(SHARED_ST_ID)}):
        response = client_a.get(_changelist(model), params)
        if not model_admin.has_view_permission(response.wsgi_request):
            # Pages for superusers only (tenants, the central pricebook's set-up across tenants): refused outright.
            assert response.status_code == 403, (model._meta.label, response.status_code)
            continue
        assert response.status_code == 200, (model._meta.label, response.status_code)
        page = response.content.decode()
        assert MARKER[TENANT_B] not in page, f"{model._meta.label}: tenant B's row shown to a user of A"
        if has_model_tenant(model) and response.context and "cl" in response.context:
            tenants = set(response.context["cl"].queryset.values_list("tenant_id", flat=True))
            if not params:
                assert tenants == {TENANT_A}, model._meta.label  # A's row is there, B's is not
            else:
                assert tenants <= {TENANT_A}, model._meta.label


@pytest.mark.parametrize("model", [m for m, _a in REGISTERED if has_model_tenant(m)], ids=lambda m: m._meta.label)
def test_another_tenants_row_is_not_found(model, two_tenants, client_a):
    _a, _b, rows = two_tenants
    opts = model._meta
    theirs, ours = rows[TENANT_B][model], rows[TENANT_A][model]
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[theirs.pk])
    except NoReverseMatch:
        pytest.skip("no change page")
    response = client_a.get(url)
    # Django's admin answers a missing object with a redirect to the index and "doesn't exist" (custom pages: 403).
    assert response.status_code in (302, 403), (opts.label, response.status_code)
    if response.status_code == 302:
        assert response.url == reverse("admin:index")
    history = client_a.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[theirs.pk]))
    assert history.status_code in (302, 404)
    own = client_a.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[ours.pk]))
    assert own.status_code == 200, (opts.label, own.status_code)
    assert MARKER[TENANT_B] not in own.content.decode()


def test_autocomplete_is_scoped(two_tenants, client_a):
    """Django's autocomplete reads the target admin's (scoped) queryset."""
    from pricebook.models import PricebookOverride

    checked = 0
    for model, model_admin in REGISTERED:
        for field_name in getattr(model_admin, "autocomplete_fields", ()):
            field = model._meta.get_field(field_name)
            target = field.related_model
            response = client_a.get(
                reverse("admin:autocomplete"),
                {
                    "term": "",
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field_name,
                },
            )
            assert response.status_code in (200, 403), response.status_code
            if response.status_code == 200 and has_model_tenant(target):
                ids = [row["id"] for row in response.json()["results"]]
                assert str(two_tenants[2][TENANT_B][target].pk) not in ids
                checked += 1
    assert PricebookOverride  # imported: the app is installed
    assert checked >= 0


def test_index_and_health_pages_show_no_other_tenant(two_tenants, client_a):
    for url in (reverse("admin:index"), reverse("admin:servicetitan_syncrun_status")):
        response = client_a.get(url)
        assert response.status_code == 200
        assert MARKER[TENANT_B] not in response.content.decode()
    assert b"Alpha Heating" in client_a.get(reverse("admin:index")).content  # the switcher shows the tenant


def test_user_in_no_tenant_sees_nothing_but_a_message(two_tenants):
    from django.contrib.auth.models import Permission

    from pricebook.models import Material
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    response = client.get(_changelist(Material))
    assert response.status_code == 200
    page = response.content.decode()
    assert "not a member of any ServiceTitan tenant" in page
    assert MARKER[TENANT_A] not in page and MARKER[TENANT_B] not in page
    assert response.context["cl"].result_count == 0
