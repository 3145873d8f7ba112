"""Pricebook health: every check finds the item it should and leaves a healthy one alone; page, API and command."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pricebook.health import CHECKS, apply_check, pricebook_health
from pricebook.models import (
    Equipment,
    MarkupTier,
    Material,
    PriceHistory,
    PricingRule,
    RepriceBatch,
    Service,
    ServiceMaterial,
)
from tests.pricebook.factories import TENANT_ID, make_category, make_material

pytestmark = pytest.mark.django_db
_parts = itertools.count(1)


@pytest.fixture
def category(db):
    return make_category("Plumbing")


def healthy(category, **fields) -> Material:
    """A material no check should flag: cost below price, member price below price, an active category, an image,
    its own vendor part number and name."""
    n = next(_parts)
    values = {
        "name": f"Healthy part {n}",
        "cost": Decimal("5"),
        "price": "10.00",
        "default_image_url": f"Images/part-{n}.png",
        "vendor_name": "Ferguson",
        "vendor_part": f"FG-{n}",
    }
    values.update(fields)
    member_price = values.pop("member_price", None)
    categories = values.pop("categories", [category])
    material = make_material(categories=categories, **values)
    if member_price is not None:
        Material.objects.filter(pk=material.pk).update(member_price=member_price)
    return material


def found(name: str, model=Material) -> set[int]:
    return set(apply_check(model.objects.all(), name).values_list("pk", flat=True))


def hits_only(name: str, hit, miss, model=Material):
    result = found(name, model)
    assert hit.pk in result
    assert miss.pk not in result


def test_a_healthy_material_is_in_no_check(category):
    material = healthy(category)
    for check in CHECKS:
        if "material" in check.item_types:
            assert material.pk not in found(check.name), check.name


def test_cost_zero(category):
    hits_only("cost_zero", healthy(category, cost=Decimal("0")), healthy(category))


def test_price_below_cost(category):
    hits_only("price_below_cost", healthy(category, cost=Decimal("12")), healthy(category, cost=Decimal("10")))


def test_member_price_at_or_above_price(category):
    hits_only(
        "member_price_not_below_price",
        healthy(category, member_price=Decimal("10")),
        healthy(category, member_price=Decimal("9.99")),
    )


def test_margin_below_the_rules_minimum_most_specific_rule_wins(category):
    pipes = make_category("Pipes", parent=category)
    PricingRule.objects.create(tenant_id=TENANT_ID, name="default", item_type="material", min_margin_percent=60)
    PricingRule.objects.create(
        tenant_id=TENANT_ID, name="plumbing", item_type="material", category_st_id=category.st_id, min_margin_percent=40
    )
    PricingRule.objects.create(
        tenant_id=TENANT_ID, name="services", item_type="service", category_st_id=None, min_margin_percent=90
    )
    # margin 30% under "plumbing" (40%, its subtree includes Pipes): flagged; 50% passes 40% though not the default 60%.
    low = healthy(category, cost=Decimal("7"), categories=[pipes])
    fine = healthy(category, cost=Decimal("5"), categories=[pipes])
    # No category: the default rule (60%) applies to a 50% margin.
    default = healthy(category, cost=Decimal("5"), categories=[])
    result = found("margin_below_minimum")
    assert low.pk in result and default.pk in result
    assert fine.pk not in result


def test_no_rule_no_margin_flag(category):
    assert healthy(category, cost=Decimal("9.5")).pk not in found("margin_below_minimum")


def test_off_the_markup_tier_by_more_than_the_tolerance(category):
    for st_id, (low, high, percent) in enumerate([(0, 10, 100), (10, 100, 60)], start=1):
        MarkupTier.objects.create(
            tenant_id=TENANT_ID,
            st_id=st_id,
            from_cost=low,
            to_cost=high,
            percent=percent,
            st_modified_on=timezone.now(),
        )
    PricingRule.objects.create(tenant_id=TENANT_ID, name="default", item_type="material", max_change_percent=10)
    # cost 5 → tier 100% → expected 10: 12 is 20% off (flagged), 10.50 is 5% off (within 10%).
    off = healthy(category, cost=Decimal("5"), price="12.00")
    near = healthy(category, cost=Decimal("5"), price="10.50")
    # cost 50 → tier 60% → expected 80.
    on = healthy(category, cost=Decimal("50"), price="80.00")
    # Above the highest `to`: the highest tier (60%) → expected 320; 200 is off.
    above = healthy(category, cost=Decimal("200"), price="200.00")
    result = found("off_markup_tier")
    assert off.pk in result and above.pk in result
    assert near.pk not in result and on.pk not in result


def test_a_fixed_percent_rule_sets_the_expected_markup(category):
    PricingRule.objects.create(
        tenant_id=TENANT_ID, name="fixed", item_type="material", markup="percent", markup_percent=50
    )
    hits_only(
        "off_markup_tier",
        healthy(category, cost=Decimal("5"), price="10.00"),  # expected 7.50
        healthy(category, cost=Decimal("5"), price="7.60"),
    )


def test_no_category_or_only_inactive_categories(category):
    inactive = make_category("Old stuff", active=False)
    nothing = healthy(category, categories=[])
    only_inactive = healthy(category, categories=[inactive])
    mixed = healthy(category, categories=[inactive, category])
    result = found("no_active_category")
    assert {nothing.pk, only_inactive.pk} <= result
    assert mixed.pk not in result


def test_duplicate_vendor_part(category):
    first = healthy(category, vendor_part="DUP-1")
    second = healthy(category, vendor_part="DUP-1")
    other_vendor = healthy(category, vendor_part="DUP-1", vendor_name="Grainger")
    result = found("duplicate_vendor_part")
    assert {first.pk, second.pk} <= result
    assert other_vendor.pk not in result


def test_near_duplicate_names(category):
    first = healthy(category, name="Copper Pipe 1/2in")
    second = healthy(category, name="copper-pipe 1/2 in")
    different = healthy(category, name="Copper Pipe 3/4in")
    result = found("near_duplicate_name")
    assert {first.pk, second.pk} <= result
    assert different.pk not in result


def test_no_image(category):
    hits_only("no_image", healthy(category, default_image_url=""), healthy(category))
    assets = healthy(category, default_image_url="", images=[{"type": "Image", "url": "Images/x.png"}])
    assert assets.pk not in found("no_image")


def test_no_vendor_part(category):
    other = healthy(category, vendor_part="", other_vendors=[{"vendorName": "Grainger", "vendorPart": "G-1"}])
    hits_only("no_vendor_part", healthy(category, vendor_part=""), other)


def _service(code: str, materials) -> Service:
    service = Service.objects.create(
        tenant_id=TENANT_ID, st_id=next(_parts) + 8_000_000, code=code, price=100, st_modified_on=timezone.now()
    )
    for material in materials:
        ServiceMaterial.objects.create(
            tenant_id=TENANT_ID, service=service, material=material, target_st_id=material.st_id, quantity=1
        )
    return service


def test_services_with_inactive_linked_materials(category):
    inactive = healthy(category, active=False)
    hits_only(
        "inactive_linked_materials",
        _service("SVC-BAD", [healthy(category), inactive]),
        _service("SVC-OK", [healthy(category)]),
        model=Service,
    )


def _history(material, field, when, old="1", new="2"):
    PriceHistory.objects.create(
        tenant_id=TENANT_ID,
        item_type="material",
        st_pricebook_id=material.st_id,
        field=field,
        old_value=Decimal(old),
        new_value=Decimal(new),
        source="sync",
        changed_at=when,
    )


def test_cost_changed_since_the_last_reprice_but_price_not(category):
    now = timezone.now()
    hour = timezone.timedelta(hours=1)
    stale = healthy(category)
    _history(stale, "price", now - 3 * hour)
    _history(stale, "cost", now - 2 * hour)
    repriced = healthy(category)
    _history(repriced, "cost", now - 2 * hour)
    _history(repriced, "price", now - hour)
    never = healthy(category)
    result = found("cost_changed_price_not")
    assert stale.pk in result
    assert repriced.pk not in result and never.pk not in result
    # A reprice approved after the cost change counts as looked at.
    RepriceBatch.objects.create(tenant_id=TENANT_ID, status="pushed", approved_at=now - hour)
    assert stale.pk not in found("cost_changed_price_not")


def test_each_check_is_one_query_over_the_items(category):
    pipes = make_category("Pipes", parent=category)
    PricingRule.objects.create(tenant_id=TENANT_ID, name="default", item_type="material", min_margin_percent=60)
    PricingRule.objects.create(
        tenant_id=TENANT_ID, name="pipes", item_type="material", category_st_id=pipes.st_id, min_margin_percent=40
    )
    healthy(category, cost=Decimal("0"))
    for check in CHECKS:
        for item_type, model in (("material", Material), ("service", Service), ("equipment", Equipment)):
            if item_type not in check.item_types:
                continue
            with CaptureQueriesContext(connection) as queries:
                apply_check(model.objects.all(), check.name).count()
            table = model._meta.db_table
            over_items = [q for q in queries if f'FROM "{table}"' in q["sql"]]
            assert len(over_items) == 1, (check.name, item_type)
            # Beside it at most the rules and the categories, read once (a few rows, whatever the item count).
            assert len(queries) <= 3, (check.name, item_type, [q["sql"][:80] for q in queries])


def test_the_health_lines_link_to_the_filtered_admin_list(category):
    healthy(category, cost=Decimal("0"))
    lines = {line.name: line for line in pricebook_health()}
    assert lines["cost_zero.material"].count == 1
    assert lines["cost_zero.material"].url == "/admin/pricebook/material/?health=cost_zero"
    assert lines["cost_zero.service"].count == 0
    assert "duplicate_vendor_part.service" not in lines


def test_the_command_prints_one_line_per_check(category, capsys):
    healthy(category, cost=Decimal("0"))
    call_command("st_pricebook_health")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(pricebook_health())
    assert any(line.split() == ["cost_zero.material", "1"] for line in out)


def test_the_api_answers_check_count_url(category, client, django_user_model):
    from django.contrib.auth.models import Group

    from pricebook.services.groups import VIEWERS

    healthy(category, cost=Decimal("0"))
    user = django_user_model.objects.create_user("viewer", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=VIEWERS))
    client.force_login(user)
    answer = client.get("/api/v1/pricebook/health/")
    assert answer.status_code == 200
    body = {row["check"]: row for row in answer.json()}
    assert body["cost_zero.material"]["count"] == 1
    assert body["cost_zero.material"]["url"].endswith("/admin/pricebook/material/?health=cost_zero")
    client.logout()
    assert client.get("/api/v1/pricebook/health/").status_code in (401, 403)


def test_the_admin_page_and_the_filtered_list(category, admin_client):
    bad = healthy(category, cost=Decimal("0"))
    good = healthy(category)
    page = admin_client.get("/admin/pricebook/health/")
    assert page.status_code == 200
    assert b"cost 0" in page.content and b"?health=cost_zero" in page.content
    listing = admin_client.get("/admin/pricebook/material/?health=cost_zero")
    assert listing.status_code == 200
    assert bad.code.encode() in listing.content and good.code.encode() not in listing.content
