"""`?ordering=` on the pricebook lists: ServiceTitan's columns and the effective values (`effective_*`: a pending
override counts), unknown orderings answered 400, every allowed value in the schema."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pricebook.models import PricebookOverride, Service
from tests.pricebook.factories import TENANT_ID, make_material

pytestmark = pytest.mark.django_db

MATERIALS = "/api/v1/pricebook/materials/"


@pytest.fixture
def api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


def pending(material, **values):
    fields = {f"override_{name}": value for name, value in values.items()}
    return PricebookOverride.objects.create(
        tenant_id=TENANT_ID,
        item_type="material",
        st_pricebook_id=material.st_id,
        status=PricebookOverride.Status.PENDING,
        **fields,
    )


def codes(api, ordering, url=MATERIALS):
    response = api.get(url, {"ordering": ordering})
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_effective_price_orders_by_the_pending_override(api):
    cheap, _, dear = (make_material(code, price) for code, price in (("A", "5"), ("B", "10"), ("C", "20")))
    pending(cheap, price=Decimal("30"))  # staff raised A's price: in use 30, ServiceTitan's still 5
    synced = pending(dear, price=Decimal("1"))
    synced.status = PricebookOverride.Status.SYNCED  # pushed: ServiceTitan's value counts again
    synced.save(update_fields=["status"])

    assert codes(api, "price") == ["A", "B", "C"]  # ServiceTitan's column
    assert codes(api, "effective_price") == ["B", "C", "A"]
    assert codes(api, "-effective_price") == ["A", "C", "B"]


def test_effective_name_member_price_and_cost(api):
    a = make_material("A", "10", name="Zinc", cost=Decimal("1"))
    make_material("B", "10", name="Brass")
    pending(a, name="Aluminium", member_price=Decimal("1"), cost=Decimal("50"))
    assert codes(api, "name") == ["B", "A"]
    assert codes(api, "effective_name") == ["A", "B"]
    assert codes(api, "effective_member_price") == ["A", "B"]
    assert codes(api, "-effective_cost") == ["A", "B"]
    assert codes(api, "effective_active,-code") == ["B", "A"]  # both active: the second term decides


def test_services_order_by_their_rolled_up_cost(api):
    for code, cost in (("S1", "9"), ("S2", "3")):
        Service.objects.create(
            tenant_id=TENANT_ID, st_id=hash(code) % 10**8, code=code, name=code, cost=Decimal(cost),
            st_modified_on=timezone.now(),
        )  # fmt: skip
    assert codes(api, "effective_cost", "/api/v1/pricebook/services/") == ["S2", "S1"]


def test_unknown_orderings_answer_400_with_the_allowed_ones(api):
    make_material("A")
    response = api.get(MATERIALS, {"ordering": "price,-effective_nope"})
    assert response.status_code == 400
    body = response.json()
    assert body["unknown"] == ["-effective_nope"]
    assert {"price", "effective_price", "margin_percent"} <= set(body["allowed"])
    assert "servicetitan_payload" not in body["allowed"] and "images" not in body["allowed"]  # JSON is not orderable
    # Aliases of fields a category does not have are refused there.
    assert api.get("/api/v1/pricebook/categories/", {"ordering": "effective_price"}).status_code == 400
    assert api.get("/api/v1/pricebook/categories/", {"ordering": "-effective_name"}).status_code == 200


def test_the_schema_lists_the_orderings(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/pricebook/materials/"]["get"]["parameters"]
    ordering = next(p for p in parameters if p["name"] == "ordering")
    assert {"effective_price", "-effective_price", "price", "-margin_percent"} <= set(ordering["schema"]["enum"])
    assert "effective_price" in ordering["description"]
