"""Celery tasks of the pricebook: thin wrappers taking ids; the work is in pricebook.services.push."""

from celery import shared_task

from pricebook.models import MarkupTierEdit
from pricebook.services.markup import push_markup_edits
from pricebook.services.push import push_overrides, push_pending

# Temporary failures are retried with a growing pause, up to about an hour; the scheduled push is the safety net.
RETRY_DELAYS = (30, 60, 120, 300, 600, 900, 1200)


@shared_task(bind=True, max_retries=len(RETRY_DELAYS), acks_late=True)
def push_overrides_task(self, ids: list[int]) -> dict:
    result = push_overrides(ids)
    # In-process (no broker) a retry would run at once and block the request: leave it to the scheduled push.
    if result.retry and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(args=[result.retry], countdown=RETRY_DELAYS[self.request.retries])
    return result.as_dict()


@shared_task(acks_late=True)
def push_pending_task() -> dict:
    """The safety net: push whatever is pending (beat runs it every few minutes): overrides, markup-tier edits."""
    outcome = push_pending().as_dict()
    if MarkupTierEdit.objects.filter(status=MarkupTierEdit.Status.PENDING).exists():
        tiers = push_markup_edits()
        outcome["markup_tiers"] = {"pushed": len(tiers.pushed), "failed": len(tiers.failed), "retry": len(tiers.retry)}
    return outcome
