"""End to end in real headless Chromium: an editor uploads the simulator's distributor price file, maps its columns,
sees the preview, confirms, and finds the cost overrides pushed and the item's price history (source: import)."""

from __future__ import annotations

from decimal import Decimal

from devtools.simulator.generators import DISTRIBUTOR
from devtools.simulator.price_files import distributor_price_file
from pricebook.models import Material, PricebookOverride, PriceHistory, VendorPriceMapping
from servicetitan.sync.engine import sync_targets
from tests.pricebook.conftest import make_staff
from tests.pricebook.test_browser_overrides import SCREENSHOTS, browser, pytestmark  # noqa: F401 - fixture, marks


def test_editor_imports_a_vendor_price_file(live_server, transactional_db, simulator, browser, tmp_path):  # noqa: F811
    from pricebook.services.groups import EDITORS

    assert all(run.status == "succeeded" for run in sync_targets(["pricebook"], full=True))
    make_staff("editor", EDITORS)
    path = tmp_path / "ferguson-prices.csv"
    path.write_bytes(distributor_price_file(simulator.dataset))

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

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
