"""End to end in real headless Chromium: an editor uploads the simulator's distributor price file, maps its columns,
sees the preview, confirms, and finds the cost overrides pushed and the item's price history (source: import); the
confirmation proposed a reprice of those items, an approver approves it on its page, the push runs, and the new prices
are synced (ServiceTitan holds them, the item page shows them) with history rows naming the push and the batch."""

from __future__ import annotations

from decimal import Decimal

from devtools.simulator.generators import DISTRIBUTOR
from devtools.simulator.price_files import distributor_price_file
from pricebook.models import (
    Material,
    PricebookOverride,
    PriceHistory,
    RepriceBatch,
    RepriceRow,
    VendorPriceMapping,
)
from servicetitan.sync.engine import sync_targets
from tests.pricebook.conftest import make_staff, materials_rule
from tests.pricebook.test_browser_overrides import SCREENSHOTS, browser, pytestmark  # noqa: F401 - fixture, marks


def login(browser, live_server, username: str):  # noqa: F811
    """A page of its own (its own session) for this user, logged in."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def test_editor_imports_a_vendor_price_file_and_an_approver_reprices_from_it(
    live_server,
    transactional_db,
    simulator,
    browser,  # noqa: F811
    tmp_path,
    push_worker,
):
    from pricebook.services.groups import APPROVERS, EDITORS

    assert all(run.status == "succeeded" for run in sync_targets(["pricebook"], full=True))
    # Materials are priced at cost + 60%: the new costs give new prices, proposed when the file is confirmed.
    materials_rule(60)
    make_staff("editor", EDITORS)
    make_staff("approver", APPROVERS)
    path = tmp_path / "ferguson-prices.csv"
    path.write_bytes(distributor_price_file(simulator.dataset))

    page = login(browser, live_server, "editor")

    page.goto(f"{live_server.url}/admin/pricebook/material/")
    page.click("text=Vendor price file")
    page.fill("#id_vendor", DISTRIBUTOR)
    page.set_input_files("#id_file", str(path))
    page.click("#pb-vendor-upload input[name=_upload]")
    page.wait_for_selector("#pb-vendor-map")
    # The headings were guessed; map the part number column by hand as staff would for a new vendor.
    page.select_option("#id_column_vendor_part", "")
    page.click("#pb-vendor-map input[name=_remap]")
    page.wait_for_selector("#pb-vendor-counts")
    assert "(1 with a new cost)" in " ".join(page.inner_text("#pb-vendor-counts").split())  # by item code only
    page.select_option("#id_column_vendor_part", "Mfr Part #")
    page.select_option("#id_column_cost", "Net Price")
    page.click("#pb-vendor-map input[name=_remap]")
    page.wait_for_selector("#pb-vendor-counts")
    counts = page.inner_text("#pb-vendor-counts")
    assert "3 unmatched" in " ".join(counts.split()) and "2 with an invalid cost" in " ".join(counts.split())
    assert page.locator("#pb-vendor-changed tbody tr").count() > 1
    assert "FER-90002" in page.inner_text("#pb-vendor-unmatched")
    assert "call" in page.inner_text("#pb-vendor-invalid")
    page.screenshot(path=f"{SCREENSHOTS}/lazi-vendor-preview.png", full_page=True)
    assert not PricebookOverride.objects.exists()

    page.click("#pb-vendor-map input[name=_confirm]")
    page.wait_for_selector(".messagelist")
    assert "cost override(s) from Ferguson Supply" in page.inner_text(".messagelist")
    # The confirmation proposed the reprice of the items whose cost changed, and shows it; an editor cannot approve.
    batch = RepriceBatch.objects.get()
    assert batch.status == "proposed" and "waits for approval" in page.inner_text(".messagelist")
    assert page.url.endswith(f"/admin/pricebook/repricebatch/{batch.pk}/change/")
    assert page.locator("input[name=_approve_all]").count() == 0

    overrides = list(PricebookOverride.objects.exclude(override_cost=None))
    assert overrides and all(o.origin == "import" and o.cost_vendor == DISTRIBUTOR for o in overrides)
    assert VendorPriceMapping.objects.get(vendor_name=DISTRIBUTOR).columns["vendor_part"] == "Mfr Part #"
    # Tasks run in-process here: the push went on commit.
    assert {o.status for o in PricebookOverride.objects.filter(pk__in=[o.pk for o in overrides])} == {"synced"}
    override = overrides[0]
    material = Material.objects.get(st_id=override.st_pricebook_id)
    assert material.cost == override.override_cost
    assert Decimal(str(simulator.dataset.get("pricebook.materials", material.st_id)["cost"])) == override.override_cost

    page.goto(f"{live_server.url}/admin/pricebook/material/{material.pk}/change/")
    history = page.inner_text(".pb-price-history")
    assert "imported from a file" in history and "editor" in history
    assert page.locator("svg.pb-chart polyline").count() >= 2
    page.screenshot(path=f"{SCREENSHOTS}/lazi-vendor-history.png", full_page=True)
    assert PriceHistory.objects.filter(st_pricebook_id=material.st_id, field="cost", source="import").exists()

    # The approver approves the proposed reprice on its page, as a person would; the push runs on commit.
    rows = list(RepriceRow.objects.filter(batch=batch).order_by("pk"))
    assert rows and {row.st_pricebook_id for row in rows} <= {o.st_pricebook_id for o in overrides}
    # Priced from the new (imported) costs: cost + 60%.
    assert all(row.cost == Material.objects.get(st_id=row.st_pricebook_id).cost for row in rows)
    approver = login(browser, live_server, "approver")
    approver.goto(f"{live_server.url}/admin/pricebook/repricebatch/{batch.pk}/change/")
    approver.wait_for_selector("#pb-rows")
    assert approver.locator("#pb-rows tbody tr").count() == len(rows)
    approver.click("input[name=_approve_all]")
    approver.wait_for_selector(".messagelist")
    assert f"{len(rows)} new price(s) will be pushed" in approver.inner_text(".messagelist")
    approver.reload()
    assert "Pushed" in approver.inner_text("#pb-batch-status")
    for row in rows:
        assert approver.inner_text(f"#pb-rows tr[data-row='{row.pk}'] .pb-row-status") == "Pushed"
    approver.screenshot(path=f"{SCREENSHOTS}/lazi-vendor-reprice-pushed.png", full_page=True)

    # ServiceTitan (the simulator) holds the new prices, the mirror too, and each price change is in the history as
    # pushed from LAZI by this batch.
    for row in rows:
        assert Decimal(str(simulator.dataset.get("pricebook.materials", row.st_pricebook_id)["price"])) == row.new_price
        assert Material.objects.get(st_id=row.st_pricebook_id).price == row.new_price
        entry = PriceHistory.objects.get(st_pricebook_id=row.st_pricebook_id, field="price")
        assert (entry.source, entry.batch_id, entry.new_value) == ("push", batch.pk, row.new_price)
        assert entry.old_value == row.current_price
    assert set(PricebookOverride.objects.values_list("status", flat=True)) == {"synced"}

    # The item's page shows ServiceTitan's (now the new) price and the pushed change with its batch.
    row = rows[0]
    priced = Material.objects.get(st_id=row.st_pricebook_id)
    approver.goto(f"{live_server.url}/admin/pricebook/material/{priced.pk}/change/")
    assert f"{row.new_price:.2f}" in approver.inner_text("tr[data-field=price] .pb-st")
    history = approver.inner_text(".pb-price-history")
    assert f"pushed from LAZI (reprice #{batch.pk})" in history
    assert f"{row.current_price:.2f} → {row.new_price:.2f}" in history
