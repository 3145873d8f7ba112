"""`make bench`: the sync engine against the simulator and PostgreSQL, beside the ways it could have been written.

In one run, on the same data (the pricebook, plus crm.customers once that stream exists), every page fetched once and
its raw and master rows prepared once beforehand (neither counted in any figure below):
- direct COPY: the prepared raw and master rows COPYed straight into the same empty tables with their indexes, one
  transaction per page, no staging table, no `ON CONFLICT` (the database's limit);
- COPY through staging: the same rows COPYed into a staging table and merged with one `INSERT … SELECT … ON CONFLICT`
  per page and table (the engine's own write path, fed ready-made rows);
- row by row: one `INSERT … ON CONFLICT` per raw row and per master row, one transaction per page (a careful
  hand-written loop);
- the engine's write part: a full sync fed the pages from memory (no fetching), so it does everything the engine does
  with a page (hash, existence lookup, raw + master rows, relations, cursor, run bookkeeping) and nothing else;
- the engine's full sync from the simulator (fetch + write), and fetching alone;
- API calls made versus the minimum for the batch size, and an incremental run with nothing changed;
- peak RSS of a full sync at two sizes, each in a fresh process.
Every figure is the best of the same number of runs (`attempts`), the approaches taking turns, each into empty tables
after a checkpoint. The simulator runs in a process of its own, so its work is not counted as LAZI's; its port comes
from `LAZI_BENCH_PORTS` when set (e.g. `8600-8699`, shared machines restrict ports).
"""

from __future__ import annotations

import gc
import json
import math
import os
import platform
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from servicetitan.client.client import ClientStats
from servicetitan.sync.bulk import PreSerializedJSON, insert_rows, upsert_rows
from servicetitan.sync.engine import sync_targets
from servicetitan.sync.streams import Stream, all_streams
from servicetitan.sync.upsert import (
    RAW_UPDATE_FIELDS,
    UNIQUE,
    canonical_json,
    expand_records,
    is_active_payload,
    master_update_fields,
    payload_hash,
)

ROOT = Path(settings.BASE_DIR)
BENCH_KEYS = ("pricebook.categories", "pricebook.materials", "pricebook.equipment", "pricebook.services")
OPTIONAL_KEYS = ("crm.customers",)
EXPORT_BATCH = 5000


def bench_streams() -> list[Stream]:
    streams = all_streams()
    return [streams[key] for key in (*BENCH_KEYS, *OPTIONAL_KEYS) if key in streams]


def records_per_scale(keys) -> float:
    from devtools.simulator.generators import COUNTS

    return sum(COUNTS[key][0] for key in keys)


def scale_for(records: int, keys) -> float:
    return records / records_per_scale(keys)


def peak_rss_mb() -> float:
    """This process's peak resident set size. Linux: VmHWM, since ru_maxrss survives exec and would report the
    parent's peak in a freshly started child."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kilobytes / 1024 if platform.system() != "Darwin" else kilobytes / 1024 / 1024


# --- the simulator, in a process of its own -------------------------------------------------------------------------
def allowed_ports(spec: str) -> list[int]:
    """`LAZI_BENCH_PORTS`' ports: `8600-8699`, `8601,8605` or a mix; empty: any port the system gives."""
    ports = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise ValueError(f"LAZI_BENCH_PORTS: {part!r} is neither a port nor a range like 8600-8699") from None
        if not 0 < low <= high < 65536:
            raise ValueError(f"LAZI_BENCH_PORTS: {part!r} is not a range of ports")
        ports.extend(range(low, high + 1))
    return ports


def free_port(spec: str | None = None) -> int:
    """A free local port: the first free one of `LAZI_BENCH_PORTS` when set, else one the system picks."""
    spec = os.environ.get("LAZI_BENCH_PORTS", "") if spec is None else spec
    candidates = allowed_ports(spec) or [0]
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port in LAZI_BENCH_PORTS={spec}")


