"""Mirror rows for pricebook tests that need no simulator."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils import timezone

from pricebook.models import Category, Material

TENANT_ID = 1000001
_ids = itertools.count(9_000_001)


def make_category(name="Plumbing", parent=None, **fields) -> Category:
    return Category.objects.create(
        tenant_id=TENANT_ID,
        st_id=next(_ids),
        name=name,
        parent=parent,
        parent_st_id=parent.st_id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        path=f"{parent.path} > {name}" if parent else name,
        st_modified_on=timezone.now(),
        **fields,
    )


def make_material(code=None, price="10.00", categories=(), **fields) -> Material:
    st_id = next(_ids)
    fields.setdefault("st_modified_on", timezone.now())
    material = Material.objects.create(
        tenant_id=TENANT_ID,
        st_id=st_id,
        code=code or f"MAT-{st_id}",
        name=fields.pop("name", f"Material {st_id}"),
        price=Decimal(price),
        member_price=Decimal(price) * Decimal("0.9"),
        **fields,
    )
    material.categories.set(categories)
    return material


def with_primary_vendor(queryset):
    """The items of `queryset` whose ServiceTitan record has a primary vendor: the bulk update schema requires one, so
    only those go in a bulk PATCH /pricebook (the others are PATCHed by id)."""
    from pricebook.selectors import item_type_of

    raw = item_kind_raw(item_type_of(queryset.model()))
    bare = raw.objects.filter(payload__primaryVendor=None).values("st_id")
    missing = raw.objects.exclude(payload__has_key="primaryVendor").values("st_id")
    return queryset.exclude(st_id__in=bare).exclude(st_id__in=missing)


def item_kind_raw(item_type: str):
    from pricebook.selectors import item_kind

    return item_kind(item_type).raw
