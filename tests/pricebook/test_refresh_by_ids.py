"""Re-reading items by id (`ids`, at most 50 a request) stores only the items asked for, whatever else the page holds."""

import pytest
import responses

from pricebook.models import Material
from pricebook.services.refresh import refresh_from_servicetitan
from tests.servicetitan.client_support import TENANT, api_calls, make_client, module_url, page_body, query_of, token_one  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("token_one")]
WANTED = 2**31 + 11


def material(st_id):
    return {"id": st_id, "code": f"M{st_id}", "displayName": "Pipe", "active": True, "price": 1.5, "cost": 1,
            "modifiedOn": "2024-03-15T12:34:56.1234567Z"}  # fmt: skip


def test_only_the_items_asked_for_are_stored():
    responses.add(responses.GET, module_url("pricebook", "/materials"), body=page_body([material(7), material(WANTED)]))

    read = refresh_from_servicetitan("material", [WANTED], client=make_client(), tenant_id=TENANT)

    assert read == 1
    assert query_of(api_calls()[0])["ids"] == str(WANTED)
    assert list(Material.objects.filter(tenant_id=TENANT).values_list("st_id", flat=True)) == [WANTED]
