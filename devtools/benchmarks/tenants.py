"""`make bench` section "tenants": N tenants × M materials synced by two Celery worker processes, against the same
N × M materials in one tenant synced by one worker.

As in production: two real `celery -A lazi worker --concurrency 1` processes on the Redis broker (REDIS_URL, never
eager), started and answering a ping before anything is timed, against the benchmark database. One
`sync_targets_task` per tenant (the task the beat schedules run, with `tenant_id`) is queued at once; the wall time
runs from the first enqueue to the last run's `finished_at` (SyncRun, written by the worker). Then the same number of
materials in one tenant, one task, on one of the two workers (a queue only it reads; the other stays up and idle).
Each tenant has its own simulator (`manage.py st_simulator --tenant-id …`, a process of its own, so no simulator
shares the bench's or another's GIL), credentials and budget.

Reported: wall seconds, items/s, worker-seconds per 1,000 items (workers × wall / items), their ratio (near 1x means
N tenants cost what the same items in one tenant cost), rows mirrored checked equal to each simulator's count, and
each tenant's requests against the minimum. Sizes: LAZI_BENCH_TENANTS (default 10) and LAZI_BENCH_TENANT_ITEMS
(default 25,000 per tenant); the broker: REDIS_URL, which this process needs too (it pings the workers and queues the
tasks through its own Celery app); without it the section is skipped and says so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from devtools.benchmarks.harness import (
    EXPORT_BATCH,
    ROOT,
    RemoteSimulator,
    database_url_of_current_connection,
    minimum_calls,
    settle,
    truncate_mirror,
)

KEY = "pricebook.materials"
WORKERS = 2
FIRST_TENANT_ID = 3_000_001
TRIGGER = "bench:tenants"
TENANT_PREFIX = "bench-tenants-"
POLL_SECONDS = 0.2


# --- the worker processes --------------------------------------------------------------------------------------------
class CeleryWorkers:
    """`celery -A lazi worker --concurrency 1` processes, each in a process group of its own (its pool child too),
    on `broker_url` and the database at `database_url`. `queues[n]`: the queues worker n reads."""

    def __init__(self, queues: list[list[str]], broker_url: str, database_url: str):
        self.broker_url = broker_url
        self.log_dir = Path(tempfile.mkdtemp(prefix="lazi-bench-workers-"))
        self.names = [f"lazi-bench-{os.getpid()}-{n}@localhost" for n in range(len(queues))]
        self.queues = queues
        self.env = {**os.environ, "DJANGO_DEBUG": "true", "DATABASE_URL": database_url, "REDIS_URL": broker_url}
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        for name, worker_queues in zip(self.names, self.queues, strict=True):
            log_path = self.log_dir / f"{name.split('@')[0]}.log"
            command = [sys.executable, "-m", "celery", "-A", "lazi", "worker", "--concurrency", "1"]
            command += ["--hostname", name, "--queues", ",".join(worker_queues), "--loglevel", "WARNING"]
            # No chatter between workers: nothing here needs it, and it would be extra load on a measured machine.
            command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
            with open(log_path, "wb") as log:
                self.processes.append(
                    subprocess.Popen(  # noqa: S603 - our own Celery app with fixed arguments
                        command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                    )
                )

    def wait_ready(self, connection, timeout: float = 180) -> None:
        """Until every worker answers a ping (its pool started, Django set up): warm before any timing."""
        from lazi.celery import app

        deadline = time.monotonic() + timeout
        waiting = set(self.names)
        while waiting:
            self.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"Celery workers {sorted(waiting)} did not answer a ping: {self.log_tail()}")
            replies = app.control.ping(destination=sorted(waiting), timeout=1.0, connection=connection)
            waiting -= {name for reply in replies for name in reply}

    def cpu_seconds(self) -> float | None:
        return cpu_seconds(process_groups={process.pid for process in self.processes})

    def check_alive(self) -> None:
        dead = [name for name, process in zip(self.names, self.processes, strict=True) if process.poll() is not None]
        if dead:
            raise RuntimeError(f"Celery workers {dead} exited: {self.log_tail()}")

    def log_tail(self, characters: int = 1500) -> str:
        return " | ".join(
            f"{path.name}: {path.read_text(errors='replace')[-characters:]}" for path in sorted(self.log_dir.glob("*"))
        )

    def stop(self) -> None:
        """Warm shutdown (SIGTERM to each worker), then SIGKILL to whatever of its process group is left."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            with suppress(subprocess.TimeoutExpired):
                process.wait(20)
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # the group is the worker's (start_new_session), child too
            if process.poll() is None:
                process.wait(10)
        for path in self.log_dir.glob("*"):
            path.unlink()
        self.log_dir.rmdir()


