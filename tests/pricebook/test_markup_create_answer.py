"""A new markup tier is mirrored from the POST's answer, `{"data": tier}` (pricebook-v2's 201
`Result_Of_Pricebook.V2.MaterialsMarkupResponse`), without reading the table again; an answer without a tier (an empty
body, or the request's placeholder id 0 echoed back) falls back to the table."""

import json

import pytest
import responses

from pricebook.models import MarkupTier, MarkupTierEdit
from pricebook.services.markup import push_markup_edits, save_tier_edit
from tests.servicetitan.client_support import TENANT, api_calls, make_client, module_url, page_body, token_one  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("token_one")]
URL = module_url("pricebook", "/materialsmarkup")
NEW_ID = 2**31 + 9  # int64 ids


def new_edit():
    return save_tier_edit(tenant_id=TENANT, tier_st_id=None, from_cost=0, to_cost=100, percent="37.5")


def test_the_created_tier_comes_from_the_answer():
    edit = new_edit()
    tier = {"id": NEW_ID, "from": 0, "to": 100, "percent": 37.5}
    responses.add(responses.POST, URL, status=201, json={"data": tier})

    result = push_markup_edits([edit.pk], client=make_client())

    assert result.pushed == [edit.pk] and result.tiers == {edit.pk: NEW_ID}
    assert [(c.request.method, c.request.url.split("?")[0]) for c in api_calls()] == [("POST", URL)]
    assert json.loads(api_calls()[0].request.body) == {"id": 0, "from": 0, "to": 100, "percent": 37.5}
    mirrored = MarkupTier.objects.get(tenant_id=TENANT)
    assert (mirrored.st_id, mirrored.percent) == (NEW_ID, 37.5)
    assert not MarkupTierEdit.objects.exists()


@pytest.mark.parametrize("answer", ["", json.dumps({"data": {"id": 0, "from": 0, "to": 100, "percent": 37.5}})])
def test_an_answer_without_the_tier_reads_the_table(answer):
    edit = new_edit()
    responses.add(responses.POST, URL, status=201, body=answer)
    responses.add(responses.GET, URL, body=page_body([{"id": NEW_ID, "from": 0, "to": 100, "percent": 37.5}]))

    result = push_markup_edits([edit.pk], client=make_client())

    assert result.pushed == [edit.pk] and result.tiers == {edit.pk: NEW_ID}
    assert MarkupTier.objects.get(tenant_id=TENANT).st_id == NEW_ID