class RemoteSimulator:
    """`st_simulator` in a subprocess, driven over its control API (the interface `bench_push` expects too)."""

    def __init__(
        self,
        scale: float,
        *,
        export_batch_size: int = EXPORT_BATCH,
        seed: int = 1,
        counts: dict[str, int] | None = None,
        lines: dict[str, int] | None = None,
        on_demand=(),
        tenant_id: int | None = None,
    ):
        from devtools.simulator import DEMO_TENANT_ID

        self.port = free_port()
        self.tenant_id = tenant_id or DEMO_TENANT_ID
        self.url = f"http://127.0.0.1:{self.port}"
        self.scale = scale
        command = [sys.executable, "manage.py", "st_simulator", "--port", str(self.port), "--scale", str(scale)]
        # Lazy: only the collections a benchmark warms up are generated (all of them at scale 90 would not fit).
        command += ["--seed", str(seed), "--export-batch-size", str(export_batch_size), "--lazy"]
        # Exact sizes, and resources made record by record as they are read (never held whole).
        command += [f"--count={key}={n}" for key, n in (counts or {}).items()]
        command += [f"--lines={key}={n}" for key, n in (lines or {}).items()]
        command += [f"--on-demand={key}" for key in on_demand]
        command += ["--tenant-id", str(self.tenant_id)]
        self.process = subprocess.Popen(  # noqa: S603 - our own manage.py with numeric arguments
            command,
            cwd=ROOT,
            env={**os.environ, "DJANGO_DEBUG": "true"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                self._call("GET", "health")
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()  # not left running when it answers too late
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.2)

    def _call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        # Our own simulator on 127.0.0.1 (http only).
        request = urllib.request.Request(f"{self.url}/_simulator/{path}", data=data, method=method)  # noqa: S310
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
            return json.loads(response.read() or b"null")

    def environment(self) -> dict:
        from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

        return {
            "API_URL": self.url,
            "AUTH_URL": self.url,
            "CLIENT_ID": DEMO_CLIENT_ID,
            "CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "APP_KEY": DEMO_APP_KEY,
            "TENANT_ID": str(self.tenant_id),
        }

    def point_settings_here(self) -> None:
        settings.SERVICE_TITAN.update(self.environment())
        from django.core.cache import cache

        cache.clear()

    def warm_up(self, keys) -> None:
        """Generate the data before anything is timed (the simulator builds each collection on first use)."""
        for key in keys:
            self._call("POST", "mutate", {"resource": key})

    def reset_stats(self) -> None:
        self._call("POST", "reset-stats")

    def counts(self, key: str) -> dict:
        """{"records": n} (and "lines" for invoices and estimates): what the simulator holds of a resource now."""
        return self._call("GET", f"counts?resource={key}")

    @property
    def stats(self):
        simulator = self

        class _Stats:
            def snapshot(self) -> dict:
                return simulator._call("GET", "stats")

        return _Stats()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- the ways to load the same data -----------------------------------------------------------------------------------
class TimedClient:
    """The real client, with the time spent waiting for ServiceTitan's pages measured."""

    def __init__(self, client):
        self.client = client
        self.tenant_id = client.tenant_id
        self.stats = client.stats
        self.fetch_seconds = 0.0

    def _timed(self, pages):
        iterator = iter(pages)
        while True:
            started = time.perf_counter()
            try:
                page = next(iterator)
            except StopIteration:
                self.fetch_seconds += time.perf_counter() - started
                return
            self.fetch_seconds += time.perf_counter() - started
            yield page

    def iter_export(self, *args, **kwargs):
        return self._timed(self.client.iter_export(*args, **kwargs))

    def iter_pages(self, *args, **kwargs):
        return self._timed(self.client.iter_pages(*args, **kwargs))


class ReplayClient:
    """Serves a full sync the pages fetched beforehand, from memory: the engine's write part with no fetching at all
    (the COPY and row-by-row loads have their rows in memory too)."""

    def __init__(self, tenant_id: int, pages: dict[str, list]):
        self.tenant_id = tenant_id
        self.pages = pages
        self.stats = ClientStats()

    def iter_export(self, key: str, **_):
        return iter(self.pages[key])

    def iter_pages(self, key: str, **_):
        return iter(self.pages[key])


def fetch_pages(client, stream: Stream) -> list:
    """Every page (list page or export batch, as the client yields it) of a stream, as the engine's full sync reads
    it."""
    if stream.resource.export_path:
        return list(client.iter_export(stream.key))
    return list(client.iter_pages(stream.key))


def prepared_rows(stream: Stream, pages: list, tenant_id: int, now) -> list[tuple[list, list]]:
    """The raw and master rows of every page, exactly as the engine writes them (prepared outside the timing)."""
    master = stream.master()
    prepared = []
    for page in pages:
        raw_rows, master_rows = [], []
        for st_id, record in expand_records(stream, page.items):
            text = canonical_json(record)
            values = master.values_from_payload(record)
            raw_rows.append(
                {
                    "tenant_id": tenant_id,
                    "st_id": st_id,
                    "payload": PreSerializedJSON(text),
                    "payload_hash": payload_hash(record, text),
                    "st_modified_on": values["st_modified_on"],
                    "active": is_active_payload(record),
                    "deleted": False,
                    "fetched_at": now,
                }
            )
            master_rows.append({**values, "tenant_id": tenant_id, "deleted": False, "synced_at": now})
        prepared.append((raw_rows, master_rows))
    return prepared


def _row_statement(model, row: dict, update: list[str]) -> tuple[str, list]:
    # Generated columns (margins, pending_sync) are the database's to compute: never in an INSERT.
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    assignments = ", ".join(
        f"{connection.ops.quote_name(model._meta.get_field(n).column)} = EXCLUDED."
        f"{connection.ops.quote_name(model._meta.get_field(n).column)}"
        for n in update
    )
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
    sql += f"ON CONFLICT (tenant_id, st_id) DO UPDATE SET {assignments}"
    params = []
    for f in fields:
        value = row[f.attname] if f.attname in row else f.get_default()
        # A payload prepared as JSON text goes as that text (PostgreSQL parses it into jsonb): no second serialising.
        params.append(str(value) if isinstance(value, PreSerializedJSON) else f.get_db_prep_save(value, connection))
    return sql, params


def load_row_by_row(stream: Stream, prepared) -> None:
    """One statement per row, one transaction per page (as a careful hand-written loop would: autocommit per
    statement would measure the disk's flush latency instead)."""
    raw, master = stream.raw(), stream.master()
    master_update = master_update_fields(master)
    for raw_rows, master_rows in prepared:
        with transaction.atomic(), connection.cursor() as cursor:
            for raw_row, master_row in zip(raw_rows, master_rows, strict=True):
                cursor.execute(*_row_statement(raw, raw_row, RAW_UPDATE_FIELDS))
                cursor.execute(*_row_statement(master, master_row, master_update))


def load_by_staging_copy(stream: Stream, prepared) -> None:
    """COPY into a staging table, merged with `INSERT … SELECT … ON CONFLICT`: the engine's path, rows ready-made."""
    raw, master = stream.raw(), stream.master()
    master_update = master_update_fields(master)
    for raw_rows, master_rows in prepared:
        with transaction.atomic():
            upsert_rows(raw, raw_rows, unique=UNIQUE, update=RAW_UPDATE_FIELDS)
            upsert_rows(master, master_rows, unique=UNIQUE, update=master_update)


def load_by_direct_copy(stream: Stream, prepared) -> None:
    """COPY straight into the (empty) tables with their indexes, one transaction per page: the database's limit."""
    raw, master = stream.raw(), stream.master()
    for raw_rows, master_rows in prepared:
        with transaction.atomic():
            insert_rows(raw, raw_rows)
            insert_rows(master, master_rows)


def truncate_mirror(streams: list[Stream]) -> None:
    from servicetitan.models import RecordProblem, SyncCursor, SyncRun

    tables = {model._meta.db_table for stream in streams for model in (stream.raw(), stream.master())}
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(sorted(tables))} CASCADE")
    SyncCursor.objects.all().delete()
    SyncRun.objects.all().delete()
    RecordProblem.objects.all().delete()


