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

    result = bench.compare(simulator, streams, 5000, log=lambda message: None, attempts=2)

    assert result.records == sum(len(simulator.dataset.records(s.key)) for s in streams)
    assert all(made == minimum for made, minimum, _ in result.calls.values())
    assert set(result.quiet_calls.values()) == {1}
    assert set(result.seconds) == set(bench.APPROACHES)
    assert all(seconds > 0 for seconds in result.seconds.values())
    # Every load, the engine's included, left the same raw and master rows: two per record.
    assert set(result.rows.values()) == {2 * result.records}
    report = render(result, [{"records": 10, "seconds": 1.0, "peak_rss_mb": 100, "baseline_mb": 90}], [], [], 5000)
    assert f"| {bench.APPROACHES['direct_copy']} |" in report
    assert "engine write part vs direct COPY (the database's limit)" in report
    assert "engine write part vs COPY through staging + merge" in report
    assert "best of 2 runs" in report


def test_bench_ports_come_from_lazi_bench_ports():
    assert bench.allowed_ports("8600-8602, 8610") == [8600, 8601, 8602, 8610]
    assert bench.allowed_ports("") == []
    with pytest.raises(ValueError, match="LAZI_BENCH_PORTS"):
        bench.allowed_ports("86x0")
    with pytest.raises(ValueError, match="LAZI_BENCH_PORTS"):
        bench.allowed_ports("8699-8600")


def test_free_port_takes_the_first_free_port_of_the_range():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        busy = taken.getsockname()[1]
        taken.listen()
        # The busy port is skipped; the next one of the range is taken (unless something else holds it too).
        port = bench.free_port(f"{busy}-{busy + 5}")
        assert busy < port <= busy + 5
    assert bench.free_port("") > 0
