"""The override services: one item (`save_override`), many (`save_overrides_bulk`, and `save_cost_overrides` as a thin
call of it), conflicts flagged set-based, and the change log built by one function."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pricebook.models import PricebookOverride, PricebookOverrideChange, RawMaterial
from pricebook.services import overrides as override_services
from pricebook.services.conflicts import flag_conflicts
from pricebook.services.history import change_row, snapshot
from pricebook.services.overrides import (
    OverrideError,
    save_cost_overrides,
    save_override,
    save_overrides_bulk,
)
from tests.pricebook.factories import TENANT_ID, make_material

Status = PricebookOverride.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The pushes the services queue (instead of running them)."""
    ids: list[int] = []
    monkeypatch.setattr(override_services, "enqueue_push", lambda found: ids.extend(found))
    return ids


def _raw_for(material):
    RawMaterial.objects.create(
        tenant_id=material.tenant_id,
        st_id=material.st_id,
        payload={"id": material.st_id},
        payload_hash="x",
        st_modified_on=material.st_modified_on,
        fetched_at=timezone.now(),
    )


def test_save_override_marks_pending_keeps_history_and_queues_its_push(editor, queued):
    material = make_material(price="10.00")

    override = save_override(item_type="material", st_id=material.st_id, values={"price": Decimal("12")}, user=editor)

    assert override.status == Status.PENDING and override.revision == 2
    assert override.base_modified_on == material.st_modified_on
    assert queued == [override.pk]
    entry = PricebookOverrideChange.objects.get(override=override)
    assert (entry.action, entry.user, entry.before, entry.after) == ("edited", editor, {}, {"price": "12.00"})


def test_bulk_writer_merges_like_save_override(editor, queued):
    items = [make_material() for _ in range(3)]
    synced = save_override(item_type="material", st_id=items[0].st_id, values={"name": "Old"}, queue_push=False)
    PricebookOverride.objects.filter(pk=synced.pk).update(status=Status.SYNCED)

    saved = save_overrides_bulk(
        [("material", item.st_id, {"price": Decimal("5")}) for item in items], tenant_id=TENANT_ID, user=editor,
        message="Approved in reprice #1.",
    )  # fmt: skip

    assert len(saved) == 3 and sorted(queued) == sorted(o.pk for o in saved)
    first = PricebookOverride.objects.get(pk=synced.pk)
    # A synced override starts afresh: its old name is ServiceTitan's now.
    assert first.override_name is None and first.override_price == Decimal("5") and first.status == Status.PENDING
    entries = PricebookOverrideChange.objects.filter(action="edited", message="Approved in reprice #1.")
    assert entries.count() == 3 and set(entries.values_list("user", flat=True)) == {editor.pk}
    assert entries.get(override=first).before == {"name": "Old"}


def test_bulk_writer_refuses_items_missing_from_the_mirror_and_saves_nothing(queued):
    item = make_material()
    with pytest.raises(OverrideError, match="not in the mirror"):
        save_overrides_bulk(
            [("material", item.st_id, {"price": Decimal(1)}), ("material", 1, {"price": Decimal(1)})],
            tenant_id=TENANT_ID,
        )
    assert not PricebookOverride.objects.exists() and queued == []


def test_bulk_writer_refuses_unknown_fields():
    item = make_material()
    with pytest.raises(OverrideError, match="cannot be overridden"):
        save_overrides_bulk([("material", item.st_id, {"colour": "red"})], tenant_id=TENANT_ID)


