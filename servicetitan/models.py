"""Abstract bases every module app builds its mirror on.

- `RawRecord`: the full JSON of one ServiceTitan record as last fetched (one concrete model per entity).
- `SyncedModel`: the typed master row. Its `st_mapping` declares, once, which JSON key fills which column;
  conversions come from the column's own type (`Field.to_python`), or from a `Computed` source for special cases.
  The same declaration maps a page in Python (any database) or in SQL (PostgreSQL, see `sync/sql_mapping.py`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone

from servicetitan import conversions
from servicetitan.conversions import BadValue

_ST_ID = re.compile(r"_st_id(s?)$")


def servicetitan_key(name: str) -> str:
    """ServiceTitan's name of a LAZI column, camelCase with LAZI's `_st_id` read as ServiceTitan's `Id`:
    `do_not_mail` → `doNotMail`; `customer_st_id` → `customerId`; `technician_st_ids` → `technicianIds`. The JSON key
    a column is mapped from unless its model's `st_mapping` says otherwise, and the key a write-through sends."""
    name = _ST_ID.sub(r"_id\1", name)
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _dig(payload: dict, path: str) -> Any:
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True)
class Computed:
    """A mapping source that is not a JSON key: `read(payload)` in Python, and the same value as an SQL expression
    over the `jsonb` column `payload`, for PostgreSQL's set-based page write. Without `sql`, the model's pages are
    mapped in Python. The value then goes through the column's conversion like any other (missing → default)."""

    read: Callable[[dict], Any]
    sql: str = ""

    def __call__(self, payload: dict) -> Any:
        return self.read(payload)


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

    # The exceptions to the default mapping (every column from the JSON key `camelCase(column)`, see `full_mapping`):
    # column name -> JSON key (a rename, or a dotted path), or a `Computed` (or plain callable(payload), mapped in
    # Python only). Declared once per model.
    st_mapping: ClassVar[dict[str, str | Callable[[dict], Any]]] = {}
    # This model's own columns that LAZI fills rather than the payload (a category's depth and path, an invoice item's
    # invoice): never mapped. `LAZI_COLUMNS`, relations and generated columns are never mapped either.
    st_unmapped: ClassVar[tuple[str, ...]] = ()
    # Columns every model maps the same way.
    base_mapping: ClassVar[dict[str, str | Callable[[dict], Any]]] = {
        "st_id": "id",
        "st_modified_on": "modifiedOn",
        "active": "active",
    }
    # Columns every master row takes from LAZI, not from the payload: its key, the tenant, the sync's bookkeeping
    # (`deleted` and `synced_at` come from the raw row, see `sync/sql_mapping.FROM_RAW`).
    LAZI_COLUMNS: ClassVar[frozenset[str]] = frozenset({"id", "tenant_id", "deleted", "synced_at"})

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "st_id"], name="%(app_label)s_%(class)s_tenant_st_id"),
        ]

    def __str__(self):
        label = getattr(self, "name", "") or getattr(self, "code", "")
        return f"{label} ({self.st_id})" if label else f"{self._meta.verbose_name} {self.st_id}"

    @classmethod
    def unmapped_columns(cls) -> set[str]:
        """The concrete columns no payload fills: `LAZI_COLUMNS`, `st_unmapped`, the primary key, relations (LAZI
        resolves them from their `…_st_id` column) and generated columns (the database computes them)."""
        return {
            *cls.LAZI_COLUMNS,
            *cls.st_unmapped,
            *(
                field.name
                for field in cls._meta.concrete_fields
                if field.primary_key or field.is_relation or getattr(field, "generated", False)
            ),
        }

    @classmethod
    def full_mapping(cls) -> dict[str, str | Callable[[dict], Any]]:
        """Column -> source for every column the payload fills, resolved once per class: `base_mapping`, then every
        concrete column in the model's order from its `st_mapping` entry, or else from the JSON key
        `servicetitan_key(column)` (`do_not_mail` -> `doNotMail`, `customer_st_id` -> `customerId`), leaving out `unmapped_columns`. The Python mapping and
        the SQL mapping (`sync/sql_mapping.py`) are both built from this."""
        cached = cls.__dict__.get("_full_mapping")
        if cached is not None:
            return cached
        unmapped = cls.unmapped_columns()
        columns = [field.name for field in cls._meta.concrete_fields]
        wrong = sorted(set(cls.st_mapping) - set(columns)) + sorted(set(cls.st_mapping) & unmapped)
        if wrong:
            raise ImproperlyConfigured(
                f"{cls.__name__}.st_mapping names {', '.join(wrong)}: not a column the payload fills "
                f"(see SyncedModel.unmapped_columns)"
            )
        mapping = {**cls.base_mapping, **{c: s for c, s in cls.st_mapping.items() if c in cls.base_mapping}}
        for column in columns:
            if column not in mapping and column not in unmapped:
                mapping[column] = cls.st_mapping.get(column, servicetitan_key(column))
        cls._full_mapping = mapping
        return mapping

    @classmethod
    def mapped_columns(cls) -> list[str]:
        """The columns the payload fills beyond the ones every mirror shares (`base_mapping`), in the model's order:
        what `MirrorSerializer` serves by default."""
        return [column for column in cls.full_mapping() if column not in cls.base_mapping]

    @classmethod
    def compiled_mapping(cls) -> list[tuple[str, str | Callable[[dict], Any], models.Field]]:
        """(column, source, field) per mapped column, resolved once per class."""
        cached = cls.__dict__.get("_compiled_mapping")
        if cached is None:
            cached = [(column, source, cls._meta.get_field(column)) for column, source in cls.full_mapping().items()]
            cls._compiled_mapping = cached
        return cached

    @classmethod
    def _converters(cls) -> list[tuple[str, Callable[[dict], Any], Callable[[Any], Any]]]:
        """(column, read, convert) per mapped column, built once per class: syncs convert every record."""
        cached = cls.__dict__.get("_compiled_converters")
        if cached is None:
            cached = [(column, _reader(source), _converter(field)) for column, source, field in cls.compiled_mapping()]
            cls._compiled_converters = cached
        return cached

    @classmethod
    def values_from_payload(cls, payload: dict) -> dict[str, Any]:
        """Column values for one payload, each converted by its column's type (see `servicetitan.conversions`).

        A missing value becomes the column's default when it has one (or "" for a text column); timestamps without an
        offset are UTC, as ServiceTitan means them. A value that does not fit its column is treated as missing (see
        `values_and_problems` for what was wrong).
        """
        return cls.values_and_problems(payload)[0]

    @classmethod
    def values_and_problems(cls, payload: dict) -> tuple[dict[str, Any], list[tuple[str, Any, str]]]:
        """`values_from_payload`, with (column, value as sent, why) for every value that did not fit its column."""
        build = cls.__dict__.get("_compiled_builder")
        if build is None:
            build = cls._compiled_builder = _compile_builder(cls._converters())
        try:
            return build(payload), []
        except BadValue:
            pass
        # A rare record: convert column by column, so one bad value empties only its own column.
        values, problems = {}, []
        for column, read, convert in cls._converters():
            value = read(payload)
            try:
                values[column] = convert(value)
            except BadValue as exc:
                values[column] = convert(None)
                problems.append((column, value, str(exc)))
        return values, problems


