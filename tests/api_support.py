"""Shared checks for the mirror REST API (MODULES helper): every collection behaves alike, so it is tested alike."""

from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory, viewer


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def st_ids(response) -> set:
    return {str(row["st_id"]) for row in response.json()["results"]}


def check_read_endpoint(url: str, factory) -> None:
    """Permissions, list, lookup by ServiceTitan id and the shared filters of one mirrored collection."""
    active = factory()
    inactive = factory(active=False, st_modified_on=timezone.now() - datetime.timedelta(days=30))

    assert client_for().get(url).status_code == 401
    assert client_for(UserFactory()).get(url).status_code == 403
    client = client_for(viewer())

    listed = client.get(url)
    assert listed.status_code == 200, listed.content
    assert st_ids(listed) == {str(active.st_id), str(inactive.st_id)}
    first = listed.json()["results"][0]
    for shared in ("st_id", "tenant_id", "modified_on", "active", "deleted", "synced_at"):
        assert shared in first

    detail = client.get(f"{url}{active.st_id}/")
    assert detail.status_code == 200
    assert detail.json()["st_id"] == active.st_id
    assert detail.json()["active"] is True
    assert client.get(f"{url}999999999/").status_code == 404
    assert client_for(UserFactory()).get(f"{url}{active.st_id}/").status_code == 403

    assert st_ids(client.get(url, {"active": "false"})) == {str(inactive.st_id)}
    assert st_ids(client.get(url, {"st_id__in": f"{active.st_id},{inactive.st_id}"})) == {
        str(active.st_id),
        str(inactive.st_id),
    }
    since = (timezone.now() - datetime.timedelta(days=7)).isoformat()
    assert st_ids(client.get(url, {"modified_since": since})) == {str(active.st_id)}
    assert st_ids(client.get(url, {"modified_before": since})) == {str(inactive.st_id)}


def check_read_only(url: str, factory, *, methods=("post", "patch", "put", "delete")) -> None:
    """A collection without write-through refuses writes even for a superuser."""
    row = factory()
    admin = client_for(UserFactory(is_staff=True, is_superuser=True))
    for method in methods:
        target = url if method == "post" else f"{url}{row.st_id}/"
        assert getattr(admin, method)(target, {}, format="json").status_code == 405, (method, target)
