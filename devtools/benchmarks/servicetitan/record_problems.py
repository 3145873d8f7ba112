"""`st_bench --only record_problems`: what taking any value costs a page write.

The same pages of materials (every mapped column filled) are written three ways, side by side in one run, best of N:
the SQL mapping as it is (guarded casts + the set-based list of records whose values do not fit), the same with 1 %
of the records carrying junk in every typed column, and the mapping without guards or check (plain casts, which
fail the whole page on one bad value: the baseline before this change, clean data only).
"""

from __future__ import annotations

import time
from unittest import mock

from django.db import connection, transaction

from servicetitan import conversions
from servicetitan.models import RecordProblem
from servicetitan.sync import sql_mapping
from servicetitan.sync.streams import all_streams
from servicetitan.sync.upsert import write_page

KEY = "pricebook.materials"
TENANT = 9_100_001
RECORDS, PAGE, ATTEMPTS = 20_000, 5_000, 3
CLEAN = {
    "CharField": "text",
    "TextField": "some longer text",
    "BooleanField": True,
    "IntegerField": 42,
    "BigIntegerField": 4200,
    "PositiveIntegerField": 7,
    "DecimalField": 12.5,
    "FloatField": 33.25,
    "DateTimeField": "2026-03-04T05:06:07.1234567Z",
    "DateField": "2026-02-01",
    "JSONField": [1, 2],
}
JUNK = {"BooleanField": "maybe", "DecimalField": "1e20", "DateTimeField": "2026-02-30T00:00:00Z", "FloatField": "x"}


def _payloads(master, junk_every: int | None) -> list[dict]:
    plain = [(s, f) for _, s, f in master.compiled_mapping() if isinstance(s, str) and s != "id"]
    payloads = []
    for i in range(1, RECORDS + 1):
        payload: dict = {"id": i}
        bad = junk_every is not None and i % junk_every == 0
        for source, field in plain:
            kind = field.get_internal_type()
            value = JUNK.get(kind, CLEAN.get(kind)) if bad else CLEAN.get(kind)
            target = payload
            *parents, leaf = source.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = f"{value}-{i}" if kind in ("CharField", "TextField") else value
        payloads.append(payload)
    return payloads


def _clean_up(stream) -> None:
    for model in (stream.master(), stream.raw()):
        model.objects.filter(tenant_id=TENANT).delete()
    RecordProblem.objects.filter(tenant_id=TENANT).delete()


def _write_all(stream, payloads) -> tuple[float, int]:
    best, problems = float("inf"), 0
    for _ in range(ATTEMPTS):
        _clean_up(stream)
        started = time.perf_counter()
        problems = 0
        for start in range(0, len(payloads), PAGE):
            with transaction.atomic():
                problems += write_page(stream, payloads[start : start + PAGE], TENANT).problems
        best = min(best, time.perf_counter() - started)
    _clean_up(stream)
    return best, problems


def bench_record_problems(log) -> list[str]:
    if connection.vendor != "postgresql":
        return ["## Taking any value (record problems)", "", "PostgreSQL only (the SQL mapping)."]
    stream = all_streams()[KEY]
    master = stream.master()
    clean, junky = _payloads(master, None), _payloads(master, 100)
    log(f"record_problems: {RECORDS} {KEY} records, pages of {PAGE}, best of {ATTEMPTS}")
    guarded, _ = _write_all(stream, clean)
    with_junk, problems = _write_all(stream, junky)
    sql_mapping._plan.cache_clear()
    try:
        with (
            mock.patch.object(conversions, "sql_guard", lambda field, text: None),
            mock.patch.object(conversions, "sql_value_guard", lambda field, value: None),
        ):
            plain, _ = _write_all(stream, clean)
    finally:
        sql_mapping._plan.cache_clear()
    rate = RECORDS / guarded
    return [
        "## Taking any value: guarded SQL mapping and the set-based problem check",
        "",
        f"{RECORDS:,} `{KEY}` records (every mapped column filled), pages of {PAGE:,}, raw + master, best of {ATTEMPTS}.",
        "",
        "| mapping | seconds | records/s | records with problems |",
        "|---|---:|---:|---:|",
        f"| plain casts, no check (before; fails a page on one bad value) | {plain:.2f} | {RECORDS / plain:,.0f} | — |",
        f"| guarded casts + problem check, clean data | {guarded:.2f} | {rate:,.0f} | 0 |",
        f"| guarded casts + problem check, 1 % junk | {with_junk:.2f} | {RECORDS / with_junk:,.0f} | {problems:,} |",
        "",
        f"Guarded / plain: {guarded / plain:.2f} times; with 1 % junk / clean: {with_junk / guarded:.2f} times.",
    ]
