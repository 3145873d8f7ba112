"""The price history: changes made in ServiceTitan between two syncs, pushes (by whom), imports, and nothing else."""

from __future__ import annotations

from decimal import Decimal

from pricebook.models import Material, PricebookOverride, PriceHistory, Service
from pricebook.services.overrides import save_override
from pricebook.services.push import push_overrides
from pricebook.services.spreadsheets import apply_import
from servicetitan.sync.engine import sync_targets


def sync(*targets, full=False):
    runs = sync_targets(list(targets) or ["pricebook"], full=full)
    assert all(run.status == "succeeded" for run in runs), [(run.target, run.error) for run in runs]
    return runs


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def test_changes_made_in_servicetitan_between_two_syncs_are_recorded(synced):
    before = {m.st_id: m for m in Material.objects.all()}
    changed = synced.dataset.mutate("pricebook.materials", modify=3)["modified"]
    assert len(changed) == 3

    sync("pricebook.materials")

    rows = list(PriceHistory.objects.filter(item_type="material"))
    assert {row.st_pricebook_id for row in rows} == set(changed)
    assert all(row.source == "sync" and row.changed_by is None and row.batch is None for row in rows)
    for st_id in changed:
        record = synced.dataset.get("pricebook.materials", st_id)
        price = next(r for r in rows if r.st_pricebook_id == st_id and r.field == "price")
        assert price.old_value == before[st_id].price
        assert price.new_value == money(record["price"])
        assert price.new_value != price.old_value
        fields = {r.field for r in rows if r.st_pricebook_id == st_id}
        assert "cost" not in fields  # the simulator's mutation keeps the cost
        assert fields <= {"price", "member_price", "add_on_price"}


def test_services_are_tracked_too(synced):
    changed = synced.dataset.mutate("pricebook.services", modify=2)["modified"]
    sync("pricebook.services")
    assert set(PriceHistory.objects.filter(item_type="service").values_list("st_pricebook_id", flat=True)) == set(
        changed
    )
    assert Service.objects.filter(st_id__in=changed).count() == 2


def test_unchanged_syncs_record_nothing(synced):
    sync(full=True)
    sync()
    assert not PriceHistory.objects.exists()


def test_new_items_record_nothing(synced):
    created = synced.dataset.mutate("pricebook.materials", create=2)["created"]
    sync("pricebook.materials")
    assert Material.objects.filter(st_id__in=created).count() == 2
    assert not PriceHistory.objects.exists()


def test_a_push_records_who_changed_what(synced, editor):
    material = Material.objects.filter(active=True).order_by("st_id").first()
    old = material.price
    override = save_override(
        item_type="material", st_id=material.st_id, values={"price": Decimal("321.5")}, user=editor
    )
    push_overrides([override.pk], mode="single")

    (row,) = PriceHistory.objects.all()
    assert (row.st_pricebook_id, row.field, row.old_value, row.new_value) == (
        material.st_id,
        "price",
        old,
        Decimal("321.5"),
    )
    assert row.source == "push" and row.changed_by == editor and row.batch is None


def test_a_bulk_push_records_each_item(synced, editor):
    items = list(Material.objects.filter(active=True).order_by("st_id")[:3])
    ids = [
        save_override(item_type="material", st_id=m.st_id, values={"member_price": Decimal("1.25")}, user=editor).pk
        for m in items
    ]
    push_overrides(ids, mode="bulk")
    rows = PriceHistory.objects.filter(field="member_price")
    assert {r.st_pricebook_id for r in rows} == {m.st_id for m in items}
    assert {(r.source, r.changed_by_id) for r in rows} == {("push", editor.pk)}


def test_imported_values_are_recorded_as_import_once_pushed(synced, editor):
    material = Material.objects.filter(active=True).order_by("st_id").first()
    apply_import(
        "material", [{"st_id": material.st_id, "tenant_id": material.tenant_id, "values": {"price": "77.70"}}], editor
    )
    override = PricebookOverride.objects.get(st_pricebook_id=material.st_id, item_type="material")
    assert override.origin == "import"
    push_overrides([override.pk])
    (row,) = PriceHistory.objects.all()
    assert (row.source, row.new_value, row.changed_by) == ("import", Decimal("77.70"), editor)


