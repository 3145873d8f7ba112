"""Writes and checks of tenants."""

from __future__ import annotations

from servicetitan.client.errors import ServiceTitanError


def connection_problem(tenant, *, client_class=None) -> str:
    """Why LAZI cannot get a token for `tenant` (in words, no secret), or "" when a fresh token was issued."""
    from servicetitan.client import ServiceTitanClient
    from servicetitan.logging import redact
    from tenants.selectors import client_config_for

    client_class = client_class or ServiceTitanClient
    try:
        client = client_class(client_config_for(tenant))
        client.authenticate(fresh=True)
    except ServiceTitanError as exc:
        return redact(str(exc) or exc.__class__.__name__)
    return ""
