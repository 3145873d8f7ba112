"""Bench section "tenants" at a tiny size: real Celery workers on the Redis broker sync every tenant from its own
simulator process, the rows and requests are checked, and nothing it started is left running (timings not asserted)."""

import os

import pytest

from devtools.benchmarks import tenants as section
from pricebook.models import Material
from servicetitan.models import SyncRun
from tenants.models import Tenant

COUNT, ITEMS = 2, 700


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.postgresql
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # the workers, other processes, read what this test commits
def test_every_tenant_is_synced_by_the_two_workers_reported_and_everything_cleaned_up(redis_url):
    several, single, serial = section.measure_tenants(COUNT, ITEMS, redis_url, log=lambda message: None, timeout=120)

    tenant_ids = [section.FIRST_TENANT_ID + n for n in range(COUNT)]
    assert several.checked.expected == dict.fromkeys(tenant_ids, ITEMS)
    assert several.checked.rows == several.checked.expected
    (single_id,) = single.checked.expected
    assert single.checked.rows == single.checked.expected == {single_id: COUNT * ITEMS}
    assert [run.tenant_id for run in several.runs] == tenant_ids
    assert all(run.status == SyncRun.Status.SUCCEEDED and run.created == ITEMS for run in several.runs)
    # Each run was a worker's (host:pid of its pool process), not this process's: the two workers took a tenant each,
    # and the one-tenant run was one of theirs.
    worker_pids = {int(run.worker.rsplit(":", 1)[1]) for run in [*several.runs, *single.runs]}
    assert os.getpid() not in worker_pids
    assert len({run.worker for run in several.runs}) == 2
    assert single.runs[0].worker in {run.worker for run in several.runs}
    # One export request (700 and 1,400 < 5,000) and one token per tenant.
    assert all(several.checked.at_minimum(tenant_id) for tenant_id in tenant_ids)
    assert single.checked.requests[single_id] == {"total": 2, "export": 1, "token": 1}
    assert several.wall > 0 and single.wall > 0 and serial.wall > 0
    # The third run: the same tenants again, all on the one worker that read the one-tenant queue, this run's own.
    assert serial.checked.rows == serial.checked.expected == dict.fromkeys(tenant_ids, ITEMS)
    assert {run.worker for run in serial.runs} == {single.runs[0].worker}
    assert not {run.pk for run in serial.runs} & {run.pk for run in several.runs}
    # Nothing left: the worker processes, the tenants, the rows.
    assert not any(_running(pid) for pid in worker_pids)
    assert not Tenant.objects.filter(name__startswith=section.TENANT_PREFIX).exists()
    assert not Material.objects.exists()

    report = "\n".join(section.render(COUNT, ITEMS, several, single, serial))
    assert "## Tenants: 2 × 700 materials on 2 Celery workers vs 1,400 in one tenant on one" in report
    assert "| 2 tenants, 2 workers | 1,400 | yes |" in report
    assert "| 1 tenant, 1 worker | 1,400 | yes |" in report
    assert "| 2 tenants, 1 worker | 1,400 | yes |" in report
    assert f"one worker vs one tenant on one: **{serial.wall / single.wall:.2f}x**" in report
    assert "rows mirrored equal to the tenant's simulator: 2 of 2 tenants; the one tenant: yes" in report
    assert "tenants at the minimum: **2 of 2**" in report
    ratio = (2 * several.wall) / single.wall
    assert f"**{ratio:.2f}x** worker-seconds (near 1 is the target)" in report


def test_without_a_broker_the_section_says_it_was_skipped(settings):
    settings.REDIS_URL = ""

    lines = section.bench_tenants(log=lambda message: None)

    assert "Skipped: its Celery workers need a Redis broker (set REDIS_URL)." in lines