def test_the_comparison_runs_in_sql_on_postgresql_and_in_python_elsewhere(synced, monkeypatch):
    from django.db import connection

    from pricebook.services import history

    used = []
    real_sql, real_python = history.changed_columns_sql, history.changed_columns

    def sql(*args):
        found = real_sql(*args)
        used.append("sql" if found is not None else "none")
        return found

    def python(*args):
        used.append("python")
        return real_python(*args)

    monkeypatch.setattr(history, "changed_columns_sql", sql)
    monkeypatch.setattr(history, "changed_columns", python)
    synced.dataset.mutate("pricebook.materials", modify=2)
    sync("pricebook.materials")
    assert used == (["sql"] if connection.vendor == "postgresql" else ["none", "python"])
    assert PriceHistory.objects.filter(source="sync").exists()


def test_the_api_serves_the_history_with_filters(synced, editor, client):
    changed = synced.dataset.mutate("pricebook.materials", modify=2)["modified"]
    sync("pricebook.materials")
    client.force_login(editor)
    everything = client.get("/api/v1/pricebook/history/").json()
    assert everything["count"] == PriceHistory.objects.count() > 0
    one = client.get(
        "/api/v1/pricebook/history/",
        {"item_type": "material", "st_pricebook_id": changed[0], "field": "price", "source": "sync"},
    ).json()
    assert one["count"] == 1
    row = one["results"][0]
    assert row["st_pricebook_id"] == changed[0] and row["field"] == "price" and row["changed_by"] is None
    assert Decimal(row["new_value"]) == money(synced.dataset.get("pricebook.materials", changed[0])["price"])
    later = client.get("/api/v1/pricebook/history/", {"changed_since": "2999-01-01T00:00:00Z"}).json()
    assert later["count"] == 0
    assert client.get("/api/v1/pricebook/history/", {"source": "push"}).json()["count"] == 0


def test_the_item_page_shows_the_history_table_and_chart(synced, admin_client):
    st_id = synced.dataset.mutate("pricebook.materials", modify=1)["modified"][0]
    sync("pricebook.materials")
    material = Material.objects.get(st_id=st_id)
    page = admin_client.get(f"/admin/pricebook/material/{material.pk}/change/").content.decode()
    assert "Price history" in page and "changed in ServiceTitan" in page
    assert '<svg class="pb-chart"' in page and "<polyline" in page
    row = PriceHistory.objects.get(st_pricebook_id=st_id, field="price")
    assert f"{row.new_value:.2f}" in page


def test_a_synced_override_changed_in_servicetitan_since_is_not_shown_as_synced(synced, editor, admin_client):
    material = Material.objects.filter(active=True).order_by("st_id").first()
    override = save_override(item_type="material", st_id=material.st_id, values={"price": Decimal("222")}, user=editor)
    push_overrides([override.pk])
    override.refresh_from_db()
    assert override.status == "synced"
    page = admin_client.get(f"/admin/pricebook/material/{material.pk}/change/").content.decode()
    assert "pb-drifted" not in page
    listing = admin_client.get("/admin/pricebook/material/", {"q": material.code}).content.decode()
    assert "pb-synced" in listing and "pb-drifted" not in listing

    # Someone changes the price in ServiceTitan; the next sync brings it.
    record = synced.dataset.get("pricebook.materials", material.st_id)
    assert record["price"] == 222
    synced.dataset.update("pricebook.materials", material.st_id, {"price": 250.0})
    sync("pricebook.materials")

    page = admin_client.get(f"/admin/pricebook/material/{material.pk}/change/").content.decode()
    assert "Changed in ServiceTitan." in page and "pb-drifted" in page
    listing = admin_client.get("/admin/pricebook/material/", {"q": material.code}).content.decode()
    assert "pb-drifted" in listing and "pb-synced" not in listing
    assert PriceHistory.objects.filter(st_pricebook_id=material.st_id, source="sync", new_value=250).exists()
