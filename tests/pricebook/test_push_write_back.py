"""The lean write-back of a push's re-read page stores exactly what the engine's page write (a sync of the same
page) stores: raw rows, master rows, relations, price history with the push's origin, services' rolled-up costs,
conflicts, record problems; compared row by row, column by column."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from pricebook.models import (
    Material,
    PricebookOverride,
    PriceHistory,
    RawMaterial,
    Service,
    ServiceMaterial,
)
from pricebook.selectors import item_kind
from pricebook.services.history import PushOrigin
from pricebook.services.overrides import save_override
from pricebook.services.refresh import write_back_pushed
from servicetitan.models import RecordProblem
from servicetitan.writethrough import store_records

NOW = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
MODIFIED = "2031-05-06T07:08:00.123456Z"


def _rows(queryset, exclude=("id",)) -> list[dict]:
    return [{k: v for k, v in model_to_dict(row).items() if k not in exclude} for row in queryset]


def _snapshot(tenant_id: int, st_ids: list[int]) -> dict:
    materials = Material.objects.filter(tenant_id=tenant_id, st_id__in=st_ids).order_by("st_id")
    services = ServiceMaterial.objects.filter(target_st_id__in=st_ids).values("service_id")
    return {
        "raw": list(
            RawMaterial.objects.filter(tenant_id=tenant_id, st_id__in=st_ids)
            .order_by("st_id")
            .values("st_id", "payload", "payload_hash", "st_modified_on", "active", "deleted", "fetched_at")
        ),
        # Every column of the master rows (generated margins included), but the surrogate key.
        "master": list(materials.values(*(f.attname for f in Material._meta.concrete_fields if f.name != "id"))),
        "categories": sorted(
            Material.categories.through.objects.filter(material__in=materials).values_list(
                "material__st_id", "category__st_id"
            )
        ),
        "history": sorted(
            PriceHistory.objects.values_list(
                "st_pricebook_id", "field", "old_value", "new_value", "source", "changed_at", "changed_by", "batch"
            ),
            key=repr,
        ),
        "services": list(
            Service.objects.filter(pk__in=services)
            .order_by("st_id")
            .values("st_id", "materials_cost", "equipment_cost", "total_cost", "synced_at")
        ),
        "overrides": list(PricebookOverride.objects.order_by("pk").values("pk", "status", "error_message")),
        "problems": _rows(RecordProblem.objects.order_by("st_id", "column"), exclude=("id", "seen_at")),
    }


def _page(synced_materials, editor):
    """A re-read page as ServiceTitan answers after a bulk PATCH: the pushed items with their new values, their new
    modifiedOn and the empty values the complete item filled in; one item also moved category (its relations
    change), one changed by someone else in ServiceTitan (not pushed) while it had a pending edit here, and one
    unchanged."""
    linked = set(ServiceMaterial.objects.exclude(material=None).values_list("target_st_id", flat=True))
    items = list(Material.objects.filter(active=True, deleted=False).order_by("st_id")[:40])
    with_services = [m for m in items if m.st_id in linked][:2]
    plain = [m for m in items if m.st_id not in linked][:5]
    assert len(with_services) == 2 and len(plain) == 5
    pushed_items = [*with_services, *plain[:3]]
    moved, others_edit, unchanged = plain[3], plain[4], items[-1]
    raw = {
        st_id: (payload, digest)
        for st_id, payload, digest in RawMaterial.objects.filter(
            st_id__in=[m.st_id for m in [*pushed_items, moved, others_edit, unchanged]]
        ).values_list("st_id", "payload", "payload_hash")
    }
    overrides = [
        save_override(
            item_type="material", st_id=m.st_id, values={"price": Decimal("123.45")}, queue_push=False, user=editor
        )
        for m in [*pushed_items, moved]
    ]
    # An edit staff made here that ServiceTitan's newer record now contradicts: it must end in conflict.
    save_override(item_type="material", st_id=others_edit.st_id, values={"price": Decimal("9.99")}, queue_push=False)
    page = []
    for m in [*pushed_items, moved]:
        payload = raw[m.st_id][0]
        page.append(
            {**payload, "price": 123.45, "modifiedOn": MODIFIED, "budgetCostCode": payload.get("budgetCostCode") or ""}
        )
    # A cost change (services' rolled-up costs follow), and a lowered member price.
    page[0] = {**page[0], "cost": (page[0].get("cost") or 0) + 7.5, "memberPrice": 1}
    page[-1] = {**page[-1], "categories": []}
    page.append({**raw[others_edit.st_id][0], "displayName": "Renamed in ServiceTitan", "modifiedOn": MODIFIED})
    page.append(raw[unchanged.st_id][0])
    pushed_from = {st_id: raw[st_id] for st_id in raw}
    st_ids = [p["id"] for p in page]
    return page, pushed_from, PushOrigin.of(overrides), st_ids


def _both_ways(tenant_id: int, page, pushed_from, origin, st_ids):
    with mock.patch("django.utils.timezone.now", return_value=NOW), transaction.atomic():
        before = transaction.savepoint()
        store_records("pricebook.materials", page, tenant_id, origin=origin)
        engine = _snapshot(tenant_id, st_ids)
        transaction.savepoint_rollback(before)
        with CaptureQueriesContext(connection) as captured:
            stored = write_back_pushed(item_kind("material"), page, tenant_id, origin=origin, pushed_from=pushed_from)
        lean = _snapshot(tenant_id, st_ids)
    return engine, lean, stored, captured


def test_the_lean_write_back_stores_what_a_sync_of_the_page_stores(synced, editor):
    tenant_id = Material.objects.values_list("tenant_id", flat=True).first()
    page, pushed_from, origin, st_ids = _page(synced, editor)
    engine, lean, stored, _ = _both_ways(tenant_id, page, pushed_from, origin, st_ids)

    assert [p["id"] for p in stored] == st_ids
    for table in engine:
        assert lean[table] == engine[table], table
    # The comparison is not empty: the page changed prices (as the push's, by the editor), a cost that services roll
    # up, a category, and put the other edit in conflict.
    assert {(f, s) for _, f, _, _, s, *_ in engine["history"]} >= {("price", "push"), ("cost", "push")}
    assert any(row[6] == editor.pk for row in engine["history"])
    assert engine["services"] and all(s["synced_at"] is not None for s in engine["services"])
    assert "conflict" in {o["status"] for o in engine["overrides"]}
    assert any(r["st_modified_on"] == datetime(2031, 5, 6, 7, 8, 0, 123456, tzinfo=UTC) for r in engine["raw"])


# Tells the paths apart by the engine's SQL master merge, which only PostgreSQL runs (SQLite maps in Python).
@pytest.mark.postgresql
def test_a_page_of_items_changed_only_in_what_was_pushed_skips_the_engines_merge(synced, editor):
    tenant_id = Material.objects.values_list("tenant_id", flat=True).first()
    page, pushed_from, origin, st_ids = _page(synced, editor)
    page, st_ids = page[:5], st_ids[:5]  # the pushed items whose relations did not change
    engine, lean, _, captured = _both_ways(tenant_id, page, pushed_from, origin, st_ids)

    assert lean == engine
    statements = [q["sql"] for q in captured.captured_queries]
    assert not any(
        s.startswith("WITH src AS MATERIALIZED") or 'INSERT INTO "pricebook_material"' in s for s in statements
    )
    assert any(s.startswith('UPDATE "pricebook_material" t SET') for s in statements)


# Tells the paths apart by the engine's SQL master merge, which only PostgreSQL runs (SQLite maps in Python).
@pytest.mark.postgresql
def test_a_record_the_mirror_changed_since_the_push_read_it_takes_the_page_write(synced, editor):
    tenant_id = Material.objects.values_list("tenant_id", flat=True).first()
    page, pushed_from, origin, st_ids = _page(synced, editor)
    page, st_ids = page[:1], st_ids[:1]
    # A sync stored another version meanwhile: the hash the push read is no longer the mirror's.
    pushed_from = {st_ids[0]: (pushed_from[st_ids[0]][0], "0" * 40)}
    engine, lean, _, captured = _both_ways(tenant_id, page, pushed_from, origin, st_ids)

    assert lean == engine
    assert any(q["sql"].startswith("WITH src AS MATERIALIZED") for q in captured.captured_queries)


# Tells the paths apart by the engine's SQL master merge, which only PostgreSQL runs (SQLite maps in Python).
@pytest.mark.postgresql
def test_a_record_with_recorded_problems_takes_the_page_write(synced, editor):
    tenant_id = Material.objects.values_list("tenant_id", flat=True).first()
    page, pushed_from, origin, st_ids = _page(synced, editor)
    page, st_ids = page[1:2], st_ids[1:2]
    # A value that did not fit when last synced: the page write replaces the item's problems, so must this.
    RecordProblem.objects.create(
        model="pricebook.material", tenant_id=tenant_id, st_id=str(st_ids[0]), column="code", message="too long"
    )
    engine, lean, _, captured = _both_ways(tenant_id, page, pushed_from, origin, st_ids)

    assert lean == engine
    assert engine["problems"] == []
    assert any(q["sql"].startswith("WITH src AS MATERIALIZED") for q in captured.captured_queries)
