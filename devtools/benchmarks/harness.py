"""`make bench`: the sync engine against the simulator and PostgreSQL, beside the two ways it could have been written.

In one run, on the same data (the pricebook, plus crm.customers once that stream exists):
- the engine: a full sync (fetch + write), and the write part alone (the time not spent waiting for pages), taking
  turns with the COPY load below, each after a checkpoint, best of three each;
- a row-by-row loop: one `INSERT … ON CONFLICT` per raw row and per master row, each its own transaction (the
  reference system's approach);
- COPY: the same rows COPYed into a staging table and merged with one `INSERT … SELECT … ON CONFLICT` per page
  and table (what PostgreSQL can take);
- API calls made versus the minimum for the batch size, and an incremental run with nothing changed;
- peak RSS of a full sync at two sizes, each in a fresh process.
The simulator runs in a process of its own, so its work is not counted as LAZI's.
"""

from __future__ import annotations

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

from servicetitan.sync.bulk import PreSerializedJSON, upsert_rows
from servicetitan.sync.engine import sync_targets
from servicetitan.sync.streams import Stream, all_streams
from servicetitan.sync.upsert import (
    RAW_UPDATE_FIELDS,
    UNIQUE,
    canonical_json,
    expand_records,
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
class RemoteSimulator:
    """`st_simulator` in a subprocess, driven over its control API (the interface `bench_push` expects too)."""

    def __init__(self, scale: float, *, export_batch_size: int = EXPORT_BATCH, seed: int = 1):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.scale = scale
        command = [sys.executable, "manage.py", "st_simulator", "--port", str(self.port), "--scale", str(scale)]
        # Lazy: only the collections a benchmark warms up are generated (all of them at scale 90 would not fit).
        command += ["--seed", str(seed), "--export-batch-size", str(export_batch_size), "--lazy"]
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
        from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID

        return {
            "API_URL": self.url,
            "AUTH_URL": self.url,
            "CLIENT_ID": DEMO_CLIENT_ID,
            "CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "APP_KEY": DEMO_APP_KEY,
            "TENANT_ID": str(DEMO_TENANT_ID),
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


# --- the three ways to load the same data ------------------------------------------------------------------------------
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


def fetch_pages(client, stream: Stream) -> list[list[dict]]:
    """Every page of a stream, as the engine's full sync reads it."""
    if stream.resource.export_path:
        return [batch.items for batch in client.iter_export(stream.key)]
    return [page.items for page in client.iter_pages(stream.key)]


def prepared_rows(stream: Stream, pages: list[list[dict]], tenant_id: int, now) -> list[tuple[list, list]]:
    """The raw and master rows of every page, exactly as the engine writes them (prepared outside the timing)."""
    master = stream.master()
    prepared = []
    for items in pages:
        raw_rows, master_rows = [], []
        for st_id, record in expand_records(stream, items):
            text = canonical_json(record)
            raw_rows.append(
                {
                    "tenant_id": tenant_id,
                    "st_id": st_id,
                    "payload": PreSerializedJSON(text),
                    "payload_hash": payload_hash(record, text),
                    "st_modified_on": master.values_from_payload(record)["st_modified_on"],
                    "active": bool(record.get("active", True)),
                    "deleted": False,
                    "fetched_at": now,
                }
            )
            master_rows.append(
                {**master.values_from_payload(record), "tenant_id": tenant_id, "deleted": False, "synced_at": now}
            )
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
        params.append(f.get_db_prep_save(value, connection))
    return sql, params


def load_row_by_row(stream: Stream, prepared) -> None:
    raw, master = stream.raw(), stream.master()
    master_update = master_update_fields(master)
    with connection.cursor() as cursor:
        for raw_rows, master_rows in prepared:
            for raw_row, master_row in zip(raw_rows, master_rows, strict=True):
                raw_row = {**raw_row, "payload": json.loads(raw_row["payload"])}
                cursor.execute(*_row_statement(raw, raw_row, RAW_UPDATE_FIELDS))  # autocommit: one transaction each
                cursor.execute(*_row_statement(master, master_row, master_update))


def load_by_copy(stream: Stream, prepared) -> None:
    raw, master = stream.raw(), stream.master()
    master_update = master_update_fields(master)
    for raw_rows, master_rows in prepared:
        with transaction.atomic():
            upsert_rows(raw, raw_rows, unique=UNIQUE, update=RAW_UPDATE_FIELDS)
            upsert_rows(master, master_rows, unique=UNIQUE, update=master_update)


def truncate_mirror(streams: list[Stream]) -> None:
    from servicetitan.models import SyncCursor, SyncRun

    tables = {model._meta.db_table for stream in streams for model in (stream.raw(), stream.master())}
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(sorted(tables))} CASCADE")
    SyncCursor.objects.all().delete()
    SyncRun.objects.all().delete()


# --- measurements ----------------------------------------------------------------------------------------------------
@dataclass
class Comparison:
    records: int = 0
    engine_seconds: float = 0.0
    engine_fetch_seconds: float = 0.0
    row_by_row_seconds: float = 0.0
    copy_seconds: float = 0.0
    fetch_seconds: float = 0.0
    # Turning the fetched pages into the raw and master rows (hash, mapping), no database: outside the two loads.
    convert_seconds: float = 0.0
    calls: dict = field(default_factory=dict)  # key -> (made, minimum, records)
    quiet_calls: dict = field(default_factory=dict)

    def rate(self, seconds: float) -> float:
        return self.records / seconds if seconds else 0.0


def settle() -> None:
    """Before a timed load: flush what the previous load left to write (a checkpoint), so no load pays for another's
    WAL. Needs a superuser; without one, loads still alternate, which spreads such costs evenly."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass


def _engine_full_sync(keys: list[str]) -> tuple[float, float, list]:
    """One engine full sync into empty tables: (seconds, of which waiting for pages, runs)."""
    from servicetitan.client import get_client

    timed = TimedClient(get_client())
    started = time.perf_counter()
    runs = sync_targets(keys, full=True, client=timed, triggered_by="bench")
    seconds = time.perf_counter() - started
    failed = [run.summary() for run in runs if run.status != "succeeded"]
    if failed:
        raise RuntimeError("the benchmark sync failed: " + "; ".join(failed))
    return seconds, timed.fetch_seconds, runs


def compare(simulator, streams: list[Stream], page_size: int, log, *, attempts: int = 3) -> Comparison:
    """The engine's full sync and the same data loaded by COPY from rows prepared beforehand, alternately, each into
    empty tables (best of `attempts` each: the machine's noise hits both alike); then a quiet incremental run; then the
    row-by-row loop (once: it is an order of magnitude apart)."""
    from django.utils import timezone

    from servicetitan.client import get_client

    result = Comparison()
    keys = [stream.key for stream in streams]

    log("fetching every page once, kept in memory for the COPY and row-by-row loads …")
    client = get_client()
    started = time.perf_counter()
    pages = {stream.key: fetch_pages(client, stream) for stream in streams}
    result.fetch_seconds = time.perf_counter() - started
    now = timezone.now()
    started = time.perf_counter()
    prepared = {s.key: prepared_rows(s, pages[s.key], client.tenant_id, now) for s in streams}
    result.convert_seconds = time.perf_counter() - started
    del pages

    best = None
    for attempt in range(1, attempts + 1):
        truncate_mirror(streams)
        settle()
        log(f"COPY through a staging table ({attempt}/{attempts}) …")
        started = time.perf_counter()
        for stream in streams:
            load_by_copy(stream, prepared[stream.key])
        seconds = time.perf_counter() - started
        result.copy_seconds = min(result.copy_seconds or seconds, seconds)

        truncate_mirror(streams)
        settle()
        log(f"engine: full sync ({attempt}/{attempts}) …")
        seconds, fetch_seconds, runs = _engine_full_sync(keys)
        if best is None or seconds - fetch_seconds < best[0] - best[1]:
            best = (seconds, fetch_seconds, runs)
    result.engine_seconds, result.engine_fetch_seconds, runs = best
    result.records = sum(run.records for run in runs)
    for run, stream in zip(runs, streams, strict=True):
        batch = EXPORT_BATCH if stream.resource.export_path else page_size
        # The simulator serves every category as a record of its own (subcategories nested too), like the others.
        result.calls[run.target] = (run.api_calls, max(1, math.ceil(run.records / batch)), run.records)
    log("engine: incremental sync with nothing changed …")
    quiet = sync_targets(keys, client=get_client(), triggered_by="bench")
    result.quiet_calls = {run.target: run.api_calls for run in quiet}

    truncate_mirror(streams)
    settle()
    log("row by row: INSERT … ON CONFLICT per row …")
    started = time.perf_counter()
    for stream in streams:
        load_row_by_row(stream, prepared[stream.key])
    result.row_by_row_seconds = time.perf_counter() - started
    truncate_mirror(streams)
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
        env = {
            **os.environ,
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": database_url,
            **{f"SERVICE_TITAN_{name}": value for name, value in simulator.environment().items()},
        }
        log(f"peak RSS: full sync of ~{records:,} records in a fresh process …")
        output = subprocess.run(  # noqa: S603 - our own manage.py with a numeric argument
            [sys.executable, "manage.py", "st_bench", "--rss-probe", str(records)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        if output.returncode != 0:
            raise RuntimeError(f"the RSS probe failed: {output.stderr[-2000:]}")
        return json.loads(output.stdout.strip().splitlines()[-1])
    finally:
        simulator.stop()


def database_url_of_current_connection() -> str:
    params = connection.settings_dict
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{auth}{params.get('HOST') or '127.0.0.1'}{port}/{params['NAME']}"