def mirrored_rows(streams: list[Stream]) -> int:
    """Raw + master rows in the benchmark's tables: every load must leave the same number."""
    return sum(model.objects.count() for stream in streams for model in (stream.raw(), stream.master()))


# --- measurements ----------------------------------------------------------------------------------------------------
# What each figure of the comparison times (the report says it beside the figure).
APPROACHES = {
    "direct_copy": "COPY straight into the empty tables (indexes kept), rows ready: the database's limit",
    "staging_copy": "COPY via a staging table + INSERT … ON CONFLICT merge, rows ready",
    "row_by_row": "row-by-row INSERT … ON CONFLICT, one transaction per page, rows ready",
    "engine_write": "LAZI engine: full sync's write part, pages in memory (hash, lookup, raw + master, relations, cursor)",
    "fetch": "fetching the pages only, no database",
    "engine_full": "LAZI engine: full sync from the simulator (fetch + write)",
}


@dataclass
class Comparison:
    records: int = 0
    attempts: int = 0
    # approach (see APPROACHES) -> best seconds of `attempts` runs
    seconds: dict = field(default_factory=dict)
    # approach -> raw + master rows it left (all equal: the same rows)
    rows: dict = field(default_factory=dict)
    # Done once before any timing, not part of any figure: fetching every page, and preparing their rows.
    prepare_fetch_seconds: float = 0.0
    prepare_rows_seconds: float = 0.0
    calls: dict = field(default_factory=dict)  # key -> (made, minimum, records)
    quiet_calls: dict = field(default_factory=dict)

    def rate(self, seconds: float) -> float:
        return self.records / seconds if seconds else 0.0

    def keep_best(self, approach: str, seconds: float) -> None:
        self.seconds[approach] = min(self.seconds.get(approach, seconds), seconds)

    # The figures older callers read.
    @property
    def engine_seconds(self) -> float:
        return self.seconds.get("engine_full", 0.0)

    @property
    def engine_write_seconds(self) -> float:
        return self.seconds.get("engine_write", 0.0)

    @property
    def copy_seconds(self) -> float:
        return self.seconds.get("direct_copy", 0.0)

    @property
    def staging_copy_seconds(self) -> float:
        return self.seconds.get("staging_copy", 0.0)

    @property
    def row_by_row_seconds(self) -> float:
        return self.seconds.get("row_by_row", 0.0)

    @property
    def fetch_seconds(self) -> float:
        return self.seconds.get("fetch", 0.0)


