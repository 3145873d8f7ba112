"""The API of discounts and fees and rate sheets: their lists show the effective values beside ServiceTitan's, and
they are edited through `/api/v1/pricebook/overrides/` like the pricebook's items (guardrails in staff's words)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from pricebook.models import PricebookOverride
from sales.models import DiscountFee, RateSheet

pytestmark = pytest.mark.django_db
OVERRIDES = "/api/v1/pricebook/overrides/"


@pytest.fixture
def api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


def make_fee() -> DiscountFee:
    return DiscountFee.objects.create(
        tenant_id=1, st_id=501, code="TRIP", display_name="Trip", amount=Decimal("25"), amount_type="Fixed"
    )


def test_discount_override_through_the_api_shows_in_the_list(api, django_capture_on_commit_callbacks, monkeypatch):
    fee = make_fee()
    queued = []
    from pricebook import tasks

    monkeypatch.setattr(tasks.push_overrides_task, "delay", lambda ids: queued.append(ids))
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            OVERRIDES,
            {"item_type": "discount_fee", "st_pricebook_id": fee.st_id, "override_amount": "27.50"},
            format="json",
        )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "pending" and queued == [[created.json()["id"]]]

    row = api.get(f"/api/v1/sales/discounts-and-fees/{fee.st_id}/").json()

    assert row["amount"] == "25.0000" and row["effective"]["amount"] == "27.5000"
    assert row["override_status"] == "pending" and row["effective"]["display_name"] == "Trip"


def test_rate_sheet_exceptions_through_the_api(api):
    sheet = RateSheet.objects.create(
        tenant_id=1, st_id=601, exceptions=[{"skuId": 11, "skuType": "Material", "value": 10, "valueType": "Percent"}]
    )
    wanted = [{"skuId": 11, "valueType": "DiscountPercent", "value": 15}]

    created = api.post(
        OVERRIDES,
        {"item_type": "rate_sheet", "st_pricebook_id": sheet.st_id, "override_exceptions": wanted},
        format="json",
    )

    assert created.status_code == 201, created.content
    row = api.get(f"/api/v1/sales/rate-sheets/{sheet.st_id}/").json()
    assert row["exceptions"] == sheet.exceptions and row["effective"]["exceptions"] == wanted


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"override_amount": "-3"}, "override_amount", "The amount cannot be negative"),
        ({"override_limit": "-1"}, "override_limit", "The limit cannot be negative"),
        ({"override_price": "5"}, "override_price", "A discount fee has no such field to override."),
        ({"override_exceptions": [{"skuId": 1, "valueType": "Percent", "value": 1}]}, "override_exceptions", "no such"),
    ],
)
def test_bad_discount_values_answer_400_in_staffs_words(api, body, field, message):
    fee = make_fee()

    response = api.post(OVERRIDES, {"item_type": "discount_fee", "st_pricebook_id": fee.st_id, **body}, format="json")

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not PricebookOverride.objects.exists()


def test_bad_exceptions_answer_400(api):
    sheet = RateSheet.objects.create(tenant_id=1, st_id=601, exceptions=[])
    bad = [{"skuId": 3, "valueType": "FlatPrice", "value": -1}]

    response = api.post(
        OVERRIDES,
        {"item_type": "rate_sheet", "st_pricebook_id": sheet.st_id, "override_exceptions": bad},
        format="json",
    )

    assert response.status_code == 400
    assert "cannot be negative" in " ".join(response.json()["override_exceptions"])