def _compile_builder(converters) -> Callable[[dict], dict[str, Any]]:
    """One straight-line function per model: `{column: convert(payload.get(key)), …}`.

    A sync maps every record of every page; this costs half the calls of looping over (read, convert) pairs. Only
    identifiers from the model's own declaration reach the generated source (as `repr` literals).
    """
    namespace: dict[str, Any] = {}
    items = []
    for index, (column, read, convert) in enumerate(converters):
        namespace[f"convert_{index}"] = convert
        key = getattr(read, "plain_key", None)
        if key is not None:
            items.append(f"{column!r}: convert_{index}(get({key!r}))")
        else:
            namespace[f"read_{index}"] = read
            items.append(f"{column!r}: convert_{index}(read_{index}(payload))")
    source = "def build(payload):\n    get = payload.get\n    return {" + ", ".join(items) + "}\n"
    exec(source, namespace)  # noqa: S102 - generated from the model's column names and JSON keys only
    return namespace["build"]


def _reader(source: str | Callable[[dict], Any]) -> Callable[[dict], Any]:
    if callable(source):
        return source
    if "." in source:
        parts = source.split(".")

        def dig(payload: dict) -> Any:
            value: Any = payload
            for part in parts:
                if not isinstance(value, dict):
                    return None
                value = value.get(part)
            return value

        return dig

    def read(payload: dict) -> Any:
        return payload.get(source)

    read.plain_key = source
    return read


