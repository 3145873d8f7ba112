"""The pricebook admin's own lookups by ServiceTitan id stay in the tenant the admin works in: the same st_id may be
another tenant's item or tier (ids are unique per tenant only), and another tenant's vendors are not suggested."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pricebook.models import MarkupTier, MarkupTierEdit, Material, PricebookOverride
from tenants.admin_scope import SESSION_KEY
from tenants.models import Tenant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TENANT_A, TENANT_B = 7100001, 7100002
SHARED = 515151
D = Decimal


@pytest.fixture
def tenants():
    a = Tenant.objects.create(name="Alpha Heating", st_tenant_id=TENANT_A, is_default=True)
    b = Tenant.objects.create(name="Bravo Plumbing", st_tenant_id=TENANT_B)
    return a, b


@pytest.fixture
def client_in_b(tenants):
    """A staff user of both tenants (every permission, not a superuser), working in tenant B."""
    a, b = tenants
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    a.users.add(user)
    b.users.add(user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = str(TENANT_B)
    session.save()
    return client


def material(tenant_id, st_id=SHARED, *, cost, price, vendor=""):
    return Material.objects.create(
        tenant_id=tenant_id,
        st_id=st_id,
        code=f"M-{tenant_id}-{st_id}",
        name=f"Material of {tenant_id}",
        cost=D(cost),
        price=D(price),
        member_price=D(price),
        vendor_name=vendor,
        st_modified_on=timezone.now(),
    )


# --- 1. the override form's item -------------------------------------------------------------------------------------
def _add_override(client, st_id, price):
    return client.post(
        reverse("admin:pricebook_pricebookoverride_add"),
        {"item_type": "material", "st_pricebook_id": st_id, "override_price": price, "override_active": "unknown"},
    )


def test_an_override_added_in_a_tenant_is_of_that_tenants_item(client_in_b):
    # A's item (made first) costs 100: a price of 15 would be a loss there, not on B's item (cost 5).
    material(TENANT_A, cost="100", price="200")
    material(TENANT_B, cost="5", price="10")
    response = _add_override(client_in_b, SHARED, "15")
    assert response.status_code == 302, response.content.decode()[:2000]
    override = PricebookOverride.objects.get()
    assert (override.tenant_id, override.st_pricebook_id, override.override_price) == (TENANT_B, SHARED, D(15))


def test_another_tenants_item_cannot_be_overridden(client_in_b):
    material(TENANT_A, st_id=616161, cost="5", price="10")
    response = _add_override(client_in_b, 616161, "15")
    assert response.status_code == 200
    assert "no material with ServiceTitan id 616161" in response.content.decode()
    assert not PricebookOverride.objects.exists()


def test_changing_an_override_checks_its_own_tenants_item(client_in_b):
    material(TENANT_A, cost="100", price="200")
    material(TENANT_B, cost="5", price="10")
    assert _add_override(client_in_b, SHARED, "15").status_code == 302
    override = PricebookOverride.objects.get()
    url = reverse("admin:pricebook_pricebookoverride_change", args=[override.pk])
    inline = {"history-TOTAL_FORMS": "0", "history-INITIAL_FORMS": "0"}
    response = client_in_b.post(url, {"override_price": "16", "override_active": "unknown", **inline})
    assert response.status_code == 302, response.context["adminform"].form.errors
    override.refresh_from_db()
    assert (override.tenant_id, override.override_price) == (TENANT_B, D(16))


# --- 2. the markup tier edit's tiers --------------------------------------------------------------------------------
def tier(tenant_id, st_id, low, high, percent):
    return MarkupTier.objects.create(
        tenant_id=tenant_id,
        st_id=st_id,
        from_cost=D(low),
        to_cost=D(high),
        percent=D(percent),
        st_modified_on=timezone.now(),
    )


@pytest.fixture
def tiers(tenants):
    # Each tenant's whole table; st_id SHARED is a tier in both.
    tier(TENANT_A, SHARED, 0, 1000, 50)
    tier(TENANT_A, 8001, 1000, 9999, 20)
    tier(TENANT_B, SHARED, 0, 500, 70)
    tier(TENANT_B, 8002, 500, 9999, 30)


def test_the_tier_edit_lists_only_the_tenants_tiers(client_in_b, tiers):
    page = client_in_b.get(reverse("admin:pricebook_markuptieredit_add"))
    assert page.status_code == 200
    choices = page.context["adminform"].form.fields["tier_st_id"].choices
    assert sorted(str(value) for value, _label in choices if value != "") == sorted([str(SHARED), "8002"])
    assert "1,000" not in {label for _value, label in choices}  # A's tiers' bounds
    assert "8001" not in page.content.decode()


def test_a_tier_edit_is_checked_against_and_saved_for_the_tenants_table(client_in_b, tiers, monkeypatch):
    from pricebook.admin import markup

    pushed = []
    monkeypatch.setattr(markup, "push_tier_edits", lambda model_admin, request, ids: pushed.extend(ids))
    url = reverse("admin:pricebook_markuptieredit_add")
    # Fits B's table (0-500 then 500-…), not A's (0-1000 then 1000-…).
    response = client_in_b.post(url, {"tier_st_id": SHARED, "from_cost": "0", "to_cost": "500", "percent": "75"})
    assert response.status_code == 302, response.content.decode()[:3000]
    edit = MarkupTierEdit.objects.get()
    assert (edit.tenant_id, edit.tier_st_id, edit.percent) == (TENANT_B, SHARED, D(75))
    assert pushed == [edit.pk]


# --- 3. the vendor price file's vendor suggestions ------------------------------------------------------------------
def test_the_vendor_suggestions_are_the_tenants_own(client_in_b):
    from pricebook.models import VendorPriceMapping

    material(TENANT_A, st_id=1, cost="1", price="2", vendor="Alpha Supply Co")
    VendorPriceMapping.objects.create(vendor_name="Alpha Only Mapped", columns={"vendor_part": "Part", "cost": "Net"})
    material(TENANT_B, st_id=2, cost="1", price="2", vendor="Bravo Wholesale")
    page = client_in_b.get(reverse("admin:pricebook_material_vendor_costs"))
    assert page.status_code == 200
    assert page.context["vendors"] == ["Bravo Wholesale"]
    assert "Alpha Supply Co" not in page.content.decode() and "Alpha Only Mapped" not in page.content.decode()