def settle() -> None:
    """Before a timed load: flush what the previous load left to write (a checkpoint), so no load pays for another's
    WAL. Needs a superuser; without one, loads still alternate, which spreads such costs evenly."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass


def _engine_full_sync(keys: list[str], client) -> tuple[float, list]:
    """One engine full sync into empty tables: (seconds, runs)."""
    started = time.perf_counter()
    runs = sync_targets(keys, full=True, client=client, triggered_by="bench")
    seconds = time.perf_counter() - started
    failed = [run.summary() for run in runs if run.status != "succeeded"]
    if failed:
        raise RuntimeError("the benchmark sync failed: " + "; ".join(failed))
    return seconds, runs


def compare(simulator, streams: list[Stream], page_size: int, log, *, attempts: int = 3) -> Comparison:
    """Every approach of `APPROACHES` on the same data, `attempts` times each, taking turns, each into empty tables
    after a checkpoint; the best run of each counts. Then a quiet incremental run."""
    from django.utils import timezone

    from servicetitan.client import get_client

    result = Comparison(attempts=attempts)
    keys = [stream.key for stream in streams]

    log("preparing (once, not timed in any figure): every page fetched and its rows built, kept in memory …")
    client = get_client()
    started = time.perf_counter()
    pages = {stream.key: fetch_pages(client, stream) for stream in streams}
    result.prepare_fetch_seconds = time.perf_counter() - started
    now = timezone.now()
    started = time.perf_counter()
    prepared = {s.key: prepared_rows(s, pages[s.key], client.tenant_id, now) for s in streams}
    result.prepare_rows_seconds = time.perf_counter() - started
    # The prepared pages and rows stay in memory for every run: out of the garbage collector's sight, so no approach
    # pays for scanning the benchmark's own data (a sync holds one page, not a whole data set twice over).
    gc.collect()
    gc.freeze()

    def direct_copy():
        for stream in streams:
            load_by_direct_copy(stream, prepared[stream.key])

    def staging_copy():
        for stream in streams:
            load_by_staging_copy(stream, prepared[stream.key])

    def row_by_row():
        for stream in streams:
            load_row_by_row(stream, prepared[stream.key])

    def engine_write():
        _engine_full_sync(keys, ReplayClient(client.tenant_id, pages))

    full_runs = []

    def engine_full():
        full_runs[:] = _engine_full_sync(keys, get_client())[1]

    def fetch():
        fetcher = get_client()
        for stream in streams:
            for _ in fetcher.iter_export(stream.key) if stream.resource.export_path else fetcher.iter_pages(stream.key):
                pass

    loads = {
        "direct_copy": direct_copy,
        "staging_copy": staging_copy,
        "row_by_row": row_by_row,
        "engine_write": engine_write,
        "fetch": fetch,
        "engine_full": engine_full,  # last: the quiet run below follows the last one
    }
    for attempt in range(1, attempts + 1):
        for name, load in loads.items():
            truncate_mirror(streams)
            settle()
            log(f"{APPROACHES[name]} ({attempt}/{attempts}) …")
            started = time.perf_counter()
            load()
            result.keep_best(name, time.perf_counter() - started)
            if name != "fetch":
                result.rows[name] = mirrored_rows(streams)
    # The last full sync from the simulator is the one whose calls count (every run makes the same calls).
    result.records = sum(run.records for run in full_runs)
    for run, stream in zip(full_runs, streams, strict=True):
        batch = EXPORT_BATCH if stream.resource.export_path else page_size
        # The simulator serves every category as a record of its own (subcategories nested too), like the others.
        result.calls[run.target] = (run.api_calls, minimum_calls(run.records, batch), run.records)
    log("engine: incremental sync with nothing changed …")
    quiet = sync_targets(keys, client=get_client(), triggered_by="bench")
    result.quiet_calls = {run.target: run.api_calls for run in quiet}
    truncate_mirror(streams)
    gc.unfreeze()
    return result


def minimum_calls(records: int, batch: int) -> int:
    """The fewest requests that read `records` records in batches (export batches or list pages) of `batch`: a
    partly full last batch says hasMore=false itself, and an empty collection still takes one request."""
    return max(1, math.ceil(records / batch))


def sync_probe(keys: list[str]) -> dict:
    """In a fresh process: a full sync of `keys` into tables the caller emptied, then an incremental sync with nothing
    changed; seconds, records and API calls per stream, peak RSS and RSS after start-up. Leaves the rows mirrored."""
    gc.collect()
    baseline = peak_rss_mb()
    started = time.perf_counter()
    runs = sync_targets(keys, full=True, triggered_by="bench")
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    quiet = sync_targets(keys, triggered_by="bench")
    return {
        "seconds": seconds,
        "peak_rss_mb": peak,
        "baseline_mb": baseline,
        "ok": all(run.status == "succeeded" for run in (*runs, *quiet)),
        "errors": [run.summary() for run in (*runs, *quiet) if run.status != "succeeded"],
        "streams": {
            run.target: {"records": run.records, "calls": run.api_calls, "quiet_calls": quiet_run.api_calls}
            for run, quiet_run in zip(runs, quiet, strict=True)
        },
    }


def _probe_in_fresh_process(probe_args: list[str], simulator: RemoteSimulator, database_url: str) -> dict:
    """`manage.py st_bench <probe_args>` in a fresh process against `simulator` (running already), so the RSS it
    reports is the probing process's alone; its last stdout line is the probe's JSON result."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": database_url,
        **{f"SERVICE_TITAN_{name}": value for name, value in simulator.environment().items()},
    }
    output = subprocess.run(  # noqa: S603 - our own manage.py with a probe flag and its argument
        [sys.executable, "manage.py", "st_bench", *probe_args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if output.returncode != 0:
        raise RuntimeError(f"the probe {probe_args[0]} failed: {output.stderr[-2000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def run_sync_probe_subprocess(keys: list[str], simulator: RemoteSimulator, database_url: str) -> dict:
    """`sync_probe(keys)` in a fresh `st_bench --sync-probe` process against `simulator` (running already): the RSS
    is the syncing process's alone."""
    result = _probe_in_fresh_process(["--sync-probe", ",".join(keys)], simulator, database_url)
    if not result["ok"]:
        raise RuntimeError("the sync probe's sync failed: " + "; ".join(result["errors"]))
    return result


def rss_probe(records: int) -> dict:
    """In a fresh process: a full sync of `records` records from a simulator already running; peak RSS."""
    streams = bench_streams()
    truncate_mirror(streams)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    runs = sync_targets([s.key for s in streams], full=True, triggered_by="bench")
    seconds = time.perf_counter() - started
    ok = all(run.status == "succeeded" for run in runs)
    synced = sum(run.records for run in runs)
    truncate_mirror(streams)
    return {"records": synced, "seconds": seconds, "peak_rss_mb": peak_rss_mb(), "baseline_mb": baseline, "ok": ok}


def run_rss_probe_subprocess(records: int, database_url: str, log) -> dict:
    streams = bench_streams()
    simulator = RemoteSimulator(scale_for(records, [s.key for s in streams]))
    try:
        simulator.warm_up([s.key for s in streams])
        log(f"peak RSS: full sync of ~{records:,} records in a fresh process …")
        return _probe_in_fresh_process(["--rss-probe", str(records)], simulator, database_url)
    finally:
        simulator.stop()


def database_url_of_current_connection() -> str:
    params = connection.settings_dict
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{auth}{params.get('HOST') or '127.0.0.1'}{port}/{params['NAME']}"
