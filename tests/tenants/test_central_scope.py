"""The central pricebook spans tenants: its set-up is for superusers, and a tenant's user sees its own mapping only."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from pricebook.models import CentralMapping, CentralPricebook, CentralSubscription
from tenants.models import Tenant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def central_of_two(two_tenants):
    a, b, _rows = two_tenants
    source = Tenant.objects.create(name="Central source", st_tenant_id=7000009)
    book = CentralPricebook.objects.create(name="Group pricebook", source_tenant=source)
    for tenant, code in ((a, "ALPHA-CODE"), (b, "BRAVO-CODE")):
        subscription = CentralSubscription.objects.create(central=book, tenant=tenant)
        CentralMapping.objects.create(subscription=subscription, item_type="material", code=code, status="matched")
    return book


def test_a_tenant_user_sees_only_its_own_tenant_mapping(central_of_two, user_in_a):
    api = APIClient()
    api.force_authenticate(user_in_a)
    answer = api.get("/api/v1/pricebook/central/mapping/")
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "ALPHA-CODE" in body
    assert "BRAVO-CODE" not in body


def test_the_central_set_up_is_for_superusers_only(central_of_two, user_in_a):
    staff = Client()
    staff.force_login(user_in_a)
    superuser = Client()
    superuser.force_login(UserFactory(is_staff=True, is_superuser=True))
    for name in ("centralpricebook", "centralsubscription", "centralmapping"):
        url = f"/admin/pricebook/{name}/"
        assert staff.get(url).status_code == 403, url
        assert superuser.get(url).status_code == 200, url
