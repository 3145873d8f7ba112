"""Discounts and fees, rate-sheet exceptions: edited through overrides like pricebook items, pushed one by one to the
simulator (which validates the PATCHes against the spec's request schemas), synced back; refusals keep the edit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricebook.models import PricebookOverride, PricebookOverrideChange
from pricebook.services.overrides import OverrideError, keep_mine, save_override
from pricebook.services.push import push_overrides, push_pending
from sales.models import DiscountFee, RateSheet
from tests.sync_support import sync

pytestmark = pytest.mark.django_db
Status = PricebookOverride.Status
PATCH_DISCOUNT = "PATCH /pricebook/v2/tenant/{tenant}/discounts-and-fees/{id}"
PATCH_RATE_SHEET = "PATCH /pricebook/v2/tenant/{tenant}/clientspecificpricing/{rateSheetId}"


@pytest.fixture
def lists(simulator):
    """The simulator's pricebook (for the rate sheets' SKUs), discounts and fees and rate sheets, mirrored."""
    sync(["pricebook.materials", "sales.discounts-and-fees", "sales.rate-sheets"], full=True)
    simulator.reset_stats()
    return simulator


def routes(simulator) -> dict:
    return simulator.stats.snapshot()["by_route"]


def a_discount() -> DiscountFee:
    found = DiscountFee.objects.filter(deleted=False).order_by("st_id").first()
    assert found is not None, "the simulator has no discounts or fees"
    return found


def a_rate_sheet() -> RateSheet:
    found = RateSheet.objects.filter(deleted=False).order_by("st_id").first()
    assert found is not None, "the simulator has no rate sheets"
    return found


def test_discount_edit_pending_pushed_synced(lists, editor):
    fee = a_discount()
    wanted = Decimal(fee.amount or 0) + Decimal("3.5")
    override = save_override(
        item_type="discount_fee",
        st_id=fee.st_id,
        values={"amount": wanted, "display_name": "Senior discount", "taxable": not fee.taxable},
        user=editor,
    )
    assert override.status == Status.PENDING

    result = push_overrides([override.pk])

    assert result.synced == [override.pk], result.failed
    override.refresh_from_db()
    assert override.status == Status.SYNCED
    record = lists.dataset.get("sales.discounts-and-fees", fee.st_id)
    assert Decimal(str(record["amount"])) == wanted
    assert record["displayName"] == "Senior discount" and record["taxable"] is (not fee.taxable)
    assert routes(lists)[PATCH_DISCOUNT] == 1
    # ServiceTitan's answer is stored like a sync page: the mirror has the new values and modifiedOn at once.
    fee.refresh_from_db()
    assert fee.amount == wanted and fee.display_name == "Senior discount"
    assert fee.st_modified_on is not None and fee.st_modified_on.isoformat().startswith(record["modifiedOn"][:19])
    actions = list(PricebookOverrideChange.objects.filter(override=override).values_list("action", flat=True))
    assert actions == [PricebookOverrideChange.Action.PUSHED, PricebookOverrideChange.Action.EDITED]
