"""Keeps secrets out of logs: the configured client secret, app key, webhook key and any bearer token."""

import logging
import re

_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._\-~+/=]+", re.IGNORECASE)
_FORM_SECRET = re.compile(
    r"((?:client_secret|access_token|refresh_token)[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+", re.IGNORECASE
)
MASK = "***"


def configured_secrets():
    from django.conf import settings

    from tenants.secrets import known_secrets

    st = getattr(settings, "SERVICE_TITAN", {})
    configured = [
        value for key in ("CLIENT_SECRET", "APP_KEY", "WEBHOOK_SECRET") if len(value := st.get(key) or "") >= 4
    ]
    return configured + known_secrets()  # tenants' secrets decrypted in this process


def redact(text: str) -> str:
    """Mask every known secret and every bearer token in `text`."""
    text = _BEARER.sub(rf"\g<1>{MASK}", text)
    text = _FORM_SECRET.sub(rf"\g<1>{MASK}", text)
    try:
        secrets = configured_secrets()
    except Exception:  # settings not ready (very early start-up)
        secrets = []
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