def _converter(field: models.Field) -> Callable[[Any], Any]:
    """The column's conversion with the mapping's rules for missing values; raises `BadValue` for a value that does
    not fit (`servicetitan.conversions`). Fast paths for values already right."""
    to_python = conversions.wrap_to_python(field.to_python)
    if not field.null and field.has_default():
        get_default = field.get_default

        def if_missing():
            value = get_default()
            return convert(value) if value is not None else None

    elif not field.null and isinstance(field, models.CharField | models.TextField):

        def if_missing():
            return ""

    else:

        def if_missing():
            return None

    kind = field.get_internal_type()
    if kind == "DateTimeField":

        def convert(value):
            if value is None:
                return if_missing()
            if not isinstance(value, datetime.datetime):
                value = to_python(conversions.check_date_text(value))
            # ServiceTitan sends UTC; a timestamp without an offset is UTC too, not the server's local time.
            if isinstance(value, datetime.datetime) and timezone.is_naive(value):
                value = value.replace(tzinfo=datetime.UTC)
            return value

        return convert
    if kind == "DateField":

        def convert(value):
            if value is None:
                return if_missing()
            if isinstance(value, datetime.date):
                return value
            return to_python(conversions.check_date_text(value))

        return convert
    if isinstance(field, models.JSONField):

        def convert(value):
            return if_missing() if value is None else value

        return convert
    if isinstance(field, models.CharField | models.TextField):
        bounded = field.max_length is not None

        def convert(value):
            if value is None:
                return if_missing()
            if type(value) is str and not bounded:
                return value
            return conversions.check_text(field, value)

        return convert
    if isinstance(field, models.BooleanField):
        check = conversions.check_boolean
    elif kind in conversions.INTEGER_RANGES:

        def check(value):
            return conversions.check_integer(field, value)

    elif kind == "DecimalField":

        def check(value):
            return conversions.check_decimal(field, value, to_python)

    elif kind == "FloatField":
        check = conversions.check_float
    else:
        check = to_python

    def convert(value):
        if value is None:
            return if_missing()
        return check(value)

    return convert


# --- Sync bookkeeping (the engine in servicetitan/sync/) ---------------------------------------------------------------
class SyncRun(models.Model):
    """One run of one entity: what it did, how it ended. Written at start, updated with every page, closed at end."""

    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        # Another run of the same entity held the lock.
        SKIPPED = "skipped"

    target = models.CharField(max_length=100, db_index=True, help_text="The stream key, e.g. pricebook.materials.")
    tenant_id = models.BigIntegerField(null=True, blank=True)
    full = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING, db_index=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deactivated = models.PositiveIntegerField(default=0, help_text="Went from active to inactive in this run.")
    deleted = models.PositiveIntegerField(default=0, help_text="Newly marked deleted in this run.")
    api_calls = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(
        default=0, help_text="Records stored with a value that did not fit its column (see their problems)."
    )
    error = models.TextField(blank=True)
    triggered_by = models.CharField(max_length=150, blank=True, help_text="command, schedule, admin:<user>, api:<user>")
    # host:pid of the process that ran it: a run left "running" by a dead process is closed by the next one.
    worker = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["target", "-started_at"], name="servicetitan_syncrun_recent")]
        get_latest_by = "started_at"
        # Starting syncs (the API's POST /api/v1/sync/, the admin's buttons) is its own right: group "Operators".
        permissions = [("run_sync", "Can run syncs")]

    def __str__(self):
        return f"{self.target} {self.status} at {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def duration(self) -> datetime.timedelta | None:
        return (self.finished_at - self.started_at) if self.finished_at else None

    @property
    def records(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        """One line for a terminal or a log."""
        seconds = f"{self.duration.total_seconds():.1f}s" if self.duration else "-"
        line = (
            f"{self.target:<28} {self.status:<9} pages={self.pages} created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} deactivated={self.deactivated} deleted={self.deleted} "
            f"problems={self.problems} calls={self.api_calls} retries={self.retries} {seconds}"
        )
        return f"{line}  error: {self.error.splitlines()[0]}" if self.error else line


class SyncCursor(models.Model):
    """Where the next incremental run of an entity starts. Saved in the same transaction as the rows it covers."""

    tenant_id = models.BigIntegerField()
    target = models.CharField(max_length=100)
    # Export streams: ServiceTitan's `continueFrom` of the last stored batch.
    export_token = models.TextField(blank=True)
    # List streams with a change filter: the start of the last complete run (the next asks for changes since then,
    # minus a safety overlap).
    modified_since = models.DateTimeField(null=True, blank=True)
    last_full_at = models.DateTimeField(null=True, blank=True, help_text="When the last complete full pass finished.")
    # A run was asked for while another held the lock: the holder runs once more when it finishes.
    follow_up_requested_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant_id", "target"], name="servicetitan_synccursor_unique")]
        ordering = ["target"]

    def __str__(self):
        return f"{self.target} cursor (tenant {self.tenant_id})"


class SyncLock(models.Model):
    """The run lock of one (tenant, entity) when there is neither Redis nor PostgreSQL (the embedded SQLite setup).

    Taken over when it expired (the owner stopped refreshing it) or when its owner process on this host is gone.
    """

    name = models.CharField(max_length=200, unique=True)
    owner = models.CharField(max_length=200)
    host = models.CharField(max_length=150)
    pid = models.IntegerField()
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} held by {self.owner}"


