"""The `item-sales-sync` bench section: the simulator's on-demand invoices and estimates hold exactly the configured
lines, and the section's call and mirror arithmetic is right at a tiny size (no timing asserted)."""

from datetime import UTC, datetime

import pytest

from devtools.benchmarks import harness
from devtools.benchmarks import sales as sales_bench
from devtools.simulator.dataset import Dataset, GeneratedRecords

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)
KEYS = sales_bench.SYNC_KEYS


def _tenant_dataset(invoice_lines: int, estimate_lines: int, **kwargs) -> Dataset:
    return Dataset(scale=0.01, anchor=ANCHOR, **sales_bench.sync_tenant(invoice_lines, estimate_lines), **kwargs)


def _served(dataset: Dataset, key: str, batch: int) -> tuple[list[dict], int, int]:
    """Every record the export serves from the start, the batches it took and the continuation after them."""
    records, after, calls = [], 0, 0
    while True:
        exported = dataset.export(key, after, limit=batch)
        calls += 1
        records += exported.records
        after = exported.last_seq
        if not exported.has_more:
            return records, calls, after


def test_on_demand_invoices_and_estimates_hold_the_configured_lines():
    dataset = _tenant_dataset(1003, 401)

    for key, lines in (("accounting.invoices", 1003), ("sales.estimates", 401)):
        collection = dataset.collection(key)
        assert isinstance(collection.records, GeneratedRecords), "generated as read, not held"
        records, calls, after = _served(dataset, key, 100)
        expected = sales_bench.sync_tenant(1003, 401)["counts"][key]
        assert len(records) == len(collection.records) == expected
        assert len({record["id"] for record in records}) == expected
        assert sum(len(record["items"]) for record in records) == lines == dataset.line_total(key)
        assert {len(record["items"]) for record in records} <= {2, 3}
        # The export's order is modifiedOn's, batches as the protocol says, nothing more after the last one.
        stamps = [record["modifiedOn"] for record in records]
        assert stamps == sorted(stamps)
        assert calls == harness.minimum_calls(expected, 100)
        assert dataset.export(key, after).records == []
        # A record is the same each time it is read, and shaped like a generated one.
        first = records[0]["id"]
        assert collection.records[first] == collection.records[first]
        assert set(collection.records[first]) == set(Dataset(scale=0.01, anchor=ANCHOR).records(key)[0])


def test_on_demand_records_take_changes_and_creates():
    dataset = _tenant_dataset(50, 20)
    key = "accounting.invoices"
    _, _, after = _served(dataset, key, 100)
    record_id = dataset.ids(key)[3]

    changed = dataset.update(key, record_id, {"summary": "changed"})
    created = dataset.insert(key)

    assert dataset.get(key, record_id)["summary"] == "changed" == changed["summary"]
    assert [r["id"] for r in dataset.export(key, after).records] == [record_id, created["id"]]
    assert len(dataset.collection(key).records) == 21
    assert dataset.line_total(key) == 50 + len(created["items"])


def test_exact_lines_hold_in_a_generated_collection_too_and_only_for_resources_with_lines():
    dataset = Dataset(scale=0.01, anchor=ANCHOR, counts={"accounting.invoices": 7}, lines={"accounting.invoices": 30})
    assert sum(len(record["items"]) for record in dataset.records("accounting.invoices")) == 30
    assert dataset.line_total("accounting.invoices") == 30
    with pytest.raises(ValueError, match=r"without lines: pricebook\.materials"):
        Dataset(lines={"pricebook.materials": 10})
    with pytest.raises(ValueError, match=r"unknown resource.*on_demand"):
        Dataset(on_demand=["accounting.nothing"])


def test_minimum_calls_is_one_per_batch_and_at_least_one():
    assert [harness.minimum_calls(n, 5000) for n in (0, 1, 5000, 5001, 200_000)] == [1, 1, 1, 2, 40]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_sections_calls_and_counts_at_a_tiny_size(make_simulator):
    # 24 invoices (60 lines) and 10 estimates (25 lines), in export batches of 7.
    simulator = make_simulator(scale=0.01, export_batch_size=7, **sales_bench.sync_tenant(60, 25))
    tenant_id = simulator.dataset.tenant_id

    probe = harness.sync_probe(list(KEYS))

    assert probe["ok"], probe["errors"]
    rows = {row["key"]: row for row in sales_bench.call_rows(probe["streams"], 7)}
    assert {key: (row["records"], row["minimum"]) for key, row in rows.items()} == {
        "accounting.invoices": (24, 4),
        "sales.estimates": (10, 2),
    }
    assert all(row["calls"] == row["minimum"] for row in rows.values()), rows
    assert all(row["quiet_calls"] == row["quiet_minimum"] == 1 for row in rows.values()), rows
    mirrored = sales_bench.mirrored_counts(tenant_id)
    assert mirrored == {
        "accounting.invoices": {"records": 24, "lines": 60},
        "sales.estimates": {"records": 10, "lines": 25},
    }
    served = {key: {"records": len(simulator.dataset.collection(key).records)} for key in KEYS}
    for key in KEYS:
        served[key]["lines"] = simulator.dataset.line_total(key)
    assert served == mirrored

    size = {"invoice_lines": 60, "estimate_lines": 25, "batch": 7, "probe": probe, "served": served, "mirrored": mirrored,
            "pricebook": {"records": 0, "seconds": 1.0}}  # fmt: skip
    report = "\n".join(sales_bench.render_sync([size, size], ["(figures)"], 1.0))
    assert "| 60 | accounting.invoices | 24 | 4 | 4 | 1 | 1 |" in report
    assert "| 60 | sales.estimates | 10 / 10 | 25 / 25 | yes |" in report
