"""The push benchmark runs (small n here; `make bench` runs 1,000) and reports what it measured."""

from pricebook.benchmarks import bench_push
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
