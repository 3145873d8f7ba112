"""The sync engine against the simulator and the real database: exact mirrors, incremental runs, faults, crashes."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from django.db import connection

from devtools.simulator import DEMO_TENANT_ID, FaultConfig
from pricebook.models import Category, Material, RawMaterial, Service
from servicetitan import registry
from servicetitan.models import SyncCursor, SyncRun
from servicetitan.sync import engine, upsert
from servicetitan.sync.engine import rebuild_targets, sync_stream, sync_targets
from servicetitan.sync.streams import all_streams
from servicetitan.sync.upsert import upsert_records
from tests.servicetitan.sync_support import PRICEBOOK, BlockingProgress, CrashAfter, assert_mirror_equals

pytestmark = pytest.mark.django_db

EXPORT_BATCH = 9  # small export batches: every entity spans several pages


@pytest.fixture
def fast_retries(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "BACKOFF_BASE": 0.01, "BACKOFF_MAX": 0.05}


@pytest.fixture
def sim(make_simulator, fast_retries):
    return make_simulator(scale=0.02, export_batch_size=EXPORT_BATCH)


def statuses(runs):
    return {run.target: run.status for run in runs}


def test_full_sync_mirrors_the_simulator_field_for_field_inactive_included(sim):
    sim.dataset.deactivate("pricebook.materials", 3)
    sim.dataset.deactivate("pricebook.categories", 1)

    runs = sync_targets(["pricebook"], full=True)

    assert statuses(runs) == dict.fromkeys(PRICEBOOK, SyncRun.Status.SUCCEEDED)
    assert_mirror_equals(sim)
    assert Material.objects.filter(active=False).count() >= 3
    materials = next(run for run in runs if run.target == "pricebook.materials")
    assert materials.created == len(sim.dataset.records("pricebook.materials"))
    assert materials.pages > 1
    assert materials.api_calls == materials.pages  # export: one call per batch, nothing more


def test_full_sync_expands_the_category_tree_and_links_items(sim):
    sync_targets(["pricebook"], full=True)

    records = {r["id"]: r for r in sim.dataset.records("pricebook.categories")}
    for category in Category.objects.select_related("parent"):
        record = records[category.st_id]
        assert category.category_type == record["categoryType"]
        if record["parentId"] is None:
            assert (category.parent, category.depth, category.path) == (None, 0, record["name"])
        else:
            assert category.parent.st_id == record["parentId"]
            assert category.depth == category.parent.depth + 1
            assert category.path == f"{category.parent.path} > {record['name']}"
    assert Category.objects.filter(depth__gt=0).exists()

    for material in Material.objects.prefetch_related("categories"):
        assert {c.st_id for c in material.categories.all()} == set(material.category_ids)
    for record in sim.dataset.records("pricebook.services"):
        service = Service.objects.get(st_id=record["id"])
        assert {c.st_id for c in service.categories.all()} == {c["id"] for c in record["categories"]}
        assert sorted(service.linked_materials.values_list("st_id", flat=True)) == sorted(
            link["skuId"] for link in record["serviceMaterials"]
        )
        assert sorted(service.linked_equipment.values_list("st_id", flat=True)) == sorted(
            link["skuId"] for link in record["serviceEquipment"]
        )
        assert sorted(service.recommendation_links.values_list("target_st_id", flat=True)) == sorted(
            record["recommendations"]
        )
        assert sorted(service.upgrade_services.values_list("st_id", flat=True)) == sorted(record["upgrades"])


def test_incremental_sync_after_changes_is_exact_and_a_quiet_run_costs_one_call_per_entity(sim):
    sync_targets(["pricebook"], full=True)
    changes = {
        key: sim.dataset.mutate(key, modify=3, deactivate=2, create=2, delete=1)
        for key in ("pricebook.materials", "pricebook.services", "pricebook.equipment")
    }

    runs = {run.target: run for run in sync_targets(["pricebook"])}

    assert_mirror_equals(sim)
    materials = runs["pricebook.materials"]
    assert materials.status == SyncRun.Status.SUCCEEDED
    assert materials.created == 2
    # deactivated: the two deactivations and the deletion (ServiceTitan's export shows deleted records inactive).
    assert materials.deactivated == len({*changes["pricebook.materials"]["deactivated"]}) + 1
    assert materials.created + materials.updated <= 8
    for deleted_id in changes["pricebook.materials"]["deleted"]:
        assert not Material.objects.get(st_id=deleted_id).active

    sim.reset_stats()
    quiet = sync_targets(["pricebook"])
    # One call per entity (the markup table, without a change filter, is refreshed whole: one page).
    assert [run.api_calls for run in quiet] == [1] * len(PRICEBOOK)
    assert sim.stats.total == len(PRICEBOOK)
    assert all(run.created == run.updated == 0 for run in quiet)


def test_faults_retries_and_short_tokens_still_give_an_exact_mirror(make_simulator, fast_retries):
    faults = FaultConfig(
        error_rate=0.2, rate_limit_rate=0.1, truncate_rate=0.1, token_lifetime=5, retry_after=0, seed=7
    )
    sim = make_simulator(scale=0.02, export_batch_size=EXPORT_BATCH, faults=faults)

    runs = sync_targets(["pricebook"], full=True)
    sim.dataset.mutate("pricebook.materials", modify=4, create=3, deactivate=2)
    runs += sync_targets(["pricebook"])

    assert {run.status for run in runs} == {SyncRun.Status.SUCCEEDED}
    assert sum(run.retries for run in runs) > 0
    assert_mirror_equals(sim)


def test_a_crash_after_k_pages_resumes_from_the_saved_token_without_duplicates(sim):
    stream = all_streams()["pricebook.materials"]
    sync_targets(["pricebook.categories"])
    total_pages = -(-len(sim.dataset.records("pricebook.materials")) // EXPORT_BATCH)
    assert total_pages >= 4

    crashed = sync_stream(stream, progress=CrashAfter(2))

    assert crashed.status == SyncRun.Status.FAILED
    assert "simulated crash after 2 pages" in crashed.error
    assert crashed.pages == 2
    assert RawMaterial.objects.count() == 2 * EXPORT_BATCH
    assert SyncCursor.objects.get(target="pricebook.materials").export_token

    resumed = sync_stream(stream)

    assert resumed.status == SyncRun.Status.SUCCEEDED
    assert resumed.created == len(sim.dataset.records("pricebook.materials")) - 2 * EXPORT_BATCH
    assert resumed.api_calls == total_pages - 2  # nothing fetched twice, nothing skipped
    assert_mirror_equals(sim, ["pricebook.materials"])


def test_a_failure_inside_a_page_rolls_back_that_page_and_its_cursor(sim):
    stream = all_streams()["pricebook.materials"]
    calls = {"n": 0}

    def failing_relations(master, payloads, tenant_id):
        # Runs after the page's raw and master rows are written, before its cursor: fail on the third page.
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("database went away mid-page")
        stream.after_page(master, payloads, tenant_id)

    failed = sync_stream(dataclasses.replace(stream, after_page=failing_relations))

    assert failed.status == SyncRun.Status.FAILED
    assert failed.pages == 2
    # Page 3's raw rows were written before the failure, in the same transaction: rolled back with it.
    assert RawMaterial.objects.count() == Material.objects.count() == 2 * EXPORT_BATCH

    rerun = sync_stream(stream)
    assert rerun.status == SyncRun.Status.SUCCEEDED
    assert rerun.unchanged == 0  # restarted exactly at page 3
    assert_mirror_equals(sim, ["pricebook.materials"])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_of_an_entity_do_not_both_run(sim):
    stream = all_streams()["pricebook.categories"]
    blocker = BlockingProgress()
    first: list[SyncRun] = []

    def run_first():
        try:
            first.append(sync_stream(stream, progress=blocker))
        finally:
            connection.close()

    thread = threading.Thread(target=run_first)
    thread.start()
    try:
        assert blocker.parked.wait(30)
        second = sync_stream(stream)
    finally:
        blocker.release.set()
        thread.join(30)

    assert second.status == SyncRun.Status.SKIPPED
    assert "in progress" in second.error
    assert first[0].status == SyncRun.Status.SUCCEEDED
    # The skipped request is not dropped: the holder ran once more, incrementally, when it finished.
    follow_up = SyncRun.objects.get(triggered_by=f"follow-up of run {first[0].pk}")
    assert follow_up.status == SyncRun.Status.SUCCEEDED and not follow_up.full
    assert follow_up.started_at >= first[0].finished_at
    assert not SyncCursor.objects.get(target=stream.key).follow_up_requested_at
    third = sync_stream(stream)  # the lock is free again, and nothing asks for a follow-up
    assert third.status == SyncRun.Status.SUCCEEDED
    assert SyncRun.objects.filter(target=stream.key).count() == 4  # first, skipped, follow-up, third


def test_a_request_arriving_during_a_run_is_served_by_a_follow_up_and_steady_requests_are_bounded(sim, monkeypatch):
    stream = all_streams()["pricebook.categories"]

    class RequestsWhileRunning:
        """Every run gets a request for another run while it is on its first page (as a webhook would)."""

        def started(self, stream, run):
            pass

        def page(self, stream, run, records):
            engine.request_follow_up(run.tenant_id, stream.key)

        def finished(self, stream, run):
            pass

    monkeypatch.setattr(engine, "MAX_FOLLOW_UPS", 2)
    run = sync_stream(stream, full=True, progress=RequestsWhileRunning(), triggered_by="test")

    follow_ups = SyncRun.objects.filter(triggered_by=f"follow-up of run {run.pk}").order_by("started_at")
    assert [r.status for r in follow_ups] == [SyncRun.Status.SUCCEEDED] * 2  # bounded, not one per request forever
    assert not any(r.full for r in follow_ups)
    # The last request is kept for the next run rather than dropped.
    assert SyncCursor.objects.get(target=stream.key).follow_up_requested_at is not None


def test_a_run_left_running_by_a_dead_process_is_closed_by_the_next_run(sim):
    stream = all_streams()["pricebook.categories"]
    dead = SyncRun.objects.create(target=stream.key, tenant_id=DEMO_TENANT_ID, worker="elsewhere:1")

    sync_stream(stream)

    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.FAILED
    assert "Interrupted" in dead.error
    assert dead.finished_at is not None


def test_rebuild_reproduces_master_rows_and_relations_from_raw_without_calls(sim):
    sync_targets(["pricebook"], full=True)
    before = {
        "materials": list(Material.objects.order_by("st_id").values()),
        "categories": list(
            Category.objects.order_by("st_id").values("st_id", "name", "depth", "path", "parent__st_id")
        ),
        "links": sorted(Service.objects.values_list("st_id", "linked_materials__st_id", "upgrade_services__st_id")),
        "material_categories": sorted(Material.objects.values_list("st_id", "categories__st_id")),
    }
    sim.stop()  # any ServiceTitan call would now fail
    for model in (Service, Material, Category):
        model.objects.all().delete()

    counts = rebuild_targets(["pricebook"])

    assert counts["pricebook.materials"] == len(before["materials"])
    after_materials = list(Material.objects.order_by("st_id").values())
    strip = ("id", "synced_at")
    assert [{k: v for k, v in row.items() if k not in strip} for row in after_materials] == [
        {k: v for k, v in row.items() if k not in strip} for row in before["materials"]
    ]
    assert (
        list(Category.objects.order_by("st_id").values("st_id", "name", "depth", "path", "parent__st_id"))
        == before["categories"]
    )
    assert (
        sorted(Service.objects.values_list("st_id", "linked_materials__st_id", "upgrade_services__st_id"))
        == (before["links"])
    )
    assert sorted(Material.objects.values_list("st_id", "categories__st_id")) == before["material_categories"]


def test_rebuild_in_small_chunks_covers_every_raw_row_once(sim, monkeypatch):
    from crm.models import Customer, RawCustomer

    keys = ["pricebook.materials", "crm.customers"]  # with relations, and without
    sync_targets(["pricebook.categories", *keys], full=True)
    for model in (Material, Customer):
        model.objects.filter(st_id__in=list(model.objects.values_list("st_id", flat=True)[::2])).delete()
        model.objects.update(name="stale")
    monkeypatch.setattr(
        upsert, "REBUILD_CHUNK", 7
    )  # many chunks, a partial last one (rebuild_stream is beside write_page)

    counts = rebuild_targets(keys)

    assert counts == {"pricebook.materials": RawMaterial.objects.count(), "crm.customers": RawCustomer.objects.count()}
    assert_mirror_equals(sim, keys)


def _resource_without(monkeypatch, key: str, **changes):
    monkeypatch.setitem(registry.RESOURCES, key, dataclasses.replace(registry.RESOURCES[key], **changes))


def test_list_endpoint_streams_use_the_change_filter_and_a_full_pass_marks_vanished_records(sim, monkeypatch):
    _resource_without(monkeypatch, "pricebook.materials", export_path=None)
    stream = all_streams()["pricebook.materials"]
    first = sync_stream(stream)
    assert first.status == SyncRun.Status.SUCCEEDED
    assert_mirror_equals(sim, ["pricebook.materials"], kind="list")
    cursor = SyncCursor.objects.get(target=stream.key)
    assert cursor.modified_since == first.started_at

    changed = sim.dataset.mutate(stream.key, modify=2, deactivate=2, create=1, delete=1)
    incremental = sync_stream(stream)
    assert (incremental.created, incremental.deactivated) == (1, 2)
    # Only the changes (plus the safety overlap) were listed, not the whole collection.
    assert incremental.created + incremental.updated + incremental.unchanged < RawMaterial.objects.count() / 2
    gone = changed["deleted"][0]
    assert not RawMaterial.objects.get(st_id=gone).deleted  # a list never shows deletions ...

    full = sync_stream(stream, full=True)
    assert full.deleted == 1  # ... a complete pass does: flagged, not dropped
    assert RawMaterial.objects.get(st_id=gone).deleted
    assert Material.objects.get(st_id=gone).deleted
    assert Material.objects.filter(deleted=True).count() == 1


def test_a_first_sync_skips_the_sweep_for_unseen_rows_and_a_later_full_pass_does_not(sim):
    stream = all_streams()["pricebook.materials"]
    raw_table = RawMaterial._meta.db_table

    def sync_and_sweeps():
        statements = []  # the engine resets Django's query log every page: record them as they run

        def record(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            run = sync_stream(stream, full=True)
        assert run.status == SyncRun.Status.SUCCEEDED
        return run, [sql for sql in statements if raw_table in sql and '"fetched_at" <' in sql]

    first, sweeps = sync_and_sweeps()
    assert sweeps == []  # nothing mirrored before: nothing can have vanished

    # A row ServiceTitan no longer has (it vanished without a deleted marker): a later complete pass flags it.
    vanished = RawMaterial.objects.create(
        tenant_id=DEMO_TENANT_ID,
        st_id=987654321,
        payload={"id": 987654321},
        payload_hash="x",
        fetched_at=first.started_at,
    )
    full, sweeps = sync_and_sweeps()
    assert sweeps
    assert full.deleted == 1
    vanished.refresh_from_db()
    assert vanished.deleted


def test_collections_without_a_change_filter_are_refreshed_whole(sim, monkeypatch):
    _resource_without(monkeypatch, "pricebook.equipment", export_path=None, modified_filter=None)
    stream = all_streams()["pricebook.equipment"]
    sync_stream(stream)
    gone = sim.dataset.delete(stream.key, 2)

    run = sync_stream(stream)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.deleted == 2
    assert run.unchanged == len(sim.dataset.records(stream.key)) - 2
    assert set(stream.raw().objects.filter(deleted=True).values_list("st_id", flat=True)) == set(gone)
    # A record that comes back is no longer deleted.
    assert stream.master().objects.filter(deleted=False).count() == len(sim.dataset.records(stream.key)) - 2


def test_upsert_records_writes_an_answer_into_raw_master_and_relations(sim):
    sync_targets(["pricebook"], full=True)
    stream = all_streams()["pricebook.materials"]
    payload = dict(RawMaterial.objects.filter(active=True).first().payload)
    category = Category.objects.filter(category_type="Materials").exclude(st_id__in=payload["categories"]).first()
    answer = {**payload, "displayName": "Copper pipe, renamed", "price": 12.5, "categories": [category.st_id]}

    result = upsert_records(stream, [answer], DEMO_TENANT_ID)
    again = upsert_records(stream, [answer], DEMO_TENANT_ID)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    material = Material.objects.get(st_id=payload["id"])
    assert material.name == "Copper pipe, renamed"
    assert str(material.price) == "12.5000"
    assert list(material.categories.values_list("st_id", flat=True)) == [category.st_id]
    assert RawMaterial.objects.get(st_id=payload["id"]).payload["displayName"] == "Copper pipe, renamed"


def test_an_unconfigured_deployment_records_failed_runs_with_a_clear_message(settings):
    settings.SERVICE_TITAN = {**settings.SERVICE_TITAN, "CLIENT_ID": "", "CLIENT_SECRET": ""}

    runs = sync_targets(["pricebook.categories"])

    assert [run.status for run in runs] == [SyncRun.Status.FAILED]
    assert "SERVICE_TITAN_CLIENT_ID" in runs[0].error
