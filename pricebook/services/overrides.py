"""Writes of overrides: every path (admin, REST API, import, price change) goes through `save_override` (one item) or
`save_overrides_bulk` (many, set-based), which mark the override pending, keep its history and queue its push once
the transaction commits.

One way: the history (`services.history`) and conflicts (`services.conflicts`) are modules of their own, and the push
is only queued here, through `pricebook.tasks.enqueue_push`; nothing here imports the push.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from pricebook.models import PricebookOverride, PricebookOverrideChange, override_fields_for
from pricebook.selectors import get_item, item_kind
from pricebook.services.conflicts import flag_conflicts as flag_conflicts  # (where callers found it before)
from pricebook.services.conflicts import flag_conflicts_after_page as flag_conflicts_after_page
from pricebook.services.guardrails import price_errors
from pricebook.services.history import change_row, record_change, record_changes, snapshot
from pricebook.services.images import CheckedImage
from pricebook.services.price_lists import price_list_errors, same_value
from pricebook.services.rowsets import in_ids
from pricebook.tasks import enqueue_push
from servicetitan.sync.bulk import insert_rows

logger = logging.getLogger(__name__)
Status = PricebookOverride.Status
Action = PricebookOverrideChange.Action

# No value for this field: it is not overridden.
UNSET = object()


class OverrideError(Exception):
    """An override cannot be written; the message is for staff, in plain words."""


def same_as_servicetitan(name: str, value, st_value) -> bool:
    """True when `value` for field `name` is what ServiceTitan has already (so it is no override)."""
    return same_value(name, value, st_value)


def servicetitan_values(item, item_type: str) -> dict:
    """The mirror's values of the overridable fields, as JSON: the base an edit of a record without a modifiedOn
    (a rate sheet) is compared with later, to tell whether ServiceTitan changed it meanwhile."""
    return {f.name: _json_safe(getattr(item, f.name)) for f in override_fields_for(item_type)}


def _json_safe(value):
    return str(value) if isinstance(value, Decimal) else value


def without_servicetitan_values(item_type: str, st_id: int, values: dict, tenant_id: int | None = None) -> dict:
    """`values` with None (not overridden) where a value equals the item's in the mirror."""
    item = get_item(item_type, st_id, tenant_id)
    if item is None:
        return dict(values)
    return {name: None if same_as_servicetitan(name, v, getattr(item, name)) else v for name, v in values.items()}


def save_override(
    *,
    item_type: str,
    st_id: int,
    values: dict[str, Any],
    user=None,
    tenant_id: int | None = None,
    base_modified_on=None,
    image: CheckedImage | None = None,
    remove_image: bool = False,
    replace: bool = False,
    queue_push: bool = True,
    origin: str = PricebookOverride.Origin.EDIT,
) -> PricebookOverride | None:
    """Create or change the override of one item and queue its push. Returns None when nothing is left overridden.

    `values` maps field names (`name`, `price`, `member_price`, `add_on_price`, `description`, `active`) to the
    wanted value; None removes that field's override. With `replace`, fields not in `values` are removed too.
    `base_modified_on` is the ServiceTitan modifiedOn the editor was looking at (default: the mirror's now).
    `queue_push=False` leaves queueing to the caller (bulk edits queue one push for all their overrides).
    `origin` says where the values came from (`import`: a file; the price history names it once pushed).
    """
    fields = {f.name: f for f in override_fields_for(item_type)}
    unknown = set(values) - set(fields)
    if unknown:
        raise OverrideError(f"These fields cannot be overridden on a {item_type}: {', '.join(sorted(unknown))}.")
    # The last guard of every entry point: a negative price or cost is never saved (warnings are the callers').
    refused = price_errors(values) if item_kind(item_type).priced else price_list_errors(values)
    if refused:
        raise OverrideError(" ".join(message for messages in refused.values() for message in messages))
    if image is not None and not item_kind(item_type).priced:
        raise OverrideError(f"A {item_type.replace('_', ' ')} has no image to set from LAZI.")
    with transaction.atomic():
        item = get_item(item_type, st_id, tenant_id)
        if item is None:
            raise OverrideError(f"There is no {item_type} with ServiceTitan id {st_id} in the mirror; sync it first.")
        override = (
            PricebookOverride.objects.select_for_update()
            .filter(tenant_id=item.tenant_id, item_type=item_type, st_pricebook_id=st_id)
            .first()
        )
        created = override is None
        if created:
            override = PricebookOverride(tenant_id=item.tenant_id, item_type=item_type, st_pricebook_id=st_id)
        before = snapshot(None if created else override)
        was_synced = not created and override.status == Status.SYNCED
        for name, field in fields.items():
            if name in values:
                setattr(override, field.override, values[name])
            elif replace or was_synced:
                # A synced override's values are ServiceTitan's now: a new edit starts from what is edited now.
                setattr(override, field.override, None)
        if was_synced and image is None and not remove_image:
            override.override_image_data = None
            override.override_image_mime_type = override.override_image_name = override.uploaded_image_path = ""
        if was_synced:
            override.override_category_ids = None  # ServiceTitan's now, like the values
        if image is not None:
            override.override_image_data = image.content
            override.override_image_mime_type = image.mime_type
            override.override_image_name = image.filename
            override.uploaded_image_path = ""
        elif remove_image:
            override.override_image_data = None
            override.override_image_mime_type = override.override_image_name = override.uploaded_image_path = ""

        if not override.overridden_values() and not override.has_image and not override.has_categories:
            if not created:
                _delete(override, user=user, message="Every field was set back to ServiceTitan's value.")
            return None

        # An override being pushed stays `pushing`: the push sees the newer revision and leaves this edit pending.
        if override.status != Status.PUSHING:
            override.status = Status.PENDING
        override.revision = (override.revision or 0) + 1
        override.base_modified_on = base_modified_on or item.st_modified_on
        if override.base_modified_on is None:
            override.base_values = servicetitan_values(item, item_type)
        override.error_message = ""
        override.field_errors = {}
        override.changed_by = user if user is not None and user.is_authenticated else None
        override.changed_at = timezone.now()
        override.origin = origin
        override.save()
        record_change(override, Action.EDITED, user=user, before=before)
        if queue_push:
            enqueue_push([override.pk])
    return override


