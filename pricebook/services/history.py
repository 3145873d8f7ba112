"""History: the override change log (what staff and the push did to an override) and the price history (every change
of an item's cost, price, member price and add-on price as ServiceTitan holds it).

The change log: `snapshot` is an override's values as the log keeps them; `change_row` builds every log row (the one
place that does); `record_change` writes one, `record_changes` many at once (COPY on PostgreSQL).

The price history:

The sync records it set-based from the page it writes (`record_page_history`, the item streams' `before_master`):
a change found there was made in ServiceTitan (`sync`). The push writes ServiceTitan's answers through the same page
write with a `PushOrigin` (`record_push_history`): the changes of the items it pushed are LAZI's (`push`, by whom,
from which batch; `import` when the pushed values came from a file), anything else that moved meanwhile is still
ServiceTitan's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from pricebook.models import PricebookOverride, PricebookOverrideChange, PriceHistory
from pricebook.services.rowsets import in_ids
from servicetitan.sync.bulk import insert_rows
from servicetitan.sync.changes import _comparable, changed_columns, changed_columns_sql
from servicetitan.sync.streams import PageChanges

TRACKED = ("cost", "price", "member_price", "add_on_price")
Source = PriceHistory.Source


# --- The override change log ----------------------------------------------------------------------------------------
def _money_text(value: Decimal) -> str:
    cents = value.quantize(Decimal("0.01"))
    return str(cents if cents == value else value.normalize())


def snapshot(override: PricebookOverride | None) -> dict[str, Any]:
    """The override's values as JSON for the history (field name -> value)."""
    if override is None:
        return {}
    values = {}
    for field_ in override.fields:
        value = getattr(override, field_.override)
        if value is not None:
            values[field_.name] = _money_text(value) if isinstance(value, Decimal) else value
    if override.override_image_data or override.uploaded_image_path:
        values["image"] = override.override_image_name or override.uploaded_image_path
    if override.override_category_ids is not None:
        values["categories"] = list(override.override_category_ids)
    return values


def change_row(
    override: PricebookOverride, action: str, *, user=None, before=None, after=None, message: str = "", at=None
) -> dict[str, Any]:
    """One change-log row (column -> value) for this override: `after` defaults to its values now, `user` counts
    only when signed in. Every writer of the log builds its rows here."""
    acting = user if user is not None and user.is_authenticated else None
    return {
        "override_id": override.pk,
        "tenant_id": override.tenant_id,
        "item_type": override.item_type,
        "st_pricebook_id": override.st_pricebook_id,
        "action": action,
        "user_id": acting.pk if acting is not None else None,
        "at": at or timezone.now(),
        "before": before if before is not None else {},
        "after": after if after is not None else snapshot(override),
        "message": message,
    }


def record_change(override: PricebookOverride, action: str, *, user=None, before=None, after=None, message=""):
    """Write one change-log row; returns it."""
    return PricebookOverrideChange.objects.create(
        **change_row(override, action, user=user, before=before, after=after, message=message)
    )


def record_changes(rows: Iterable[dict[str, Any]]) -> None:
    """Write many change-log rows (from `change_row`) in one statement."""
    insert_rows(PricebookOverrideChange, list(rows))


