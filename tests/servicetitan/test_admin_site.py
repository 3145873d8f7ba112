"""The admin's start page for office staff: freshness per module, overrides waiting, the pricebook first, operator
pages only for operators."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from pricebook.models import PricebookOverride
from servicetitan.models import SyncRun
from tests.admin_support import staff_client
from tests.factories import UserFactory
from tests.pricebook.factories import make_material

pytestmark = pytest.mark.django_db


def run(target, status, minutes_ago):
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return SyncRun.objects.create(target=target, status=status, started_at=at, finished_at=at)


def override(status):
    material = make_material()
    return PricebookOverride.objects.create(
        tenant_id=material.tenant_id,
        item_type="material",
        st_pricebook_id=material.st_id,
        override_price=1,
        status=status,
    )


def test_start_page_shows_freshness_and_waiting_overrides():
    run("crm.customers", SyncRun.Status.SUCCEEDED, 90)
    run("crm.locations", SyncRun.Status.SUCCEEDED, 30)
    run("crm.locations", SyncRun.Status.FAILED, 5)
    for status in ("pending", "pending", "pushing", "failed", "conflict", "synced"):
        override(status)

    page = staff_client(superuser=False, groups=["Viewers"]).get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    freshness = {row.module: row for row in page.context["freshness"]}
    assert freshness["crm"].failing == ["crm.locations"] and "crm.contacts" in freshness["crm"].never
    assert 25 <= freshness["crm"].age.total_seconds() / 60 <= 35  # the newest success of the module
    assert freshness["pricebook"].last_success is None and "never" in html
    assert "failing: crm.locations" in html and "UTC" in html and "/admin/servicetitan/syncrun/status/" in html
    counts = {row["label"].split(" ")[0]: row["count"] for row in page.context["override_summary"]}
    assert counts == {"Pending": 3, "Failed": 2, "Price": 0}
    assert "status__in=pending,pushing" in html and "/admin/pricebook/material/" in html


def test_pricebook_first_and_operator_pages_for_operators_only():
    viewer = staff_client(superuser=False, groups=["Viewers"])
    apps = [app["app_label"] for app in viewer.get("/admin/").context["app_list"]]
    assert apps[0] == "pricebook"
    models = {m["object_name"] for app in viewer.get("/admin/").context["app_list"] for m in app["models"]}
    assert "Material" in models and "RawMaterial" not in models and "SyncCursor" not in models

    Group.objects.get_or_create(name="Operators")  # created by issue 10's migration; named here only
    operator = Client()
    operator.force_login(UserFactory(is_staff=True, is_superuser=False, groups=["Viewers", "Operators"]))
    operator_models = {m["object_name"] for app in operator.get("/admin/").context["app_list"] for m in app["models"]}
    assert "RawMaterial" in operator_models

    superuser_apps = {app["app_label"] for app in staff_client().get("/admin/").context["app_list"]}
    assert "django_celery_beat" in superuser_apps
