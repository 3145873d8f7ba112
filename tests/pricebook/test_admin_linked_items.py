"""A service's page shows the materials and equipment it uses by name, with quantity, cost and the roll-up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pricebook.models import (
    Equipment,
    PricebookOverride,
    Service,
    ServiceEquipment,
    ServiceMaterial,
    ServiceRecommendation,
    ServiceUpgrade,
)
from tests.pricebook.factories import TENANT_ID, make_material

pytestmark = pytest.mark.django_db


def test_service_page_lists_what_it_uses_with_the_roll_up(client, editor):
    client.force_login(editor)
    pipe = make_material(code="PIPE", name="Copper pipe", cost=Decimal("2.5"))
    valve = make_material(code="VALVE", name="Ball valve", cost=Decimal("10"))
    heater = Equipment.objects.create(
        tenant_id=TENANT_ID, st_id=7_000_001, code="WH-40", name="Water heater", cost=Decimal("300")
    )
    service = Service.objects.create(
        tenant_id=TENANT_ID,
        st_id=7_000_002,
        code="SVC-1",
        name="Install heater",
        materials=[{"skuId": pipe.st_id, "quantity": 4}],
        st_modified_on=timezone.now(),
    )
    ServiceMaterial.objects.create(
        tenant_id=TENANT_ID, service=service, material=pipe, target_st_id=pipe.st_id, quantity=4
    )
    ServiceMaterial.objects.create(
        tenant_id=TENANT_ID, service=service, material=valve, target_st_id=valve.st_id, quantity=1
    )
    ServiceMaterial.objects.create(tenant_id=TENANT_ID, service=service, material=None, target_st_id=123, quantity=1)
    ServiceEquipment.objects.create(
        tenant_id=TENANT_ID, service=service, equipment=heater, target_st_id=heater.st_id, quantity=1
    )
    better = Service.objects.create(tenant_id=TENANT_ID, st_id=7_000_003, code="SVC-2", name="Install tankless")
    ServiceUpgrade.objects.create(tenant_id=TENANT_ID, service=service, upgrade=better, target_st_id=better.st_id)
    ServiceRecommendation.objects.create(
        tenant_id=TENANT_ID, service=service, recommended_material=valve, target_st_id=valve.st_id
    )
    # A pending cost override is the cost staff see, so it is the one rolled up.
    PricebookOverride.objects.create(
        tenant_id=TENANT_ID,
        item_type="material",
        st_pricebook_id=valve.st_id,
        override_cost=Decimal("12"),
        status=PricebookOverride.Status.PENDING,
    )

    page = client.get(reverse("admin:pricebook_service_change", args=[service.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Copper pipe" in html and "Ball valve" in html and "Water heater" in html
    assert reverse("admin:pricebook_material_change", args=[pipe.pk]) in html
    assert "10.00" in html and "12.00" in html and "300.00" in html  # line costs: 4 x 2.50, 1 x 12, 1 x 300
    assert "322.00" in html  # the roll-up
    assert "not mirrored yet" in html
    assert "skuId" not in html
    assert "Upgrades to" in html and reverse("admin:pricebook_service_change", args=[better.pk]) in html
    assert "Recommends" in html


def test_service_page_has_one_linked_items_table_adding_up_to_the_service_cost(client, editor):
    """One table (not a "Cost breakdown" and a "Uses" list): labour + each part's quantity x cost = the service's
    cost, ServiceTitan's with the pending cost beside it."""
    client.force_login(editor)
    pipe = make_material(code="PIPE", name="Copper pipe", cost=Decimal("2.5"))
    service = Service.objects.create(
        tenant_id=TENANT_ID,
        st_id=7_000_010,
        code="SVC-9",
        name="Repipe",
        cost=Decimal("40"),
        st_modified_on=timezone.now(),
    )
    ServiceMaterial.objects.create(
        tenant_id=TENANT_ID, service=service, material=pipe, target_st_id=pipe.st_id, quantity=3
    )
    PricebookOverride.objects.create(
        tenant_id=TENANT_ID,
        item_type="material",
        st_pricebook_id=pipe.st_id,
        override_cost=Decimal("3"),
        status=PricebookOverride.Status.PENDING,
    )

    html = client.get(reverse("admin:pricebook_service_change", args=[service.pk])).content.decode()

    assert html.count('id="pb-cost-breakdown"') == 1
    table = html[html.index('id="pb-cost-breakdown"') : html.index("</table>", html.index('id="pb-cost-breakdown"'))]
    assert "Labour" in table and "40.00" in table
    assert "Copper pipe" in table and ">3<" in table  # name and quantity
    assert "2.50" in table and "7.50" in table  # ServiceTitan's cost and quantity x cost
    assert "(pending: 3.00)" in table and "(pending: 9.00)" in table  # with the pending cost override
    assert "47.50" in table and "49.00" in table  # the roll-up: 40 + 3 x 2.50, and with pending costs 40 + 3 x 3
    assert html.count("Copper pipe") == 1  # listed once on the page


def test_equipment_page_lists_its_materials_once(client, editor):
    client.force_login(editor)
    pipe = make_material(code="PIPE", name="Copper pipe", cost=Decimal("2.5"))
    heater = Equipment.objects.create(
        tenant_id=TENANT_ID, st_id=7_000_011, code="WH-50", name="Heater", cost=Decimal("300")
    )
    heater.material_links.create(tenant_id=TENANT_ID, material=pipe, target_st_id=pipe.st_id, quantity=2)

    html = client.get(reverse("admin:pricebook_equipment_change", args=[heater.pk])).content.decode()

    assert html.count('id="pb-cost-breakdown"') == 1
    assert html.count("Copper pipe") == 1 and "5.00" in html
    assert "skuId" not in html
