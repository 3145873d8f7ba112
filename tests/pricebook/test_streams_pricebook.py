"""The pricebook's stream declarations: the category tree expanded, relations rebuilt from ids, dangling links."""

import pytest

from pricebook.models import Category, Material, Service, ServiceMaterial, ServiceRecommendation
from pricebook.streams import expand_category
from servicetitan.sync.engine import rebuild_targets
from servicetitan.sync.streams import all_streams
from servicetitan.sync.upsert import upsert_records

TENANT = 7


def category(st_id, name, *, parent=None, kind="Materials", children=()):
    return {
        "id": st_id,
        "name": name,
        "active": True,
        "parentId": parent,
        "categoryType": kind,
        "modifiedOn": "2026-01-02T03:04:05.123456Z",
        "subcategories": list(children),
    }


def test_expand_category_flattens_the_tree_depth_first_filling_parent_and_type():
    leaf = {"id": 3, "name": "Copper", "active": True, "subcategories": None}
    tree = category(1, "Plumbing", children=[category(2, "Pipes", parent=None, kind="", children=[leaf])])

    rows = list(expand_category(tree))

    assert [row["id"] for row in rows] == [1, 2, 3]
    assert [row["parentId"] for row in rows] == [None, 1, 2]
    assert {row["categoryType"] for row in rows} == {"Materials"}
    assert all("subcategories" not in row for row in rows)
    assert tree["subcategories"][0]["parentId"] is None  # the fetched JSON itself is left alone


@pytest.mark.django_db
def test_categories_become_rows_with_parent_depth_and_path():
    stream = all_streams()["pricebook.categories"]
    tree = category(
        10, "HVAC", children=[category(11, "Filters", parent=10, children=[category(12, "Pleated", parent=11)])]
    )
    services = category(20, "Repairs", kind="Services")

    result = upsert_records(stream, [tree, services], TENANT)

    assert result.created == 4
    rows = {c.st_id: c for c in Category.objects.filter(tenant_id=TENANT).select_related("parent")}
    assert rows[12].path == "HVAC > Filters > Pleated"
    assert (rows[12].depth, rows[12].parent.st_id, rows[11].parent.st_id, rows[10].parent) == (2, 11, 10, None)
    assert rows[20].category_type == Category.CategoryType.SERVICES
    assert list(Category.objects.get(tenant_id=TENANT, st_id=10).children.values_list("st_id", flat=True)) == [11]

    # Renaming a parent renames every path below it.
    upsert_records(stream, [{**tree, "name": "Heating"}], TENANT)
    assert Category.objects.get(tenant_id=TENANT, st_id=12).path == "Heating > Filters > Pleated"


@pytest.mark.django_db
def test_a_parent_cycle_in_bad_data_does_not_hang():
    stream = all_streams()["pricebook.categories"]
    upsert_records(stream, [category(1, "A", parent=2), category(2, "B", parent=1)], TENANT)
    assert set(Category.objects.filter(tenant_id=TENANT).values_list("depth", flat=True)) <= set(range(60))


def material(st_id, **fields):
    return {
        "id": st_id,
        "code": f"M{st_id}",
        "displayName": f"Material {st_id}",
        "active": True,
        "price": 1.5,
        **fields,
    }


def service(st_id, **fields):
    return {"id": st_id, "code": f"S{st_id}", "displayName": f"Service {st_id}", "active": True, "price": 99, **fields}


@pytest.mark.django_db
def test_service_links_are_queryable_and_dangling_ones_resolve_when_their_target_arrives():
    streams = all_streams()
    upsert_records(streams["pricebook.categories"], [category(20, "Repairs", kind="Services")], TENANT)
    upsert_records(streams["pricebook.materials"], [material(100)], TENANT)
    upsert_records(
        streams["pricebook.services"],
        [
            service(
                200,
                categories=[{"id": 20, "name": "Repairs", "active": True}],
                serviceMaterials=[{"skuId": 100, "quantity": 2.5}, {"skuId": 101, "quantity": 1}],
                recommendations=[201, 100],
                upgrades=[201],
            )
        ],
        TENANT,
    )

    svc = Service.objects.get(tenant_id=TENANT, st_id=200)
    assert list(svc.categories.values_list("st_id", flat=True)) == [20]
    assert list(svc.linked_materials.values_list("st_id", flat=True)) == [100]
    assert str(ServiceMaterial.objects.get(service=svc, target_st_id=100).quantity) == "2.5000"
    assert ServiceMaterial.objects.get(service=svc, target_st_id=101).material is None  # kept, not lost
    assert list(Material.objects.get(st_id=100).linked_services.values_list("st_id", flat=True)) == [200]
    recommendation = ServiceRecommendation.objects.get(service=svc, target_st_id=100)
    assert recommendation.recommended_material.st_id == 100

    # Material 101 and service 201 arrive later: the links point at them after those runs.
    upsert_records(streams["pricebook.materials"], [material(101)], TENANT)
    upsert_records(streams["pricebook.services"], [service(201)], TENANT)
    streams["pricebook.services"].after_run(TENANT)

    assert sorted(svc.linked_materials.values_list("st_id", flat=True)) == [100, 101]
    assert list(svc.upgrade_services.values_list("st_id", flat=True)) == [201]
    assert list(svc.recommended_services.values_list("st_id", flat=True)) == [201]
    assert list(Service.objects.get(st_id=201).upgrade_of.values_list("st_id", flat=True)) == [200]

    # A changed service replaces its links; nothing is left behind.
    upsert_records(
        streams["pricebook.services"], [service(200, serviceMaterials=[{"skuId": 101, "quantity": 3}])], TENANT
    )
    assert list(svc.material_links.values_list("target_st_id", "material__st_id")) == [(101, 101)]
    assert not svc.upgrade_links.exists()
    assert not svc.categories.exists()


@pytest.mark.django_db
def test_master_columns_follow_the_reference_data_mapping():
    streams = all_streams()
    payload = material(
        300,
        description="Half-inch copper",
        cost=2.25,
        memberPrice=1.25,
        addOnPrice=1.1,
        hours=0.5,
        bonus=1,
        commissionBonus=2,
        paysCommission=True,
        deductAsJobCost=True,
        isInventory=True,
        unitOfMeasure="ft",
        categories=[],
        assets=[{"type": "Image", "url": "Images/a.png", "isDefault": True}],
        modifiedOn="2026-03-04T05:06:07.891Z",
    )
    upsert_records(streams["pricebook.materials"], [payload], TENANT)
    Material.objects.all().delete()
    rebuild_targets(["pricebook.materials"])

    row = Material.objects.get(tenant_id=TENANT, st_id=300)
    assert (row.code, row.name, row.description, row.unit_of_measure) == (
        "M300",
        "Material 300",
        "Half-inch copper",
        "ft",
    )
    assert [str(v) for v in (row.cost, row.price, row.member_price, row.add_on_price, row.hours)] == [
        "2.2500",
        "1.5000",
        "1.2500",
        "1.1000",
        "0.5000",
    ]
    assert (row.pays_commission, row.deduct_as_job_cost, row.is_inventory, row.active) == (True, True, True, True)
    assert row.images == payload["assets"]
    assert row.st_modified_on.isoformat() == "2026-03-04T05:06:07.891000+00:00"
