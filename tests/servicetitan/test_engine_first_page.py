"""A page of records none of which is mirrored yet (a first sync) is COPYed straight into the raw table on
PostgreSQL; a record mirrored meanwhile by a concurrent write sends the page through the staging merge instead."""

from __future__ import annotations

import pytest
from django.db import connection

from crm.models import Customer, RawCustomer
from devtools.simulator import DEMO_TENANT_ID
from servicetitan.sync import upsert
from servicetitan.sync.engine import sync_targets
from servicetitan.sync.streams import all_streams
from tests.servicetitan.sync_support import assert_mirror_equals

pytestmark = pytest.mark.django_db

KEYS = ["pricebook.categories", "pricebook.materials", "crm.customers"]


@pytest.fixture
def sim(make_simulator):
    return make_simulator(scale=0.02, export_batch_size=40)


def _spy(monkeypatch) -> list:
    answers = []
    real = upsert.insert_new_raw_rows

    def spy(raw_model, rows):
        answers.append(real(raw_model, rows))
        return answers[-1]

    monkeypatch.setattr(upsert, "insert_new_raw_rows", spy)
    return answers


def test_a_first_sync_copies_new_pages_straight_in_and_mirrors_everything(sim, monkeypatch):
    answers = _spy(monkeypatch)

    runs = sync_targets(KEYS, full=True)

    assert {run.status for run in runs} == {"succeeded"}
    assert_mirror_equals(sim, KEYS)
    if connection.vendor == "postgresql":
        assert answers and all(answer is not None for answer in answers)
    else:
        assert answers == []  # SQLite: bulk_create, as before
    # A second full run finds every record mirrored: no page goes the direct way, nothing changes.
    answers.clear()
    again = sync_targets(KEYS, full=True)
    assert answers == []
    assert sum(run.created + run.updated for run in again) == 0
    assert_mirror_equals(sim, KEYS)


def test_a_record_mirrored_meanwhile_sends_the_page_through_the_merge(sim, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the direct COPY is PostgreSQL's")
    stream = all_streams()["crm.customers"]
    payloads = [dict(record) for record in sim.dataset.records("crm.customers")[:5]]
    upsert.upsert_records(stream, payloads[:1], DEMO_TENANT_ID)
    # The page's lookup does not see the mirrored record (as if it was written after the lookup).
    monkeypatch.setattr(upsert, "existing_raw_rows", lambda *args: {})
    answers = _spy(monkeypatch)
    stale = {**payloads[0], "name": "Renamed meanwhile"}

    result = upsert.upsert_records(stream, [stale, *payloads[1:]], DEMO_TENANT_ID)

    assert answers == [None]  # the COPY met the unique key, rolled back to its savepoint
    assert result.created == 5  # (the lookup said so)
    assert RawCustomer.objects.filter(tenant_id=DEMO_TENANT_ID).count() == 5
    assert Customer.objects.get(tenant_id=DEMO_TENANT_ID, st_id=int(stale["id"])).name == "Renamed meanwhile"
    assert Customer.objects.filter(tenant_id=DEMO_TENANT_ID).count() == 5


def test_text_needing_copy_escapes_round_trips_through_the_direct_copy(sim, monkeypatch):
    """Backslashes, quotes, tabs, newlines and carriage returns in a payload survive the first sync's COPY text
    (written in one f-string a row, escaped for COPY by hand) unchanged, in the raw payload and the mapped column."""
    stream = all_streams()["crm.customers"]
    answers = _spy(monkeypatch)
    tricky = 'C:\\new\\table "quoted"\ttab\nnew line\r\nwindows \\\\ two'
    payloads = [dict(record) for record in sim.dataset.records("crm.customers")[:3]]
    payloads[0]["name"] = tricky
    payloads[1]["address"] = {**(payloads[1].get("address") or {}), "street": "back\\slash\\"}

    result = upsert.upsert_records(stream, payloads, DEMO_TENANT_ID)

    assert result.created == 3
    if connection.vendor == "postgresql":
        assert answers and answers[0] is not None  # the page went the direct way
    first = RawCustomer.objects.get(tenant_id=DEMO_TENANT_ID, st_id=int(payloads[0]["id"]))
    assert first.payload == payloads[0]
    assert Customer.objects.get(tenant_id=DEMO_TENANT_ID, st_id=int(payloads[0]["id"])).name == tricky
    second = Customer.objects.get(tenant_id=DEMO_TENANT_ID, st_id=int(payloads[1]["id"]))
    assert second.street == "back\\slash\\"
