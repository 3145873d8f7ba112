"""The simulator's PATCHes of discounts and fees and of client-specific pricing (rate sheets): validated against the
spec's request schemas, the record changed (a discount's modifiedOn moves), answers in the spec's response shapes."""

import pytest

from devtools.simulator import SimulatorServer
from tests.devtools.simulator_support import Api, schema_errors

DISCOUNTS, RATE_SHEETS = "sales.discounts-and-fees", "sales.rate-sheets"


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(scale=0.01, seed=7) as server:
        yield server


@pytest.fixture
def api(server):
    return Api(server)


def sheet_url(api, sheet_id) -> str:
    return api.url(RATE_SHEETS, "/tenant/{tenant}/clientspecificpricing/" + str(sheet_id))


def test_discount_patch_changes_the_record_and_moves_modified_on(api, server):
    fee = server.dataset.records(DISCOUNTS)[0]
    response = api.write(DISCOUNTS, "update", fee["id"], json={"amount": 12.5, "displayName": "Trip fee"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert not schema_errors("pricebook", "Pricebook.V2.DiscountAndFeesResponse", answer)
    assert answer["amount"] == 12.5 and answer["displayName"] == "Trip fee"
    assert answer["modifiedOn"] > fee["modifiedOn"]
    assert api.get(DISCOUNTS, fee["id"]).json()["amount"] == 12.5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "ten"}, "Amount"),
        ({"amount": -1}, "Amount"),
        ({"limit": -0.5}, "Limit"),
        ({"taxable": "y"}, "Taxable"),
    ],
)
def test_discount_patch_refuses_what_the_schema_or_rules_refuse(api, server, body, field):
    fee = server.dataset.records(DISCOUNTS)[0]
    response = api.write(DISCOUNTS, "update", fee["id"], json=body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_rate_sheet_patch_replaces_the_exceptions_with_their_sku_types(api, server):
    sheet = server.dataset.records(RATE_SHEETS)[0]
    service = server.dataset.records("pricebook.services")[0]["id"]
    body = {"exceptions": [{"skuId": service, "value": 7, "valueType": "DiscountPercent"}]}

    response = api.call("PATCH", sheet_url(api, sheet["id"]), json=body)

    assert response.status_code == 200, response.text
    assert not schema_errors("pricebook", "Estimates.V2.UpdateClientSpecificPricingResponse", response.json())
    assert response.json() == body
    listed = api.list(RATE_SHEETS, ids=str(sheet["id"])).json()["data"]
    assert listed == [{"id": sheet["id"], "exceptions": [{**body["exceptions"][0], "skuType": "Service"}]}]


@pytest.mark.parametrize(
    ("exception", "field"),
    [
        ({"skuId": 1, "value": 1}, "Exceptions[0].ValueType"),
        ({"skuId": 1, "value": 1, "valueType": "Sometimes"}, "Exceptions[0].ValueType"),
        ({"value": 1, "valueType": "Percent"}, "Exceptions[0].SkuId"),
        ({"skuId": 1, "value": "1", "valueType": "Percent"}, "Exceptions[0].Value"),
        ({"skuId": 987654321, "value": 1, "valueType": "Percent"}, "Exceptions[0].SkuId"),
    ],
)
def test_rate_sheet_patch_refuses_bad_exceptions(api, server, exception, field):
    sheet = server.dataset.records(RATE_SHEETS)[0]
    before = server.dataset.get(RATE_SHEETS, sheet["id"])["exceptions"]
    response = api.call("PATCH", sheet_url(api, sheet["id"]), json={"exceptions": [exception]})
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert server.dataset.get(RATE_SHEETS, sheet["id"])["exceptions"] == before
