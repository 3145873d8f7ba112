"""The default mapping: a column its model's `st_mapping` does not name is read from `servicetitan_key(column)`;
LAZI's own columns are never mapped. Python and SQL mapping both see the one resolved mapping."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from accounting.models import InvoiceItem
from crm.models import Contact, Location
from pricebook.models import Category, Material, Service
from sales.models import EstimateItem
from servicetitan.models import SyncedModel
from servicetitan.sync import sql_mapping

SYNCED_MODELS = [model for model in apps.get_models() if issubclass(model, SyncedModel)]


def test_a_column_not_listed_is_read_from_its_servicetitan_key():
    mapping = Material.full_mapping()
    assert "add_on_member_price" not in Material.st_mapping
    assert mapping["add_on_member_price"] == "addOnMemberPrice"
    assert mapping["is_inventory"] == "isInventory"
    # `_st_id` is ServiceTitan's `Id`, as in write-through bodies.
    assert Location.full_mapping()["customer_st_id"] == "customerId"
    values = Location.values_from_payload({"id": 1, "customerId": "7", "taxZoneId": 3, "taxExempt": True})
    assert (values["customer_st_id"], values["tax_zone_id"], values["tax_exempt"]) == (7, 3, True)


def test_listed_entries_win_renames_paths_and_computed_sources_stay():
    mapping = Material.full_mapping()
    assert mapping["name"] == "displayName"
    assert mapping["vendor_name"] == "primaryVendor.vendorName"
    assert mapping["category_ids"] is Material.st_mapping["category_ids"]
    assert Location.full_mapping()["city"] == "address.city"
    # A model may map a shared column its own way (contacts have no `active`).
    assert Contact.full_mapping()["active"] is Contact.st_mapping["active"]
    assert list(Contact.full_mapping())[:3] == ["st_id", "st_modified_on", "active"]


@pytest.mark.parametrize("model", SYNCED_MODELS, ids=lambda model: model._meta.label)
def test_lazi_columns_are_never_mapped_and_every_other_column_is(model):
    mapping = model.full_mapping()
    columns = {field.name for field in model._meta.concrete_fields}
    unmapped = model.unmapped_columns()
    assert {"id", "tenant_id", "deleted", "synced_at"} <= unmapped
    assert not set(mapping) & unmapped
    assert set(mapping) | unmapped == columns
    for field in model._meta.concrete_fields:
        if field.is_relation or getattr(field, "generated", False):
            assert field.name not in mapping, field.name


def test_each_models_own_lazi_columns_are_declared_unmapped():
    assert {"depth", "path", "parent"} <= Category.unmapped_columns()
    assert {"materials_cost", "equipment_cost", "total_cost", "margin_percent", "markup_percent"} <= (
        Service.unmapped_columns()
    )
    assert {"margin_percent", "markup_percent"} <= Material.unmapped_columns()
    assert {"invoice_st_id", "invoice_date"} <= InvoiceItem.unmapped_columns()
    assert {"estimate_st_id", "status", "estimate_created_on", "sold_on"} <= EstimateItem.unmapped_columns()
    values = Category.values_from_payload({"id": 1, "name": "Pipes", "depth": 5, "path": "x"})
    assert "depth" not in values and "path" not in values


@pytest.mark.parametrize("entry", [{"depth": "depth"}, {"margin_percent": "margin"}, {"no_such_column": "x"}])
def test_mapping_an_unmapped_or_unknown_column_is_a_configuration_error(monkeypatch, entry):
    monkeypatch.setattr(Category, "st_mapping", {**Category.st_mapping, **entry})
    monkeypatch.delattr(Category, "_full_mapping", raising=False)  # the class's cache of its resolved mapping
    with pytest.raises(ImproperlyConfigured, match=next(iter(entry))):
        Category.full_mapping()


def test_the_sql_mapping_reads_the_same_resolved_mapping():
    compiled = {column: source for column, source, _ in Material.compiled_mapping()}
    assert compiled == Material.full_mapping()
    expression, _params = sql_mapping.column_expression(Material, "add_on_member_price")
    assert "addOnMemberPrice" in expression
    with pytest.raises(ValueError, match="not mapped"):
        sql_mapping.column_expression(Category, "depth")


def test_serializers_serve_the_resolved_columns():
    from crm.api.views import LocationViewSet

    fields = LocationViewSet.serializer_class().fields
    assert {"customer_st_id", "tax_zone_id", "city", "created_on"} <= set(fields)
    assert Location.mapped_columns() == [c for c in Location.full_mapping() if c not in SyncedModel.base_mapping]
