"""Starting syncs from the admin, the API or code: validated, then queued once the caller's transaction commits."""

from __future__ import annotations

from django.db import transaction

from servicetitan.sync.streams import resolve_targets


def enqueue_sync(targets: list[str] | None, *, full: bool = False, triggered_by: str = "") -> list[str]:
    """Queue `sync_targets_task` for the targets after commit. Unknown targets raise ValueError now, not in a worker.

    Returns the entity keys that will run. Without a broker (no REDIS_URL) the task runs in this process on commit.
    """
    from servicetitan.tasks import sync_targets_task

    keys = [stream.key for stream in resolve_targets(targets or None)]
    chosen = list(targets) if targets else None
    transaction.on_commit(lambda: sync_targets_task.delay(chosen, full=full, triggered_by=triggered_by))
    return keys
