"""One definition of "which rule prices this item" (selectors.ApplicableRules), used by health's checks and reprice;
one reader of a service's cost (selectors.service_cost_lines), used by the service's page and reprice."""

from __future__ import annotations

import itertools
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from pricebook.health import apply_check
from pricebook.models import Equipment, Material, PricingRule, Service, ServiceEquipment, ServiceMaterial
from pricebook.selectors import ApplicableRules, service_cost_breakdown
from pricebook.services.overrides import save_override
from pricebook.services.reprice import preview_reprice
from tests.pricebook.factories import TENANT_ID, make_category, make_material

pytestmark = pytest.mark.django_db
_ids = itertools.count(9_700_001)


def rule(name, category=None, item_type="material", **fields):
    return PricingRule.objects.create(
        tenant_id=TENANT_ID,
        name=name,
        item_type=item_type,
        category_st_id=category.st_id if category else None,
        **fields,
    )


@pytest.fixture
def nested():
    """Plumbing > Pipes > Copper, and Electrical; rules on no category, on Plumbing and on the nested Copper (its own,
    with a lower minimum margin and a fixed markup that matches the items' prices). Every item: cost 10, price 16
    (margin 37.5 %, markup 60 %)."""
    plumbing = make_category("Plumbing")
    pipes = make_category("Pipes", parent=plumbing)
    copper = make_category("Copper", parent=pipes)
    electrical = make_category("Electrical")
    rules = {
        "default": rule("default", markup="percent", markup_percent=D(60), min_margin_percent=D(30)),
        "plumbing": rule(
            "plumbing", plumbing, markup="percent", markup_percent=D(100), min_margin_percent=D(40)
        ),  # expects 20.00: 16 is 20 % off and below its 40 % minimum
        "copper": rule("copper", copper, markup="percent", markup_percent=D(60), min_margin_percent=D(35)),
    }

    def item(*categories):
        return make_material(cost=D(10), price="16.00", categories=list(categories))

    items = {
        "in copper": item(copper),
        "in pipes": item(pipes),
        "in plumbing": item(plumbing),
        "in copper and plumbing": item(plumbing, copper),  # the deepest covered category wins
        "in electrical": item(electrical),  # no rule of its own: the default
        "in none": item(),
    }
    expected = {
        "in copper": "copper",
        "in pipes": "plumbing",
        "in plumbing": "plumbing",
        "in copper and plumbing": "copper",
        "in electrical": "default",
        "in none": "default",
    }
    return rules, items, expected


def test_a_nested_categorys_own_rule_wins_in_health_and_in_reprice_alike(nested):
    rules, items, expected = nested
    want = {items[name].pk: rules[rule_name].pk for name, rule_name in expected.items()}

    # The one resolution, in SQL.
    applicable = ApplicableRules.load("material")
    resolved = dict(Material.objects.annotate(rule=applicable.rule_id(Material)).values_list("pk", "rule"))
    assert resolved == want

    # Reprice prices each item by that rule (its rows name it; the default and Copper leave 16.00 as it is).
    preview = preview_reprice(tenant_id=TENANT_ID)
    by_st_id = {row.st_pricebook_id: row for row in preview.rows}
    repriced = {item.pk: by_st_id[item.st_id].rule_id for item in items.values() if item.st_id in by_st_id}
    assert repriced == {pk: rule_pk for pk, rule_pk in want.items() if rule_pk == rules["plumbing"].pk}
    assert preview.items == len(items) and preview.without_rule == 0

    # Health flags exactly the items whose own rule's minimum (40 %, Plumbing's) the 37.5 % margin misses, and the
    # items off their own rule's markup (Plumbing's 100 %): the same items reprice reprices.
    plumbing_items = {pk for pk, rule_pk in want.items() if rule_pk == rules["plumbing"].pk}
    assert set(apply_check(Material.objects.all(), "margin_below_minimum").values_list("pk", flat=True)) == (
        plumbing_items
    )
    assert set(apply_check(Material.objects.all(), "off_markup_tier").values_list("pk", flat=True)) == plumbing_items
    assert {row.rule_name for row in preview.rows} == {"plumbing"}


