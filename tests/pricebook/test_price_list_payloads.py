"""Discounts and fees, rate sheets: the PATCH bodies an override makes (ServiceTitan's request schemas), and the
requests the push sends for them (`responses`: the rate sheet read through the list's `ids`, its PATCH by
`rateSheetId`, its answer without an id followed by a read)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import responses

from devtools.simulator import bodies
from devtools.simulator.spec import module_schemas
from pricebook.models import ITEM_KINDS, ITEM_TYPES, PricebookOverride
from pricebook.services.overrides import save_override
from pricebook.services.payloads import patch_body
from pricebook.services.push import push_overrides
from sales.models import DiscountFee, RateSheet
from tests.servicetitan.client_support import TENANT, api_calls, make_client, module_url, query_of, token_one  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("token_one")]
SCHEMAS = module_schemas("pricebook")


def valid(schema_name: str, body: dict) -> list:
    return bodies.validate(SCHEMAS, SCHEMAS.named(schema_name), body)


def override(item_type: str, **columns) -> PricebookOverride:
    return PricebookOverride(tenant_id=TENANT, item_type=item_type, st_pricebook_id=7, **columns)


def test_discount_body_has_only_what_differs_as_numbers_and_fits_the_schema():
    record = {"id": 7, "displayName": "Trip", "amount": 10.0, "limit": 0, "taxable": False, "amountType": "Fixed"}
    edit = override(
        "discount_fee",
        override_name="Trip charge",
        override_amount=Decimal("12.5000"),
        override_limit=Decimal("0"),
        override_taxable=True,
        override_amount_type="Fixed",
    )

    body = patch_body(edit, record)

    assert body == {"displayName": "Trip charge", "amount": 12.5, "taxable": True}
    assert valid("Pricebook.V2.DiscountAndFeesUpdateRequest", body) == []


def test_rate_sheet_body_is_the_whole_list_in_the_request_shape():
    record = {"id": 7, "exceptions": [{"skuId": 2, "skuType": "Service", "value": 5, "valueType": "Percent"}]}
    wanted = [
        {"skuId": 9, "valueType": "FlatPrice", "value": "99.50"},
        {"skuId": 2, "valueType": "Percent", "value": "5"},
    ]

    body = patch_body(override("rate_sheet", override_exceptions=wanted), record)

    # The PATCH replaces the list: every exception goes, without the answer-only skuType, numbers as numbers.
    assert body == {
        "exceptions": [
            {"skuId": 2, "value": 5, "valueType": "Percent"},
            {"skuId": 9, "value": 99.5, "valueType": "FlatPrice"},
        ]
    }
    assert valid("Estimates.V2.UpdateClientSpecificPricingRequest", body) == []
    same = [{"skuId": 2, "valueType": "Percent", "value": "5.00"}]
    assert patch_body(override("rate_sheet", override_exceptions=same), record) == {}


def test_price_lists_are_not_priced_kinds():
    # Reprice, health checks, margins, vendor costs, imports and the bulk PATCH /pricebook go by ITEM_TYPES.
    assert "discount_fee" not in ITEM_TYPES and "rate_sheet" not in ITEM_TYPES
    assert ITEM_KINDS["discount_fee"].bulk_collection is None and not ITEM_KINDS["rate_sheet"].priced


@responses.activate
def test_rate_sheet_push_reads_by_ids_patches_by_rate_sheet_id_and_rereads():
    before = {"id": 31, "exceptions": [{"skuId": 2, "skuType": "Material", "value": 5, "valueType": "Percent"}]}
    after = {"id": 31, "exceptions": [{"skuId": 2, "skuType": "Material", "value": 8, "valueType": "Percent"}]}
    RateSheet.objects.create(tenant_id=TENANT, st_id=31, exceptions=before["exceptions"])
    page = {"page": 1, "pageSize": 50, "hasMore": False, "totalCount": None}
    responses.add(responses.GET, module_url("pricebook", "/clientspecificpricing"), json={**page, "data": [before]})
    responses.add(
        responses.PATCH,
        module_url("pricebook", "/clientspecificpricing/31"),
        json={"exceptions": [{"skuId": 2, "value": 8, "valueType": "Percent"}]},
    )
    responses.add(responses.GET, module_url("pricebook", "/clientspecificpricing"), json={**page, "data": [after]})
    edit = save_override(
        item_type="rate_sheet",
        st_id=31,
        tenant_id=TENANT,
        values={"exceptions": [{"skuId": 2, "valueType": "Percent", "value": "8"}]},
    )

    result = push_overrides([edit.pk], client=make_client())

    assert result.synced == [edit.pk], result.failed
    read, patch, reread = api_calls()
    assert query_of(read)["ids"] == "31" and query_of(reread)["ids"] == "31"
    assert patch.request.method == "PATCH"
    assert json.loads(patch.request.body) == {"exceptions": [{"skuId": 2, "value": 8, "valueType": "Percent"}]}
    assert RateSheet.objects.get(st_id=31).exceptions == after["exceptions"]


@responses.activate
def test_discount_push_gets_by_id_and_stores_the_answer():
    fee = DiscountFee.objects.create(tenant_id=TENANT, st_id=44, code="TRIP", amount=Decimal("10"), active=True)
    record = {"id": 44, "code": "TRIP", "amount": 10, "modifiedOn": "2026-01-01T00:00:00Z", "active": True}
    responses.add(responses.GET, module_url("pricebook", "/discounts-and-fees/44"), json=record)
    answer = {**record, "amount": 15, "modifiedOn": "2026-01-02T00:00:00Z"}
    responses.add(responses.PATCH, module_url("pricebook", "/discounts-and-fees/44"), json=answer)
    edit = save_override(item_type="discount_fee", st_id=44, tenant_id=TENANT, values={"amount": Decimal("15")})

    result = push_overrides([edit.pk], client=make_client())

    assert result.synced == [edit.pk], result.failed
    _, patch = api_calls()
    assert json.loads(patch.request.body) == {"amount": 15}
    fee.refresh_from_db()
    assert fee.amount == Decimal("15") and fee.st_modified_on.day == 2