def cpu_seconds(*, pids: set[int] = frozenset(), process_groups: set[int] = frozenset()) -> float | None:
    """User + system CPU seconds of these processes and of every process in these process groups, their reaped
    children's included (a worker and its pool child), from Linux's /proc; None elsewhere."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    ticks = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # After the command name in parentheses: state, ppid, pgrp, …, utime, stime, cutime, cstime (14–17).
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(entry.name) in pids or int(fields[2]) in process_groups:
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def _through_the_broker(broker_url: str):
    """A connection to the broker, with this process's app sending tasks there (never run in-process: the tests and
    a bench without REDIS_URL have the app eager)."""
    from lazi.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write(broker_url) as connection:
            yield connection
    finally:
        app.conf.task_always_eager = eager


def _delete_queues(connection, queues: list[str]) -> None:
    """Nothing of this run left behind in the broker (a queue of a failed run would never be read again)."""
    from kombu import Queue

    channel = connection.default_channel
    for name in queues:
        Queue(name, channel=channel).delete()


# --- tenants, simulators, one timed run --------------------------------------------------------------------------------
@dataclass
class Run:
    """One timed run: its tenants' SyncRuns (read back when all had finished), the wall time, the CPU seconds the
    worker processes and the simulators used meanwhile (None off Linux), and what it mirrored and asked (`checked`,
    set after)."""

    wall: float
    runs: list  # SyncRun, one per tenant, in the order of the tenants
    cpu: float | None
    simulators_cpu: float | None
    load: float  # the 1-minute load average when it was queued (other work on the machine)
    checked: Checked | None = None

    @property
    def task_seconds(self) -> float:
        """The runs' own durations, summed: the workers' busy time (2 × wall when neither ever waited for work)."""
        return sum((run.finished_at - run.started_at).total_seconds() for run in self.runs)

    @staticmethod
    def per_thousand(seconds: float | None, items: int) -> str:
        return "n/a" if seconds is None else f"{seconds / items * 1000:.3f}"

    def cpu_ratio(self, other: Run) -> str:
        return "n/a" if not (self.cpu and other.cpu) else f"{self.cpu / other.cpu:.2f}x"


def _start_simulators(tenant_items: list[tuple[int, int]]) -> list[RemoteSimulator]:
    """One `st_simulator` process per (tenant id, materials), started side by side, their data generated."""

    def start(tenant_id: int, items: int) -> RemoteSimulator:
        simulator = RemoteSimulator(
            1.0, counts={KEY: items}, export_batch_size=EXPORT_BATCH, seed=tenant_id, tenant_id=tenant_id
        )
        try:
            simulator.warm_up([KEY])
        except Exception:
            simulator.stop()
            raise
        return simulator

    started, failure = [], None
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(start, tenant_id, items) for tenant_id, items in tenant_items]
        for future in futures:
            try:
                started.append(future.result())
            except Exception as exc:  # every started one is stopped, then the first failure raised
                failure = failure or exc
    if failure:
        for simulator in started:
            simulator.stop()
        raise failure
    return started


def _tenant(name: str, simulator: RemoteSimulator):
    from devtools.simulator import DEMO_APP_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
    from tenants.models import Tenant

    tenant = Tenant(
        name=name,
        st_tenant_id=simulator.tenant_id,
        client_id=DEMO_CLIENT_ID,
        api_url=simulator.url,
        auth_url=simulator.url,
    )
    tenant.client_secret = DEMO_CLIENT_SECRET
    tenant.app_key = DEMO_APP_KEY
    # Far above what one sync needs: the budget is per tenant and must not be what is measured.
    tenant.rate_per_second = 1000
    tenant.save()
    return tenant


def _sync_on_workers(
    simulators: list[RemoteSimulator], queue: str, connection, workers: CeleryWorkers, timeout: float
) -> Run:
    """Queue one full sync task per simulator's tenant at once; wait until every tenant's run has finished (a SyncRun
    the worker closed); wall time from the first enqueue to the last `finished_at`."""
    from django.utils import timezone

    from servicetitan.models import SyncRun
    from servicetitan.tasks import sync_targets_task

    tenant_ids = [simulator.tenant_id for simulator in simulators]
    simulator_pids = {simulator.process.pid for simulator in simulators}
    cpu_before, simulators_before = workers.cpu_seconds(), cpu_seconds(pids=simulator_pids)
    load = os.getloadavg()[0]
    enqueued_at = timezone.now()
    for tenant_id in tenant_ids:
        sync_targets_task.apply_async(
            kwargs={"targets": [KEY], "full": True, "triggered_by": TRIGGER, "tenant_id": tenant_id},
            queue=queue,
            connection=connection,
        )
    # This run's own (a tenant synced by an earlier run of the section has a finished run of its own already).
    finished = SyncRun.objects.filter(
        target=KEY, triggered_by=TRIGGER, tenant_id__in=tenant_ids, started_at__gte=enqueued_at
    ).exclude(status=SyncRun.Status.RUNNING)
    deadline = time.monotonic() + timeout
    while finished.count() < len(tenant_ids):
        workers.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{len(tenant_ids) - finished.count()} of {len(tenant_ids)} syncs unfinished after {timeout:.0f} s: "
                f"{workers.log_tail()}"
            )
        time.sleep(POLL_SECONDS)
    runs = {run.tenant_id: run for run in finished}
    failed = [f"{run.tenant_id}: {run.status} {run.error[:300]}" for run in runs.values() if run.status != "succeeded"]
    if len(runs) != len(tenant_ids) or failed:
        raise RuntimeError(f"tenant syncs did not all succeed: {'; '.join(failed) or runs}")
    wall = (max(run.finished_at for run in runs.values()) - enqueued_at).total_seconds()
    cpu_after, simulators_after = workers.cpu_seconds(), cpu_seconds(pids=simulator_pids)
    return Run(
        wall=wall,
        runs=[runs[tenant_id] for tenant_id in tenant_ids],
        cpu=_difference(cpu_before, cpu_after),
        simulators_cpu=_difference(simulators_before, simulators_after),
        load=load,
    )


def _difference(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def _rows_by_tenant(tenant_ids: list[int]) -> dict[int, int]:
    from django.db.models import Count

    from pricebook.models import Material

    counted = Material.objects.filter(tenant_id__in=tenant_ids).values("tenant_id").annotate(n=Count("id"))
    return dict.fromkeys(tenant_ids, 0) | {row["tenant_id"]: row["n"] for row in counted}


def _requests(simulator: RemoteSimulator) -> dict:
    """The simulator's count of this run's requests: every API and token request, and the export ones alone."""
    by_route = simulator.stats.snapshot()["by_route"]
    return {
        "total": sum(by_route.values()),
        "export": sum(n for route, n in by_route.items() if "/export/" in route),
        "token": sum(n for route, n in by_route.items() if route.endswith("/connect/token")),
    }


@dataclass
class Checked:
    """What a run mirrored and asked, per tenant, against its simulator."""

    rows: dict[int, int]  # tenant id -> master rows mirrored
    expected: dict[int, int]  # tenant id -> records its simulator holds
    requests: dict[int, dict]  # tenant id -> _requests()

    @property
    def all_mirrored(self) -> bool:
        return self.rows == self.expected

    def minimum(self, tenant_id: int) -> int:
        """Export requests a full sync needs at the least (plus one token request)."""
        return minimum_calls(self.expected[tenant_id], EXPORT_BATCH)

    def at_minimum(self, tenant_id: int) -> bool:
        made = self.requests[tenant_id]
        return made["export"] == self.minimum(tenant_id) and made["token"] == 1 and made["total"] == made["export"] + 1

    def mismatches(self) -> str:
        return ", ".join(
            f"tenant {tenant_id}: {self.rows[tenant_id]:,} of {expected:,}"
            for tenant_id, expected in self.expected.items()
            if self.rows[tenant_id] != expected
        )


def _check(simulators: list[RemoteSimulator]) -> Checked:
    ids = [simulator.tenant_id for simulator in simulators]
    return Checked(
        rows=_rows_by_tenant(ids),
        expected={simulator.tenant_id: simulator.counts(KEY)["records"] for simulator in simulators},
        requests={simulator.tenant_id: _requests(simulator) for simulator in simulators},
    )


# --- the section -----------------------------------------------------------------------------------------------------
def broker_url() -> str | None:
    return settings.REDIS_URL or None


def bench_tenants(log) -> list[str]:
    count = int(os.environ.get("LAZI_BENCH_TENANTS", "10"))
    items = int(os.environ.get("LAZI_BENCH_TENANT_ITEMS", "25000"))
    url = broker_url()
    if not url:
        log("tenants: skipped, no Redis broker (REDIS_URL)")
        return ["", _heading(count, items), "", "Skipped: its Celery workers need a Redis broker (set REDIS_URL)."]
    timeout = float(os.environ.get("LAZI_BENCH_TENANTS_TIMEOUT", "3600"))
    several, single, serial = measure_tenants(count, items, url, log, timeout=timeout)
    return render(count, items, several, single, serial)


def measure_tenants(count: int, items: int, url: str, log, *, timeout: float = 3600) -> tuple[Run, Run, Run]:
    """`count` tenants × `items` materials on two workers, then `count` × `items` in one tenant on one, then the
    `count` tenants again on that one worker (what several tenants cost per item without a second worker competing
    for the CPUs); every process it starts (simulators, workers) stopped and its tenants, rows and queues gone at the
    end, failed or not."""
    from servicetitan.sync.streams import all_streams
    from tenants.models import Tenant

    stream = all_streams()[KEY]
    ids = [FIRST_TENANT_ID + n for n in range(count)]
    single_id = FIRST_TENANT_ID + count
    shared_queue = f"lazi-bench-tenants-{os.getpid()}"
    single_queue = f"{shared_queue}-one"
    # Worker 0 also reads the single tenant's queue: the one-worker run, the other worker up and idle.
    workers = CeleryWorkers([[shared_queue, single_queue], [shared_queue]], url, database_url_of_current_connection())
    simulators = []
    log(f"tenants: {count} simulators × {items:,} materials and one of {count * items:,}, {WORKERS} Celery workers …")
    try:
        with _through_the_broker(url) as connection:
            try:
                phase = time.perf_counter()
                workers.start()  # starting up meanwhile: they need no simulator until a task comes
                simulators = _start_simulators([*((tenant_id, items) for tenant_id in ids), (single_id, count * items)])
                log(f"tenants: {len(simulators)} simulators ready in {time.perf_counter() - phase:.1f} s")
                for n, simulator in enumerate(simulators[:-1]):
                    _tenant(f"{TENANT_PREFIX}{n}", simulator)
                _tenant(f"{TENANT_PREFIX}single", simulators[-1])
                workers.wait_ready(connection)
                log(f"tenants: {WORKERS} workers answering a ping after {time.perf_counter() - phase:.1f} s")
                truncate_mirror([stream])
                settle()
                for simulator in simulators:
                    simulator.reset_stats()
                log(f"tenants: {count} tenants, one task each, on {WORKERS} workers …")
                several = _sync_on_workers(simulators[:-1], shared_queue, connection, workers, timeout)
                several.checked = _check(simulators[:-1])
                # The same table, emptied: the one-tenant run writes into what the several-tenant run started from.
                truncate_mirror([stream])
                settle()
                log(f"tenants: the same {count * items:,} materials in one tenant, one task, one worker …")
                single = _sync_on_workers(simulators[-1:], single_queue, connection, workers, timeout)
                single.checked = _check(simulators[-1:])
                truncate_mirror([stream])
                settle()
                for simulator in simulators[:-1]:
                    simulator.reset_stats()
                log(f"tenants: the {count} tenants again, one after another on one worker …")
                serial = _sync_on_workers(simulators[:-1], single_queue, connection, workers, timeout)
                serial.checked = _check(simulators[:-1])
            finally:
                phase = time.perf_counter()
                workers.stop()
                log(f"tenants: workers stopped in {time.perf_counter() - phase:.1f} s")
                _delete_queues(connection, [shared_queue, single_queue])
    finally:
        for simulator in simulators:
            simulator.stop()
        Tenant.objects.filter(name__startswith=TENANT_PREFIX).delete()
        truncate_mirror([stream])
    return several, single, serial


def _heading(count: int, items: int) -> str:
    return (
        f"## Tenants: {count} × {items:,} materials on {WORKERS} Celery workers vs {count * items:,} in one tenant "
        "on one"
    )


def render(count: int, items: int, several: Run, single: Run, serial: Run) -> list[str]:
    total = count * items
    # Worker-seconds: what the run occupied of the workers, busy or waiting; CPU: what their processes computed.
    several_cost, single_cost = WORKERS * several.wall / total * 1000, 1 * single.wall / total * 1000
    checked = several.checked
    mirrored = sum(checked.rows[tenant_id] == checked.expected[tenant_id] for tenant_id in checked.expected)
    made = [checked.requests[tenant_id]["total"] for tenant_id in checked.expected]
    at_minimum = sum(checked.at_minimum(tenant_id) for tenant_id in checked.expected)
    minimum = {checked.minimum(tenant_id) for tenant_id in checked.expected}
    (single_id,) = single.checked.expected
    workers_used = len({run.worker for run in several.runs})
    return [
        "",
        _heading(count, items),
        "",
        f"Two `celery -A lazi worker --concurrency 1` processes on the Redis broker, warm (answering a ping) before "
        f"the timing; one `sync_targets_task(['{KEY}'], full=True, tenant_id=…)` per tenant (the schedules' task) "
        "queued at once; wall time from the first enqueue to the last run's end (its SyncRun). Each tenant has its "
        "own `st_simulator` process, credentials and budget; the one-tenant run goes to one worker (the other up and "
        f"idle) into the same table, emptied; then the tenants again, all on that one worker. Load average when queued: {several.load:.2f} and {single.load:.2f} on "
        f"{os.cpu_count()} CPUs (the machine's other work included).",
        "",
        "| run | rows mirrored | = simulators' records | wall seconds | items/s | worker-seconds per 1,000 items "
        "| task-seconds per 1,000 items | CPU seconds per 1,000 items: workers, simulators |",
        "|---|---:|:---:|---:|---:|---:|---:|---:|",
        *(
            f"| {name} | {sum(run.checked.rows.values()):,} | {'yes' if run.checked.all_mirrored else 'NO'} | "
            f"{run.wall:.1f} | {total / run.wall:,.0f} | {cost:.3f} | {run.task_seconds / total * 1000:.3f} | "
            f"{run.per_thousand(run.cpu, total)}, {run.per_thousand(run.simulators_cpu, total)} |"
            for name, run, cost in (
                (f"{count} tenants, {WORKERS} workers", several, several_cost),
                ("1 tenant, 1 worker", single, single_cost),
                (f"{count} tenants, 1 worker", serial, serial.wall / total * 1000),
            )
        ),
        "",
        f"- per item, {count} tenants on {WORKERS} workers vs one tenant on one: **{several_cost / single_cost:.2f}x** "
        f"worker-seconds (near 1 is the target); {WORKERS} workers' wall time is {several.wall / single.wall:.2f}x "
        f"one worker's (1/{WORKERS} would be the workers fully used at the one worker's speed); per item, task-seconds "
        f"{several.task_seconds / single.task_seconds:.2f}x (above 1: each sync slowed by the other beside it; the "
        "rest of the worker-seconds is a worker idle, its queue empty, while the other finishes), "
        f"workers' CPU {several.cpu_ratio(single)}.",
        f"- per item, {count} tenants on one worker vs one tenant on one: **{serial.wall / single.wall:.2f}x** (what "
        f"tenants cost per item when no second worker shares the {os.cpu_count()} CPUs with the database; rows equal "
        f"to the simulators: {'yes' if serial.checked.all_mirrored else 'NO (' + serial.checked.mismatches() + ')'})"
        f"; the {count} tasks ran on {len({run.worker for run in serial.runs})} worker process.",
        f"- rows mirrored equal to the tenant's simulator: {mirrored} of {count} tenants"
        f"{'' if checked.all_mirrored else ' (' + checked.mismatches() + ')'}; the one tenant: "
        f"{'yes' if single.checked.all_mirrored else 'NO (' + single.checked.mismatches() + ')'}; the {count} tasks "
        f"ran on {workers_used} worker processes.",
        f"- requests per tenant: {_span(set(made))}, the minimum {_span(minimum)} export requests (batches of "
        f"{EXPORT_BATCH:,}) + 1 token; tenants at the minimum: **{at_minimum} of {count}**; the one tenant: "
        f"{single.checked.requests[single_id]['total']} (minimum {single.checked.minimum(single_id)} + 1).",
    ]


def _span(values: set[int]) -> str:
    return f"{min(values)}" if len(values) == 1 else f"{min(values)}–{max(values)}"


BENCH_SECTIONS = {"tenants": bench_tenants}
