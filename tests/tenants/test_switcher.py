"""The admin's tenant switcher: only the user's tenants, remembered by the session, changing what every list shows;
and the backward-compatible cases (no tenants: everything as before; one tenant: everyone works in it)."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from pricebook.models import Material
from tenants.access import tenants_for
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.tenants.conftest import MARKER, TENANT_A, TENANT_B, make_row

MATERIALS = "/admin/pricebook/material/"


def _listed_tenants(client) -> set:
    response = client.get(MATERIALS)
    assert response.status_code == 200
    return set(response.context["cl"].queryset.values_list("tenant_id", flat=True))


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_switcher_changes_what_a_superuser_sees(two_tenants):
    superuser = _signed_in(UserFactory(is_staff=True, is_superuser=True))
    page = superuser.get(MATERIALS).content.decode()
    assert 'id="tenant-switcher-select"' in page and "Bravo Plumbing" in page
    assert _listed_tenants(superuser) == {TENANT_A}  # the default tenant first

    switched = superuser.post(reverse("admin:switch_tenant"), {"tenant": str(TENANT_B), "next": MATERIALS})
    assert switched.status_code == 302 and switched.url == MATERIALS
    assert _listed_tenants(superuser) == {TENANT_B}  # remembered by the session
    assert MARKER[TENANT_B] in superuser.get(MATERIALS).content.decode()
    assert _listed_tenants(superuser) == {TENANT_B}

    # From a row's page, back to its list: the row may not exist in the other tenant.
    row = Material.objects.get(tenant_id=TENANT_B)
    detail = reverse("admin:pricebook_material_change", args=[row.pk])
    back = superuser.post(reverse("admin:switch_tenant"), {"tenant": "Alpha Heating", "next": detail})
    assert back.url == MATERIALS
    assert _listed_tenants(superuser) == {TENANT_A}


def test_a_user_cannot_switch_to_a_tenant_they_are_not_in(user_in_a):
    client = _signed_in(user_in_a)
    page = client.get(MATERIALS).content.decode()
    assert "Alpha Heating" in page and "Bravo Plumbing" not in page  # only the user's tenants listed
    refused = client.post(reverse("admin:switch_tenant"), {"tenant": str(TENANT_B), "next": MATERIALS}, follow=True)
    assert "no access to the tenant" in refused.content.decode()
    assert _listed_tenants(client) == {TENANT_A}
    # An outside address to go back to is not followed.
    away = client.post(reverse("admin:switch_tenant"), {"tenant": str(TENANT_A), "next": "https://evil.example/"})
    assert away.url == reverse("admin:index")


def test_membership_removed_falls_back_to_a_tenant_still_allowed(two_tenants):
    a, b, _rows = two_tenants
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    a.users.add(user)
    b.users.add(user)
    client = _signed_in(user)
    client.post(reverse("admin:switch_tenant"), {"tenant": str(TENANT_B)})
    assert _listed_tenants(client) == {TENANT_B}
    b.users.remove(user)
    assert _listed_tenants(client) == {TENANT_A}


def test_no_tenants_defined_everything_as_before(db):
    rows: dict = {}
    make_row(Material, TENANT_A, rows)
    make_row(Material, TENANT_B, rows)
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    client = _signed_in(user)
    assert _listed_tenants(client) == {TENANT_A, TENANT_B}
    assert 'id="tenant-switcher-select"' not in client.get(MATERIALS).content.decode()


def test_one_tenant_every_staff_user_works_in_it(db):
    only = Tenant.objects.create(name="Only One", st_tenant_id=TENANT_A, is_default=True)
    rows: dict = {}
    make_row(Material, TENANT_A, rows)
    make_row(Material, TENANT_B, rows)  # a row of a tenant LAZI does not know
    user = UserFactory(is_staff=True)  # a member of nothing
    user.user_permissions.set(Permission.objects.all())
    assert list(tenants_for(user)) == [only]
    assert _listed_tenants(_signed_in(user)) == {TENANT_A}


def test_new_rows_belong_to_the_current_tenant(two_tenants):
    """A row added in the admin (a pricing rule) belongs to the tenant being shown, not the configured one."""
    from pricebook.models import PricingRule

    superuser = _signed_in(UserFactory(is_staff=True, is_superuser=True))
    superuser.post(reverse("admin:switch_tenant"), {"tenant": str(TENANT_B)})
    PricingRule.objects.all().delete()
    form = superuser.get(reverse("admin:pricebook_pricingrule_add"))
    assert form.status_code == 200
    data = {
        name: "" if field.initial is None else field.initial
        for name, field in form.context["adminform"].form.fields.items()
    }
    data.update({"name": "Bravo default", "item_type": "material", "category_st_id": ""})
    saved = superuser.post(reverse("admin:pricebook_pricingrule_add"), data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    assert PricingRule.objects.get(name="Bravo default").tenant_id == TENANT_B
