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
from pricebook.services.price_lists import same_value
from pricebook.services.rowsets import in_ids

Status = PricebookOverride.Status
CONFLICT_MESSAGE = "ServiceTitan changed this item after it was edited here. Keep yours or take ServiceTitan's."


def is_conflict(override: PricebookOverride, st_modified_on, payload: dict | None = None) -> bool:
    """True when ServiceTitan's record (modified at `st_modified_on`) is newer than what the editor was looking at.

    A record without a modifiedOn (a rate sheet) is compared by value instead: `payload` (ServiceTitan's record now)
    against the values the editor saw (`base_values`)."""
    if override.base_modified_on is None and override.base_values and payload is not None:
        return changed_since_edit(override, payload)
    return bool(override.base_modified_on and st_modified_on and st_modified_on > override.base_modified_on)


def changed_since_edit(override: PricebookOverride, payload: dict) -> bool:
    """True when a field the override edits has another value in `payload` than the editor saw."""
    for field in override.fields:
        if field.name in override.base_values and field.st_key in payload:
            seen = override.base_values[field.name]
            if seen is None:
                continue
            if not same_value(field.name, seen, payload[field.st_key]):
                return True
    return False


def _flag_changed_values(item_type: str, st_ids, tenant_id) -> int:
    """`flag_conflicts` for records without a modifiedOn: the few open edits compared by value with the raw record."""
    candidates = PricebookOverride.objects.filter(
        item_type=item_type, status__in=[Status.PENDING, Status.FAILED], base_modified_on__isnull=True
    ).exclude(base_values={})
    if st_ids is not None:
        if not st_ids:
            return 0
        candidates = candidates.filter(in_ids("st_pricebook_id", st_ids))
    if tenant_id is not None:
        candidates = candidates.filter(tenant_id=tenant_id)
    raw = item_kind(item_type).raw
    with transaction.atomic():
        overrides = list(candidates.order_by().select_for_update())
        payloads = {
            (t, st_id): payload
            for t, st_id, payload in raw.objects.filter(
                tenant_id__in={o.tenant_id for o in overrides},
                st_id__in=[o.st_pricebook_id for o in overrides],
            ).values_list("tenant_id", "st_id", "payload")
        }
        flagged = [
            o
            for o in overrides
            if (o.tenant_id, o.st_pricebook_id) in payloads
            and changed_since_edit(o, payloads[(o.tenant_id, o.st_pricebook_id)])
        ]
        if not flagged:
            return 0
        PricebookOverride.objects.filter(in_ids("pk", [o.pk for o in flagged])).update(
            status=Status.CONFLICT, error_message=CONFLICT_MESSAGE
        )
        now = timezone.now()
        record_changes(
            change_row(o, PricebookOverrideChange.Action.CONFLICT, at=now, message=CHANGED_VALUES_MESSAGE)
            for o in flagged
        )
    return len(flagged)


CHANGED_VALUES_MESSAGE = "ServiceTitan's values differ from those the edit started from."


def flag_conflicts(item_type: str, st_ids: Iterable[int] | None = None, tenant_id: int | None = None) -> int:
    """Mark overrides in conflict where ServiceTitan's record changed after the editor's base modifiedOn.

    For pending and failed overrides, compared with the raw record as last fetched. Returns how many were flagged.
    """
    st_ids = list(st_ids) if st_ids is not None else None
    # Only the sales lists have records without a modifiedOn (rate sheets): the items skip the second look.
    by_value = 0 if item_kind(item_type).priced else _flag_changed_values(item_type, st_ids, tenant_id)
    return by_value + _flag_newer(item_type, st_ids, tenant_id)


def _flag_newer(item_type: str, st_ids, tenant_id) -> int:
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
        tenant_id=tenant_id, item_type=item_type, status__in=[Status.PENDING, Status.FAILED]
    )
    if item_kind(item_type).priced:
        # Items always have a modifiedOn base; only the sales lists' edits may be compared by value.
        open_edits = open_edits.filter(base_modified_on__isnull=False)
    if not open_edits.exists():
        return 0
    return flag_conflicts(item_type, ids, tenant_id)
