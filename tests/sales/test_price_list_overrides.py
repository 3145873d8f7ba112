"""Discounts and fees, rate-sheet exceptions: edited through overrides like pricebook items, pushed one by one to the
simulator (which validates the PATCHes against the spec's request schemas), synced back; refusals keep the edit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricebook.models import PricebookOverride, PricebookOverrideChange
from pricebook.services.overrides import OverrideError, keep_mine, save_override
from pricebook.services.push import push_overrides, push_pending
from sales.models import DiscountFee, RateSheet, RawRateSheet
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


def sku_ids(simulator, n: int) -> list[int]:
    ids = sorted(r["id"] for r in simulator.dataset.records("pricebook.materials"))[:n]
    assert len(ids) == n
    return ids


def test_rate_sheet_exceptions_edit_push_then_sync_shows_them(lists, editor):
    sheet = a_rate_sheet()
    first, second = sku_ids(lists, 2)
    wanted = [
        {"skuId": first, "valueType": "DiscountPercent", "value": "12.5"},
        {"skuId": second, "valueType": "FlatPrice", "value": "99"},
    ]
    override = save_override(item_type="rate_sheet", st_id=sheet.st_id, values={"exceptions": wanted}, user=editor)
    assert override.status == Status.PENDING
    # No modifiedOn on a rate sheet: the values the editor saw are the base a conflict is told by.
    assert override.base_modified_on is None and override.base_values["exceptions"] == sheet.exceptions

    result = push_overrides([override.pk])

    assert result.synced == [override.pk], result.failed
    assert routes(lists)[PATCH_RATE_SHEET] == 1
    record = lists.dataset.get("sales.rate-sheets", sheet.st_id)
    assert {(e["skuId"], e["valueType"], e["value"], e["skuType"]) for e in record["exceptions"]} == {
        (first, "DiscountPercent", 12.5, "Material"),
        (second, "FlatPrice", 99, "Material"),
    }
    # The answer (exceptions only, no id) is followed by a read through the list's `ids`, stored like a sync page.
    sheet.refresh_from_db()
    assert sheet.exceptions == record["exceptions"]
    # And the next sync brings the same record (a mirror built afresh from ServiceTitan has the new exceptions).
    RawRateSheet.objects.filter(st_id=sheet.st_id).delete()
    RateSheet.objects.filter(pk=sheet.pk).delete()
    sync(["sales.rate-sheets"], full=False)
    assert RateSheet.objects.get(st_id=sheet.st_id).exceptions == record["exceptions"]
    override.refresh_from_db()
    assert override.status == Status.SYNCED


def test_servicetitan_refusal_keeps_the_edit_with_its_message(lists, editor):
    sheet = a_rate_sheet()
    # A SKU ServiceTitan does not have: LAZI cannot know, ServiceTitan refuses the PATCH.
    wanted = [{"skuId": 987654321, "valueType": "Percent", "value": "5"}]
    override = save_override(item_type="rate_sheet", st_id=sheet.st_id, values={"exceptions": wanted}, user=editor)

    result = push_overrides([override.pk])

    assert override.pk in result.failed
    override.refresh_from_db()
    assert override.status == Status.FAILED
    assert "987654321 does not exist" in override.error_message and "400" in override.error_message
    assert override.override_exceptions == wanted, "the refused edit is kept for staff to correct"
    assert lists.dataset.get("sales.rate-sheets", sheet.st_id)["exceptions"] == sheet.exceptions


def test_discount_refused_by_servicetitan_shows_its_message_on_the_field(lists, editor):
    fee = a_discount()
    override = save_override(item_type="discount_fee", st_id=fee.st_id, values={"limit": Decimal("5")}, user=editor)
    # A row the guardrails would refuse today (as rows written before them may be): ServiceTitan refuses it too.
    PricebookOverride.objects.filter(pk=override.pk).update(override_limit=Decimal("-5"))

    result = push_overrides([override.pk])

    assert override.pk in result.failed
    override.refresh_from_db()
    assert override.status == Status.FAILED and override.override_limit == Decimal("-5")
    assert "Limit must be greater than or equal to 0" in override.field_errors["limit"][0]
    assert lists.dataset.get("sales.discounts-and-fees", fee.st_id)["limit"] == float(fee.limit or 0)


@pytest.mark.parametrize(
    ("item_type", "values", "message"),
    [
        ("discount_fee", {"amount": Decimal("-1")}, "The amount cannot be negative"),
        ("discount_fee", {"limit": Decimal("-0.01")}, "The limit cannot be negative"),
        ("discount_fee", {"amount_type": "Percentage", "amount": Decimal("150")}, "cannot be more than 100"),
        ("discount_fee", {"amount_type": "Half"}, "The amount type must be Percentage or Fixed"),
        ("rate_sheet", {"exceptions": [{"skuId": 5, "valueType": "FlatPrice", "value": "-3"}]}, "cannot be negative"),
        ("rate_sheet", {"exceptions": [{"skuId": 5, "valueType": "Bogus", "value": "3"}]}, "value type must be"),
        (
            "rate_sheet",
            {"exceptions": [{"skuId": 5, "valueType": "Percent", "value": "1"}] * 2},
            "listed twice",
        ),
    ],
)
def test_guardrails_refuse_before_saving(lists, editor, item_type, values, message):
    record = a_discount() if item_type == "discount_fee" else a_rate_sheet()
    with pytest.raises(OverrideError, match=message):
        save_override(item_type=item_type, st_id=record.st_id, values=values, user=editor)
    assert not PricebookOverride.objects.filter(item_type=item_type).exists()


def test_discount_changed_in_servicetitan_meanwhile_is_a_conflict(lists, editor):
    fee = a_discount()
    override = save_override(item_type="discount_fee", st_id=fee.st_id, values={"amount": Decimal("7")}, user=editor)
    lists.dataset.update("sales.discounts-and-fees", fee.st_id, {"description": "changed in ServiceTitan"})

    result = push_overrides([override.pk])

    assert result.conflicts == [override.pk]
    override.refresh_from_db()
    assert override.status == Status.CONFLICT and "Keep yours" in override.error_message
    assert PATCH_DISCOUNT not in routes(lists)
    keep_mine(override, user=editor)
    assert push_overrides([override.pk]).synced == [override.pk]
    assert lists.dataset.get("sales.discounts-and-fees", fee.st_id)["amount"] == 7


def test_rate_sheet_changed_in_servicetitan_is_flagged_by_the_sync(lists, editor):
    sheet = a_rate_sheet()
    (sku,) = sku_ids(lists, 1)
    wanted = [{"skuId": sku, "valueType": "Multiplier", "value": "1.5"}]
    override = save_override(item_type="rate_sheet", st_id=sheet.st_id, values={"exceptions": wanted}, user=editor)
    theirs = [{"skuId": sku, "skuType": "Material", "value": 3, "valueType": "Dollar"}]
    lists.dataset.update("sales.rate-sheets", sheet.st_id, {"exceptions": theirs})

    sync(["sales.rate-sheets"], full=False)

    override.refresh_from_db()
    assert override.status == Status.CONFLICT
    assert PricebookOverrideChange.objects.filter(override=override, action="conflict").exists()
    # Kept mine: the base becomes what ServiceTitan has now, and the push goes through.
    keep_mine(override, user=editor)
    assert push_overrides([override.pk]).synced == [override.pk]
    assert [
        (e["valueType"], e["value"]) for e in lists.dataset.get("sales.rate-sheets", sheet.st_id)["exceptions"]
    ] == [("Multiplier", 1.5)]


def test_st_push_pushes_pending_discounts_and_rate_sheets(lists, editor):
    fee, sheet = a_discount(), a_rate_sheet()
    (sku,) = sku_ids(lists, 1)
    pending = [
        save_override(item_type="discount_fee", st_id=fee.st_id, values={"display_name": "Trip fee"}, user=editor),
        save_override(
            item_type="rate_sheet",
            st_id=sheet.st_id,
            values={"exceptions": [{"skuId": sku, "valueType": "Percent", "value": "-10"}]},
            user=editor,
        ),
    ]

    result = push_pending()

    assert sorted(result.synced) == sorted(o.pk for o in pending)
    assert lists.dataset.get("sales.discounts-and-fees", fee.st_id)["displayName"] == "Trip fee"
    assert lists.dataset.get("sales.rate-sheets", sheet.st_id)["exceptions"][0]["value"] == -10
