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


def test_pending_overrides_of_both_tenants_are_pushed_each_with_its_own_client(two_simulators):
    from decimal import Decimal

    from pricebook.models import Material, PricebookOverride
    from pricebook.services.overrides import save_override
    from pricebook.services.push import push_pending

    first, second = two_simulators
    call_command("st_sync", "pricebook.materials")
    st_id = Material.objects.filter(tenant_id=DEMO_TENANT_ID).order_by("st_id").values_list("st_id", flat=True)[0]
    for tenant_id in (DEMO_TENANT_ID, OTHER_TENANT):  # the same ServiceTitan id in both tenants
        save_override(
            item_type="material",
            st_id=st_id,
            tenant_id=tenant_id,
            values={"price": Decimal("123.45") if tenant_id == DEMO_TENANT_ID else Decimal("67.89")},
            queue_push=False,
        )

    result = push_pending(mode="single")

    assert result.error == "" and len(result.synced) == 2, result
    assert set(PricebookOverride.objects.values_list("status", flat=True)) == {"synced"}
    first_price = first.dataset.records("pricebook.materials")
    second_price = second.dataset.records("pricebook.materials")
    assert [r["price"] for r in first_price if r["id"] == st_id] == [123.45]
    assert [r["price"] for r in second_price if r["id"] == st_id] == [67.89]


def test_the_scheduled_sync_without_a_tenant_runs_every_tenant(two_simulators, settings):
    from servicetitan.tasks import sync_targets_task

    settings.CELERY_TASK_ALWAYS_EAGER = True  # no broker: one tenant after another in this process
    outcome = sync_targets_task([TARGET], triggered_by="schedule")
    assert outcome == {f"{DEMO_TENANT_ID}:{TARGET}": "succeeded", f"{OTHER_TENANT}:{TARGET}": "succeeded"}
