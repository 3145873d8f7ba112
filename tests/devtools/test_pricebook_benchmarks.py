"""The push benchmark runs (small n here; `make bench` runs 1,000) and reports what it measured."""

from devtools.benchmarks.pricebook import bench_push
from pricebook.models import PricebookOverride


def test_bench_push_reports_bulk_and_single(synced):
    rows = bench_push(synced, n=12)

    bulk, single = rows
    assert bulk["overrides"] == single["overrides"] == 12
    assert bulk["synced"] == single["synced"] == 12
    assert bulk["by_route"].get("PATCH /pricebook/v2/tenant/{tenant}/pricebook") == 1
    assert single["by_route"].get("PATCH /pricebook/v2/tenant/{tenant}/materials/{id}") == 12
    assert bulk["requests"] < single["requests"]
    assert not PricebookOverride.objects.exists()  # it cleans up after itself


def test_bench_reprice_section_runs_small_and_cleans_up(db, monkeypatch):
    from devtools.benchmarks import pricebook as benchmarks
    from pricebook.models import Material, PricingRule, RepriceBatch

    monkeypatch.setattr(benchmarks, "REPRICE_ITEMS", 60)
    monkeypatch.setattr(benchmarks, "BATCH_ITEMS", 20)
    lines = benchmarks.bench_reprice(lambda message: None)

    text = "\n".join(lines)
    assert "| preview + proposed batch, all items | 60 | 60 |" in text
    assert "| approval: 20 rows → overrides through the bulk path | 20 | 20 |" in text
    assert "approval (bulk override path) vs bulk INSERT" in text
    assert not Material.objects.exists() and not PricingRule.objects.exists() and not RepriceBatch.objects.exists()
    assert not PricebookOverride.objects.exists()