def _delete(override: PricebookOverride, *, user, message: str) -> None:
    record_change(override, Action.DISCARDED, user=user, before=snapshot(override), after={}, message=message)
    override.delete()


def discard_override(override: PricebookOverride, *, user=None, message: str = "") -> None:
    """Drop the override: the item shows ServiceTitan's values again ("take ServiceTitan's")."""
    with transaction.atomic():
        locked = PricebookOverride.objects.select_for_update().filter(pk=override.pk).first()
        if locked is None:
            return
        if locked.status == Status.PUSHING:
            raise OverrideError("This override is being sent to ServiceTitan right now; try again in a moment.")
        _delete(locked, user=user, message=message or "Discarded; ServiceTitan's values apply.")


def discard_overrides(overrides: Iterable[PricebookOverride], *, user=None) -> tuple[int, list[str]]:
    """Discard several; returns (how many, staff messages for the ones that could not be discarded)."""
    done, problems = 0, []
    for override in overrides:
        try:
            discard_override(override, user=user)
            done += 1
        except OverrideError as exc:
            problems.append(f"{override}: {exc}")
    return done, problems


def keep_mine(override: PricebookOverride, *, user=None) -> PricebookOverride:
    """Resolve a conflict in favour of the override: push it over ServiceTitan's newer change."""
    with transaction.atomic():
        locked = PricebookOverride.objects.select_for_update().get(pk=override.pk)
        if locked.status != Status.CONFLICT:
            raise OverrideError("Only an override in conflict with ServiceTitan needs this choice.")
        raw = (
            item_kind(locked.item_type)
            .raw.objects.filter(tenant_id=locked.tenant_id, st_id=locked.st_pricebook_id)
            .first()
        )
        locked.base_modified_on = raw.st_modified_on if raw else None
        master = item_kind(locked.item_type).master.objects.filter(
            tenant_id=locked.tenant_id, st_id=locked.st_pricebook_id
        )
        if locked.base_modified_on is None and (item := master.first()) is not None:
            locked.base_values = servicetitan_values(item, locked.item_type)
        locked.status = Status.PENDING
        locked.error_message = ""
        locked.field_errors = {}
        locked.revision += 1
        locked.save()
        record_change(
            locked,
            Action.KEPT_MINE,
            user=user,
            before=snapshot(locked),
            message="Kept mine over ServiceTitan's change.",
        )
        enqueue_push([locked.pk])
    return locked


def requeue(overrides: Iterable[PricebookOverride], *, user=None) -> list[int]:
    """Make failed overrides pending again (e.g. "push selected now" after fixing ServiceTitan's side)."""
    ids = []
    with transaction.atomic():
        for override in PricebookOverride.objects.select_for_update().filter(
            pk__in=[o.pk for o in overrides], status__in=[Status.FAILED, Status.PENDING]
        ):
            if override.status == Status.FAILED:
                PricebookOverride.objects.filter(pk=override.pk).update(status=Status.PENDING)
                record_change(override, Action.REQUEUED, user=user, before=snapshot(override), message="Retry asked.")
            ids.append(override.pk)
    return ids


