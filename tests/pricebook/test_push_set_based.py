"""The push path: one way (no module reaches back), set-based (queries do not grow with the items), and the task
re-queues what a push returns."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pricebook.tasks as tasks
from pricebook.models import Material, PricebookOverride, PricebookOverrideChange, PriceHistory
from pricebook.services.overrides import save_override
from pricebook.services.push import PushResult, push_overrides

SERVICES = Path(__file__).resolve().parents[2] / "pricebook" / "services"


def _imports(module: str) -> set[str]:
    tree = ast.parse((SERVICES / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_push_path_runs_one_way():
    push = _imports("push")
    assert "pricebook.services.overrides" not in push and "pricebook.tasks" not in push
    for module in ("history", "conflicts", "refresh"):
        assert not {"pricebook.services.overrides", "pricebook.services.push", "pricebook.tasks"} & _imports(module)
    assert not {"pricebook.services.push"} & _imports("overrides")


def _pending(items, price) -> list[int]:
    return [
        save_override(item_type="material", st_id=i.st_id, values={"price": Decimal(price)}, queue_push=False).pk
        for i in items
    ]


def test_a_bulk_push_takes_the_same_queries_for_more_items(synced, editor):
    # Each group has items with and without a primary vendor (those go by PATCH …/{id}: the bulk schema requires one).
    from pricebook.models import RawMaterial

    bare = set(RawMaterial.objects.filter(payload__primaryVendor=None).values_list("st_id", flat=True)) | set(
        RawMaterial.objects.exclude(payload__has_key="primaryVendor").values_list("st_id", flat=True)
    )
    active = list(Material.objects.filter(active=True, deleted=False).order_by("st_id"))
    with_vendor = [i for i in active if i.st_id not in bare]
    without = [i for i in active if i.st_id in bare]
    assert len(with_vendor) >= 17 and len(without) >= 3, "the simulator's pricebook is too small for this test"
    items = with_vendor[:3] + without[:1] + with_vendor[3:17] + without[1:3]

    def queries(group, price) -> int:
        ids = _pending(group, price)
        with CaptureQueriesContext(connection) as captured:
            result = push_overrides(ids, mode="bulk")
        assert sorted(result.synced) == sorted(ids)
        return len(captured)

    assert queries(items[:4], "31") == queries(items[4:], "32")
    # Every pushed item has its change-log entry and its price change recorded as the push's.
    assert PricebookOverrideChange.objects.filter(action="pushed").count() == 20
    assert PriceHistory.objects.filter(source="push", field="price").count() == 20
    assert set(PricebookOverride.objects.values_list("status", flat=True)) == {"synced"}


def test_the_task_requeues_what_the_push_returns(monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "push_overrides", lambda ids: PushResult(retry=[1, 2], edited=[2]))
    monkeypatch.setattr(tasks, "enqueue_push", lambda ids: queued.append(list(ids)))

    outcome = tasks.push_overrides_task.apply(args=[[1, 2]]).get()

    # The edit made during the push goes next, at once; the temporary failure waits for the retry (eager: the
    # scheduled push).
    assert queued == [[2]] and outcome["retry"] == 2


def test_in_ids_is_the_mirrors_any_of_with_a_constant_array_on_postgresql(db):
    from pricebook.services.rowsets import _InArray, in_ids
    from servicetitan.sync.bulk import AnyOf

    assert issubclass(_InArray, AnyOf)
    ours = str(PricebookOverride.objects.filter(in_ids("pk", [1, 2])).query)
    mirrors = str(PricebookOverride.objects.filter(pk__any_of=[1, 2]).query)
    if connection.vendor == "postgresql":
        assert "= ANY(" in ours and "UNNEST" not in ours
        assert "UNNEST" in mirrors
    else:
        assert "IN (1, 2)" in ours and "IN (1, 2)" in mirrors
    assert list(PricebookOverride.objects.filter(in_ids("pk", []))) == []


def test_the_bulk_push_pauses_the_cyclic_collector_and_restores_it(synced, editor, monkeypatch):
    import gc

    import pricebook.services.push as push

    items = list(Material.objects.filter(active=True, deleted=False).order_by("st_id")[:4])
    seen = []
    original = push._push_bulk

    def spying(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(push, "_push_bulk", spying)
    assert gc.isenabled()
    result = push_overrides(_pending(items, "33"), mode="bulk")
    assert len(result.synced) == 4 and seen == [False] and gc.isenabled()

    # Also after a failure inside the bulk path; and a collector the caller had disabled stays disabled.
    monkeypatch.setattr(push, "_push_bulk", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    ids = _pending(items, "34")
    with pytest.raises(RuntimeError, match="boom"):
        push_overrides(ids, mode="bulk")
    assert gc.isenabled()
    gc.disable()
    try:
        with push._collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)  # the other connection must see the overrides to lock one
def test_the_claim_answers_the_overrides_as_stored_and_skips_rows_another_push_holds(synced, editor):
    from pricebook.services.push import _claim

    items = list(Material.objects.filter(active=True, deleted=False).order_by("st_id")[:3])
    ids = _pending(items, "34")
    taken, held, done = ids
    PricebookOverride.objects.filter(pk=done).update(status=PricebookOverride.Status.SYNCED)

    # Another push holds `held` (its row locked in another transaction): skipped, not waited for.
    from django.db import connections

    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM pricebook_pricebookoverride WHERE id = %s FOR UPDATE", [held])
        claimed = _claim(ids)
    finally:
        other.rollback()
        other.close()

    assert [o.pk for o in claimed] == [taken]
    fresh = PricebookOverride.objects.get(pk=taken)
    (answered,) = claimed
    # Every field as the database holds it now, in its Python type (UUID, datetimes, decimals, JSON).
    for f in PricebookOverride._meta.concrete_fields:
        assert getattr(answered, f.attname) == getattr(fresh, f.attname), f.name
    assert fresh.status == PricebookOverride.Status.PUSHING and fresh.claim_token is not None
    assert fresh.claimed_revision == fresh.revision and fresh.push_started_at is not None
    assert answered.override_price == Decimal("34") and not answered._state.adding
    statuses = dict(PricebookOverride.objects.filter(pk__in=[held, done]).values_list("pk", "status"))
    assert statuses == {held: PricebookOverride.Status.PENDING, done: PricebookOverride.Status.SYNCED}


@pytest.mark.postgresql
def test_in_ids_casts_the_array_to_the_columns_type(db):
    from pricebook.models import RepriceRow
    from pricebook.services.rowsets import in_ids

    assert '"override_id" = ANY([1, 2]::bigint[])' in str(
        RepriceRow.objects.filter(in_ids("override_id", [1, 2])).query
    )
    explained = RepriceRow.objects.filter(in_ids("override_id", [1, 2])).explain()
    assert "bigint[]" in explained
