"""Starting syncs from the admin, the API or code: validated, then queued once the caller's transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from servicetitan.sync.streams import resolve_targets


class QueueUnavailable(Exception):
    """The task queue (Redis) cannot be reached: nothing was queued. The message is for people, without the URL."""


def queue_problem() -> str | None:
    """Why syncs cannot be queued or locked right now (Redis unreachable), or None. Without REDIS_URL there is no
    queue to reach: tasks run in-process."""
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        return f"Redis (the task queue and sync locks) is unreachable ({exc.__class__.__name__}); try again later."
    return None


def enqueue_sync(
    targets: list[str] | None, *, full: bool = False, triggered_by: str = "", tenant_id: int | None = None
) -> list[str]:
    """Queue `sync_targets_task` for the targets of one tenant (ServiceTitan's id; None = the default tenant) after
    commit. Unknown targets raise ValueError now, not in a worker; an unreachable queue raises `QueueUnavailable`.

    Returns the entity keys that will run. Without a broker (no REDIS_URL) the task runs in this process on commit.
    """
    from servicetitan.tasks import sync_targets_task

    keys = [stream.key for stream in resolve_targets(targets or None)]
    problem = queue_problem()
    if problem:
        raise QueueUnavailable(problem)
    chosen = list(targets) if targets else None
    if tenant_id is None:
        tenant_id = _default_tenant_id()
    options = {"full": full, "triggered_by": triggered_by}
    if tenant_id is not None:
        options["tenant_id"] = tenant_id
    transaction.on_commit(lambda: sync_targets_task.delay(chosen, **options))
    return keys


def _default_tenant_id() -> int | None:
    """The default tenant's ServiceTitan id, so the task does not fan out to every tenant; None when there is none
    (the task then syncs the settings' tenant, or records why it cannot)."""
    from tenants.selectors import default_tenant

    tenant = default_tenant()
    return tenant.st_tenant_id if tenant else None
