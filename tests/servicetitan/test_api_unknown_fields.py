"""A write naming a field the endpoint does not take is a 400 listing the ones it does (`RejectUnknownFieldsMixin`),
on every request body: a typo (`target` for `targets`) must not look like it worked — on `POST /api/v1/sync/` it
queued a sync of everything, on reprices it proposed one for the whole pricebook, on a PATCH it changed nothing and
answered 200."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from pricebook.models import MarkupTier, MarkupTierEdit, PricingRule, RepriceBatch

pytestmark = pytest.mark.django_db

TENANT_ID = 1000001


@pytest.fixture
def queued(monkeypatch):
    from servicetitan.tasks import sync_targets_task

    calls = []
    monkeypatch.setattr(sync_targets_task, "delay", lambda targets, **kwargs: calls.append((targets, kwargs)))
    return calls


def refused(response, field):
    assert response.status_code == 400, response.content
    assert "Unknown field" in response.json()[field][0]


def test_sync_with_a_misspelt_field_queues_nothing(api, queued):
    refused(api.post("/api/v1/sync/", {"target": ["crm"]}, format="json"), "target")
    refused(api.post("/api/v1/sync/", {"targets": ["crm"], "ful": True}, format="json"), "ful")
    assert queued == []
    assert api.post("/api/v1/sync/", {"targets": ["crm"]}, format="json").status_code == 202


def test_reprice_with_a_misspelt_field_proposes_nothing(api):
    refused(api.post("/api/v1/pricebook/reprices/", {"target": ["pricebook.materials"]}, format="json"), "target")
    assert not RepriceBatch.objects.exists()


def test_approve_with_a_misspelt_field_is_refused(api):
    batch_id = RepriceBatch.objects.create(tenant_id=TENANT_ID, targets=["pricebook.materials"]).pk
    refused(
        api.post(f"/api/v1/pricebook/reprices/{batch_id}/approve/", {"rows": "all", "row": [1]}, format="json"), "row"
    )
    assert RepriceBatch.objects.get(pk=batch_id).status == RepriceBatch.Status.PROPOSED


def test_pricing_rule_with_a_misspelt_field_is_refused(api):
    rule = PricingRule.objects.create(tenant_id=TENANT_ID, name="Default", item_type="material")
    refused(api.patch(f"/api/v1/pricebook/pricing-rules/{rule.pk}/", {"nmae": "Typo"}, format="json"), "nmae")
    body = {"name": "Pipes", "item_type": "material", "markup": "percent", "markup_precent": "30"}
    refused(api.post("/api/v1/pricebook/pricing-rules/", body, format="json"), "markup_precent")
    # What a GET answered may be sent back as it is (read-only fields are known fields).
    current = api.get(f"/api/v1/pricebook/pricing-rules/{rule.pk}/").json()
    assert api.put(f"/api/v1/pricebook/pricing-rules/{rule.pk}/", current, format="json").status_code == 200


def test_markup_tier_with_a_misspelt_field_is_refused(api):
    tier = MarkupTier.objects.create(
        tenant_id=TENANT_ID,
        st_id=7,
        from_cost=Decimal("0"),
        to_cost=Decimal("10"),
        percent=Decimal("50"),
        synced_at=timezone.now(),
    )
    refused(api.patch(f"/api/v1/pricebook/markup-tiers/{tier.st_id}/", {"pecrent": "60"}, format="json"), "pecrent")
    body = {"from_cost": "10", "to_cost": "20", "precent": "40"}
    response = api.post("/api/v1/pricebook/markup-tiers/", body, format="json")
    refused(response, "precent")


def test_a_markup_tier_as_the_api_answered_it_may_be_sent_back(api):
    tier = MarkupTier.objects.create(
        tenant_id=TENANT_ID,
        st_id=8,
        from_cost=Decimal("0"),
        to_cost=Decimal("2147483647"),
        percent=Decimal("50"),
        synced_at=timezone.now(),
    )
    current = api.get(f"/api/v1/pricebook/markup-tiers/{tier.st_id}/").json()
    assert {"st_id", "pending_edit", "synced_at"} <= set(current)
    response = api.patch(f"/api/v1/pricebook/markup-tiers/{tier.st_id}/", {**current, "percent": "55"}, format="json")
    assert "Unknown field" not in response.content.decode(), response.content
    assert MarkupTierEdit.objects.get(tier_st_id=tier.st_id).percent == Decimal("55")
