"""Building blocks the module apps declare their mirrors with (columns, mappings, relations).

Naming: a column holding the id of a record LAZI mirrors ends in `_st_id` and gets a `mirror_relation`
(`customer_st_id` → `customer`); ids of things LAZI does not mirror keep ServiceTitan's name (`job_type_id`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor

from servicetitan.models import Computed, _dig

MONEY = {"max_digits": 14, "decimal_places": 4, "default": 0}
ADDRESS_PARTS = ("street", "unit", "city", "state", "zip", "country")


class AddressColumns(models.Model):
    """One ServiceTitan address, flattened."""

    street = models.TextField(blank=True)
    unit = models.TextField(blank=True)
    city = models.TextField(blank=True)
    state = models.TextField(blank=True)
    zip = models.TextField("ZIP", blank=True)
    country = models.TextField(blank=True)

    class Meta:
        abstract = True


class GeoAddressColumns(AddressColumns):
    """An address with its coordinates."""

    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        abstract = True


def address_mapping(source: str, *, geo: bool = False) -> dict[str, str]:
    """`st_mapping` entries for `AddressColumns` (`GeoAddressColumns` with `geo`) from the payload's address object
    at `source` (e.g. "address", "shipTo")."""
    parts = (*ADDRESS_PARTS, "latitude", "longitude") if geo else ADDRESS_PARTS
    return {part: f"{source}.{part}" for part in parts}


# A number as text, as PostgreSQL's `numeric` and Python's `Decimal` both read it.
DECIMAL_TEXT = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"
_DECIMAL_TEXT = re.compile(DECIMAL_TEXT)


def decimal_at(path: str) -> Computed:
    """A mapping for amounts ServiceTitan sends as strings (accounting): "" and junk read as missing."""

    def read(payload: dict) -> Decimal | None:
        value: Any = _dig(payload, path)
        if value is None or not _DECIMAL_TEXT.match(text := str(value)):
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None

    keys = "{" + ",".join(path.split(".")) + "}"
    text = f"(payload #>> '{keys}')"
    return Computed(read, sql=f"CASE WHEN {text} ~ '{DECIMAL_TEXT}' THEN {text}::numeric END")


class _PartnerOrNone(ForwardManyToOneDescriptor):
    """`row.customer` is None while the partner is not mirrored (yet), rather than raising DoesNotExist."""

    def get_object(self, instance):
        try:
            return super().get_object(instance)
        except self.field.remote_field.model.DoesNotExist:
            return None


class MirrorRelation(models.ForeignObject):
    """The join `mirror_relation` declares. Not serialized: its column (`…_st_id`) is, and `dumpdata` / `loaddata`
    must not follow a reference that may dangle."""

    forward_related_accessor_class = _PartnerOrNone

    def __init__(self, *args, **kwargs):
        kwargs["serialize"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("serialize", None)
        return name, path, args, kwargs


def mirror_relation(to: str, st_id_field: str, *, related_name: str) -> models.ForeignObject:
    """A join over (tenant_id, `st_id_field`) → (tenant_id, st_id) of another mirror.

    `location.customer`, `Location.objects.filter(customer__name=…)`, `select_related("customer")`,
    `customer.locations.all()`. No column and no constraint, so syncs stay independent of each other's order: a row
    whose partner has not arrived yet simply has none (`None`) until it does (dangling references are normal in a
    mirror: `dumpdata`, `loaddata`, the admin and the API work with them).
    """
    return MirrorRelation(
        to,
        on_delete=models.DO_NOTHING,
        from_fields=["tenant_id", st_id_field],
        to_fields=["tenant_id", "st_id"],
        related_name=related_name,
        null=True,
        blank=True,
    )


def address_of(row) -> dict:
    """A row's flattened address as ServiceTitan's address object."""
    parts = (*ADDRESS_PARTS, "latitude", "longitude") if isinstance(row, GeoAddressColumns) else ADDRESS_PARTS
    return {part: getattr(row, part) for part in parts}