def test_a_rule_that_sets_no_minimum_is_not_completed_by_the_default(nested):
    """Reprice uses the applying rule as it is; so does health (no field-by-field fallback to the default rule)."""
    rules, items, _ = nested
    PricingRule.objects.filter(pk=rules["plumbing"].pk).update(min_margin_percent=None)
    rules["default"].min_margin_percent = D(90)
    rules["default"].save()
    flagged = set(apply_check(Material.objects.all(), "margin_below_minimum").values_list("pk", flat=True))
    # The default's 90 % flags the default's items only; Plumbing's items have no minimum.
    assert flagged == {items["in electrical"].pk, items["in none"].pk}


def test_rules_resolve_per_tenant_and_item_type(nested):
    rules, items, _ = nested
    other = PricingRule.objects.create(tenant_id=TENANT_ID + 1, name="other tenant", item_type="material")
    service_rule = rule("services", item_type="service")
    applicable = ApplicableRules.load("material", TENANT_ID)
    assert other.pk not in applicable.rules and service_rule.pk not in applicable.rules
    resolved = dict(Material.objects.annotate(rule=applicable.rule_id(Material)).values_list("pk", "rule"))
    assert resolved[items["in none"].pk] == rules["default"].pk
    # An item of a tenant without rules has none.
    stranger = Material.objects.create(
        tenant_id=TENANT_ID + 2,
        st_id=next(_ids),
        code="X",
        name="X",
        cost=D(1),
        price=D(2),
        st_modified_on=timezone.now(),
    )
    assert (
        dict(Material.objects.annotate(rule=applicable.rule_id(Material)).values_list("pk", "rule"))[stranger.pk]
        is None
    )


# --- One service cost ---------------------------------------------------------------------------------------------------
def test_the_service_pages_breakdown_total_is_the_cost_reprice_prices(client, editor):
    now = timezone.now()
    pipe = make_material(cost=D(2), price="5.00")
    valve = make_material(cost=D("1.5"), price="4.00")
    gone = make_material(cost=D(50), price="80.00")
    Material.objects.filter(pk=gone.pk).update(deleted=True)  # a deleted link counts 0, as in the stored roll-up
    heater = Equipment.objects.create(
        tenant_id=TENANT_ID, st_id=next(_ids), code="EQ-1", name="Heater", cost=D(10), price=D(30), st_modified_on=now
    )
    service = Service.objects.create(
        tenant_id=TENANT_ID, st_id=next(_ids), code="SVC-1", name="Fit", cost=D(5), price=D(48), hours=D(2),
        st_modified_on=now,
    )  # fmt: skip
    for target, quantity in ((pipe, 3), (valve, 2), (gone, 1)):
        ServiceMaterial.objects.create(
            tenant_id=TENANT_ID, service=service, material=target, target_st_id=target.st_id, quantity=D(quantity)
        )
    ServiceMaterial.objects.create(tenant_id=TENANT_ID, service=service, target_st_id=123, quantity=D(7))
    ServiceEquipment.objects.create(
        tenant_id=TENANT_ID, service=service, equipment=heater, target_st_id=heater.st_id, quantity=D(1)
    )
    # A pending cost override of a linked material counts for both.
    save_override(item_type="material", st_id=pipe.st_id, values={"cost": D(3)})
    rule("services", item_type="service", labor_rate=D(100))

    breakdown = service_cost_breakdown(service)
    # labour 5 + 3 x 3 (pending) + 2 x 1.5 + deleted 0 + not mirrored 0 + 1 x 10 = 27.
    assert breakdown.effective_total == D(27)
    row = next(r for r in preview_reprice(tenant_id=TENANT_ID, targets=["pricebook.services"]).rows)
    assert row.st_pricebook_id == service.st_id
    assert row.cost == breakdown.effective_total

    client.force_login(editor)
    html = client.get(reverse("admin:pricebook_service_change", args=[service.pk])).content.decode()
    assert "(with pending costs: 27.00)" in html
