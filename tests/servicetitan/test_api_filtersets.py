"""True/false filters of every list (`?active=`, `?deleted=`, `?pending_sync=`, `?full=`, `?cost_missing=`): `true`,
`false`, `1` or `0`; anything else is a 400 naming the parameter, never the whole unfiltered table."""

from __future__ import annotations

import pytest

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/crm/customers/", "active"),
        ("/api/v1/crm/customers/", "deleted"),
        ("/api/v1/pricebook/materials/", "active"),
        ("/api/v1/pricebook/materials/", "cost_missing"),
        ("/api/v1/pricebook/overrides/", "pending_sync"),
        ("/api/v1/sync/runs/", "full"),
        ("/api/v1/sales/item-sales/", "active"),
    ],
)
@pytest.mark.parametrize("junk", ["maybe", "yes please", "2", "truee"])
def test_a_junk_true_false_value_is_a_400(api, url, name, junk):
    response = api.get(url, {name: junk})
    assert response.status_code == 400, response.content
    assert name in response.json()


def test_true_false_values_filter(api):
    active = CustomerFactory()
    inactive = CustomerFactory(active=False)
    url = "/api/v1/crm/customers/"

    def listed(**query):
        response = api.get(url, query)
        assert response.status_code == 200, response.content
        return {row["st_id"] for row in response.json()["results"]}

    assert listed(active="true") == listed(active="1") == listed(active="TRUE") == {active.st_id}
    assert listed(active="false") == listed(active="0") == {inactive.st_id}
    assert listed(active="") == listed() == {active.st_id, inactive.st_id}
