"""Every mirrored entity synced from a ServiceTitan stand-in built from the OpenAPI specs alone (`spec_standin`),
not from the simulator: records with only the required fields, with every nullable field null, with every field set
(date-times in each ISO 8601 form, decimals as integers and fractions), unknown fields everywhere, int64 ids; list
pages whose `totalCount` is null or absent; export batches with `continueFrom`. Every request's query is checked
against the operation's parameters (names and enum values).

The sync must store every record (raw and master rows, one each), find no problem in a value the spec allows, keep
every value the spec sent in its column, and store the cursor.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from django.db import models

from servicetitan.models import RecordProblem, SyncCursor, SyncRun
from servicetitan.sync.engine import sync_stream
from servicetitan.sync.streams import all_streams
from tests.servicetitan.client_support import API, TENANT, add_tokens, make_client
from tests.servicetitan.spec_standin import (
    ID_ABOVE_INT32,
    UNKNOWN_FIELD,
    VARIANTS,
    generate,
    query_errors,
    schemas_of,
)
from tests.servicetitan.spec_write_standin import find_operation, schema_errors

pytestmark = pytest.mark.django_db

STREAMS = all_streams()
RAW_MODIFIED_ON = models.DateTimeField()
PER_VARIANT = 2  # records of each variant: 6 a stream, served in two pages


class StandIn:
    """Serves one resource's list or export endpoint from generated records, recording every query it was sent.

    `change()` then replaces the `full` records by `minimal` ones under the same ids (values become null or
    absent): the next incremental run (export from the stored token, list since the watermark, or the whole
    collection again) is served exactly those."""

    def __init__(self, stream):
        self.stream = stream
        self.resource = resource = stream.resource
        self.operation = resource.export_operation or resource.list_operation
        self.records = [
            record
            for seed, variant in enumerate(VARIANTS)
            for record in generate(resource, self.operation, variant, PER_VARIANT, seed=seed)
        ]
        half = len(self.records) // 2
        self.pages = [self.records[:half], self.records[half:]]
        self.changed: list[dict] = []
        self.queries: list[dict[str, str]] = []
        self.errors: list[str] = []
        op, _ = find_operation("GET", f"{API}{resource.prefix}{self.operation.path}")
        self.answer_schema = op.answer()[1]
        self.answer_schema_required = set(
            schemas_of(resource.api_module).resolve(self.answer_schema).get("required", ())
        )
        url = f"{API}{resource.prefix}{self.operation.path.replace('{tenant}', str(TENANT))}"
        responses.add_callback(responses.GET, re.compile(re.escape(url) + r"(\?.*)?$"), callback=self.answer)

    def change(self) -> list[dict]:
        full = self.records[-PER_VARIANT:]
        emptied = generate(self.resource, self.operation, "minimal", PER_VARIANT, seed=9)
        self.changed = [{**new, "id": old["id"]} for old, new in zip(full, emptied, strict=True)]
        self.records = self.records[:-PER_VARIANT] + self.changed
        half = len(self.records) // 2
        self.pages = [self.records[:half], self.records[half:]]
        return self.changed

    def answer(self, request):
        query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
        self.queries.append(query)
        self.errors += query_errors(self.resource, self.operation, query)
        body = self._export(query.get("from")) if self.resource.export_operation else self._page(query)
        # The stand-in's own answer is the spec's shape (fields the spec does not name aside: ServiceTitan adds some).
        self.errors += schema_errors(
            self.resource.api_module,
            self.answer_schema,
            body,
            f"the stand-in's answer to {self.operation.path}",
            strict=False,
        )
        return 200, {}, json.dumps(body)

    def _export(self, token):
        if not token:
            return {"hasMore": True, "continueFrom": "token-1", "data": self.pages[0], UNKNOWN_FIELD: 1}
        if token == "token-1":
            return {"hasMore": False, "continueFrom": "token-2", "data": self.pages[1]}
        if token == "token-2" and self.changed:
            return {"hasMore": False, "continueFrom": "token-3", "data": self.changed}
        return {"hasMore": False, "continueFrom": token, "data": []}  # caught up: keep the token

    def _page(self, query):
        page = int(query.get("page") or 1)
        size = int(query.get("pageSize") or 50)
        if self.resource.modified_filter and query.get(self.resource.modified_filter):
            return {"page": page, "pageSize": size, "hasMore": False, "data": self.changed if page == 1 else []}
        data = self.pages[page - 1] if page <= len(self.pages) else []
        body = {"page": page, "pageSize": size, "hasMore": page < len(self.pages), "data": data}
        if "totalCount" in self.answer_schema_required:
            body["totalCount"] = len(self.records)  # this page schema requires it (the markup table's)
        elif page == 1:
            body["totalCount"] = None  # only with includeTotal=true; LAZI never asks for it
        return body


def expected_records(stream, records):
    """The records a stream stores, by id: the generated ones, expanded as the stream declares (a category's
    subcategories become categories of their own)."""
    found = {}
    for record in records:
        for item in stream.expand(record) if stream.expand else (record,):
            found[item["id"]] = item
    return found


def _sent(value) -> bool:
    """Whether a JSON value carries something a column can hold (not null, not an empty list or object)."""
    return value is not None and value != [] and value != {}


def _same(field: models.Field, stored, sent) -> bool:
    if isinstance(field, models.DateTimeField):
        moment = datetime.datetime.fromisoformat(sent.replace("Z", "+00:00"))
        return stored == (moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC))
    if isinstance(field, models.DateField):
        return stored == datetime.date.fromisoformat(sent[:10])
    if isinstance(field, models.DecimalField):
        return stored == Decimal(repr(sent)).quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, models.FloatField):
        return stored == float(sent)
    return stored == sent


@pytest.fixture
def standin():
    responses.start()
    add_tokens("token-1")
    yield
    responses.stop()
    responses.reset()


def _dig(record: dict, path: str):
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def assert_mirrored(stream, expected: dict) -> None:
    """Raw rows hold exactly the records sent; master rows one each, with every value sent under a column's key (or
    dotted path) in that column, typed; no value the spec allows recorded as a problem."""
    key = stream.key
    raw, master = stream.raw(), stream.master()
    to_st_id = raw._meta.get_field("st_id").to_python
    raws = {
        row[0]: row for row in raw.objects.filter(tenant_id=TENANT).values_list("st_id", "payload", "st_modified_on")
    }
    assert set(raws) == {to_st_id(i) for i in expected}
    for st_id, record in expected.items():
        _, payload, modified_on = raws[to_st_id(st_id)]
        assert payload == record, f"{key} {st_id}: the raw payload is not what was sent"
        if record.get("modifiedOn"):
            assert _same(RAW_MODIFIED_ON, modified_on, record["modifiedOn"]), f"{key} {st_id}: raw modifiedOn"
    assert master.objects.filter(tenant_id=TENANT).count() == len(expected)
    problems = list(RecordProblem.objects.filter(tenant_id=TENANT).values_list("st_id", "column", "value", "message"))
    assert problems == [], f"{key}: values the spec allows were refused"
    rows = {row["st_id"]: row for row in master.objects.filter(tenant_id=TENANT).values()}
    for st_id, record in expected.items():
        row = rows[to_st_id(st_id)]
        want = master.values_from_payload(record)
        for column, source, field in master.compiled_mapping():
            assert row[column] == want[column], (
                f"{key} {st_id}.{column}: stored {row[column]!r}, maps to {want[column]!r}"
            )
            if not isinstance(source, str) or isinstance(field, models.JSONField) or column == "st_id":
                continue
            sent = _dig(record, source)
            if _sent(sent):
                assert _same(field, row[column], sent), f"{key} {st_id}.{column}: stored {row[column]!r}, sent {sent!r}"


@pytest.mark.parametrize("key", list(STREAMS))
def test_sync_mirrors_every_spec_conforming_record_and_its_changes(standin, key):
    stream = STREAMS[key]
    server = StandIn(stream)
    client = make_client(page_size=3)

    run = sync_stream(stream, full=True, client=client)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert server.errors == []
    first = expected_records(stream, server.records)
    assert_mirrored(stream, first)
    cursor = SyncCursor.objects.get(tenant_id=TENANT, target=key)
    if stream.resource.export_path:
        assert cursor.export_token == "token-2"
    elif stream.resource.modified_filter:
        assert cursor.modified_since == run.started_at
    else:
        assert cursor.last_full_at is not None

    # The next incremental run: values that were set come back null or absent.
    server.change()
    server.queries.clear()
    run = sync_stream(stream, client=client)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert server.errors == []
    assert run.updated >= PER_VARIANT
    # (a category's subcategories that its new payload no longer nests stay as they were)
    assert_mirrored(stream, {**first, **expected_records(stream, server.changed)})
    cursor = SyncCursor.objects.get(tenant_id=TENANT, target=key)
    if stream.resource.export_path:
        assert [query.get("from") for query in server.queries] == ["token-2"]
        assert cursor.export_token == "token-3"
    elif stream.resource.modified_filter:
        assert len(server.queries) == 1 and server.queries[0][stream.resource.modified_filter]
        assert cursor.modified_since == run.started_at


def test_the_generated_records_push_on_what_the_specs_allow():
    """The stand-in's own check: its records carry what the conformance test relies on."""
    resource = STREAMS["pricebook.materials"].resource
    minimal = generate(resource, resource.export_operation, "minimal", 2)
    full = generate(resource, resource.export_operation, "full", 2, seed=2)
    nulls = generate(resource, resource.export_operation, "nulls", 1, seed=1)
    assert "displayName" not in minimal[0] and "primaryVendor" not in minimal[0]  # optional: absent
    assert nulls[0]["displayName"] is None and nulls[0]["primaryVendor"] is None  # nullable: null
    assert full[0]["primaryVendor"]["vendorId"] > 2**31  # set, with int64 ids
    assert all(UNKNOWN_FIELD in record for record in minimal + full + nulls)
    assert UNKNOWN_FIELD in full[0]["primaryVendor"]
    assert min(record["id"] for record in minimal + full + nulls) > ID_ABOVE_INT32 - 1
    assert minimal[0]["id"] == 2**53 - 1
    assert {type(record["cost"]) for record in full + minimal} == {int, float}
