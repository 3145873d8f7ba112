"""Numeric filters of the pricing rules, reprices, price history and central pricebook lists: a number no database
integer column holds (past 64 bits) is a 400 naming the parameter, like every mirror list's, never an empty 200."""

from __future__ import annotations

import pytest

from pricebook.api import central, views
from servicetitan.api.filtersets import LaziFilterSet

pytestmark = pytest.mark.django_db

HUGE = str(10**30)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/pricebook/pricing-rules/", "category_st_id"),
        ("/api/v1/pricebook/history/", "st_pricebook_id"),
        ("/api/v1/pricebook/history/", "tenant_id"),
        ("/api/v1/pricebook/central/mapping/", "tenant_id"),
        ("/api/v1/pricebook/central/audit/", "tenant_id"),
    ],
)
@pytest.mark.parametrize("value", [HUGE, f"-{HUGE}", "abc"])
def test_a_number_out_of_range_is_a_400(api, url, name, value):
    response = api.get(url, {name: value})
    assert response.status_code == 400, response.content
    assert name in response.json()


@pytest.mark.parametrize(
    "viewset",
    [
        views.PricingRuleViewSet,
        views.RepriceBatchViewSet,
        views.PriceHistoryViewSet,
        central.CentralMappingViewSet,
        central.CentralChangeViewSet,
    ],
    ids=lambda v: v.__name__,
)
def test_the_filtersets_share_the_lazi_base(viewset):
    assert issubclass(viewset.filterset_class, LaziFilterSet)


def test_pricing_rules_still_filter_by_category_and_item_type(api):
    from pricebook.models import PricingRule
    from tests.pricebook.factories import TENANT_ID

    PricingRule.objects.create(tenant_id=TENANT_ID, name="default", item_type="material")
    PricingRule.objects.create(tenant_id=TENANT_ID, name="pipes", item_type="material", category_st_id=77)
    PricingRule.objects.create(tenant_id=TENANT_ID, name="labor", item_type="service", category_st_id=77)

    def names(**query):
        response = api.get("/api/v1/pricebook/pricing-rules/", query)
        assert response.status_code == 200, response.content
        return sorted(row["name"] for row in response.json()["results"])

    assert names(category_st_id=77) == ["labor", "pipes"]
    assert names(category_st_id=77, item_type="service") == ["labor"]
    assert names(item_type="material") == ["default", "pipes"]
    assert names(category_st_id=78) == []
