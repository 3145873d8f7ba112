"""`st_smoke` and `st_recent_customers` against the ServiceTitan simulator."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from devtools.simulator import FaultConfig
from servicetitan.management.commands.st_smoke import CHECKS


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_st_smoke_reports_every_module_ok(simulator):
    output = run("st_smoke")

    for module in ["auth", *CHECKS]:
        row = next(line for line in output.splitlines() if line.startswith(f"{module} "))
        assert " OK " in row, row
    assert f"All {len(CHECKS) + 1} checks passed (tenant 1000001)." in output
    routes = simulator.stats.snapshot()["by_route"]
    assert routes["GET /pricebook/v2/tenant/{tenant}/categories"] == 1  # one cheap call per module
    assert routes["GET /settings/v2/tenant/{tenant}/technicians"] == 1


def test_st_smoke_fails_with_a_table_when_credentials_are_refused(simulator, settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "CLIENT_SECRET": "a-wrong-secret-value"}
    out = StringIO()

    total = len(CHECKS) + 1
    with pytest.raises(CommandError, match=f"{total} of {total} checks failed") as raised:
        call_command("st_smoke", stdout=out)

    assert raised.value.returncode != 0
    output = out.getvalue()
    auth_row = next(line for line in output.splitlines() if line.startswith("auth "))
    assert "FAIL" in auth_row and "SERVICE_TITAN_CLIENT_SECRET" in auth_row
    assert "a-wrong-secret-value" not in output + str(raised.value)


def test_st_smoke_reports_a_failing_module(make_simulator):
    make_simulator(faults=FaultConfig(error_rate=1.0))

    with pytest.raises(CommandError, match=f"{len(CHECKS)} of {len(CHECKS) + 1} checks failed"):
        run("st_smoke", "--attempts", "1")


def test_st_smoke_explains_missing_configuration(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "CLIENT_ID": "", "CLIENT_SECRET": "", "TENANT_ID": ""}

    with pytest.raises(CommandError, match="SERVICE_TITAN_CLIENT_ID, SERVICE_TITAN_CLIENT_SECRET"):
        run("st_smoke")


def test_st_recent_customers_lists_the_latest_changes_first(simulator):
    customers = [
        c
        for c in simulator.dataset.records("crm.customers")
        if not simulator.dataset.is_deleted("crm.customers", c["id"])
    ]
    expected = [c["id"] for c in sorted(customers, key=lambda c: (c["modifiedOn"], c["id"]), reverse=True)[:3]]

    output = run("st_recent_customers", "--days", "36500", "--limit", "3")

    rows = output.splitlines()[2:5]
    assert [int(row.split()[0]) for row in rows] == expected
    assert f"3 of {len(customers)} customer(s) changed since" in output


def test_st_recent_customers_asks_only_for_recent_changes(simulator):
    since = timezone.now() - timedelta(days=2)
    existing = [
        c
        for c in simulator.dataset.records("crm.customers")
        if not simulator.dataset.is_deleted("crm.customers", c["id"])
    ]
    recent = [c for c in existing if parse_datetime(c["modifiedOn"]) >= since]
    assert 0 < len(recent) < len(existing)  # the filter has something to leave out

    output = run("st_recent_customers", "--days", "2", "--limit", "1")

    assert f"1 of {len(recent)} customer(s) changed since" in output
