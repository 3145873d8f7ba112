"""Abstract bases every module app builds its mirror on.

- `RawRecord`: the full JSON of one ServiceTitan record as last fetched (one concrete model per entity).
- `SyncedModel`: the typed master row. Its `st_mapping` declares, once, which JSON key fills which column;
  conversions come from the column's own type (`Field.to_python`), or from a callable for special cases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import models


def _dig(payload: dict, path: str) -> Any:
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class RawRecord(models.Model):
    """The full JSON of one ServiceTitan record, exactly as fetched."""

    tenant_id = models.BigIntegerField()
    st_id = models.BigIntegerField("ServiceTitan id")
    payload = models.JSONField()
    # A digest of `payload`, so an unchanged record costs no write.
    payload_hash = models.CharField(max_length=64)
    st_modified_on = models.DateTimeField("ServiceTitan modifiedOn", null=True, blank=True)
    active = models.BooleanField(default=True)
    # Gone from ServiceTitan (an export's deleted marker, or vanished from a collection refreshed whole).
    deleted = models.BooleanField(default=False)
    fetched_at = models.DateTimeField()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "st_id"], name="%(app_label)s_%(class)s_tenant_st_id"),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} {self.st_id}"


class SyncedModel(models.Model):
    """A master row: typed columns mapped from a `RawRecord` payload."""

    tenant_id = models.BigIntegerField()
    st_id = models.BigIntegerField("ServiceTitan id")
    st_modified_on = models.DateTimeField("ServiceTitan modifiedOn", null=True, blank=True)
    active = models.BooleanField(default=True)
    deleted = models.BooleanField(default=False)
    synced_at = models.DateTimeField(null=True, blank=True)

    # column name -> JSON key (dotted path) or callable(payload) -> value. Declared once per model.
    st_mapping: ClassVar[dict[str, str | Callable[[dict], Any]]] = {}
    # Columns every model maps the same way.
    base_mapping: ClassVar[dict[str, str | Callable[[dict], Any]]] = {
        "st_id": "id",
        "st_modified_on": "modifiedOn",
        "active": "active",
    }

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "st_id"], name="%(app_label)s_%(class)s_tenant_st_id"),
        ]

    def __str__(self):
        label = getattr(self, "name", "") or getattr(self, "code", "")
        return f"{label} ({self.st_id})" if label else f"{self._meta.verbose_name} {self.st_id}"

    @classmethod
    def full_mapping(cls) -> dict[str, str | Callable[[dict], Any]]:
        return {**cls.base_mapping, **cls.st_mapping}

    @classmethod
    def values_from_payload(cls, payload: dict) -> dict[str, Any]:
        """Column values for one payload, each converted by its column's type."""
        values = {}
        for column, source in cls.full_mapping().items():
            raw = source(payload) if callable(source) else _dig(payload, source)
            field = cls._meta.get_field(column)
            if raw is None:
                if not field.null and field.has_default():
                    raw = field.get_default()
                elif not field.null and isinstance(field, (models.CharField, models.TextField)):
                    raw = ""
            values[column] = field.to_python(raw) if raw is not None else None
        return values
