"""In real headless Chromium: a superuser signs in, sees tenant A's material, picks tenant B in the header's
switcher, and sees B's material (same ServiceTitan id) instead; the choice holds on the next page."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model

from pricebook.models import Material
from tenants.models import Tenant
from tests.pricebook.test_browser_overrides import SCREENSHOTS, browser, pytestmark  # noqa: F401 - fixture, marks
from tests.tenants.conftest import SHARED_ST_ID, TENANT_A, TENANT_B, make_row


def test_switcher_in_the_header_changes_the_list(live_server, transactional_db, browser):  # noqa: F811
    Tenant.objects.create(name="Alpha Heating", st_tenant_id=TENANT_A, is_default=True)
    Tenant.objects.create(name="Bravo Plumbing", st_tenant_id=TENANT_B)
    rows: dict = {}
    alpha = make_row(Material, TENANT_A, rows)
    bravo = make_row(Material, TENANT_B, rows)
    assert alpha.st_id == bravo.st_id == SHARED_ST_ID
    get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-for-tests-only")

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/pricebook/material/")
    switcher = page.locator("#tenant-switcher-select")
    assert switcher.is_visible()
    assert switcher.locator("option:checked").inner_text() == "Alpha Heating"
    results = page.locator("#result_list")
    assert alpha.code in results.inner_text() and bravo.code not in results.inner_text()

    switcher.select_option(label="Bravo Plumbing")
    page.click("#tenant-switcher button[type=submit]")
    page.wait_for_load_state()
    assert "Now showing tenant Bravo Plumbing" in page.inner_text("body")
    results = page.locator("#result_list")
    assert bravo.code in results.inner_text() and alpha.code not in results.inner_text()
    page.screenshot(path=os.path.join(SCREENSHOTS, "tenant-switcher.png"))

    page.goto(f"{live_server.url}/admin/")  # another page: the switcher is there, the choice remembered
    assert page.locator("#tenant-switcher-select option:checked").inner_text() == "Bravo Plumbing"
