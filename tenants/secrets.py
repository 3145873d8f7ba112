"""Tenant secrets (client secret, app key, webhook key) encrypted at rest with Fernet.

The key is `LAZI_ENCRYPTION_KEY`. In DEBUG (development, tests) without it, a key derived from SECRET_KEY is used, with
a warning; in production without it nothing is stored (`EncryptionUnavailable`), so a secret never lands in the
database under a guessable key.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from servicetitan.client.errors import ConfigurationError

logger = logging.getLogger("tenants.secrets")

_lock = threading.Lock()
_warned = False
# Every secret decrypted in this process, so `servicetitan.logging.redact` masks tenants' secrets as well as the
# SERVICE_TITAN_* ones.
_known_secrets: set[str] = set()


class EncryptionUnavailable(ConfigurationError):
    """No encryption key is configured: secrets can be neither stored nor read. The message is for operators."""


def _fernet() -> Fernet:
    global _warned
    key = (getattr(settings, "LAZI_ENCRYPTION_KEY", "") or "").strip()
    if key:
        try:
            return Fernet(key.encode())
        except (ValueError, TypeError):
            raise EncryptionUnavailable(
                "LAZI_ENCRYPTION_KEY is not a valid Fernet key (32 bytes, urlsafe base64)."
            ) from None
    if not (settings.DEBUG or getattr(settings, "LAZI_ENCRYPTION_DEV_FALLBACK", False)):
        raise EncryptionUnavailable(
            "LAZI_ENCRYPTION_KEY is not set: tenant secrets cannot be stored or read. Set it in the environment."
        )
    with _lock:
        if not _warned:
            logger.warning("LAZI_ENCRYPTION_KEY is not set: tenant secrets use a development key (DEBUG only).")
            _warned = True
    derived = hashlib.sha256(b"lazi-tenant-secrets:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(text: str) -> str:
    """The Fernet token of `text` ("" stays "": nothing stored)."""
    if not text:
        return ""
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text of a token made by `encrypt`; EncryptionUnavailable when the key cannot read it (changed key)."""
    if not token:
        return ""
    try:
        text = _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise EncryptionUnavailable(
            "A stored tenant secret cannot be decrypted with the current LAZI_ENCRYPTION_KEY (was the key changed?). "
            "Type the secret again in the admin."
        ) from None
    remember_secret(text)
    return text


def remember_secret(text: str) -> None:
    if len(text) >= 4:
        _known_secrets.add(text)


def known_secrets() -> list[str]:
    return list(_known_secrets)
