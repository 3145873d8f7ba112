"""End to end in real headless Chromium: an approver opens a reprice preview of a category, sees the flags, approves
the unflagged rows, and sees them synced; ServiceTitan (the simulator) holds the new prices."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.db.models import Count

from pricebook.models import Category, PricebookOverride, RepriceBatch, RepriceRow
from servicetitan.sync.engine import sync_targets
from tests.pricebook.conftest import make_staff, materials_rule
from tests.pricebook.test_browser_overrides import CHROMIUM, SCREENSHOTS, browser  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def test_approver_reprices_a_category_and_approves_the_unflagged_rows(
    live_server,
    transactional_db,
    simulator,
    browser,  # noqa: F811
    push_worker,
):
    from pricebook.services.groups import APPROVERS

    assert all(run.status == "succeeded" for run in sync_targets(["pricebook"], full=True))
    materials_rule(60, max_change_percent=15)
    category = (
        Category.objects.filter(materials__active=True).annotate(n=Count("materials")).order_by("-n", "st_id").first()
    )
    make_staff("approver", APPROVERS)

    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "approver")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    page.goto(f"{live_server.url}/admin/pricebook/repricebatch/add/")
    page.select_option("#id_target", "pricebook.materials")
    page.select_option("#id_category", str(category.st_id))
    page.click("input[name=_preview]")
    page.wait_for_selector("#pb-rows")
    batch = RepriceBatch.objects.get()
    assert batch.category_st_id == category.st_id and batch.status == "proposed"
    flagged = page.locator("#pb-rows tr.pb-flagged")
    assert flagged.count() == RepriceRow.objects.filter(batch=batch, flagged=True).count() > 0
    assert "past the tolerance" in flagged.first.inner_text()
    assert "cost " in page.inner_text("#pb-rows") and "× (1 + 60%)" in page.inner_text("#pb-rows")
    assert f"Flagged</th><td>{batch.totals['flagged']}" in page.content()
    page.screenshot(path=f"{SCREENSHOTS}/lazi-reprice-preview.png", full_page=True)
    unflagged = list(RepriceRow.objects.filter(batch=batch, flagged=False))
    assert unflagged, "the preview has rows within the tolerance"

    page.click("input[name=_approve_unflagged]")
    page.wait_for_selector(".messagelist")
    assert f"{len(unflagged)} new price(s) will be pushed" in page.inner_text(".messagelist")
    page.reload()
    assert "Pushed" in page.inner_text("#pb-batch-status")
    for row in unflagged:
        assert page.inner_text(f"#pb-rows tr[data-row='{row.pk}'] .pb-row-status") == "Pushed"
    assert "Not approved" in flagged.first.inner_text()
    page.screenshot(path=f"{SCREENSHOTS}/lazi-reprice-pushed.png", full_page=True)

    assert set(PricebookOverride.objects.values_list("status", flat=True)) == {"synced"}
    for row in unflagged:
        price = simulator.dataset.get("pricebook.materials", row.st_pricebook_id)["price"]
        assert Decimal(str(price)) == row.new_price