# What the bulk path takes besides the override fields: an image (`CheckedImage`: its bytes, uploaded by the push
# with the item's tenant's client) and the categories (that tenant's category ids, the whole list).
BULK_EXTRAS = ("image", "categories")
# Items per round of the bulk path: one SELECT of items, one of overrides, one COPY, one UPDATE, one history COPY.
BULK_CHUNK = 1000
# What an edit writes besides the override fields (in `_write_overrides`' bulk UPDATE).
_EDIT_COLUMNS = (
    "override_image_data",
    "override_image_mime_type",
    "override_image_name",
    "uploaded_image_path",
    "override_category_ids",
    "status",
    "revision",
    "base_modified_on",
    "error_message",
    "field_errors",
    "changed_by",
    "changed_at",
)


def _check_fields(item_type: str, values: dict) -> None:
    if not item_kind(item_type).priced:
        raise OverrideError(f"A {item_type.replace('_', ' ')} is edited on its own page, one at a time.")
    unknown = set(values) - {f.name for f in override_fields_for(item_type)} - set(BULK_EXTRAS)
    if unknown:
        raise OverrideError(f"These fields cannot be overridden on a {item_type}: {', '.join(sorted(unknown))}.")


def save_overrides_bulk(
    changes: Iterable[tuple[str, int, dict[str, Any]]],
    *,
    tenant_id: int,
    user=None,
    message: str = "",
    origin: str = PricebookOverride.Origin.EDIT,
    queue_push: bool = True,
) -> list[PricebookOverride]:
    """`save_override` for many items at once, set-based: a constant number of queries per 1,000 items.

    `changes` are (item_type, st_id, {field: value}); the values are merged into the item's override like
    `save_override` does (a synced override starts afresh), which becomes pending with a new revision and a history
    entry (`message`, e.g. the reprice batch that approved it); `origin` says where the values came from, as for
    `save_override`. One push is queued for all of them on commit.
    Raises OverrideError (and saves nothing) for an unknown field or an item missing from the mirror.
    """
    changes = list(changes)
    for item_type, _, values in changes:
        _check_fields(item_type, values)
    saved: list[PricebookOverride] = []
    with transaction.atomic():
        for start in range(0, len(changes), BULK_CHUNK):
            by_type: dict[str, dict[tuple[int, int], dict]] = {}
            for item_type, st_id, values in changes[start : start + BULK_CHUNK]:
                by_type.setdefault(item_type, {}).setdefault((tenant_id, st_id), {}).update(values)
            for item_type, wanted in by_type.items():
                saved.extend(_write_overrides(item_type, wanted, user=user, message=message, origin=origin))
        if queue_push:
            enqueue_push(o.pk for o in saved)
    return saved


def save_cost_overrides(
    costs: Iterable[tuple[int, int, Decimal]],
    *,
    item_type: str = "material",
    user=None,
    vendor: str = "",
    origin: str = PricebookOverride.Origin.EDIT,
    message: str = "",
    queue_push: bool = True,
) -> list[int]:
    """`save_override(values={"cost": …})` for many items at once (the bulk path): (tenant id, ServiceTitan id, cost)
    each. Same rules: pending (a push in flight keeps it `pushing` and sends the newer edit next), revision bumped, a
    synced override starts afresh, the edit kept in the history; one push queued for all. `vendor`: the vendor whose
    cost this is (pushed, its cost on the item changes too). Returns the override ids.

    Items not in the mirror are skipped (the caller matched them in the mirror just before)."""
    wanted = {(tenant, st_id): {"cost": cost} for tenant, st_id, cost in costs}
    if not wanted:
        return []
    keys = list(wanted)
    saved: list[PricebookOverride] = []
    with transaction.atomic():
        for start in range(0, len(keys), BULK_CHUNK):
            chunk = {key: wanted[key] for key in keys[start : start + BULK_CHUNK]}
            saved.extend(
                _write_overrides(
                    item_type,
                    chunk,
                    user=user,
                    message=message,
                    origin=origin,
                    cost_vendor=vendor,
                    skip_missing=True,
                )
            )
        ids = [o.pk for o in saved]
        if queue_push:
            enqueue_push(ids)
    return ids


