"""`SyncedModel.values_from_payload`: the declared mapping converted by each column's type, defaults for gaps."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from pricebook.models import Category, Material
from servicetitan.sync.streams import all_streams
from servicetitan.sync.upsert import canonical_json, expand_records, payload_hash, write_page


def test_values_are_converted_by_column_type_with_defaults_for_missing_keys():
    values = Material.values_from_payload(
        {"id": "42", "code": 1234, "price": 10.1, "active": False, "modifiedOn": "2026-01-02T03:04:05"}
    )

    assert values["st_id"] == 42
    assert values["code"] == "1234"
    assert values["price"] == Decimal("10.1")
    assert values["cost"] == 0  # missing: the column's default
    assert values["name"] == ""  # missing text: empty, not NULL
    assert values["images"] == [] and values["category_ids"] == []
    assert values["active"] is False
    # No offset: ServiceTitan means UTC.
    assert values["st_modified_on"] == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def test_nullable_columns_stay_null_and_callables_compute():
    values = Category.values_from_payload({"id": 1, "name": "Pipes", "parentId": None, "image": None})
    assert values["parent_st_id"] is None
    assert values["image_url"] == ""
    assert Material.values_from_payload({"id": 1, "categories": [{"id": 5}, 6]})["category_ids"] == [5, 6]


def test_payload_hash_ignores_key_order_and_pages_keep_the_last_copy_of_an_id():
    assert payload_hash({"a": 1, "b": [1, 2]}) == payload_hash({"b": [1, 2], "a": 1})
    assert canonical_json({"b": 1, "a": 2}) == '{"a":2,"b":1}'
    stream = all_streams()["pricebook.materials"]
    records = expand_records(stream, [{"id": 1, "price": 1}, {"id": 2}, {"id": "1", "price": 2}, {"name": "no id"}])
    assert records == [(2, {"id": 2}), (1, {"id": "1", "price": 2})]


@pytest.mark.django_db
def test_the_raw_row_reads_active_as_the_master_column_does():
    """`active` null (payments may send it), missing or junk is no deactivation; JSON's texts and 0/1 are read."""
    stream = all_streams()["crm.customers"]
    payloads = [
        {"id": 1, "active": None},
        {"id": 2},
        {"id": 3, "active": "false"},
        {"id": 4, "active": 0},
        {"id": 5, "active": "maybe"},
        {"id": 6, "active": False},
    ]
    with transaction.atomic():
        write_page(stream, payloads, 555)

    raw = dict(stream.raw().objects.filter(tenant_id=555).values_list("st_id", "active"))
    master = dict(stream.master().objects.filter(tenant_id=555).values_list("st_id", "active"))
    assert raw == master == {1: True, 2: True, 3: False, 4: False, 5: True, 6: False}
