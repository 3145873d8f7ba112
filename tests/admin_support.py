"""Shared checks for the read-only admin of mirrored data (MODULES helper)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from servicetitan.admin_base import raw_model_for
from tests.factories import UserFactory


def staff_client(*, superuser: bool = True, groups=()) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=superuser, groups=list(groups)))
    return client


def check_mirror_admin(factory) -> None:
    """Changelist (with search by ServiceTitan id), the read-only detail with ServiceTitan's JSON, no add/delete."""
    row = factory(tenant_id=1000001)
    raw_model = raw_model_for(type(row))
    raw_model.objects.create(
        tenant_id=row.tenant_id,
        st_id=row.st_id,
        payload={"id": str(row.st_id), "marker": "<b>as fetched</b>"},
        payload_hash="x",
        fetched_at=row.synced_at,
    )
    opts = row._meta
    client = staff_client(superuser=False, groups=["Viewers"])

    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    listed = client.get(changelist, {"q": str(row.st_id)})
    assert listed.status_code == 200
    assert str(row.st_id) in listed.content.decode()

    detail = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "as fetched" not in page  # ServiceTitan's JSON is for operators, not office staff
    assert 'name="_save"' not in page  # view only

    superuser = staff_client()
    operator_page = superuser.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
    assert "&lt;b&gt;as fetched&lt;/b&gt;" in operator_page.content.decode()  # the payload is shown, escaped
    assert superuser.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    delete_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])
    assert superuser.post(delete_url, {"post": "yes"}).status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()

    raw_opts = raw_model._meta
    raw_list = superuser.get(reverse(f"admin:{raw_opts.app_label}_{raw_opts.model_name}_changelist"))
    assert raw_list.status_code == 200 and str(row.st_id) in raw_list.content.decode()
