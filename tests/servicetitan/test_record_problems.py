"""One bad record must not stop an entity: a value that does not fit its column is stored raw, leaves the master
column empty, and is recorded per record (sync run, item, `st_sync`'s summary). Runs on PostgreSQL and SQLite."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from dispatch.models import BusinessUnit, RawBusinessUnit
from servicetitan.models import RecordProblem, SyncRun
from servicetitan.sync.engine import rebuild_targets, sync_targets

pytestmark = pytest.mark.django_db
KEY = "dispatch.business-units"
JUNK = {
    "currency": "A currency name far longer than the sixteen characters the column used to take " * 20,
    "defaultTaxRate": "1e20",
    "createdOn": "2026-02-30T10:00:00Z",
    "address": {"latitude": "north", "street": "x" * 10_000},
    "active": "maybe",
}


@pytest.fixture
def sim(make_simulator):
    return make_simulator(scale=0.02)


def _spoil(sim) -> int:
    st_id = sim.dataset.ids(KEY)[0]
    sim.dataset.update(KEY, st_id, JUNK)
    return st_id


def test_a_record_with_junk_is_stored_and_its_problems_recorded(sim):
    st_id = _spoil(sim)

    (run,) = sync_targets([KEY], full=True)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.created == len(sim.dataset.records(KEY))
    assert run.problems == 1
    raw = RawBusinessUnit.objects.get(st_id=st_id)
    assert raw.payload["defaultTaxRate"] == "1e20" and raw.payload["currency"] == JUNK["currency"]
    unit = BusinessUnit.objects.get(st_id=st_id)
    assert unit.currency == JUNK["currency"]  # text is never cut
    assert unit.street == "x" * 10_000
    assert unit.default_tax_rate is None and unit.created_on is None and unit.latitude is None
    assert unit.active is True  # the column's default
    problems = {p.column: p for p in RecordProblem.objects.filter(st_id=str(st_id))}
    assert set(problems) == {"default_tax_rate", "created_on", "latitude", "active"}
    assert problems["default_tax_rate"].run == run
    assert "too large" in problems["default_tax_rate"].message
    assert problems["created_on"].value == '"2026-02-30T10:00:00Z"'
    assert "problems=1" in run.summary()


def test_fixing_the_record_clears_its_problems_and_rebuild_keeps_them(sim):
    st_id = _spoil(sim)
    sync_targets([KEY], full=True)
    rebuild_targets([KEY])
    assert RecordProblem.objects.filter(st_id=str(st_id)).count() == 4

    sim.dataset.update(KEY, st_id, {"defaultTaxRate": 0.0825, "createdOn": "2026-02-28T10:00:00Z", "active": True})
    (run,) = sync_targets([KEY])

    assert run.problems == 1
    assert set(RecordProblem.objects.filter(st_id=str(st_id)).values_list("column", flat=True)) == {"latitude"}
    assert BusinessUnit.objects.get(st_id=st_id).default_tax_rate == Decimal("0.0825")


def test_st_sync_counts_problems_in_its_summary(sim, capsys):
    _spoil(sim)
    call_command("st_sync", KEY, "--full")
    assert "problems=1" in capsys.readouterr().out


def test_problems_show_on_the_run_and_on_the_item(sim, admin_client):
    st_id = _spoil(sim)
    (run,) = sync_targets([KEY], full=True)
    unit = BusinessUnit.objects.get(st_id=st_id)

    page = admin_client.get(reverse("admin:servicetitan_syncrun_change", args=[run.pk])).content.decode()
    assert "default_tax_rate" in page and f"dispatch.businessunit {st_id}" in page
    page = admin_client.get(reverse("admin:dispatch_businessunit_change", args=[unit.pk])).content.decode()
    assert "created_on" in page and "not a calendar day" in page


def test_the_api_counts_a_runs_problems(sim, admin_client):
    _spoil(sim)
    (run,) = sync_targets([KEY], full=True)
    body = admin_client.get(f"/api/v1/sync/runs/{run.pk}/").json()
    assert body["problems"] == 1


def test_a_record_without_a_usable_id_is_skipped_and_the_page_stored():
    from servicetitan.sync.streams import all_streams
    from servicetitan.sync.upsert import upsert_records

    result = upsert_records(all_streams()[KEY], [{"id": "not-an-id", "name": "x"}, {"id": 77, "name": "ok"}], 5)
    assert result.created == 1
    assert BusinessUnit.objects.filter(tenant_id=5, st_id=77, name="ok").exists()


@pytest.mark.parametrize(
    "key",
    [
        "pricebook.materials",
        "crm.customers",
        "jobs.jobs",
        "dispatch.technicians",
        "accounting.invoices",
        "inventory.purchase-orders",
        "crm.contacts",
    ],
)
def test_junk_in_every_column_type_is_stored_raw_with_the_columns_empty(key):
    """On this database's own write path (Python on SQLite, SQL on PostgreSQL)."""
    from servicetitan.sync.streams import all_streams
    from servicetitan.sync.upsert import upsert_records
    from tests.servicetitan.test_engine_sql_mapping import edge_payloads, junk_columns

    stream = all_streams()[key]
    master = stream.master()
    payloads = edge_payloads(master)[-2:]
    if master._meta.get_field("st_id").get_internal_type() == "CharField":
        payloads = [{**p, "id": f"00000000-0000-0000-0000-00000000000{p['id']}"} for p in payloads]

    result = upsert_records(stream, payloads, 31)

    assert result.created == 2 and result.problems == 2
    assert stream.raw().objects.filter(tenant_id=31).count() == 2
    expected = junk_columns(master)
    fields = {column: field for column, _, field in master.compiled_mapping()}
    for row in master.objects.filter(tenant_id=31):
        found = set(RecordProblem.objects.filter(tenant_id=31, st_id=str(row.st_id)).values_list("column", flat=True))
        assert found == expected
        for column in expected:
            field = fields[column]
            empty = field.get_default() if field.has_default() else ("" if not field.null else None)
            assert getattr(row, field.attname) == empty, f"{key}.{column}"
