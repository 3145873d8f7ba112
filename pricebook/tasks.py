"""Celery tasks of the pricebook: thin wrappers taking ids; the work is in pricebook.services.push.

The push path runs one way: the override services queue a push (`enqueue_push`), the task runs it, and what the push
returns to retry is re-queued here (an edit saved during the push at once, a temporary failure after a pause); the
push itself queues nothing.
"""

import logging
from collections.abc import Iterable

from celery import shared_task
from django.db import transaction

from pricebook.models import MarkupTierEdit
from pricebook.services.markup import push_markup_edits
from pricebook.services.push import PushResult, push_overrides, push_pending

logger = logging.getLogger(__name__)

# Temporary failures are retried with a growing pause, up to about an hour; the scheduled push is the safety net.
RETRY_DELAYS = (30, 60, 120, 300, 600, 900, 1200)


def enqueue_push(override_ids: Iterable[int]) -> None:
    """Queue the push of these overrides once the current transaction commits (now, outside one)."""
    ids = sorted(set(override_ids))
    if not ids:
        return

    def send():
        try:
            push_overrides_task.delay(ids)
        except Exception:
            # The edit is saved and pending whatever happens here; the scheduled push picks it up.
            logger.exception("could not queue the push of overrides %s; the scheduled push will retry", ids)

    transaction.on_commit(send)


def requeue_edited(result: PushResult) -> list[int]:
    """Overrides edited while they were being pushed: their newer edit is pushed next, at once. Returns the rest of
    what is to retry (temporary failures)."""
    enqueue_push(result.edited)
    return [pk for pk in result.retry if pk not in set(result.edited)]


@shared_task(bind=True, max_retries=len(RETRY_DELAYS), acks_late=True)
def push_overrides_task(self, ids: list[int]) -> dict:
    result = push_overrides(ids)
    later = requeue_edited(result)
    # In-process (no broker) a retry would run at once and block the request: leave it to the scheduled push.
    if later and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(args=[later], countdown=RETRY_DELAYS[self.request.retries])
    return result.as_dict()


@shared_task(acks_late=True)
def push_pending_task() -> dict:
    """The safety net: push whatever is pending (beat runs it every few minutes): overrides, markup-tier edits."""
    result = push_pending()
    requeue_edited(result)
    outcome = result.as_dict()
    if MarkupTierEdit.objects.filter(status=MarkupTierEdit.Status.PENDING).exists():
        tiers = push_markup_edits()
        outcome["markup_tiers"] = {"pushed": len(tiers.pushed), "failed": len(tiers.failed), "retry": len(tiers.retry)}
    return outcome
