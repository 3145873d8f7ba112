"""st_bench: refuses SQLite; its comparison runs end to end on PostgreSQL (tiny sizes; timings are not asserted)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from devtools.benchmarks import harness as bench
from devtools.management.commands.st_bench import render

pytestmark = pytest.mark.django_db


def test_st_bench_refuses_sqlite_with_a_clear_message():
    if connection.vendor == "postgresql":
        pytest.skip("runs on SQLite only")
    with pytest.raises(CommandError, match=r"refuses SQLite.*--database-url"):
        call_command("st_bench")


@pytest.mark.postgresql  # the benchmark measures PostgreSQL
@pytest.mark.django_db(transaction=True)  # TRUNCATE between the three loads
def test_the_comparison_loads_the_same_rows_three_ways_and_counts_calls(simulator):
    streams = bench.bench_streams()

    result = bench.compare(simulator, streams, 5000, log=lambda message: None)

    assert result.records == sum(len(simulator.dataset.records(s.key)) for s in streams)
    assert all(made == minimum for made, minimum, _ in result.calls.values())
    assert set(result.quiet_calls.values()) == {1}
    assert result.row_by_row_seconds > 0 and result.copy_seconds > 0
    report = render(result, [{"records": 10, "seconds": 1.0, "peak_rss_mb": 100, "baseline_mb": 90}], [], [], 5000)
    assert "| COPY via a staging table, rows ready (the database's limit) |" in report
    assert "engine write part vs COPY limit" in report