# --- The price history ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushOrigin:
    """What a push wrote: per pushed item (ServiceTitan id) who edited it and where the values came from."""

    # st_id -> (user id, source, reprice batch id or None)
    pushed: dict[int, tuple[int | None, str, int | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, overrides) -> PushOrigin:
        """Who edited each override and where its values came from; an override an approved reprice made names its
        batch (one query)."""
        from pricebook.models import RepriceBatch, RepriceRow

        overrides = list(overrides)
        pks = [o.pk for o in overrides if o.pk is not None]
        # `in_ids`, not `any_of`: the rows an approval wrote a moment ago have no statistics yet (see rowsets).
        batches = (
            dict(
                RepriceRow.objects.filter(in_ids("override_id", pks), batch__status=RepriceBatch.Status.APPROVED)
                .order_by()
                .values_list("override_id", "batch_id")
            )
            if pks
            else {}
        )
        return cls(
            {
                o.st_pricebook_id: (
                    o.changed_by_id,
                    Source.IMPORT if o.origin == PricebookOverride.Origin.IMPORT else Source.PUSH,
                    batches.get(o.pk),
                )
                for o in overrides
            }
        )


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def record_page_history(master, changes: PageChanges) -> None:
    """`Stream.before_master` of the item streams: one history row per changed tracked field of the page."""
    from pricebook.selectors import item_type_of

    item_type = item_type_of(master)
    origin = changes.origin if isinstance(changes.origin, PushOrigin) else PushOrigin()
    select = changed_columns_sql(master, changes, TRACKED)
    if select is None:
        _insert_python(item_type, changes, origin, changed_columns(master, changes, TRACKED))
        return
    sql, params = select
    ids = list(origin.pushed)
    users = [origin.pushed[st_id][0] for st_id in ids]
    sources = [origin.pushed[st_id][1] for st_id in ids]
    batches = [origin.pushed[st_id][2] for st_id in ids]
    table = PriceHistory._meta.db_table
    columns = ", ".join(
        _quote(PriceHistory._meta.get_field(name).column)
        for name in (
            "tenant_id",
            "item_type",
            "st_pricebook_id",
            "field",
            "old_value",
            "new_value",
            "source",
            "changed_at",
            "changed_by",
            "batch",
        )
    )
    # One statement for the page: the changes computed by the database, pushed items told apart by a join.
    insert = (
        f"INSERT INTO {_quote(table)} ({columns}) "  # noqa: S608
        "SELECT %s, %s, c.st_id, c.field, c.old_value, c.new_value, COALESCE(p.source, %s), %s, p.user_id, p.batch_id "
        f"FROM ({sql}) c LEFT JOIN UNNEST(%s::bigint[], %s::bigint[], %s::text[], %s::bigint[]) "
        "AS p(st_id, user_id, source, batch_id) "
        "ON p.st_id = c.st_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            insert,
            [changes.tenant_id, item_type, Source.SYNC, changes.now, *params, ids, users, sources, batches],
        )


def _insert_python(item_type: str, changes: PageChanges, origin: PushOrigin, found) -> None:
    rows = []
    for st_id, name, old, new in found:
        user_id, source, batch_id = origin.pushed.get(st_id, (None, Source.SYNC, None))
        rows.append(
            PriceHistory(
                tenant_id=changes.tenant_id,
                item_type=item_type,
                st_pricebook_id=st_id,
                field=name,
                old_value=old,
                new_value=new,
                source=source,
                changed_at=changes.now,
                changed_by_id=user_id,
                batch_id=batch_id,
            )
        )
    PriceHistory.objects.bulk_create(rows, batch_size=1000)


def record_push_history(item_type: str, payloads: list[dict], tenant_id: int, *, overrides) -> None:
    """Store ServiceTitan's answer to a push (raw + master, like a sync page: the write-through's store) and record
    the changes it made to the pushed items as LAZI's: `push` by the override's editor (`import` for values from a
    file), with the reprice batch when there is one. Other items in `payloads` that changed are recorded as changed
    in ServiceTitan. One upsert and one price-history INSERT for all of `payloads`."""
    from pricebook.selectors import item_kind
    from servicetitan.writethrough import store_records

    store_records(item_kind(item_type).resource_key, payloads, tenant_id, origin=PushOrigin.of(overrides))


def record_known_changes(master, tenant_id: int, now, origin: object, new_values: dict) -> None:
    """What `record_page_history` records for records whose new column values are known already (the push's lean
    write-back, `new_values`: st_id -> the mapped values): called before the master rows take them; the previous
    values read in one query, the rows written with one COPY."""
    from pricebook.selectors import item_type_of

    item_type = item_type_of(master)
    origin = origin if isinstance(origin, PushOrigin) else PushOrigin()
    columns = [master._meta.get_field(name) for name in TRACKED]
    previous = master.objects.filter(tenant_id=tenant_id, st_id__any_of=list(new_values)).values_list("st_id", *TRACKED)
    rows = []
    for st_id, *before in previous:
        values = new_values[st_id]
        user_id, source, batch_id = origin.pushed.get(st_id, (None, Source.SYNC, None))
        for column, old in zip(columns, before, strict=True):
            old, new = _comparable(column, old), _comparable(column, values.get(column.name))
            if old != new:
                rows.append(
                    {
                        "tenant_id": tenant_id,
                        "item_type": item_type,
                        "st_pricebook_id": st_id,
                        "field": column.name,
                        "old_value": old,
                        "new_value": new,
                        "source": source,
                        "changed_at": now,
                        "changed_by_id": user_id,
                        "batch_id": batch_id,
                    }
                )
    insert_rows(PriceHistory, rows)
