"""REST API tokens in the admin: shown once when created, masked in every list after."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token


@pytest.mark.django_db
def test_the_token_list_masks_keys(admin_client):
    user = get_user_model().objects.create_user("consumer")
    token = Token.objects.create(user=user)

    page = admin_client.get("/admin/authtoken/tokenproxy/")

    assert page.status_code == 200
    assert token.key not in page.content.decode()
    assert f"{token.key[:4]}…" in page.content.decode()


@pytest.mark.django_db
def test_a_new_token_is_shown_once(admin_client):
    user = get_user_model().objects.create_user("consumer")

    page = admin_client.post("/admin/authtoken/tokenproxy/add/", {"user": user.pk}, follow=True)

    key = Token.objects.get(user=user).key
    assert key in page.content.decode()
    assert key not in admin_client.get("/admin/authtoken/tokenproxy/").content.decode()


@pytest.mark.django_db
def test_the_key_is_on_no_page_after_it_is_shown(admin_client):
    user = get_user_model().objects.create_user("consumer")
    admin_client.post("/admin/authtoken/tokenproxy/add/", {"user": user.pk}, follow=True)
    key = Token.objects.get(user=user).key

    # The start page's "Recent actions", the token's page, its history and its delete page name it masked.
    for url in (
        "/admin/",
        f"/admin/authtoken/tokenproxy/{user.pk}/change/",
        f"/admin/authtoken/tokenproxy/{user.pk}/history/",
        f"/admin/authtoken/tokenproxy/{user.pk}/delete/",
    ):
        page = admin_client.get(url)
        assert page.status_code == 200, url
        assert key not in page.content.decode(), url
    assert f"{key[:4]}…" in admin_client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_log_entries_written_before_the_mask_are_masked(admin_user):
    from importlib import import_module

    from django.apps import apps
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from rest_framework.authtoken.models import TokenProxy

    key = "d35b67527eb62f6b7ee0f72217f2d6da5d658131"
    entry = LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(TokenProxy, for_concrete_model=False),
        object_id="1",
        object_repr=key,
        action_flag=ADDITION,
    )
    migration = import_module("servicetitan.migrations.0007_mask_token_log_entries")

    class Editor:
        connection = type("C", (), {"alias": "default"})

    migration.mask(apps, Editor)

    entry.refresh_from_db()
    assert entry.object_repr == "d35b…"
