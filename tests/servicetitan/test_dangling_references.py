"""Dangling references are normal in a mirror (a job whose customer is not mirrored yet): Django's own tools work
with them on every relation — `dumpdata` / `loaddata`, the admin and the API."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from devtools.simulator import DEMO_TENANT_ID
from servicetitan.mirroring import MirrorRelation

pytestmark = pytest.mark.django_db
MODULES = ("pricebook", "crm", "jobs", "dispatch", "accounting", "inventory")
NOWHERE = 987_654_321


def relations(model) -> list[MirrorRelation]:
    return [field for field in model._meta.get_fields() if isinstance(field, MirrorRelation)]


def dangling_rows() -> dict:
    """One row per model with relations, every relation pointing at a record that is not mirrored."""
    rows = {}
    for app in MODULES:
        for model in apps.get_app_config(app).get_models():
            fields = relations(model)
            if not fields:
                continue
            columns = {field.from_fields[1]: NOWHERE for field in fields}
            st_id = (
                "00000000-0000-0000-0000-000000000001"
                if model._meta.get_field("st_id").get_internal_type() == "CharField"
                else 4242
            )
            rows[model] = model.objects.create(tenant_id=DEMO_TENANT_ID, st_id=st_id, **columns)
    return rows


def test_every_module_has_relations_to_test():
    assert {model._meta.app_label for model in dangling_rows()} >= {
        "crm",
        "jobs",
        "dispatch",
        "accounting",
        "inventory",
    }


def test_a_dangling_relation_reads_as_none():
    for model, row in dangling_rows().items():
        fresh = model.objects.get(pk=row.pk)
        for field in relations(model):
            assert getattr(fresh, field.name) is None, f"{model.__name__}.{field.name}"
        # select_related joins (LEFT OUTER) and finds nothing either
        joined = model.objects.select_related(*(field.name for field in relations(model))).get(pk=row.pk)
        assert all(getattr(joined, field.name) is None for field in relations(model))


@pytest.mark.parametrize("app", ("crm", "jobs", "dispatch", "accounting", "inventory"))
def test_dumpdata_and_loaddata_work_with_dangling_references(app, tmp_path):
    rows = {model: row for model, row in dangling_rows().items() if model._meta.app_label == app}
    out = io.StringIO()
    call_command("dumpdata", app, stdout=out)
    dumped = json.loads(out.getvalue())
    for model, row in rows.items():
        (entry,) = [e for e in dumped if e["model"] == model._meta.label_lower and e["pk"] == row.pk]
        for field in relations(model):
            assert entry["fields"][field.from_fields[1]] == NOWHERE
            assert field.name not in entry["fields"]
    fixture = tmp_path / "dump.json"
    fixture.write_text(out.getvalue())
    for model in rows:
        model.objects.all().delete()
    call_command("loaddata", str(fixture), verbosity=0)
    for model, row in rows.items():
        assert model.objects.filter(pk=row.pk, **{f.from_fields[1]: NOWHERE for f in relations(model)}).exists()


def test_admin_lists_and_pages_work_with_dangling_references(admin_client):
    for model, row in dangling_rows().items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        try:
            changelist = reverse(f"{name}_changelist")
        except NoReverseMatch:  # a model without an admin page
            continue
        assert admin_client.get(changelist).status_code == 200, changelist
        change = reverse(f"{name}_change", args=[row.pk])
        assert admin_client.get(change).status_code == 200, change


def test_api_lists_and_details_work_with_dangling_references(admin_client):
    rows = dangling_rows()
    checked = 0
    for app in MODULES:
        router = importlib.import_module(f"{app}.api.urls").router
        for prefix, viewset, _ in router.registry:
            model = getattr(getattr(viewset, "queryset", None), "model", None)
            if model not in rows:
                continue
            url = f"/api/v1/{app}/{prefix}/"
            listed = admin_client.get(url)
            assert listed.status_code == 200, url
            detail = admin_client.get(f"{url}{rows[model].st_id}/")
            assert detail.status_code == 200, f"{url}{rows[model].st_id}/"
            checked += 1
    assert checked >= 5
