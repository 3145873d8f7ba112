"""`st_recent_customers` orders by the moment a customer changed, whatever ISO 8601 form ServiceTitan writes it in
(0 to 7 fractional digits, `Z` or an offset: the specs' `date-time`), not by the text."""

import json
from io import StringIO

import pytest
import responses
from django.core.management import call_command

from servicetitan.management.commands import st_recent_customers
from tests.servicetitan.client_support import make_client, module_url, page_body, token_one  # noqa: F401

CUSTOMERS = [
    # 12:34:56.5 UTC, with an offset
    {"id": 1, "name": "Offset", "active": True, "modifiedOn": "2024-03-15T07:34:56.5-05:00"},
    # 12:34:56 UTC exactly, no fraction: before the one above although its text sorts after it
    {"id": 2, "name": "Whole", "active": True, "modifiedOn": "2024-03-15T12:34:56Z"},
    # 12:30 UTC, 7 fractional digits
    {"id": 3, "name": "Seven", "active": True, "modifiedOn": "2024-03-15T12:30:00.1234567Z"},
    # 11:00 UTC written as 13:00+02:00: its text looks latest
    {"id": 4, "name": "East", "active": True, "modifiedOn": "2024-03-15T13:00:00+02:00"},
    {"id": 2**31 + 7, "name": "Unknown", "active": True, "modifiedOn": None},
]


@pytest.mark.usefixtures("token_one")
def test_latest_first_by_moment_not_by_text(monkeypatch):
    client = make_client()
    monkeypatch.setattr(st_recent_customers, "get_client", lambda tenant_id=None: client)
    responses.add(responses.GET, module_url("crm", "/customers"), body=page_body(CUSTOMERS))
    out = StringIO()

    call_command("st_recent_customers", "--days", "3650", "--limit", "4", stdout=out)

    rows = out.getvalue().splitlines()[2:6]
    assert [int(row.split()[0]) for row in rows] == [1, 2, 3, 4]
    # Shown in UTC, as the footer says.
    assert "2024-03-15 12:34:56" in rows[0] and "2024-03-15 11:00:00" in rows[3]
    assert "4 of 5 customer(s)" in out.getvalue()
    assert json.loads(responses.calls[-1].response.text)["data"]  # the page was read
