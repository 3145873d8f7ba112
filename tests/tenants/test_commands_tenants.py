"""Every command that acts on a tenant's data takes `--tenant NAME`: st_rebuild, st_pricebook_health, st_import_costs,
setup_schedules and st_central touch that tenant's rows only (two tenants holding the same ServiceTitan ids and
codes); without it they act on the default tenant (setup_schedules: every active tenant, st_central: every target);
an unknown tenant is a clear error with exit code 2."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from crm.models import Customer
from devtools.simulator import DEMO_TENANT_ID
from pricebook.models import CentralBatch, Material, PricebookOverride
from servicetitan.sync.engine import rebuild_targets
from servicetitan.sync.schedules import SYNC_SCHEDULES, TASK
from servicetitan.sync.streams import resolve_targets
from servicetitan.sync.upsert import upsert_records
from tenants.models import Tenant
from tests.pricebook.test_central import SOURCE, TENANT_A, hub, item, subscribe  # noqa: F401

pytestmark = pytest.mark.django_db
OTHER = 2_000_002
SHARED_ST_ID = 515151


@pytest.fixture
def other_tenant(db):
    """The default tenant, "Alpha" (DEMO_TENANT_ID), and a second one, "Bravo"."""
    default = Tenant.objects.create(name="Alpha", st_tenant_id=DEMO_TENANT_ID, is_default=True)
    return default, Tenant.objects.create(name="Bravo", st_tenant_id=OTHER)


def stderr_of(command, *args) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command(command, *args, stdout=StringIO(), stderr=StringIO())
    return caught.value


@pytest.mark.parametrize(
    "command,args",
    [
        ("st_rebuild", ["crm.customers"]),
        ("st_pricebook_health", []),
        ("st_import_costs", ["/nonexistent.csv", "--vendor", "Acme"]),
        ("setup_schedules", []),
        ("st_central", []),
    ],
)
def test_an_unknown_tenant_is_a_clear_error_with_exit_code_2(other_tenant, command, args):
    error = stderr_of(command, *args, "--tenant", "Charlie")
    assert error.returncode == 2
    assert "No tenant named 'Charlie'" in str(error) and "Bravo" in str(error)
    assert not PricebookOverride.objects.exists()


# --- st_rebuild --------------------------------------------------------------------------------------------------------
def _customer(name: str) -> dict:
    return {"id": SHARED_ST_ID, "name": name, "active": True, "modifiedOn": "2026-01-02T03:04:05Z"}


def test_st_rebuild_rebuilds_that_tenants_rows_only(other_tenant):
    stream = resolve_targets(["crm.customers"])[0]
    upsert_records(stream, [_customer("Default's")], DEMO_TENANT_ID)
    upsert_records(stream, [_customer("Bravo's")], OTHER)
    Customer.objects.update(name="stale")

    out = StringIO()
    call_command("st_rebuild", "crm.customers", "--tenant", "Bravo", stdout=out)

    assert dict(Customer.objects.values_list("tenant_id", "name")) == {DEMO_TENANT_ID: "stale", OTHER: "Bravo's"}
    assert "crm.customers                1 rows rebuilt" in out.getvalue()

    call_command("st_rebuild", "crm.customers", stdout=StringIO())  # no --tenant: the default tenant
    assert dict(Customer.objects.values_list("tenant_id", "name")) == {DEMO_TENANT_ID: "Default's", OTHER: "Bravo's"}


def test_a_rebuild_of_every_tenant_rebuilds_each_tenants_rows(other_tenant):
    stream = resolve_targets(["crm.customers"])[0]
    upsert_records(stream, [_customer("Default's")], DEMO_TENANT_ID)
    upsert_records(stream, [_customer("Bravo's")], OTHER)
    Customer.objects.update(name="stale")

    assert rebuild_targets(["crm.customers"]) == {"crm.customers": 2}  # no tenant: every tenant's rows

    assert dict(Customer.objects.values_list("tenant_id", "name")) == {DEMO_TENANT_ID: "Default's", OTHER: "Bravo's"}


# --- st_pricebook_health -----------------------------------------------------------------------------------------------
def _material(tenant_id: int, code: str, cost="0", **fields) -> Material:
    return Material.objects.create(
        tenant_id=tenant_id,
        st_id=fields.pop("st_id", SHARED_ST_ID),
        code=code,
        name=f"{code} material",
        price=Decimal("10"),
        member_price=Decimal("9"),
        cost=Decimal(cost),
        st_modified_on=timezone.now(),
        **fields,
    )


def _health(*args) -> dict[str, int]:
    out = StringIO()
    call_command("st_pricebook_health", *args, stdout=out)
    return {name: int(count) for name, count in (line.split() for line in out.getvalue().splitlines())}


def test_st_pricebook_health_counts_that_tenants_items(other_tenant):
    _material(DEMO_TENANT_ID, "A-1")
    _material(OTHER, "B-1")
    _material(OTHER, "B-2", st_id=SHARED_ST_ID + 1)

    assert _health("--tenant", "Bravo")["cost_zero.material"] == 2
    assert _health("--tenant", str(OTHER))["cost_zero.material"] == 2  # by ServiceTitan id too
    assert _health()["cost_zero.material"] == 1  # the default tenant


# --- st_import_costs ---------------------------------------------------------------------------------------------------
def test_st_import_costs_matches_that_tenants_materials_only(other_tenant, tmp_path):
    # The same code (and ServiceTitan id) in both tenants: across tenants the row would be ambiguous.
    _material(DEMO_TENANT_ID, "PIPE-1", cost="4")
    _material(OTHER, "PIPE-1", cost="4")
    price_file = tmp_path / "prices.csv"
    price_file.write_text("code,cost\nPIPE-1,5.25\n")

    out = StringIO()
    call_command("st_import_costs", str(price_file), "--vendor", "Acme", "--tenant", "Bravo", stdout=out)

    assert "matched 1, changed 1, unmatched 0, ambiguous 0" in out.getvalue()
    assert list(PricebookOverride.objects.values_list("tenant_id", "st_pricebook_id", "override_cost")) == [
        (OTHER, SHARED_ST_ID, Decimal("5.2500"))
    ]


# --- setup_schedules ---------------------------------------------------------------------------------------------------
def _sync_tenants() -> dict[str, int | None]:
    return {task.name: json.loads(task.kwargs).get("tenant_id") for task in PeriodicTask.objects.filter(task=TASK)}


def test_setup_schedules_schedules_every_active_tenant_once(other_tenant):
    Tenant.objects.create(name="Asleep", st_tenant_id=2_000_003, active=False)
    call_command("setup_schedules", stdout=StringIO())

    tasks = _sync_tenants()
    assert len(tasks) == 2 * len(SYNC_SCHEDULES)
    assert tasks["LAZI: pricebook incremental sync"] == DEMO_TENANT_ID  # the default tenant keeps the names
    assert tasks[f"LAZI: pricebook incremental sync (tenant {OTHER})"] == OTHER
    assert sorted(set(tasks.values())) == [DEMO_TENANT_ID, OTHER]
    assert PeriodicTask.objects.filter(task="pricebook.tasks.push_pending_task").count() == 1  # shared


def test_setup_schedules_tenant_creates_that_tenants_only(other_tenant):
    out = StringIO()
    call_command("setup_schedules", "--tenant", "Bravo", stdout=out)

    assert set(_sync_tenants().values()) == {OTHER}
    assert out.getvalue().count("created") == len(SYNC_SCHEDULES)


def test_a_deactivated_or_deleted_tenant_loses_its_schedules_and_a_new_one_gets_them(other_tenant):
    _default, bravo = other_tenant
    call_command("setup_schedules", stdout=StringIO())

    bravo.active = False
    bravo.save()
    assert set(_sync_tenants().values()) == {DEMO_TENANT_ID}

    bravo.active = True
    bravo.save()  # reactivated: scheduled again
    assert OTHER in set(_sync_tenants().values())

    charlie = Tenant.objects.create(name="Charlie", st_tenant_id=2_000_004)  # added: scheduled at once
    assert list(_sync_tenants().values()).count(charlie.st_tenant_id) == len(SYNC_SCHEDULES)
    charlie.delete()
    bravo.delete()
    assert set(_sync_tenants().values()) == {DEMO_TENANT_ID}


def test_setup_schedules_points_the_historic_schedules_at_the_default_tenant(other_tenant):
    """Schedules made before tenants were data (no tenant_id: every tenant) are given the default tenant's id, so
    with per-tenant schedules no tenant is synced twice; staff's other edits stay."""
    PeriodicTask.objects.create(
        name="LAZI: crm incremental sync",
        task=TASK,
        kwargs=json.dumps({"targets": ["crm.customers"], "full": False, "triggered_by": "schedule"}),
        interval=IntervalSchedule.objects.create(every=7, period=IntervalSchedule.MINUTES),
    )
    call_command("setup_schedules", stdout=StringIO())

    kwargs = json.loads(PeriodicTask.objects.get(name="LAZI: crm incremental sync").kwargs)
    assert kwargs == {
        "targets": ["crm.customers"],
        "full": False,
        "triggered_by": "schedule",
        "tenant_id": DEMO_TENANT_ID,
    }


