"""The admin of discounts and fees and rate sheets: ServiceTitan's values beside the override form, saving an edit
(pending), refusals in staff's words, ServiceTitan's message on a failed push, the history, the list's values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from pricebook.models import PricebookOverride
from pricebook.services.overrides import save_override
from sales.models import DiscountFee, RateSheet

pytestmark = pytest.mark.django_db
Status = PricebookOverride.Status


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def make_fee(**fields) -> DiscountFee:
    values = {"tenant_id": 1, "st_id": 501, "code": "TRIP", "display_name": "Trip charge", "amount": Decimal("25")}
    return DiscountFee.objects.create(**{**values, "amount_type": "Fixed", "type": "Fee", **fields})


def make_sheet() -> RateSheet:
    return RateSheet.objects.create(
        tenant_id=1, st_id=601, exceptions=[{"skuId": 11, "skuType": "Material", "value": 10, "valueType": "Percent"}]
    )


def post_fee(client, fee, **changes):
    data = {
        "display_name": fee.display_name,
        "amount_type": fee.amount_type,
        "amount": str(fee.amount),
        "limit": "",
        "description": "",
        "active": "on",
        "_override": "1",
        **changes,
    }
    return client.post(reverse("admin:sales_discountfee_change", args=[fee.pk]), data)


def test_discount_page_shows_servicetitans_values_and_saves_an_override(editor_client, editor):
    fee = make_fee()
    page = editor_client.get(reverse("admin:sales_discountfee_change", args=[fee.pk])).content.decode()
    assert "ServiceTitan's values and your override" in page and 'name="amount"' in page
    assert "Image" not in page and "Margin" not in page

    response = post_fee(editor_client, fee, amount="30", display_name="Trip fee")

    assert response.status_code == 302
    override = PricebookOverride.objects.get(item_type="discount_fee", st_pricebook_id=fee.st_id)
    assert override.status == Status.PENDING and override.changed_by == editor
    assert override.override_amount == Decimal("30") and override.override_name == "Trip fee"
    # Unchanged fields are no override: only real differences go to ServiceTitan.
    assert override.override_amount_type is None and override.override_active is None
    html = editor_client.get(reverse("admin:sales_discountfee_change", args=[fee.pk])).content.decode()
    row = html[html.index('data-field="amount"') :]
    row = row[: row.index("</tr>")]
    assert "25.00" in row and 'value="30.00"' in row  # ServiceTitan's beside the override
    assert "History" in html and "Edited" in html
    listing = editor_client.get(reverse("admin:sales_discountfee_changelist")).content.decode()
    assert "30.00" in listing and "Trip fee" in listing and "Edited through overrides" in listing


def test_negative_amount_is_refused_on_the_field_and_nothing_saved(editor_client):
    fee = make_fee()

    response = post_fee(editor_client, fee, amount="-5")

    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index('data-field="amount"') :]
    assert "The amount cannot be negative" in row[: row.index("</tr>")]
    assert not PricebookOverride.objects.exists()


def test_failed_push_shows_servicetitans_message_and_keeps_the_edit(editor_client, editor):
    fee = make_fee()
    override = save_override(item_type="discount_fee", st_id=fee.st_id, values={"limit": Decimal("4")}, user=editor)
    PricebookOverride.objects.filter(pk=override.pk).update(
        status=Status.FAILED,
        error_message="ServiceTitan answered 400: Limit: Limit exceeds the allowed maximum",
        field_errors={"limit": ["Limit exceeds the allowed maximum"]},
    )
    html = editor_client.get(reverse("admin:sales_discountfee_change", args=[fee.pk])).content.decode()
    row = html[html.index('data-field="limit"') :]
    row = row[: row.index("</tr>")]
    assert "ServiceTitan refused this change" in html
    assert "Limit exceeds the allowed maximum" in row and "Refused by ServiceTitan: 4.00" in row


def test_rate_sheet_exceptions_edited_one_a_line(editor_client):
    sheet = make_sheet()
    url = reverse("admin:sales_ratesheet_change", args=[sheet.pk])
    page = editor_client.get(url).content.decode()
    assert "11, Percent, 10" in page  # ServiceTitan's, as staff write them

    response = editor_client.post(url, {"exceptions": "11, Percent, 10\n12, discountpercent, 7.5", "_override": "1"})

    assert response.status_code == 302
    override = PricebookOverride.objects.get(item_type="rate_sheet", st_pricebook_id=sheet.st_id)
    assert override.override_exceptions == [
        {"skuId": 11, "valueType": "Percent", "value": "10"},
        {"skuId": 12, "valueType": "DiscountPercent", "value": "7.5"},
    ]
    listing = editor_client.get(reverse("admin:sales_ratesheet_changelist")).content.decode()
    assert "pending" in listing


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("11 Percent", "write SKU id, value type, value"),
        ("abc, Percent, 1", "must be a ServiceTitan id"),
        ("11, FlatPrice, -2", "cannot be negative"),
        ("11, Sometimes, 2", "value type must be one of"),
    ],
)
def test_bad_exception_lines_are_refused_in_staffs_words(editor_client, text, message):
    sheet = make_sheet()

    response = editor_client.post(
        reverse("admin:sales_ratesheet_change", args=[sheet.pk]), {"exceptions": text, "_override": "1"}
    )

    assert response.status_code == 200 and message in response.content.decode()
    assert not PricebookOverride.objects.exists()


def test_viewers_see_the_values_without_the_form(client, viewer):
    fee = make_fee()
    client.force_login(viewer)
    html = client.get(reverse("admin:sales_discountfee_change", args=[fee.pk])).content.decode()
    assert "ServiceTitan's values and your override" in html and 'name="amount"' not in html
    response = post_fee(client, fee, amount="1")
    assert response.status_code == 403 and not PricebookOverride.objects.exists()


def test_the_overrides_admin_refuses_a_negative_amount_on_its_field(editor_client):
    fee = make_fee()
    data = {"item_type": "discount_fee", "st_pricebook_id": fee.st_id, "override_amount": "-2", "override_active": ""}

    response = editor_client.post(reverse("admin:pricebook_pricebookoverride_add"), data)

    assert response.status_code == 200
    assert "The amount cannot be negative" in response.content.decode()
    assert not PricebookOverride.objects.exists()
