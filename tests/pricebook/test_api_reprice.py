"""The REST API of pricing rules and reprices: validation, the proposal with its rows, approval by group."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from pricebook.models import PricebookOverride, PricingRule, RepriceBatch
from pricebook.services.groups import APPROVERS, EDITORS, VIEWERS
from tests.pricebook.conftest import staff_of
from tests.pricebook.factories import TENANT_ID, make_category

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("factory_tenant")]


def client_for(group):
    client = APIClient()
    client.force_authenticate(staff_of(group))
    return client


def test_pricing_rules_crud_and_validation():
    api = client_for(EDITORS)
    plumbing = make_category("Plumbing")
    answer = api.post(
        "/api/v1/pricebook/pricing-rules/",
        {"name": "Plumbing", "item_type": "material", "category": plumbing.st_id, "markup": "percent"},
        format="json",
    )
    assert answer.status_code == 400 and "markup_percent" in answer.json()
    answer = api.post(
        "/api/v1/pricebook/pricing-rules/",
        {"name": "Plumbing", "item_type": "material", "category": plumbing.st_id, "labor_rate": "100"},
        format="json",
    )
    assert answer.status_code == 400 and "labor_rate" in answer.json()
    answer = api.post(
        "/api/v1/pricebook/pricing-rules/",
        {"name": "x", "item_type": "material", "category": 424242, "markup": "tiers"},
        format="json",
    )
    assert answer.status_code == 400 and "category" in answer.json()
    body = {
        "name": "Plumbing",
        "item_type": "material",
        "category": plumbing.st_id,
        "markup": "percent",
        "markup_percent": "60",
        "member_discount_percent": "10",
        "rounding": "up_99",
        "min_margin_percent": "30",
        "max_change_percent": "20",
    }
    answer = api.post("/api/v1/pricebook/pricing-rules/", body, format="json")
    assert answer.status_code == 201, answer.content
    rule = PricingRule.objects.get()
    assert (rule.tenant_id, rule.category_st_id, rule.markup_percent) == (TENANT_ID, plumbing.st_id, D(60))
    assert api.post("/api/v1/pricebook/pricing-rules/", body, format="json").status_code == 400  # one per category
    answer = api.patch(f"/api/v1/pricebook/pricing-rules/{rule.pk}/", {"member_discount_percent": "150"}, format="json")
    assert answer.status_code == 400 and "member_discount_percent" in answer.json()
    answer = api.patch(f"/api/v1/pricebook/pricing-rules/{rule.pk}/", {"markup_percent": "70"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["markup_percent"] == "70.0000"
    assert client_for(VIEWERS).post("/api/v1/pricebook/pricing-rules/", body, format="json").status_code == 403
    assert api.delete(f"/api/v1/pricebook/pricing-rules/{rule.pk}/").status_code == 204


def test_editor_proposes_approver_approves(priced, django_capture_on_commit_callbacks):
    plumbing, calm, wild = priced
    editor = client_for(EDITORS)
    answer = editor.post(
        "/api/v1/pricebook/reprices/", {"targets": ["pricebook.materials"], "category": plumbing.st_id}
    )
    assert answer.status_code == 201, answer.content
    batch = answer.json()
    assert batch["status"] == "proposed" and batch["totals"]["changed"] == 2 and batch["totals"]["flagged"] == 1
    rows = {row["item"]["st_id"]: row for row in batch["rows"]}
    assert rows[calm.st_id]["new_price"] == "20.0000" and rows[calm.st_id]["margin_after"] == "50.00"
    assert (
        rows[calm.st_id]["rule"] == "default" and rows[calm.st_id]["explanation"] == "cost 10.00 × (1 + 100%) = 20.00"
    )
    assert rows[wild.st_id]["flags"][0]["code"] == "tolerance"
    assert (
        editor.post(f"/api/v1/pricebook/reprices/{batch['id']}/approve/", {"rows": "all"}, format="json").status_code
        == 403
    )

    approver = client_for(APPROVERS)
    listed = approver.get("/api/v1/pricebook/reprices/?status=proposed").json()
    assert [b["id"] for b in listed["results"]] == [batch["id"]]
    bad = approver.post(f"/api/v1/pricebook/reprices/{batch['id']}/approve/", {"rows": "some"}, format="json")
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=False):
        answer = approver.post(
            f"/api/v1/pricebook/reprices/{batch['id']}/approve/", {"rows": "unflagged"}, format="json"
        )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "approved" and answer.json()["approved_by"] == "pricebook_approvers"
    assert list(PricebookOverride.objects.values_list("st_pricebook_id", "status")) == [(calm.st_id, "pending")]
    assert approver.post(f"/api/v1/pricebook/reprices/{batch['id']}/discard/").status_code == 400


def test_discard_and_bad_target(priced):
    editor = client_for(EDITORS)
    assert editor.post("/api/v1/pricebook/reprices/", {"targets": ["crm"]}, format="json").status_code == 400
    batch = editor.post("/api/v1/pricebook/reprices/", {}, format="json").json()
    answer = editor.post(f"/api/v1/pricebook/reprices/{batch['id']}/discard/")
    assert answer.status_code == 200 and answer.json()["status"] == "discarded"
    assert RepriceBatch.objects.get().status == "discarded"
    assert client_for(VIEWERS).post("/api/v1/pricebook/reprices/", {}, format="json").status_code == 403