def test_a_schedule_left_for_an_inactive_tenant_syncs_nothing(other_tenant):
    from servicetitan.models import SyncRun
    from servicetitan.tasks import sync_targets_task

    _default, bravo = other_tenant
    Tenant.objects.filter(pk=bravo.pk).update(active=False)  # no signal: the schedule stays behind

    outcome = sync_targets_task(["crm.customers"], triggered_by="schedule", tenant_id=OTHER)

    assert outcome == {"skipped": f"tenant {OTHER} is not an active tenant"}
    assert not SyncRun.objects.exists()


# --- st_central --------------------------------------------------------------------------------------------------------
def test_st_central_tenant_fans_out_to_that_target_only(hub):  # noqa: F811
    book, a, b = hub
    item(Material, SOURCE, "PIPE-1", price="12.00")
    item(Material, TENANT_A, "PIPE-1", price="10.00")
    item(Material, b.st_tenant_id, "PIPE-1", price="11.00")
    subscribe(book, a, policy="approval")
    subscribe(book, b, policy="approval")

    out = StringIO()
    call_command("st_central", "--tenant", "Branch A", stdout=out)

    assert list(CentralBatch.objects.values_list("tenant_id", flat=True)) == [TENANT_A]
    assert "Proposed 1 change(s) of 1 item(s) to 1 tenant(s)" in out.getvalue()
    assert "Branch B" not in out.getvalue()


def test_st_central_tenant_subscribed_to_nothing_is_exit_code_2(hub):  # noqa: F811
    book, a, _b = hub
    subscribe(book, a)
    error = stderr_of("st_central", "--tenant", "Branch B")
    assert error.returncode == 2 and "subscribes to no active central pricebook" in str(error)
