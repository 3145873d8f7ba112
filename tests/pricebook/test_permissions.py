"""The staff groups of INTERFACE.md and what each may do in the admin and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from pricebook.models import PricebookOverride
from pricebook.services.groups import EDITORS, VIEWERS, ensure_groups
from tests.pricebook.factories import make_material

pytestmark = pytest.mark.django_db


def perms(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_groups_exist_after_migrate_with_fitting_permissions():
    editors, viewers = perms(EDITORS), perms(VIEWERS)
    for label in (
        "pricebook.view_material",
        "pricebook.view_rawmaterial",
        "crm.view_customer",
        "servicetitan.view_syncrun",
    ):
        assert label in editors and label in viewers
    for label in (
        "pricebook.add_pricebookoverride",
        "pricebook.change_pricebookoverride",
        "pricebook.delete_pricebookoverride",
    ):
        assert label in editors and label not in viewers
    # Nobody gets write permissions on the mirror.
    assert not {p for p in editors | viewers if p.startswith("pricebook.change_material")}
    assert all(p.split(".")[1].startswith("view_") for p in viewers)


def test_ensure_groups_restores_missing_view_permissions():
    group = Group.objects.get(name=VIEWERS)
    group.permissions.clear()
    ensure_groups()
    assert "pricebook.view_material" in perms(VIEWERS)


def test_viewer_sees_the_item_page_read_only(viewer, client):
    material = make_material()
    client.force_login(viewer)
    url = reverse("admin:pricebook_material_change", args=[material.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Save override" not in page.content
    assert material.code.encode() in page.content
    assert client.post(url, {"price": "1.00", "_override": "1"}).status_code == 403
    assert not PricebookOverride.objects.exists()


def test_editor_can_save_an_override_but_never_edit_the_mirror(editor, client):
    material = make_material(price="10.00")
    client.force_login(editor)
    url = reverse("admin:pricebook_material_change", args=[material.pk])
    assert b"Save override" in client.get(url).content
    response = client.post(
        url, {"name": material.name, "price": "12.50", "member_price": "9.00", "add_on_price": "0", "_override": "1"}
    )
    assert response.status_code == 302
    override = PricebookOverride.objects.get()
    assert override.override_price == Decimal("12.50")
    assert override.override_member_price is None  # equal to ServiceTitan's: not overridden
    assert override.changed_by == editor

    for name in ("add", "delete"):
        target = (
            reverse("admin:pricebook_material_add")
            if name == "add"
            else reverse("admin:pricebook_material_delete", args=[material.pk])
        )
        assert client.get(target).status_code == 403
    assert client.get(reverse("admin:pricebook_rawmaterial_add")).status_code == 403


@pytest.mark.parametrize("admin_name", ["material", "service", "equipment", "category", "rawmaterial", "rawcategory"])
def test_mirror_and_raw_admins_are_read_only(admin_name):
    from django.contrib import admin
    from django.test import RequestFactory

    from pricebook import models

    model = {m._meta.model_name: m for m in vars(models).values() if hasattr(m, "_meta")}[admin_name]
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    from django.contrib.auth import get_user_model

    request.user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_api_permissions_per_group(viewer, editor):
    material = make_material()
    as_viewer, as_editor = APIClient(), APIClient()
    as_viewer.force_authenticate(viewer)
    as_editor.force_authenticate(editor)
    body = {"item_type": "material", "st_pricebook_id": material.st_id, "override_price": "13.00"}

    assert as_viewer.get("/api/v1/pricebook/materials/").status_code == 200
    assert as_viewer.get("/api/v1/pricebook/overrides/").status_code == 200
    assert as_viewer.post("/api/v1/pricebook/overrides/", body, format="json").status_code == 403
    created = as_editor.post("/api/v1/pricebook/overrides/", body, format="json")
    assert created.status_code == 201, created.content
    assert as_viewer.delete(f"/api/v1/pricebook/overrides/{created.json()['id']}/").status_code == 403
    assert APIClient().get("/api/v1/pricebook/materials/").status_code == 401