class RecordProblem(models.Model):
    """A value of one mirrored record that did not fit its column (junk in a number or a date, a number too large,
    a text too long): the raw row keeps it as sent, the master row has that column empty. One row per (record,
    column) while the record's latest version has the problem; rewritten with every write of the record."""

    model = models.CharField(max_length=100, help_text="The master model, app_label.model.")
    tenant_id = models.BigIntegerField()
    st_id = models.CharField("ServiceTitan id", max_length=64)
    column = models.CharField(max_length=100)
    value = models.TextField(blank=True, help_text="The value as sent (JSON, shortened).")
    message = models.CharField(max_length=255)
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="record_problems")
    seen_at = models.DateTimeField(default=timezone.now)

    VALUE_CHARS = 200

    class Meta:
        ordering = ["model", "st_id", "column"]
        indexes = [models.Index(fields=["model", "tenant_id", "st_id"], name="servicetitan_problem_record")]

    def __str__(self):
        return f"{self.model} {self.st_id}.{self.column}: {self.message}"


# --- Inbound webhooks (servicetitan/webhooks.py) -----------------------------------------------------------------------
class WebhookEvent(models.Model):
    """Every inbound ServiceTitan webhook, accepted or not, and what LAZI did with it. The secret is never stored."""

    class Status(models.TextChoices):
        # Signature missing or wrong, no secret configured, or no such tenant: nothing done.
        REJECTED = "rejected"
        # An incremental sync of the affected entity was queued.
        QUEUED = "queued"
        # Authentic, but no entity LAZI mirrors is affected.
        IGNORED = "ignored"
        # The same event (by its id) was already accepted: ServiceTitan retries deliveries, nothing done twice.
        DUPLICATE = "duplicate"

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    event_type = models.CharField(max_length=200, blank=True, db_index=True)
    signature_valid = models.BooleanField(default=False)
    payload = models.JSONField(
        null=True,
        blank=True,
        help_text="The body as received (null when it was not JSON, or the delivery was refused).",
    )
    # A refused delivery keeps only these, never its body: anyone can post to the endpoint.
    body_bytes = models.PositiveIntegerField(default=0)
    body_sha256 = models.CharField(max_length=64, blank=True)
    event_id = models.CharField(
        max_length=200, blank=True, help_text="The event's own id: a retry is recognised by it."
    )
    event_time = models.DateTimeField(null=True, blank=True, help_text="When ServiceTitan says the event happened.")
    status = models.CharField(max_length=16, choices=Status.choices, db_index=True)
    targets = models.JSONField(default=list, blank=True, help_text="The sync targets queued for it.")
    error = models.TextField(blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # One accepted delivery per event id, however many concurrent retries arrive.
            models.UniqueConstraint(
                fields=["event_id"],
                condition=models.Q(status__in=["queued", "ignored"]) & ~models.Q(event_id=""),
                name="servicetitan_webhookevent_once",
            )
        ]

    def __str__(self):
        return f"{self.event_type or 'webhook'} {self.status} at {self.received_at:%Y-%m-%d %H:%M:%S}"
