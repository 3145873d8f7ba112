"""The sync engine: mirrors ServiceTitan entities (declared as `Stream`s) into raw + master rows.

How a stream is fetched follows from its registry resource:
- export endpoint: `from`/`continueFrom`; each batch's token is saved in the same transaction as its rows, so a crash
  re-fetches at most the batch in flight and never skips one;
- list endpoint with a change filter: `modifiedOnOrAfter` = start of the last complete run minus a safety overlap,
  `active=Any`; the watermark moves only when the run completes;
- list endpoint without one (small collections): refreshed whole.
A complete pass over everything (full runs, first runs, whole refreshes) ends by marking every row it did not see as
deleted: records vanish from the mirror's view, never from the database.

One run per (tenant, entity) at a time (see `locks`); a run asked for meanwhile is skipped and leaves a request that
the holder serves with one more incremental run when it finishes (a burst of webhooks costs one extra run, not one
each). Every run leaves a `SyncRun` with its counts and error.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.db import reset_queries, transaction
from django.db.models import Subquery
from django.utils import timezone

from servicetitan.logging import redact
from servicetitan.models import SyncCursor, SyncRun
from servicetitan.sync.locks import HOST, RunLock, run_lock
from servicetitan.sync.streams import Stream, resolve_targets
from servicetitan.sync.upsert import UpsertResult, rebuild_stream, write_page

logger = logging.getLogger("servicetitan.sync")

COUNTERS = ("pages", "created", "updated", "unchanged", "deactivated", "deleted", "problems", "api_calls", "retries")
# How far back an incremental list run looks before the last watermark: covers clock skew between LAZI and
# ServiceTitan and records committed late on their side. Re-reading a record costs nothing (its hash is unchanged).
DEFAULT_OVERLAP_SECONDS = 600
# Follow-up runs one run makes at most for requests that arrived while it ran (a steady stream of webhooks must not
# keep one worker busy forever; a request left over is served by the next run).
MAX_FOLLOW_UPS = 3


def overlap() -> timedelta:
    return timedelta(seconds=settings.SERVICE_TITAN.get("SYNC_OVERLAP_SECONDS", DEFAULT_OVERLAP_SECONDS))


class SyncProgress(Protocol):
    """What a caller (st_sync's progress bar) is told while streams run. Raising here aborts the run like a crash."""

    def started(self, stream: Stream, run: SyncRun) -> None: ...

    def page(self, stream: Stream, run: SyncRun, records: int) -> None: ...

    def finished(self, stream: Stream, run: SyncRun) -> None: ...


def _describe(exc: BaseException) -> str:
    """The error as staff and API consumers read it: the exception's own message, never a server traceback (that
    goes to the log, with the run's failure line)."""
    message = str(exc) or exc.__class__.__name__
    if not isinstance(exc, Exception):
        message = f"interrupted ({exc.__class__.__name__})"
    return redact(f"{exc.__class__.__name__}: {message}")


def _get_client(tenant_id: int | None = None):
    from servicetitan.client import get_client

    return get_client(tenant_id)


def sync_targets(
    targets: Iterable[str] | None = None,
    *,
    full: bool = False,
    progress: SyncProgress | None = None,
    client=None,
    triggered_by: str = "",
    tenant_id: int | None = None,
) -> list[SyncRun]:
    """Sync every stream of the targets (modules or entities; none = all) in dependency order, one run each, for
    one tenant (`tenant_id`, ServiceTitan's; None = the default tenant) unless a `client` is given.

    Unknown targets raise ValueError before anything runs. A failing stream does not stop the others.
    """
    streams = resolve_targets(list(targets) if targets else None)
    if client is None:
        try:
            client = _get_client(tenant_id)
        except Exception as exc:  # unconfigured: every stream's run says so, in the admin too
            return [
                _record_failure(stream, exc, full=full, triggered_by=triggered_by, tenant_id=tenant_id)
                for stream in streams
            ]
    return [
        sync_stream(stream, full=full, client=client, progress=progress, triggered_by=triggered_by)
        for stream in streams
    ]


def _record_failure(
    stream: Stream, exc: BaseException, *, full: bool, triggered_by: str, tenant_id: int | None = None
) -> SyncRun:
    now = timezone.now()
    return SyncRun.objects.create(
        target=stream.key,
        tenant_id=tenant_id,
        full=full,
        status=SyncRun.Status.FAILED,
        started_at=now,
        finished_at=now,
        error=redact(str(exc)),
        triggered_by=triggered_by,
        worker=f"{HOST}:{os.getpid()}",
    )


def sync_stream(
    stream: Stream,
    *,
    full: bool = False,
    client=None,
    progress: SyncProgress | None = None,
    triggered_by: str = "",
) -> SyncRun:
    """One run of one entity. Returns its SyncRun: succeeded, failed (with the error) or skipped (lock held).

    A run asked for while another held the lock (a webhook during a long sync, say) is skipped, and leaves a request
    on the entity's cursor: the holder then runs once more, incrementally, when it finishes, so what the skipped run
    was for is not left to the next schedule.
    """
    if client is None:
        try:
            client = _get_client()
        except Exception as exc:
            return _record_failure(stream, exc, full=full, triggered_by=triggered_by)
    run = _locked_run(stream, full=full, client=client, progress=progress, triggered_by=triggered_by)
    if run.status == SyncRun.Status.SKIPPED:
        return run
    for _ in range(MAX_FOLLOW_UPS):
        if not _follow_up_requested(client.tenant_id, stream.key):
            break
        follow_up = _locked_run(
            stream, full=False, client=client, progress=progress, triggered_by=f"follow-up of run {run.pk}"
        )
        if follow_up.status == SyncRun.Status.SKIPPED:  # another process took over, and the request with it
            break
    return run


def _follow_up_requested(tenant_id: int, target: str) -> bool:
    return SyncCursor.objects.filter(tenant_id=tenant_id, target=target, follow_up_requested_at__isnull=False).exists()


def request_follow_up(tenant_id: int, target: str) -> None:
    SyncCursor.objects.update_or_create(
        tenant_id=tenant_id, target=target, defaults={"follow_up_requested_at": timezone.now()}
    )


def _locked_run(stream: Stream, *, full: bool, client, progress: SyncProgress | None, triggered_by: str) -> SyncRun:
    tenant_id = client.tenant_id
    worker = f"{HOST}:{os.getpid()}"
    with run_lock(tenant_id, stream.key) as lock:
        if not lock.held:
            request_follow_up(tenant_id, stream.key)
            # The holder may have finished and looked for requests in between: then nobody would run for this one.
            lock.held = lock.acquire()
        if not lock.held:
            now = timezone.now()
            run = SyncRun.objects.create(
                target=stream.key,
                tenant_id=tenant_id,
                full=full,
                status=SyncRun.Status.SKIPPED,
                started_at=now,
                finished_at=now,
                error=f"Skipped: another run of {stream.key} is in progress. It runs once more when it finishes, "
                "to pick up what this run was asked for.",
                triggered_by=triggered_by,
                worker=worker,
            )
            logger.info("sync %s skipped: another run holds the lock and will run again after it", stream.key)
            return run
        _close_abandoned_runs(tenant_id, stream.key)
        # This run covers every request made before it starts; requests made while it runs ask for a follow-up.
        SyncCursor.objects.filter(tenant_id=tenant_id, target=stream.key).update(follow_up_requested_at=None)
        run = SyncRun.objects.create(
            target=stream.key, tenant_id=tenant_id, full=full, triggered_by=triggered_by, worker=worker
        )
        if progress:
            progress.started(stream, run)
        before = client.stats.snapshot()
        try:
            _Runner(stream, run, client, lock, progress, before).run(full=full)
            run.status = SyncRun.Status.SUCCEEDED
        except BaseException as exc:
            run.status = SyncRun.Status.FAILED
            run.error = _describe(exc)
            logger.error("sync %s failed: %s", stream.key, redact(str(exc)), exc_info=True)
            if not isinstance(exc, Exception):
                _finish(run, client, before)
                raise
        _finish(run, client, before)
    if progress:
        progress.finished(stream, run)
    logger.info("sync %s", run.summary())
    return run


def _finish(run: SyncRun, client, before: dict) -> None:
    after = client.stats.snapshot()
    run.api_calls = after["calls"] - before["calls"]
    run.retries = after["retries"] - before["retries"]
    run.finished_at = timezone.now()
    run.save()


def _close_abandoned_runs(tenant_id: int, target: str) -> None:
    """Runs still "running" while we hold the lock belong to processes that died (SIGKILL, OOM, lost machine)."""
    SyncRun.objects.filter(tenant_id=tenant_id, target=target, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED,
        finished_at=timezone.now(),
        error="Interrupted: the process running this sync stopped before it finished (killed or crashed). "
        "The pages it stored are kept; the next run continued from there.",
    )


class _Runner:
    """The page loop of one run; every page is one transaction with its cursor and the run's counters."""

    def __init__(self, stream: Stream, run: SyncRun, client, lock: RunLock, progress: SyncProgress | None, before):
        self.stream, self.run_record, self.client, self.lock, self.progress = stream, run, client, lock, progress
        self.stats_before = before
        self.watermark = None  # list streams: where the next incremental run starts, saved when this one completes
        self.tenant_id = client.tenant_id
        self.resource = stream.resource
        self.mirrored_before = True  # whether the tenant had raw rows of this stream when the run started

    def run(self, *, full: bool) -> None:
        cursor, _ = SyncCursor.objects.get_or_create(tenant_id=self.tenant_id, target=self.stream.key)
        # A first sync has nothing to mark deleted at its end: every row it finds was written by this run (one probe
        # of the unique index now saves a scan of every raw row for ones this run did not see).
        self.mirrored_before = self.stream.raw().objects.filter(tenant_id=self.tenant_id).exists()
        if self.resource.export_path:
            complete_pass = self._run_export(cursor, full=full)
        elif self.resource.list_path and self.resource.modified_filter:
            complete_pass = self._run_modified(cursor, full=full)
        elif self.resource.list_path:
            complete_pass = self._run_pages(self.client.iter_pages(self.stream.key), cursor=None, sweep=True)
        else:
            raise ValueError(f"{self.stream.key} has neither an export nor a list endpoint in the registry")
        with transaction.atomic():
            if complete_pass:
                self._mark_unseen_deleted()
                SyncCursor.objects.filter(pk=cursor.pk).update(last_full_at=timezone.now())
            if self.watermark is not None:
                SyncCursor.objects.filter(pk=cursor.pk).update(modified_since=self.watermark)
            self._save_counters()
        if self.stream.after_run:
            self.stream.after_run(self.tenant_id)

    def _run_export(self, cursor: SyncCursor, *, full: bool) -> bool:
        token = None if full else (cursor.export_token or None)
        batches = self.client.iter_export(self.stream.key, from_token=token)
        return self._run_pages(batches, cursor=cursor, sweep=token is None, token_of=lambda b: b.continue_from)

    def _run_modified(self, cursor: SyncCursor, *, full: bool) -> bool:
        since = None if full or cursor.modified_since is None else cursor.modified_since - overlap()
        pages = self.client.iter_pages(self.stream.key, modified_on_or_after=since, include_inactive=True)
        complete = self._run_pages(pages, cursor=None, sweep=since is None)
        # Only a finished run moves the watermark: list order is not guaranteed, so no page is a safe resume point.
        self.watermark = self.run_record.started_at
        return complete

    def _run_pages(self, pages, *, cursor: SyncCursor | None, sweep: bool, token_of=None) -> bool:
        """Store every page; returns `sweep` (True when this was a complete pass)."""
        for page in pages:
            reset_queries()  # with DEBUG on, Django would keep every statement of a long run in memory
            now = timezone.now()
            with transaction.atomic():
                result = write_page(
                    self.stream, page.items, self.tenant_id, now=now, touch_unchanged=sweep, run=self.run_record
                )
                if cursor is not None and token_of is not None and token_of(page):
                    SyncCursor.objects.filter(pk=cursor.pk).update(export_token=token_of(page), updated_at=now)
                self._count(result, pages=1)
                self._save_counters()
            self.lock.refresh()
            if self.progress:
                self.progress.page(self.stream, self.run_record, len(page.items))
        return sweep

    def _count(self, result: UpsertResult, *, pages: int = 0) -> None:
        run = self.run_record
        run.pages += pages
        for name in ("created", "updated", "unchanged", "deactivated", "deleted", "problems"):
            setattr(run, name, getattr(run, name) + getattr(result, name))

    def _save_counters(self) -> None:
        run, stats = self.run_record, self.client.stats.snapshot()
        run.api_calls = stats["calls"] - self.stats_before["calls"]
        run.retries = stats["retries"] - self.stats_before["retries"]
        SyncRun.objects.filter(pk=run.pk).update(**{name: getattr(run, name) for name in COUNTERS})

    def _mark_unseen_deleted(self) -> None:
        """After a complete pass: rows not seen in it are gone from ServiceTitan. Flag them, raw and master."""
        if not self.mirrored_before:
            return
        raw, master = self.stream.raw(), self.stream.master()
        unseen = raw.objects.filter(tenant_id=self.tenant_id, deleted=False, fetched_at__lt=self.run_record.started_at)
        if not unseen.exists():
            return  # the common case (a first sync, nothing gone): a scan of the raw rows, no UPDATE joined to the master
        now = timezone.now()
        master.objects.filter(tenant_id=self.tenant_id, st_id__in=Subquery(unseen.values("st_id"))).update(
            deleted=True, synced_at=now
        )
        gone = unseen.update(deleted=True, fetched_at=now)
        self.run_record.deleted += gone


def rebuild_targets(targets: Iterable[str] | None = None, *, tenant_id: int | None = None) -> dict[str, int]:
    """Rebuild master rows (and relations) from raw rows, no ServiceTitan calls: one tenant's rows (ServiceTitan's
    tenant id), or every row when None. Returns rows rebuilt per entity."""
    return {
        stream.key: rebuild_stream(stream, tenant_id=tenant_id)
        for stream in resolve_targets(list(targets) if targets else None)
    }
