"""Checks that a full (then incremental) sync of an app mirrors the simulator's records field for field (MODULES)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils.dateparse import parse_datetime

from devtools.simulator import DEMO_TENANT_ID
from servicetitan.sync.engine import sync_targets


def when(value):
    return parse_datetime(value) if value else None


def money(value):
    return None if value in (None, "") else Decimal(str(value))


def text(value):
    return value or ""


def sync(targets: list[str], *, full: bool) -> None:
    runs = sync_targets(targets, full=full)
    assert runs and all(run.status == "succeeded" for run in runs), [run.summary() for run in runs]


def assert_mirrored(simulator, key: str, model, expected: Callable[[dict], dict]) -> None:
    """Every record ServiceTitan has (not deleted) is one master row with the expected values and active flag."""
    dataset = simulator.dataset
    records = [r for r in dataset.records(key) if not dataset.is_deleted(key, r["id"])]
    rows = {row.st_id: row for row in model.objects.filter(tenant_id=DEMO_TENANT_ID, deleted=False)}
    assert set(rows) == {r["id"] for r in records}, key
    for record in records:
        want = {"active": dataset.is_active(key, record), **expected(record)}
        row = rows[record["id"]]
        assert {column: getattr(row, column) for column in want} == want, (key, record["id"])


def check_sync(simulator, expectations: dict[str, tuple[type, Callable[[dict], dict]]]) -> None:
    """For the entities given: full sync, compare; change ServiceTitan (modify, deactivate, create); incremental sync,
    compare again."""
    sync(list(expectations), full=True)
    for key, (model, expected) in expectations.items():
        assert_mirrored(simulator, key, model, expected)
        assert model.objects.filter(active=False).exists() == any(
            not simulator.dataset.is_active(key, r) for r in simulator.dataset.records(key)
        ), key

    for key in expectations:
        simulator.dataset.mutate(key, modify=2, deactivate=1, create=1)
    sync(list(expectations), full=False)
    for key, (model, expected) in expectations.items():
        assert_mirrored(simulator, key, model, expected)
        assert model.objects.filter(active=False).exists(), f"{key}: the deactivated record is not inactive"
