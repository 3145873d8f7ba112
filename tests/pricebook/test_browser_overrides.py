"""End to end in real headless Chromium: an editor changes a material's price in the admin, sees it pending, pushes
it with the admin action and sees it synced, and the simulator holds the new price."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from pricebook.models import Material, PricebookOverride
from servicetitan.sync.engine import sync_targets
from tests.pricebook.conftest import make_staff

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = os.environ.get("LAZI_SCREENSHOT_DIR", "/tmp")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    )
    yield chromium
    # While Playwright's loop runs, the ORM hands this test a connection of its own context: close it here, or it
    # outlives the test database.
    from django.db import connections

    connections.close_all()
    chromium.close()
    playwright.stop()


def test_editor_changes_a_price_and_pushes_it(live_server, transactional_db, simulator, browser, monkeypatch):
    from pricebook import tasks
    from pricebook.services.groups import EDITORS

    assert all(run.status == "succeeded" for run in sync_targets(["pricebook"], full=True))
    # No worker in this test: the push queued on save waits, so the pending state can be seen.
    queued = []
    monkeypatch.setattr(tasks.push_overrides_task, "delay", lambda ids: queued.append(ids))
    make_staff("editor", EDITORS)
    material = Material.objects.filter(active=True).order_by("st_id").first()
    new_price = (material.price + Decimal("7.25")).quantize(Decimal("0.01"))

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    page.goto(f"{live_server.url}/admin/pricebook/material/{material.pk}/change/")
    page.fill("#pb-override-form input[name=price]", str(new_price))
    page.click("#pb-override-form input[name=_override]")
    page.wait_for_selector(".messagelist")
    assert "pending" in page.inner_text(".messagelist").lower()
    assert page.inner_text("#pb-override .pb-badge") == "Pending"
    page.screenshot(path=f"{SCREENSHOTS}/lazi-override-pending.png", full_page=True)
    assert queued, "saving queues a push"

    page.goto(f"{live_server.url}/admin/pricebook/material/?q={material.code}")
    row = page.locator("#result_list tbody tr", has_text=material.code)
    assert "Pending" in row.inner_text() and f"{new_price:,.2f}" in row.inner_text()
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "push_selected")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    assert "1 synced" in page.inner_text(".messagelist")
    row = page.locator("#result_list tbody tr", has_text=material.code)
    assert "Synced" in row.inner_text()
    page.screenshot(path=f"{SCREENSHOTS}/lazi-override-synced.png", full_page=True)

    assert PricebookOverride.objects.get(st_pricebook_id=material.st_id).status == "synced"
    assert Decimal(str(simulator.dataset.get("pricebook.materials", material.st_id)["price"])) == new_price
