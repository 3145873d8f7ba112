"""The sync task: runs the engine with its targets, in-process or through a real broker and worker."""

import time

import pytest

from servicetitan.models import SyncRun
from servicetitan.tasks import sync_targets_task
from tests.servicetitan.sync_support import PRICEBOOK


@pytest.mark.django_db
def test_the_task_syncs_its_targets_and_reports_their_status(simulator):
    result = sync_targets_task.delay(["pricebook"], full=True, triggered_by="test").get()

    assert result == dict.fromkeys(PRICEBOOK, "succeeded")
    assert set(SyncRun.objects.values_list("triggered_by", flat=True)) == {"test"}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_task_goes_through_the_redis_broker_to_a_worker(redis_url, simulator):
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from lazi.celery import app

    def close_worker_connections(**kwargs):
        # The test worker is a thread of this process: its database session would outlive the test database.
        connections.close_all()

    task_postrun.connect(close_worker_connections, weak=False)
    previous = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.update(task_always_eager=False, broker_url=redis_url)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            sync_targets_task.delay(["pricebook.categories"], triggered_by="broker")
            deadline = time.monotonic() + 60
            while not SyncRun.objects.filter(triggered_by="broker").exclude(status="running").exists():
                assert time.monotonic() < deadline, "the worker never ran the task"
                time.sleep(0.1)
    finally:
        app.conf.update(**previous)
        task_postrun.disconnect(close_worker_connections)
    run = SyncRun.objects.get(triggered_by="broker")
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.created == len(simulator.dataset.records("pricebook.categories"))
