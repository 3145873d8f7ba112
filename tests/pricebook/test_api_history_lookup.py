"""`GET /api/v1/pricebook/history/{id}/`: a row by its id; an id that is no row's (text, a number past 64 bits, a
negative one) is the API's JSON 404 like on every other route, not Django's HTML "page not found"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricebook.models import PriceHistory

pytestmark = pytest.mark.django_db

HISTORY = "/api/v1/pricebook/history/"


def test_a_history_row_by_id_and_unknown_ids_as_json_404(api):
    row = PriceHistory.objects.create(
        tenant_id=1000001,
        item_type="material",
        st_pricebook_id=5,
        field="price",
        old_value=Decimal("1"),
        new_value=Decimal("2"),
        source="sync",
    )
    found = api.get(f"{HISTORY}{row.pk}/")
    assert found.status_code == 200 and found.json()["id"] == row.pk
    for unknown in ("abc", "1.5", "-1", str(10**30), str(row.pk + 1000)):
        response = api.get(f"{HISTORY}{unknown}/")
        assert response.status_code == 404, unknown
        assert response["Content-Type"].startswith("application/json"), unknown
        assert "detail" in response.json()
