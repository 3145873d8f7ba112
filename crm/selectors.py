"""Reads of the CRM mirror beyond a plain queryset: tags (a record's `tag_type_ids`) by name, and by tag."""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from dispatch.models import TagType


def tag_names(row) -> list[str]:
    """The names of a customer's, location's or lead's tags, in the order ServiceTitan lists them (an unmirrored
    tag type by its id)."""
    ids = list(row.tag_type_ids or [])
    if not ids:
        return []
    names = dict(TagType.objects.filter(tenant_id=row.tenant_id, st_id__in=ids).values_list("st_id", "name"))
    return [names.get(tag_id) or f"Tag type {tag_id}" for tag_id in ids]


def with_tag(queryset: QuerySet, tag_type_st_id: int) -> QuerySet:
    """The rows whose `tag_type_ids` hold this tag type (a JSON array: containment on PostgreSQL, `json_each` on
    SQLite, which has no JSON containment)."""
    if connection.vendor == "postgresql":
        return queryset.filter(tag_type_ids__contains=[tag_type_st_id])
    # The table name is the model's own; the tag id goes as a parameter.
    sql = f'EXISTS (SELECT 1 FROM json_each("{queryset.model._meta.db_table}"."tag_type_ids") WHERE value = %s)'  # noqa: S608
    tagged = RawSQL(  # noqa: S611
        sql,
        (int(tag_type_st_id),),
        output_field=BooleanField(),
    )
    return queryset.alias(tagged=tagged).filter(tagged=True)
