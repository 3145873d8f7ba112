"""Conflicts: ServiceTitan changed an item after staff edited it here (its modifiedOn is newer than the edit's base).

`is_conflict` is the rule; `flag_conflicts` applies it to stored overrides, set-based (one SELECT … FOR UPDATE, one
UPDATE and one history INSERT whatever the count). The push checks before it sends, the sync after every page it
writes (`flag_conflicts_after_page`, the item streams' hook), `push_pending` before it claims anything.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from pricebook.models import PricebookOverride, PricebookOverrideChange
from pricebook.selectors import item_kind, item_type_of
from pricebook.services.history import change_row, record_changes
from pricebook.services.rowsets import in_ids

Status = PricebookOverride.Status
CONFLICT_MESSAGE = "ServiceTitan changed this item after it was edited here. Keep yours or take ServiceTitan's."


def is_conflict(override: PricebookOverride, st_modified_on) -> bool:
    """True when ServiceTitan's record (modified at `st_modified_on`) is newer than what the editor was looking at."""
    return bool(override.base_modified_on and st_modified_on and st_modified_on > override.base_modified_on)


def flag_conflicts(item_type: str, st_ids: Iterable[int] | None = None, tenant_id: int | None = None) -> int:
    """Mark overrides in conflict where ServiceTitan's record changed after the editor's base modifiedOn.

    For pending and failed overrides, compared with the raw record as last fetched. Returns how many were flagged.
    """
    raw = item_kind(item_type).raw
    latest = raw.objects.filter(tenant_id=OuterRef("tenant_id"), st_id=OuterRef("st_pricebook_id")).values(
        "st_modified_on"
    )[:1]
    candidates = PricebookOverride.objects.filter(
        item_type=item_type, status__in=[Status.PENDING, Status.FAILED], base_modified_on__isnull=False
    )
    if st_ids is not None:
        st_ids = list(st_ids)
        if not st_ids:
            return 0
        candidates = candidates.filter(in_ids("st_pricebook_id", st_ids))
    if tenant_id is not None:
        candidates = candidates.filter(tenant_id=tenant_id)
    with transaction.atomic():
        # Locked: an edit saved meanwhile waits, so no newer revision is flagged for an older base.
        flagged = list(
            candidates.annotate(latest=Subquery(latest))
            .filter(base_modified_on__lt=F("latest"))
            .order_by()
            .select_for_update()
        )
        if not flagged:
            return 0
        PricebookOverride.objects.filter(in_ids("pk", [o.pk for o in flagged])).update(
            status=Status.CONFLICT, error_message=CONFLICT_MESSAGE
        )
        now = timezone.now()
        record_changes(
            change_row(
                override,
                PricebookOverrideChange.Action.CONFLICT,
                at=now,
                message=f"ServiceTitan's modifiedOn {override.latest:%Y-%m-%d %H:%M:%S} is newer than the edit's "
                f"base {override.base_modified_on:%Y-%m-%d %H:%M:%S}.",
            )
            for override in flagged
        )
    return len(flagged)


def flag_conflicts_after_page(master_model, payloads: list[dict], tenant_id: int) -> int:
    """`Stream.after_page`-shaped hook: flag conflicts for the items a sync page just wrote."""
    ids = [p["id"] for p in payloads if isinstance(p, dict) and "id" in p]
    if not ids:
        return 0
    item_type = item_type_of(master_model)
    # Most pages meet no open edit at all: one cheap EXISTS on the overrides spares the locking join over the page.
    open_edits = PricebookOverride.objects.filter(
        tenant_id=tenant_id,
        item_type=item_type,
        status__in=[Status.PENDING, Status.FAILED],
        base_modified_on__isnull=False,
    )
    if not open_edits.exists():
        return 0
    return flag_conflicts(item_type, ids, tenant_id)
