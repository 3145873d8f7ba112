"""The client's configuration, read from `settings.SERVICE_TITAN` (the SERVICE_TITAN_* environment variables)."""

from __future__ import annotations

from dataclasses import dataclass, field

from servicetitan.client.errors import ConfigurationError

# Setting key -> the environment variable operators set.
REQUIRED = {
    "CLIENT_ID": "SERVICE_TITAN_CLIENT_ID",
    "CLIENT_SECRET": "SERVICE_TITAN_CLIENT_SECRET",
    "APP_KEY": "SERVICE_TITAN_APP_KEY",
    "TENANT_ID": "SERVICE_TITAN_TENANT_ID",
    "API_URL": "SERVICE_TITAN_API_URL",
    "AUTH_URL": "SERVICE_TITAN_AUTH_URL",
}
MAX_PAGE_SIZE = 5000


@dataclass(frozen=True)
class ClientConfig:
    client_id: str
    client_secret: str = field(repr=False)
    app_key: str = field(repr=False)
    tenant_id: int
    api_url: str = "https://api.servicetitan.io"
    auth_url: str = "https://auth.servicetitan.io"
    rate_per_second: int = 50
    rate_per_minute: int = 0
    rate_per_hour: int = 0
    max_concurrency: int = 10
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 60.0
    connect_timeout: float = 10.0
    read_timeout: float = 110.0
    page_size: int = MAX_PAGE_SIZE
    redis_url: str = ""

    @classmethod
    def from_settings(cls) -> ClientConfig:
        """The configuration from Django settings; ConfigurationError names whatever is missing (never a value)."""
        from django.conf import settings

        st = getattr(settings, "SERVICE_TITAN", None) or {}
        missing = [env for key, env in REQUIRED.items() if not str(st.get(key) or "").strip()]
        if missing:
            raise ConfigurationError(
                "ServiceTitan is not configured: set "
                + ", ".join(missing)
                + " (environment variables or the .env file beside manage.py)."
            )
        try:
            tenant_id = int(str(st["TENANT_ID"]).strip())
        except ValueError:
            raise ConfigurationError("SERVICE_TITAN_TENANT_ID must be the numeric ServiceTitan tenant id.") from None
        return cls(
            client_id=str(st["CLIENT_ID"]).strip(),
            client_secret=str(st["CLIENT_SECRET"]).strip(),
            app_key=str(st["APP_KEY"]).strip(),
            tenant_id=tenant_id,
            api_url=str(st["API_URL"]).strip().rstrip("/"),
            auth_url=str(st["AUTH_URL"]).strip().rstrip("/"),
            **_tuning(st, settings),
        )

    @classmethod
    def from_settings_tuning(cls) -> ClientConfig:
        """The settings' tuning (budget, retries, timeouts, Redis) without credentials: the base a `Tenant` row
        completes (tenants.selectors.client_config_for) when SERVICE_TITAN_* names no tenant."""
        from django.conf import settings

        st = getattr(settings, "SERVICE_TITAN", None) or {}
        return cls(client_id="", client_secret="", app_key="", tenant_id=0, **_tuning(st, settings))

    @property
    def token_url(self) -> str:
        return f"{self.auth_url}/connect/token"


def _tuning(st: dict, settings) -> dict:
    return {
        "rate_per_second": _number(st, "RATE_PER_SECOND", 50, int),
        "rate_per_minute": _number(st, "RATE_PER_MINUTE", 0, int),
        "rate_per_hour": _number(st, "RATE_PER_HOUR", 0, int),
        "max_concurrency": _number(st, "MAX_CONCURRENCY", 10, int),
        "max_attempts": max(1, _number(st, "MAX_ATTEMPTS", 6, int)),
        "backoff_base": _number(st, "BACKOFF_BASE", 0.5, float),
        "backoff_max": _number(st, "BACKOFF_MAX", 60.0, float),
        "connect_timeout": _number(st, "CONNECT_TIMEOUT", 10.0, float),
        "read_timeout": _number(st, "READ_TIMEOUT", 110.0, float),
        "page_size": min(MAX_PAGE_SIZE, max(1, _number(st, "PAGE_SIZE", MAX_PAGE_SIZE, int))),
        "redis_url": getattr(settings, "REDIS_URL", "") or "",
    }


def _number(st: dict, key: str, default, kind):
    value = st.get(key)
    if value in (None, ""):
        return default
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"SERVICE_TITAN_{key} must be a number.") from None
