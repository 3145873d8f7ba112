"""The admin of pricing rules and reprices: validation, the Reprice page, the batch page per group, the list action."""

from __future__ import annotations

import pytest
from django.test import Client

from pricebook.models import PricebookOverride, PricingRule, RepriceBatch, RepriceRow
from pricebook.services.groups import APPROVERS, EDITORS, VIEWERS
from tests.pricebook.conftest import staff_of
from tests.pricebook.factories import TENANT_ID

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("factory_tenant")]


def login(group):
    client = Client()
    client.force_login(staff_of(group))
    return client


def test_rule_form_validates_per_item_type(priced):
    plumbing, *_ = priced
    admin = login(EDITORS)
    base = {"name": "svc", "item_type": "material", "category_st_id": "", "markup": "percent", "markup_percent": "50"}
    base |= {"materials_markup": "individual", "rounding": "cents"}
    page = admin.post("/admin/pricebook/pricingrule/add/", {**base, "labor_rate": "100"})
    assert page.status_code == 200 and "Only service rules have hourly rates" in page.content.decode()
    page = admin.post("/admin/pricebook/pricingrule/add/", base)  # a second default for materials
    assert "There is a default rule (no category) for this item type already." in page.content.decode()
    page = admin.post("/admin/pricebook/pricingrule/add/", {**base, "item_type": "service"})
    assert "A service rule needs the billable hourly rate." in page.content.decode()
    page = admin.post("/admin/pricebook/pricingrule/add/", {**base, "category_st_id": str(plumbing.st_id)})
    assert page.status_code == 302
    assert PricingRule.objects.get(category_st_id=plumbing.st_id).tenant_id == TENANT_ID


def test_editor_previews_but_only_an_approver_approves(priced):
    plumbing, _, wild = priced
    editor = login(EDITORS)
    page = editor.post(
        "/admin/pricebook/repricebatch/add/", {"target": "pricebook.materials", "category": plumbing.st_id}
    )
    batch = RepriceBatch.objects.get()
    assert page.status_code == 302 and page["Location"].endswith(f"/repricebatch/{batch.pk}/change/")
    page = editor.get(page["Location"])
    html = page.content.decode()
    assert "past the tolerance" in html and "cost 10.00 × (1 + 100%) = 20.00" in html
    assert "_approve_unflagged" not in html and "Members of “Pricebook approvers” approve this reprice" in html
    assert editor.post(f"/admin/pricebook/repricebatch/{batch.pk}/change/", {"_approve_all": "1"}).status_code == 403
    assert not PricebookOverride.objects.exists()

    approver = login(APPROVERS)
    html = approver.get(f"/admin/pricebook/repricebatch/{batch.pk}/change/").content.decode()
    assert "_approve_unflagged" in html
    wild_row = RepriceRow.objects.get(batch=batch, st_pricebook_id=wild.st_id)
    page = approver.post(
        f"/admin/pricebook/repricebatch/{batch.pk}/change/", {"_approve_selected": "1", "row": [str(wild_row.pk)]}
    )
    assert page.status_code == 302
    assert list(PricebookOverride.objects.values_list("st_pricebook_id", flat=True)) == [wild.st_id]
    batch.refresh_from_db()
    assert batch.status == "approved"


def test_discard_and_the_list_action(priced):
    _, calm, _ = priced
    editor = login(EDITORS)
    page = editor.post(
        "/admin/pricebook/material/",
        {"action": "reprice_selected", "_selected_action": [str(calm.pk)]},
    )
    batch = RepriceBatch.objects.get()
    assert page.status_code == 302 and batch.st_ids == [calm.st_id] and batch.totals["changed"] == 1
    editor.post(f"/admin/pricebook/repricebatch/{batch.pk}/change/", {"_discard": "1"})
    batch.refresh_from_db()
    assert batch.status == "discarded"
    viewer = login(VIEWERS)
    assert viewer.get(f"/admin/pricebook/repricebatch/{batch.pk}/change/").status_code == 200
    assert viewer.get("/admin/pricebook/repricebatch/add/").status_code == 403
    html = viewer.get("/admin/pricebook/material/").content.decode()
    assert "reprice_selected" not in html


def test_approving_rows_named_by_anything_but_plain_digits_approves_nothing(priced):
    plumbing, *_ = priced
    login(EDITORS).post(
        "/admin/pricebook/repricebatch/add/", {"target": "pricebook.materials", "category": plumbing.st_id}
    )
    batch = RepriceBatch.objects.get()
    approver = login(APPROVERS)
    approver.raise_request_exception = False
    page = approver.post(
        f"/admin/pricebook/repricebatch/{batch.pk}/change/", {"_approve_selected": "1", "row": ["\u00b2", "9" * 30]}
    )
    assert page.status_code == 302
    assert not PricebookOverride.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "proposed"


def test_a_markup_edit_prefilled_from_a_garbage_tier_id_opens_empty():
    from tests.admin_support import staff_client

    client = staff_client()
    client.raise_request_exception = False
    for value in ("abc", "9" * 30, "\u00b2"):
        page = client.get("/admin/pricebook/markuptieredit/add/", {"tier_st_id": value})
        assert page.status_code == 200, value
        assert page.context["adminform"].form.initial.get("from_cost") is None
