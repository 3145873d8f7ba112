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