def test_cost_overrides_go_through_the_bulk_writer_and_skip_unknown_items(editor, queued):
    items = [make_material() for _ in range(2)]
    pushing = save_override(item_type="material", st_id=items[1].st_id, values={"price": Decimal(9)}, queue_push=False)
    PricebookOverride.objects.filter(pk=pushing.pk).update(status=Status.PUSHING)

    ids = save_cost_overrides(
        [(TENANT_ID, items[0].st_id, Decimal("3.5")), (TENANT_ID, items[1].st_id, Decimal(4)), (TENANT_ID, 7, Decimal(1))],
        user=editor, vendor="Acme", origin=PricebookOverride.Origin.IMPORT, message="Cost from Acme's price file.",
    )  # fmt: skip

    assert len(ids) == 2 and sorted(queued) == sorted(ids)
    by_item = {o.st_pricebook_id: o for o in PricebookOverride.objects.filter(pk__in=ids)}
    new = by_item[items[0].st_id]
    assert (new.override_cost, new.cost_vendor, new.origin, new.status) == (Decimal("3.5"), "Acme", "import", "pending")
    # An override being pushed stays `pushing` (the push sees the newer revision); its price edit is kept.
    held = by_item[items[1].st_id]
    assert held.status == Status.PUSHING and held.override_price == Decimal(9) and held.override_cost == Decimal(4)
    assert held.revision == pushing.revision + 1
    assert PricebookOverrideChange.objects.filter(action="edited", message__startswith="Cost from").count() == 2


# On SQLite Django splits a bulk INSERT by the backend's 999-parameter limit, so the count grows there by design.
@pytest.mark.postgresql
def test_the_bulk_writer_takes_a_constant_number_of_queries():
    def count(n: int) -> int:
        items = [make_material() for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            save_overrides_bulk(
                [("material", i.st_id, {"price": Decimal(2)}) for i in items], tenant_id=TENANT_ID, queue_push=False
            )
        return len(queries)

    assert count(3) == count(30)


def test_flag_conflicts_is_set_based_and_logs_each(editor):
    items = [make_material() for _ in range(4)]
    for item in items:
        _raw_for(item)
        save_override(item_type="material", st_id=item.st_id, values={"price": Decimal(3)}, queue_push=False)
    RawMaterial.objects.filter(st_id__in=[i.st_id for i in items[:3]]).update(
        st_modified_on=timezone.now() + timedelta(minutes=5)
    )

    with CaptureQueriesContext(connection) as queries:
        assert flag_conflicts("material") == 3
    assert len(queries) <= 5  # savepoint, SELECT … FOR UPDATE, UPDATE, history INSERT, release
    statuses = dict(PricebookOverride.objects.values_list("st_pricebook_id", "status"))
    assert [statuses[i.st_id] for i in items] == ["conflict", "conflict", "conflict", "pending"]
    assert PricebookOverrideChange.objects.filter(action="conflict").count() == 3
    assert flag_conflicts("material") == 0


def test_one_function_builds_change_log_rows(editor):
    item = make_material()
    override = save_override(item_type="material", st_id=item.st_id, values={"price": Decimal("7.5")}, queue_push=False)

    row = change_row(override, PricebookOverrideChange.Action.PUSHED, user=editor, message="Pushed.")

    assert row["override_id"] == override.pk and row["user_id"] == editor.pk
    assert row["after"] == snapshot(override) == {"price": "7.50"}
    assert (row["action"], row["message"], row["before"]) == ("pushed", "Pushed.", {})


def test_a_page_hook_with_no_open_edit_costs_one_exists_and_still_flags_when_there_is_one(editor):
    from pricebook.models import Material
    from pricebook.services.conflicts import flag_conflicts_after_page

    items = [make_material() for _ in range(3)]
    for item in items:
        _raw_for(item)
    payloads = [{"id": item.st_id} for item in items]
    with CaptureQueriesContext(connection) as queries:
        assert flag_conflicts_after_page(Material, payloads, TENANT_ID) == 0
    assert len(queries) == 1 and "pricebook_pricebookoverride" in queries[0]["sql"]  # the EXISTS, nothing else

    save_override(item_type="material", st_id=items[0].st_id, values={"price": Decimal(3)}, queue_push=False)
    RawMaterial.objects.filter(st_id=items[0].st_id).update(st_modified_on=timezone.now() + timedelta(minutes=5))
    assert flag_conflicts_after_page(Material, payloads, TENANT_ID) == 1
    assert PricebookOverride.objects.get(st_pricebook_id=items[0].st_id).status == "conflict"