def _write_overrides(
    item_type: str,
    wanted: dict[tuple[int, int], dict[str, Any]],
    *,
    user,
    message: str,
    origin: str | None = None,
    cost_vendor: str | None = None,
    skip_missing: bool = False,
) -> list[PricebookOverride]:
    """The one bulk writer: merge `wanted` ((tenant id, ServiceTitan id) -> {field: value}) into the items'
    overrides as `save_override` does, in a few statements. `origin` / `cost_vendor`: set when given, else kept.
    Items not in the mirror raise OverrideError, or are left out with `skip_missing`."""
    fields = {f.name: f for f in override_fields_for(item_type)}
    acting = user if user is not None and user.is_authenticated else None
    tenants = sorted({tenant for tenant, _ in wanted})
    st_ids = sorted({st_id for _, st_id in wanted})
    modified_on = {
        (tenant, st_id): modified
        for tenant, st_id, modified in item_kind(item_type)
        .master.objects.filter(tenant_id__in=tenants, st_id__any_of=st_ids)
        .values_list("tenant_id", "st_id", "st_modified_on")
    }
    missing = sorted(st_id for tenant, st_id in wanted if (tenant, st_id) not in modified_on)
    if missing and not skip_missing:
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        raise OverrideError(f"These {item_type} ids are not in the mirror; sync them first: {shown}.")
    existing = {
        (o.tenant_id, o.st_pricebook_id): o
        for o in PricebookOverride.objects.select_for_update().filter(
            in_ids("st_pricebook_id", st_ids), tenant_id__in=tenants, item_type=item_type
        )
    }
    now = timezone.now()
    created, updated, befores = [], [], {}
    for key, values in wanted.items():
        if key not in modified_on:
            continue
        override = existing.get(key)
        if override is None:
            override = PricebookOverride(
                tenant_id=key[0], item_type=item_type, st_pricebook_id=key[1], revision=0, created_at=now
            )
            created.append(override)
            befores[key] = {}
        else:
            updated.append(override)
            befores[key] = snapshot(override)
            if override.status == Status.SYNCED:
                # As in save_override: a synced override's values are ServiceTitan's now; the edit starts afresh.
                for field in fields.values():
                    setattr(override, field.override, None)
                override.override_image_data = None
                override.override_image_mime_type = override.override_image_name = ""
                override.uploaded_image_path = ""
                override.override_category_ids = None
        for name, value in values.items():
            if name == "image":
                override.override_image_data = value.content
                override.override_image_mime_type = value.mime_type
                override.override_image_name = value.filename
                override.uploaded_image_path = ""
            elif name == "categories":
                override.override_category_ids = [int(v) for v in value]
            else:
                setattr(override, fields[name].override, value)
        if override.status != Status.PUSHING:
            override.status = Status.PENDING
        override.revision = (override.revision or 0) + 1
        override.base_modified_on = modified_on[key]
        override.error_message = ""
        override.field_errors = {}
        override.changed_by = acting
        override.changed_at = now
        if origin is not None:
            override.origin = origin
        if cost_vendor is not None:
            override.cost_vendor = cost_vendor
    # COPY on PostgreSQL (Django's bulk_create compiles a placeholder per value: slow at thousands of rows).
    insert_rows(PricebookOverride, [_row(o) for o in created])
    if created:
        pks = {
            (tenant, st_id): pk
            for tenant, st_id, pk in PricebookOverride.objects.filter(
                in_ids("st_pricebook_id", [o.st_pricebook_id for o in created]),
                tenant_id__in=tenants,
                item_type=item_type,
            ).values_list("tenant_id", "st_pricebook_id", "pk")
        }
        for override in created:
            override.pk = pks[(override.tenant_id, override.st_pricebook_id)]
    columns = [f.override for f in fields.values()] + list(_EDIT_COLUMNS)
    columns += [name for name, given in (("origin", origin), ("cost_vendor", cost_vendor)) if given is not None]
    PricebookOverride.objects.bulk_update(updated, list(dict.fromkeys(columns)), batch_size=1000)
    saved = created + updated
    record_changes(
        change_row(
            o, Action.EDITED, user=acting, before=befores[(o.tenant_id, o.st_pricebook_id)], message=message, at=now
        )
        for o in saved
    )
    return saved


def _row(override: PricebookOverride) -> dict:
    """An unsaved override as the row `insert_rows` writes (the generated column left to the database)."""
    return {
        field.attname: getattr(override, field.attname)
        for field in PricebookOverride._meta.concrete_fields
        if not field.primary_key and not getattr(field, "generated", False)
    }
