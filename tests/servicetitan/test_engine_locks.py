"""The run locks: one holder at a time, taken over from dead or expired holders, released at the end."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from servicetitan.models import SyncLock
from servicetitan.sync import locks
from servicetitan.sync.locks import AdvisoryRunLock, RedisRunLock, RowRunLock, run_lock


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.django_db
class TestRowLock:
    def test_one_holder_at_a_time_and_released_at_the_end(self):
        with RowRunLock("lazi:sync:1:pricebook.materials") as first:
            assert first.held
            with RowRunLock("lazi:sync:1:pricebook.materials") as second:
                assert not second.held
            with RowRunLock("lazi:sync:1:pricebook.services") as other_entity:
                assert other_entity.held
        assert not SyncLock.objects.exists()
        with RowRunLock("lazi:sync:1:pricebook.materials") as again:
            assert again.held

    def test_a_dead_holder_on_this_host_is_taken_over_at_once(self):
        pid = dead_pid()
        now = timezone.now()
        SyncLock.objects.create(
            name="lazi:sync:1:x",
            owner=f"{locks.HOST}:{pid}:abc",
            host=locks.HOST,
            pid=pid,
            acquired_at=now,
            expires_at=now + timedelta(hours=1),
        )
        with RowRunLock("lazi:sync:1:x") as lock:
            assert lock.held
            assert SyncLock.objects.get().owner == lock.owner

    def test_a_live_holder_elsewhere_blocks_until_its_lock_expires(self):
        now = timezone.now()
        holder = {"owner": "other-host:1:abc", "host": "other-host", "pid": 1, "acquired_at": now}
        SyncLock.objects.create(name="lazi:sync:1:x", expires_at=now + timedelta(minutes=5), **holder)
        with RowRunLock("lazi:sync:1:x") as lock:
            assert not lock.held
        SyncLock.objects.filter(name="lazi:sync:1:x").update(expires_at=now - timedelta(seconds=1))
        with RowRunLock("lazi:sync:1:x") as lock:
            assert lock.held

    def test_refresh_extends_the_expiry(self):
        with RowRunLock("lazi:sync:1:x", ttl=timedelta(seconds=30)) as lock:
            SyncLock.objects.update(expires_at=timezone.now())
            lock.refresh()
            assert SyncLock.objects.get().expires_at > timezone.now() + timedelta(seconds=20)


@pytest.mark.redis
def test_redis_lock_blocks_a_second_holder_and_recovers_from_a_dead_one(redis_url):
    name = "lazi:test:sync-lock"
    first = RedisRunLock(name, redis_url, ttl_seconds=5)
    first.redis.delete(name)
    with first:
        assert first.held
        with RedisRunLock(name, redis_url) as second:
            assert not second.held
        assert first.redis.pttl(name) > 0
    assert first.redis.get(name) is None

    first.redis.set(name, f"{locks.HOST}:{dead_pid()}:abc", px=60_000)
    with RedisRunLock(name, redis_url) as taker:
        assert taker.held
    first.redis.delete(name)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_postgres_advisory_lock_is_held_per_connection():
    results = {}
    with AdvisoryRunLock("lazi:sync:1:x") as first:
        assert first.held

        def contender():
            with AdvisoryRunLock("lazi:sync:1:x") as second:
                results["held"] = second.held
            connection.close()

        thread = threading.Thread(target=contender)
        thread.start()
        thread.join(10)
    assert results == {"held": False}


def test_the_lock_kind_follows_the_deployment(settings):
    settings.REDIS_URL = ""
    expected = AdvisoryRunLock if connection.vendor == "postgresql" else RowRunLock
    assert type(run_lock(1, "pricebook.materials")) is expected
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    assert type(run_lock(1, "pricebook.materials")) is RedisRunLock
