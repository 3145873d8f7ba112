"""Tenant secrets: encrypted at rest, write-only on the model, refused in production without a key."""

import logging

import pytest
from cryptography.fernet import Fernet

from tenants import secrets
from tenants.models import Tenant

SECRET = "tenant-secret-9f8e7d6c"


def test_round_trip_and_not_stored_in_clear(settings):
    settings.LAZI_ENCRYPTION_KEY = Fernet.generate_key().decode()
    token = secrets.encrypt(SECRET)
    assert SECRET not in token
    assert secrets.decrypt(token) == SECRET
    assert secrets.encrypt("") == "" and secrets.decrypt("") == ""


def test_another_key_cannot_read_it(settings):
    settings.LAZI_ENCRYPTION_KEY = Fernet.generate_key().decode()
    token = secrets.encrypt(SECRET)
    settings.LAZI_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(secrets.EncryptionUnavailable, match="cannot be decrypted") as caught:
        secrets.decrypt(token)
    assert SECRET not in str(caught.value)


def test_debug_without_a_key_derives_one_and_warns_without_a_secret(settings, caplog, monkeypatch):
    settings.LAZI_ENCRYPTION_KEY = ""
    settings.DEBUG = True
    monkeypatch.setattr(secrets, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="tenants.secrets"):
        token = secrets.encrypt(SECRET)
    assert secrets.decrypt(token) == SECRET
    assert "LAZI_ENCRYPTION_KEY is not set" in caplog.text
    assert settings.SECRET_KEY not in caplog.text and SECRET not in caplog.text


def test_production_without_a_key_refuses_to_store(settings):
    settings.LAZI_ENCRYPTION_KEY = ""
    settings.DEBUG = False
    settings.LAZI_ENCRYPTION_DEV_FALLBACK = False
    with pytest.raises(secrets.EncryptionUnavailable, match="LAZI_ENCRYPTION_KEY is not set"):
        secrets.encrypt(SECRET)


def test_an_invalid_key_is_named_without_its_value(settings):
    settings.LAZI_ENCRYPTION_KEY = "not-a-fernet-key"
    with pytest.raises(secrets.EncryptionUnavailable, match="not a valid Fernet key") as caught:
        secrets.encrypt(SECRET)
    assert "not-a-fernet-key" not in str(caught.value)


@pytest.mark.django_db
def test_model_secrets_are_write_only_and_never_in_repr():
    tenant = Tenant(name="north", st_tenant_id=777, client_id="north-client")
    tenant.client_secret = SECRET
    tenant.app_key = "north-app-key-123"
    tenant.save()
    stored = Tenant.objects.get(pk=tenant.pk)
    assert stored.client_secret_encrypted and SECRET not in stored.client_secret_encrypted
    assert secrets.decrypt(stored.client_secret_encrypted) == SECRET
    assert stored.has_client_secret and stored.has_app_key and not stored.has_webhook_key
    with pytest.raises(AttributeError, match="write-only"):
        _ = stored.client_secret
    assert SECRET not in repr(stored) and SECRET not in str(stored)


@pytest.mark.django_db
def test_decrypted_secrets_are_masked_in_logs(caplog):
    from servicetitan.logging import redact

    tenant = Tenant(name="south", st_tenant_id=778, client_id="c")
    tenant.client_secret = "south-secret-value"
    secrets.decrypt(tenant.client_secret_encrypted)
    assert redact("the token call failed with south-secret-value") == "the token call failed with ***"
