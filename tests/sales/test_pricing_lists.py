"""Discounts and fees, client-specific rate sheets: mirrored (read-only endpoints; edited through overrides, see
test_price_list_*)."""

from decimal import Decimal

import factory
import pytest
from django.urls import reverse

from sales.models import DiscountFee, RateSheet
from tests.admin_support import check_mirror_admin, staff_client
from tests.api_support import check_read_endpoint, check_read_only
from tests.factories import MirrorFactory
from tests.servicetitan.sync_support import assert_mirror_equals
from tests.sync_support import check_sync, money, sync

pytestmark = pytest.mark.django_db


class DiscountFeeFactory(MirrorFactory):
    class Meta:
        model = DiscountFee

    code = factory.Sequence(lambda n: f"DF-{n}")
    amount = Decimal("10")


class RateSheetFactory(MirrorFactory):
    class Meta:
        model = RateSheet

    exceptions = factory.LazyFunction(
        lambda: [{"skuId": 1, "skuType": "Material", "value": 10, "valueType": "Percent"}]
    )


@pytest.mark.parametrize(
    ("url", "factory"),
    [("/api/v1/sales/discounts-and-fees/", DiscountFeeFactory), ("/api/v1/sales/rate-sheets/", RateSheetFactory)],
)
def test_read_endpoint_and_mirror_admin(url, factory):
    check_read_endpoint(url, factory)
    check_read_only(url, factory)
    check_mirror_admin(factory)


@pytest.mark.parametrize("model_name", ["discountfee", "ratesheet"])
def test_the_admin_says_these_are_edited_through_overrides(model_name):
    page = staff_client().get(reverse(f"admin:sales_{model_name}_changelist")).content.decode()
    assert "override" in page and "pushed to ServiceTitan" in page and "Read-only in LAZI" not in page


def test_sync_mirrors_discounts_fees_and_rate_sheets(simulator):
    check_sync(
        simulator,
        {
            "sales.discounts-and-fees": (
                DiscountFee,
                lambda r: {"code": r["code"], "type": r["type"], "amount": money(r["amount"])},
            ),
        },
    )
    assert_mirror_equals(simulator, ("sales.discounts-and-fees",), kind="list")
    sync(["sales.rate-sheets"], full=True)
    assert_mirror_equals(simulator, ("sales.rate-sheets",), kind="list")
    (gone,) = simulator.dataset.delete("sales.rate-sheets", 1)
    simulator.dataset.mutate("sales.rate-sheets", create=1)
    sync(["sales.rate-sheets"], full=False)
    # No change filter: listed whole every run, and one no longer listed is deleted.
    assert RateSheet.objects.get(st_id=gone).deleted
    live = {r["id"] for r in simulator.dataset.records("sales.rate-sheets")} - {gone}
    assert set(RateSheet.objects.filter(deleted=False).values_list("st_id", flat=True)) == live
    sheet = RateSheet.objects.filter(deleted=False).first()
    assert sheet.exceptions == simulator.dataset.get("sales.rate-sheets", sheet.st_id)["exceptions"]
