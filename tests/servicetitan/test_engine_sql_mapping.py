"""PostgreSQL maps master rows in SQL (`sync/sql_mapping.py`): it must store what the Python mapping computes.

The simulator's data is compared in every sync test (`assert_mirror_equals`); here, the payloads that exercise the
rules: missing keys, JSON nulls, amounts as strings and junk, timestamps with and without an offset, computed sources.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from servicetitan.models import RecordProblem
from servicetitan.sync.sql_mapping import maps_in_sql
from servicetitan.sync.streams import all_streams
from servicetitan.sync.upsert import expand_records, write_master, write_page

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgresql,  # the SQL mapping is PostgreSQL's
]
SQL_TENANT, PYTHON_TENANT = 777, 778


# Per column type: a value as ServiceTitan sends it, and one the column has to convert.
TYPED_VALUES = {
    "CharField": ("text", ""),
    "TextField": ("text", ""),
    "BooleanField": (False, True),
    "IntegerField": (42, "43"),
    "BigIntegerField": (42, "43"),
    "PositiveIntegerField": (42, "43"),
    "DecimalField": (7, "12.34567"),  # a string where a number belongs; more decimals than the column keeps
    "FloatField": (33.5, 7),
    # An offset; none (UTC); ServiceTitan's seven decimals, beyond what Python and PostgreSQL keep.
    "DateTimeField": ("2026-03-04T05:06:07.9999996+02:00", "2026-03-04T05:06:07.1234567"),
    "DateField": ("2026-02-01", "2026-02-01T00:00:00Z"),
    "JSONField": ([1, {"a": None}], {}),
}
# Per column type: values that do not fit the column (junk, out of range, too long, not a calendar day). Both mappings
# must leave the column empty and report the same problem. Unbounded text and JSON take anything.
JUNK_VALUES = {
    "CharField": ("x" * 300, "y" * 256),
    "TextField": ("x" * 10_000, 12345),
    "BooleanField": ("maybe", 2),
    "IntegerField": ("12abc", 10**30),
    "BigIntegerField": (1.5, "9223372036854775808"),
    "PositiveIntegerField": (-1, "4e3"),
    "DecimalField": ("NaN", "1e20"),
    "FloatField": ("abc", "1e400"),
    "DateTimeField": ("2026-02-30T10:00:00Z", "yesterday"),
    "DateField": ("2026-02-29", 20260101),
    "JSONField": ({"fine": True}, []),
}
FITS = {"TextField", "JSONField"}
# Keys that computed sources read (amounts as text, archived contacts, canceled purchase orders, categories).
COMPUTED_INPUTS = (
    {
        "categories": [{"id": 9, "name": "Pipes"}, 10, {"name": "no id"}],
        "subTotal": "15.50",
        "salesTax": "",
        "total": "n/a",
        "balance": " 2e2 ",
        "unappliedAmount": "-3",
        "isArchived": None,
        "status": "Canceled",
    },
    {
        "categories": "not a list",
        "subTotal": 12.5,
        "total": "1,000",
        "isArchived": True,
        "status": "Open",
        "active": True,
    },
)


def _set(payload: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        if not isinstance(payload.get(part), dict):
            payload[part] = {}  # e.g. the computed inputs' text `status` where a model reads `status.name`
        payload = payload[part]
    payload[leaf] = value


def edge_payloads(master) -> list[dict]:
    plain = [(source, field) for _, source, field in master.compiled_mapping() if isinstance(source, str)]
    plain = [(source, field) for source, field in plain if source != "id"]
    payloads = [
        {"id": 1},  # every key missing: defaults, "" for text, NULL for the rest
        {"id": 2},  # every key present as JSON null: the same as missing
    ]
    for source, _ in plain:
        _set(payloads[1], source, None)
    for variant, inputs in enumerate(COMPUTED_INPUTS):
        payload = {"id": 3 + variant, **inputs}
        for source, field in plain:
            _set(payload, source, TYPED_VALUES[field.get_internal_type()][variant])
        payloads.append(payload)
    for variant in range(2):
        payload = {"id": 5 + variant}
        for source, field in plain:
            if source not in ("modifiedOn",):
                _set(payload, source, JUNK_VALUES[field.get_internal_type()][variant])
        payloads.append(payload)
    return payloads


def junk_columns(master) -> set[str]:
    """The columns a junk payload (`edge_payloads`' last two) must report."""
    return {
        column
        for column, source, field in master.compiled_mapping()
        if isinstance(source, str)
        and source not in ("id", "modifiedOn")
        and field.get_internal_type() not in FITS
        and (field.get_internal_type() != "CharField" or field.max_length is not None)
    }


def _stored(master, tenant_id: int, columns: list[str]) -> dict:
    return {row["st_id"]: row for row in master.objects.filter(tenant_id=tenant_id).values(*columns)}


@pytest.mark.parametrize("key", sorted(all_streams()))
def test_sql_mapping_stores_what_the_python_mapping_stores(key):
    stream = all_streams()[key]
    master = stream.master()
    assert maps_in_sql(master), f"{key}: every module's mapping is expected to have an SQL form"
    payloads = edge_payloads(master)
    if master._meta.get_field("st_id").get_internal_type() == "CharField":  # GUID ids (contacts)
        payloads = [{**payload, "id": f"00000000-0000-0000-0000-00000000000{payload['id']}"} for payload in payloads]
    records = expand_records(stream, payloads)

    with transaction.atomic():
        write_page(stream, payloads, SQL_TENANT)  # PostgreSQL: mapped in SQL from the staged raw rows
        write_master(stream, [(record, False) for _, record in records], PYTHON_TENANT, timezone.now())

    columns = [column for column, _, _ in master.compiled_mapping()]
    by_sql, by_python = _stored(master, SQL_TENANT, columns), _stored(master, PYTHON_TENANT, columns)
    assert len(by_sql) == len(by_python) == len(records)
    for st_id, row in by_python.items():
        for column in columns:
            assert by_sql[st_id][column] == row[column], (
                f"{key} {st_id}.{column}: SQL stored {by_sql[st_id][column]!r}, Python stored {row[column]!r}"
            )

    def problems(tenant_id):
        rows = RecordProblem.objects.filter(model=master._meta.label_lower, tenant_id=tenant_id)
        return {(row.st_id, row.column): row.message for row in rows}

    by_sql, by_python = problems(SQL_TENANT), problems(PYTHON_TENANT)
    assert by_sql == by_python
    # Only the junk records have problems, each on every typed column it filled.
    junk_ids = [str(st_id) for st_id, _ in records[-2:]]
    expected = junk_columns(master)
    assert {st_id for st_id, _ in by_sql} <= set(junk_ids)
    for st_id in junk_ids:
        assert {column for sid, column in by_sql if sid == st_id} == expected, f"{key} {st_id}"


def test_a_model_with_a_plain_callable_is_mapped_in_python(monkeypatch):
    from pricebook.models import Material
    from servicetitan.sync import sql_mapping

    mapping = [
        (column, (lambda payload: "computed") if column == "name" else source, field)
        for column, source, field in Material.compiled_mapping()
    ]
    monkeypatch.setattr(Material, "_compiled_mapping", mapping)  # the class's cache of its declaration
    sql_mapping._plan.cache_clear()
    try:
        assert not maps_in_sql(Material)
        assert maps_in_sql(all_streams()["pricebook.services"].master())
    finally:
        sql_mapping._plan.cache_clear()


def test_computed_sql_may_contain_a_percent_sign(monkeypatch):
    from pricebook.models import Material
    from servicetitan.models import Computed
    from servicetitan.sync import sql_mapping

    stream = all_streams()["pricebook.materials"]
    percent = Computed(lambda payload: "50%", sql="'50%'")
    mapping = [(c, percent if c == "name" else src, f) for c, src, f in Material.compiled_mapping()]
    monkeypatch.setattr(Material, "_compiled_mapping", mapping)
    sql_mapping._plan.cache_clear()
    try:
        with transaction.atomic():
            write_page(stream, [{"id": 1, "code": "A"}], SQL_TENANT)
        assert Material.objects.get(tenant_id=SQL_TENANT, st_id=1).name == "50%"
    finally:
        sql_mapping._plan.cache_clear()


# Timestamps as ServiceTitan and others write them: its own seven decimals with "Z", six or fewer, none, an offset,
# a space for the "T", more decimals than anyone keeps. SQL takes some by position and the rest by a regular
# expression; both must store what Python stores.
TIMESTAMP_SHAPES = (
    "2026-03-04T05:06:07.1234567Z",
    "2026-03-04T05:06:07.9999999Z",
    "2026-03-04T05:06:07.123456Z",
    "2026-03-04T05:06:07.1Z",
    "2026-03-04T05:06:07Z",
    "2026-03-04T05:06:07",
    "2026-03-04T05:06",
    "2026-03-04 05:06:07.1234567",
    "2026-03-04T05:06:07.12345678901234567890+02:00",
    "2026-03-04T05:06:07.1234567-05:30",
    "2026-03-04T05:06:07.123456+0100",
)


def test_sql_mapping_reads_every_timestamp_shape_as_python_does():
    stream = all_streams()["crm.customers"]
    master = stream.master()
    payloads = [{"id": n, "createdOn": shape} for n, shape in enumerate(TIMESTAMP_SHAPES, start=1)]

    with transaction.atomic():
        write_page(stream, payloads, SQL_TENANT)
        write_master(stream, [(payload, False) for payload in payloads], PYTHON_TENANT, timezone.now())

    by_sql = dict(master.objects.filter(tenant_id=SQL_TENANT).values_list("st_id", "created_on"))
    by_python = dict(master.objects.filter(tenant_id=PYTHON_TENANT).values_list("st_id", "created_on"))
    assert by_python[1].microsecond == 123456  # Python keeps six decimals, dropping the seventh
    assert all(by_python.values())
    for n, shape in enumerate(TIMESTAMP_SHAPES, start=1):
        assert by_sql[n] == by_python[n], f"{shape}: SQL stored {by_sql[n]!r}, Python stored {by_python[n]!r}"
    assert not RecordProblem.objects.filter(tenant_id__in=(SQL_TENANT, PYTHON_TENANT)).exists()
