"""Two tenants with overlapping ServiceTitan ids (two simulators, same seed) synced into one LAZI: every row under
its tenant, runs and cursors separate; `st_sync --tenant` syncs that tenant alone."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID, SimulatorServer
from servicetitan.models import SyncCursor, SyncRun
from servicetitan.sync.streams import resolve_targets
from tenants.models import Tenant

pytestmark = pytest.mark.django_db(transaction=True)

OTHER_TENANT = 2000002
TARGET = "crm.customers"


@pytest.fixture
def two_simulators(make_simulator):
    first = make_simulator(scale=0.01, seed=1)
    second = SimulatorServer(scale=0.01, seed=1, tenant_id=OTHER_TENANT).start()
    other = Tenant(
        name="second", st_tenant_id=OTHER_TENANT, client_id=DEMO_CLIENT_ID, api_url=second.url, auth_url=second.url
    )
    other.client_secret = DEMO_CLIENT_SECRET
    other.app_key = DEMO_APP_KEY
    other.save()
    yield first, second
    second.stop()


def test_overlapping_ids_are_kept_apart_by_tenant(two_simulators, capsys):
    call_command("st_sync", TARGET)
    master = resolve_targets([TARGET])[0].master()
    first_ids = set(master.objects.filter(tenant_id=DEMO_TENANT_ID).values_list("st_id", flat=True))
    second_ids = set(master.objects.filter(tenant_id=OTHER_TENANT).values_list("st_id", flat=True))
    assert first_ids and first_ids == second_ids  # the same ServiceTitan ids, one row each per tenant
    assert master.objects.count() == len(first_ids) * 2
    runs = SyncRun.objects.filter(target=TARGET)
    assert sorted(runs.values_list("tenant_id", "status")) == [
        (DEMO_TENANT_ID, "succeeded"),
        (OTHER_TENANT, "succeeded"),
    ]
    assert set(SyncCursor.objects.filter(target=TARGET).values_list("tenant_id", flat=True)) == {
        DEMO_TENANT_ID,
        OTHER_TENANT,
    }
    assert f"tenant {OTHER_TENANT}:" in capsys.readouterr().out


def test_st_sync_tenant_syncs_that_tenant_alone(two_simulators):
    call_command("st_sync", TARGET, "--tenant", "second")
    assert list(SyncRun.objects.filter(target=TARGET).values_list("tenant_id", flat=True)) == [OTHER_TENANT]
    master = resolve_targets([TARGET])[0].master()
    assert set(master.objects.values_list("tenant_id", flat=True)) == {OTHER_TENANT}


def test_an_unknown_tenant_lists_the_names(two_simulators):
    with pytest.raises(CommandError, match=r"No tenant named 'third'\. Tenants: default, second\."):
        call_command("st_sync", TARGET, "--tenant", "third")
