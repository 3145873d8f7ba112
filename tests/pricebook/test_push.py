"""Pushing overrides to the simulator: edit → pending → pushed → synced, failures, conflicts, bulk, retries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from pricebook.models import Category, Material, PricebookOverride, PricebookOverrideChange, RawMaterial, Service
from pricebook.services import push as push_service
from pricebook.services.overrides import flag_conflicts, keep_mine, save_override
from pricebook.services.push import push_overrides, push_pending
from servicetitan.sync.engine import sync_targets

Status = PricebookOverride.Status
BULK = "PATCH /pricebook/v2/tenant/{tenant}/pricebook"
PATCH_MATERIAL = "PATCH /pricebook/v2/tenant/{tenant}/materials/{id}"


def materials(n: int) -> list[Material]:
    found = list(Material.objects.filter(active=True, deleted=False).order_by("st_id")[:n])
    assert len(found) == n, "the simulator's pricebook is too small for this test"
    return found


def override_price(item, price, user=None, item_type="material") -> PricebookOverride:
    return save_override(item_type=item_type, st_id=item.st_id, values={"price": Decimal(price)}, user=user)


def legacy_override(item, price, user=None, item_type="material") -> PricebookOverride:
    """An override LAZI no longer accepts (a negative price: refused before saving since the guardrails), as rows
    written before them still are; ServiceTitan refuses it at push time."""
    override = override_price(item, "1", user, item_type)
    PricebookOverride.objects.filter(pk=override.pk).update(override_price=Decimal(price))
    override.refresh_from_db()
    return override


def st_record(simulator, item, key="pricebook.materials") -> dict:
    return simulator.dataset.get(key, item.st_id)


def routes(simulator) -> dict:
    return simulator.stats.snapshot()["by_route"]


def test_edit_pending_pushed_synced(synced, editor):
    material = materials(1)[0]
    override = override_price(material, "123.45", editor)
    assert override.status == Status.PENDING
    assert PricebookOverride.objects.get(pk=override.pk).pending_sync is True

    result = push_overrides([override.pk])

    assert result.synced == [override.pk]
    override.refresh_from_db()
    assert override.status == Status.SYNCED and override.pending_sync is False
    assert override.last_synced_at is not None and override.error_message == ""
    assert st_record(synced, material)["price"] == 123.45
    material.refresh_from_db()
    assert material.price == Decimal("123.45")
    # The new base is ServiceTitan's answer, so the next edit does not conflict with our own push.
    assert override.base_modified_on == material.st_modified_on
    # Single path: a cheap GET (fresh record, conflict check), then PATCH with only the changed field.
    assert routes(synced) == {"GET /pricebook/v2/tenant/{tenant}/materials/{id}": 1, PATCH_MATERIAL: 1}
    actions = list(PricebookOverrideChange.objects.filter(override=override).values_list("action", flat=True))
    assert actions == ["pushed", "edited"]


def test_only_changed_fields_are_sent(synced, editor, monkeypatch):
    material = materials(1)[0]
    override = save_override(
        item_type="material",
        st_id=material.st_id,
        values={"price": Decimal("77.10"), "name": material.name},  # the name is ServiceTitan's already
        user=editor,
    )
    sent = []
    from servicetitan.client.client import ServiceTitanClient

    original = ServiceTitanClient.update

    def recording_update(self, key, st_id, body):
        sent.append(body)
        return original(self, key, st_id, body)

    monkeypatch.setattr(ServiceTitanClient, "update", recording_update)
    push_overrides([override.pk])
    assert sent == [{"price": 77.1}]


def test_negative_price_fails_with_servicetitans_message_and_keeps_the_edit(synced, editor):
    material = materials(1)[0]
    before = st_record(synced, material)["price"]
    override = legacy_override(material, "-5", editor)

    result = push_overrides([override.pk])

    override.refresh_from_db()
    assert result.failed and override.status == Status.FAILED
    assert "Price must be greater than or equal to 0" in override.error_message
    assert override.field_errors == {"price": ["Price must be greater than or equal to 0"]}
    assert override.override_price == Decimal("-5")  # the edit stays
    assert st_record(synced, material)["price"] == before
    # A refused value is never shown as the item's price: the effective price stays ServiceTitan's, in lists too.
    from pricebook.selectors import effective_values, with_effective_values

    material.refresh_from_db()
    assert material.price == Decimal(str(before))
    assert effective_values(material)["price"] == Decimal(str(before))
    listed = with_effective_values(Material.objects.filter(pk=material.pk)).get()
    assert listed.effective_price == Decimal(str(before)) and listed.override_status == Status.FAILED


def test_conflict_at_push_time_single(synced, editor):
    material = materials(1)[0]
    override = override_price(material, "50", editor)
    synced.dataset.update("pricebook.materials", material.st_id, {"price": 61.0})

    result = push_overrides([override.pk])

    override.refresh_from_db()
    assert result.conflicts == [override.pk] and override.status == Status.CONFLICT
    assert PATCH_MATERIAL not in routes(synced)
    assert st_record(synced, material)["price"] == 61.0
    # The fresh record is in the mirror: the item shows both values.
    material.refresh_from_db()
    assert material.price == Decimal("61") and override.override_price == Decimal("50")

    keep_mine(override, user=editor)
    override.refresh_from_db()
    assert override.status == Status.PENDING
    push_overrides([override.pk])
    override.refresh_from_db()
    assert override.status == Status.SYNCED
    assert st_record(synced, material)["price"] == 50.0


def test_conflict_in_a_batch_uses_the_synced_raw(synced, editor):
    items = materials(4)
    overrides = [override_price(item, "11.11", editor) for item in items]
    # As if a sync had stored a newer ServiceTitan version without flagging it (the push must not trust that it did).
    RawMaterial.objects.filter(st_id=items[0].st_id).update(st_modified_on=timezone.now() + timedelta(minutes=1))

    result = push_overrides([o.pk for o in overrides], mode="bulk")

    assert result.conflicts == [overrides[0].pk]
    assert sorted(result.synced) == sorted(o.pk for o in overrides[1:])
    assert st_record(synced, items[0])["price"] != 11.11
    assert all(st_record(synced, item)["price"] == 11.11 for item in items[1:])


def test_conflict_when_a_sync_brings_a_newer_record(synced, editor):
    material = materials(1)[0]
    override = override_price(material, "42", editor)
    synced.dataset.update("pricebook.materials", material.st_id, {"description": "Changed in ServiceTitan"})
    sync_targets(["pricebook.materials"])

    # The sync's page hook flagged it already; the push path checks again and finds nothing new.
    override.refresh_from_db()
    assert override.status == Status.CONFLICT
    assert flag_conflicts("material") == 0
    assert PricebookOverrideChange.objects.filter(override=override, action="conflict").exists()

    synced.reset_stats()
    result = push_pending()
    assert result.synced == [] and PATCH_MATERIAL not in routes(synced)


def test_push_pending_flags_conflicts_before_pushing(synced, editor):
    material = materials(1)[0]
    override = override_price(material, "42", editor)
    synced.dataset.update("pricebook.materials", material.st_id, {"description": "Changed in ServiceTitan"})
    sync_targets(["pricebook.materials"])

    push_pending()

    override.refresh_from_db()
    assert override.status == Status.CONFLICT


def test_a_rejected_batch_is_split_and_each_bad_item_keeps_its_message(synced, editor):
    items = materials(6)
    overrides = [override_price(item, "20", editor) for item in items]
    bad = legacy_override(items[3], "-1", editor)

    result = push_overrides([o.pk for o in overrides], mode="bulk")

    assert list(result.failed) == [bad.pk]
    bad.refresh_from_db()
    assert bad.status == Status.FAILED and "Price must be greater than or equal to 0" in bad.error_message
    assert bad.field_errors == {"price": ["Price must be greater than or equal to 0"]}
    good = [o for o in overrides if o.pk != bad.pk]
    assert sorted(result.synced) == sorted(o.pk for o in good)
    assert all(st_record(synced, item)["price"] == 20 for item in items if item.st_id != items[3].st_id)


def test_batch_split_without_indexes_still_isolates_the_bad_item(synced, editor, monkeypatch):
    """When ServiceTitan does not say which item is wrong, halves are retried until the bad one is alone."""
    items = materials(5)
    overrides = [override_price(item, "30", editor) for item in items[:4]]
    overrides.append(legacy_override(items[4], "-3", editor))
    monkeypatch.setattr(push_service, "_bad_indexes", lambda exc, size: set())

    result = push_overrides([o.pk for o in overrides], mode="bulk")

    assert list(result.failed) == [overrides[-1].pk]
    assert len(result.synced) == 4
    assert "Price must be greater than or equal to 0" in result.failed[overrides[-1].pk]


def test_many_pending_overrides_go_in_a_few_requests(make_simulator, editor):
    server = make_simulator(scale=0.07)
    assert all(run.status == "succeeded" for run in sync_targets(["pricebook"], full=True))
    items = materials(300)
    for index, item in enumerate(items):
        save_override(item_type="material", st_id=item.st_id, values={"price": Decimal(100 + index)}, user=editor)
    server.reset_stats()

    result = push_pending()

    assert len(result.synced) == 300
    # Items without a primary vendor cannot be bulk items (the schema requires one): one PATCH each, no GET.
    from tests.pricebook.test_central_push import without_primary_vendor

    alone = without_primary_vendor(items[0].tenant_id, items)
    assert server.stats.total <= 5 + alone, server.stats.snapshot()
    assert server.stats.calls("PATCH", "/pricebook/v2/tenant/{tenant}/pricebook") == 1
    assert server.stats.calls("PATCH", "/pricebook/v2/tenant/{tenant}/materials/{id}") == alone
    assert all(
        server.dataset.get("pricebook.materials", item.st_id)["price"] == 100 + i for i, item in enumerate(items)
    )
    prices = dict(Material.objects.filter(st_id__in=[i.st_id for i in items]).values_list("st_id", "price"))
    assert all(prices[item.st_id] == Decimal(100 + i) for i, item in enumerate(items))


def test_services_and_equipment_bulk_items_are_accepted(synced, editor):
    services = list(Service.objects.filter(active=True)[:3])
    overrides = [override_price(s, "999", editor, item_type="service") for s in services]
    from pricebook.models import Equipment

    equipment = list(Equipment.objects.filter(active=True)[:3])
    overrides += [
        save_override(item_type="equipment", st_id=e.st_id, values={"member_price": Decimal("888")}, user=editor)
        for e in equipment
    ]

    result = push_overrides([o.pk for o in overrides], mode="bulk")

    assert not result.failed, result.failed
    assert len(result.synced) == len(overrides)
    assert all(synced.dataset.get("pricebook.services", s.st_id)["price"] == 999 for s in services)
    assert all(synced.dataset.get("pricebook.equipment", e.st_id)["memberPrice"] == 888 for e in equipment)


def test_category_override_goes_one_by_one(synced, editor):

    category = Category.objects.filter(active=True).first()
    override = save_override(item_type="category", st_id=category.st_id, values={"name": "Renamed"}, user=editor)

    result = push_overrides([override.pk], mode="bulk")

    assert result.synced == [override.pk]
    assert synced.dataset.get("pricebook.categories", category.st_id)["name"] == "Renamed"
    category.refresh_from_db()
    assert category.name == "Renamed"


def test_temporary_failures_leave_overrides_pending(synced, editor, settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "MAX_ATTEMPTS": 1}
    material = materials(1)[0]
    override = override_price(material, "70", editor)
    synced.faults.error_rate = 1.0

    result = push_overrides([override.pk])

    override.refresh_from_db()
    assert result.retry == [override.pk] and override.status == Status.PENDING
    assert override.error_message.startswith("Waiting to retry")
    synced.faults.error_rate = 0.0
    push_pending()
    override.refresh_from_db()
    assert override.status == Status.SYNCED


def test_an_override_is_never_pushed_by_two_pushes_at_once(synced, editor):
    material = materials(1)[0]
    override = override_price(material, "12", editor)
    claimed = push_service._claim([override.pk])
    assert [o.pk for o in claimed] == [override.pk]

    # A second push meanwhile finds nothing to do.
    result = push_overrides([override.pk])
    assert result.skipped == [override.pk] and synced.stats.total == 0

    # A worker that died mid-push: after the timeout the override is pending again and pushed.
    PricebookOverride.objects.filter(pk=override.pk).update(push_started_at=timezone.now() - timedelta(hours=1))
    result = push_pending()
    override.refresh_from_db()
    assert result.synced == [override.pk] and override.status == Status.SYNCED


def test_an_edit_during_a_push_stays_pending(synced, editor, monkeypatch):
    material = materials(1)[0]
    override = override_price(material, "15", editor)
    from servicetitan.client.client import ServiceTitanClient

    original = ServiceTitanClient.update

    def update_while_staff_edits(self, key, st_id, body):
        save_override(item_type="material", st_id=st_id, values={"price": Decimal("16")}, user=editor)
        return original(self, key, st_id, body)

    monkeypatch.setattr(ServiceTitanClient, "update", update_while_staff_edits)
    result = push_overrides([override.pk])

    override.refresh_from_db()
    assert override.pk in result.retry
    assert override.status == Status.PENDING and override.override_price == Decimal("16")


def test_saving_queues_the_push_on_commit(synced, editor, django_capture_on_commit_callbacks):
    material = materials(1)[0]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        override = override_price(material, "64.50", editor)
    assert len(callbacks) == 1
    override.refresh_from_db()
    assert override.status == Status.SYNCED
    assert st_record(synced, material)["price"] == 64.5


def test_unconfigured_servicetitan_keeps_overrides_pending(db, editor, settings):
    from tests.pricebook.factories import make_material

    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "CLIENT_ID": "", "CLIENT_SECRET": ""}
    material = make_material()
    override = override_price(material, "5", editor)

    result = push_pending()

    override.refresh_from_db()
    assert override.status == Status.PENDING and result.retry == [override.pk]
    assert "SERVICE_TITAN" in result.error


@pytest.mark.parametrize("mode", ["single", "bulk"])
def test_dry_run_changes_nothing(synced, editor, mode):
    items = materials(3)
    for item in items:
        override_price(item, "1", editor)
    result = push_pending(dry_run=True, mode=mode)
    assert "3 material override(s) would be pushed" in result.summary()
    assert synced.stats.total == 0
    assert PricebookOverride.objects.filter(status=Status.PENDING).count() == 3


def test_two_pushes_at_the_same_time_send_each_override_once(simulator, transactional_db):
    """Two workers racing on the same overrides: each override is claimed by one of them only."""
    import threading

    from django.db import connection

    assert all(run.status == "succeeded" for run in sync_targets(["pricebook"], full=True))
    items = materials(4)
    ids = [
        save_override(item_type="material", st_id=i.st_id, values={"price": Decimal("44.44")}, queue_push=False).pk
        for i in items
    ]
    simulator.reset_stats()
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(push_overrides(ids, mode="single"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert simulator.stats.calls("PATCH", "/pricebook/v2/tenant/{tenant}/materials/{id}") == 4
    assert sorted(pk for result in results for pk in result.synced) == sorted(ids)
    assert set(PricebookOverride.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SYNCED}


def test_a_category_sync_flags_its_pending_override(synced, editor):
    category = Category.objects.filter(active=True, deleted=False).first()
    override = save_override(item_type="category", st_id=category.st_id, values={"name": "Ours"}, user=editor)
    synced.dataset.update("pricebook.categories", category.st_id, {"name": "Theirs"})

    sync_targets(["pricebook.categories"])

    override.refresh_from_db()
    assert override.status == Status.CONFLICT
