"""One run at a time per (tenant, entity): the sync's run lock.

- REDIS_URL set: a Redis key (SET NX with a TTL) kept alive by a heartbeat thread; shared by every machine.
- else PostgreSQL: a session advisory lock, released by the server when the holding connection goes away.
- else (SQLite, the embedded default): a `SyncLock` row with an expiry refreshed after every page.

A process killed with SIGKILL cannot release anything. Its lock is taken over at once when its owner process is
gone on this host (Redis, row), when its connection closes (PostgreSQL), or else when it expires.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

HOST = socket.gethostname()[:100]
# Redis: the key lives this long without a heartbeat (a dead holder on another machine blocks at most this long).
REDIS_TTL_SECONDS = 120
# Database row: refreshed after every page; a page (with its retries) must never take longer than this.
ROW_TTL = timedelta(minutes=15)


def lock_name(tenant_id: int, target: str) -> str:
    return f"lazi:sync:{tenant_id}:{target}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_is_dead(owner: str) -> bool:
    """True when the owner ("host:pid:uuid") ran on this host and its process is gone."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    return host == HOST and pid.isdigit() and not pid_alive(int(pid))


class RunLock:
    """Acquire once; refresh between pages; release at the end. `acquire` never waits."""

    def __init__(self, name: str):
        self.name = name
        self.owner = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex}"
        self.held = False

    def acquire(self) -> bool:
        raise NotImplementedError

    def refresh(self) -> None:
        """Tell the world the holder is alive (after each page)."""

    def release(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> RunLock:
        self.held = self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        if self.held:
            try:
                self.release()
            except Exception:
                logger.warning("could not release sync lock %s", self.name, exc_info=True)
            self.held = False


class RedisRunLock(RunLock):
    # Compare-and-set scripts: only the owner extends or deletes its key.
    _EXTEND = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
    )
    _DELETE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def __init__(self, name: str, url: str, ttl_seconds: int = REDIS_TTL_SECONDS):
        import redis

        super().__init__(name)
        self.redis = redis.Redis.from_url(url)
        self.ttl_ms = int(ttl_seconds * 1000)
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def acquire(self) -> bool:
        if not self.redis.set(self.name, self.owner, nx=True, px=self.ttl_ms):
            current = self.redis.get(self.name)
            if not current or not _owner_is_dead(current.decode()):
                return False
            logger.warning("taking over sync lock %s from dead process %s", self.name, current.decode())
            self.redis.eval(self._DELETE, 1, self.name, current)
            if not self.redis.set(self.name, self.owner, nx=True, px=self.ttl_ms):
                return False
        self._stop.clear()
        self._heartbeat = threading.Thread(target=self._beat, name=f"sync-lock {self.name}", daemon=True)
        self._heartbeat.start()
        return True

    def _beat(self) -> None:
        while not self._stop.wait(self.ttl_ms / 3000):
            try:
                self.refresh()
            except Exception:
                logger.warning("sync lock heartbeat failed for %s", self.name, exc_info=True)

    def refresh(self) -> None:
        if not self.redis.eval(self._EXTEND, 1, self.name, self.owner, self.ttl_ms):
            logger.warning("sync lock %s was lost (expired or taken over)", self.name)

    def release(self) -> None:
        self._stop.set()
        if self._heartbeat:
            self._heartbeat.join(timeout=5)
        self.redis.eval(self._DELETE, 1, self.name, self.owner)


class AdvisoryRunLock(RunLock):
    """PostgreSQL session advisory lock on Django's connection: the server frees it if the process dies."""

    def __init__(self, name: str):
        super().__init__(name)
        digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
        self.key = int.from_bytes(digest, "big", signed=True)

    def acquire(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
            return bool(cursor.fetchone()[0])

    def release(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])


class RowRunLock(RunLock):
    """A `SyncLock` row: for databases without advisory locks (SQLite)."""

    def __init__(self, name: str, ttl: timedelta = ROW_TTL):
        super().__init__(name)
        self.ttl = ttl

    def acquire(self) -> bool:
        from servicetitan.models import SyncLock

        now = timezone.now()
        mine = {"owner": self.owner, "host": HOST, "pid": os.getpid(), "acquired_at": now, "expires_at": now + self.ttl}
        try:
            with transaction.atomic():
                SyncLock.objects.create(name=self.name, **mine)
            return True
        except IntegrityError:
            pass
        current = SyncLock.objects.filter(name=self.name).values_list("owner", "expires_at").first()
        if current is None:
            return self.acquire_once_more(mine)
        owner, expires_at = current
        if expires_at > now and not _owner_is_dead(owner):
            return False
        logger.warning("taking over sync lock %s from %s (expired or dead)", self.name, owner)
        # Compare-and-set on the previous owner: of two processes taking over, one wins.
        return SyncLock.objects.filter(name=self.name, owner=owner).update(**mine) == 1

    def acquire_once_more(self, mine: dict) -> bool:
        from servicetitan.models import SyncLock

        try:
            with transaction.atomic():
                SyncLock.objects.create(name=self.name, **mine)
            return True
        except IntegrityError:
            return False

    def refresh(self) -> None:
        from servicetitan.models import SyncLock

        if not SyncLock.objects.filter(name=self.name, owner=self.owner).update(expires_at=timezone.now() + self.ttl):
            logger.warning("sync lock %s was lost (expired and taken over)", self.name)

    def release(self) -> None:
        from servicetitan.models import SyncLock

        SyncLock.objects.filter(name=self.name, owner=self.owner).delete()


def run_lock(tenant_id: int, target: str) -> RunLock:
    """The run lock for one entity of one tenant, of the kind this deployment supports."""
    name = lock_name(tenant_id, target)
    if settings.REDIS_URL:
        # The lock guards one database's mirror: deployments (or test runs) sharing a Redis do not block each other.
        return RedisRunLock(f"{name}:{connection.settings_dict['NAME']}", settings.REDIS_URL)
    if connection.vendor == "postgresql":
        return AdvisoryRunLock(name)
    return RowRunLock(name)
