"""A service's rolled-up cost: its linked materials and equipment (quantity x their cost), stored on the service.

The sync's relation step calls `refresh_service_costs` after a page of services (their links were just replaced) or of
materials/equipment (their costs may have moved), and after each pricebook run (links resolved late). One UPDATE per
call, whatever the number of services: the service list then sorts and filters its margin by an indexed column.
On PostgreSQL that UPDATE joins one aggregate per link table and writes only the services whose cost moved (a page of
materials touches the services linking them, most of which keep their cost: no dead tuples, no index churn).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from pricebook.models import Service, ServiceEquipment, ServiceMaterial
from servicetitan.sync.bulk import AnyOf  # noqa: F401  (registers the `any_of` lookup used below)

_COST = DecimalField(max_digits=18, decimal_places=4)


def _linked_cost(link_model, target: str):
    """Σ quantity x cost of the service's linked (mirrored, not deleted) items, 0 without any."""
    total = (
        link_model.objects.filter(service=OuterRef("pk"), **{f"{target}__deleted": False})
        .order_by()
        .values("service")
        .annotate(total=Sum(F("quantity") * F(f"{target}__cost"), output_field=_COST))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=_COST), Value(0), output_field=_COST)


def refresh_service_costs(
    tenant_id: int,
    *,
    service_pks: Iterable[int] | None = None,
    material_st_ids: Iterable[int] | None = None,
    equipment_st_ids: Iterable[int] | None = None,
) -> int:
    """Recompute `materials_cost` and `equipment_cost` of the tenant's services (all of them, or those given or linked
    to the given materials/equipment). Returns how many services were updated."""
    services = Service.objects.filter(tenant_id=tenant_id)
    if service_pks is not None or material_st_ids is not None or equipment_st_ids is not None:
        # `any_of`: one array parameter on PostgreSQL (a page names thousands of items).
        wanted = Q(pk__any_of=list(service_pks or ()))
        if material_st_ids is not None:
            linked = ServiceMaterial.objects.filter(tenant_id=tenant_id, target_st_id__any_of=list(material_st_ids))
            wanted |= Q(pk__in=linked.values("service_id"))
        if equipment_st_ids is not None:
            linked = ServiceEquipment.objects.filter(tenant_id=tenant_id, target_st_id__any_of=list(equipment_st_ids))
            wanted |= Q(pk__in=linked.values("service_id"))
        services = services.filter(wanted)
    if connection.vendor == "postgresql":
        return _update_changed_costs(services)
    return services.update(
        materials_cost=_linked_cost(ServiceMaterial, "material"),
        equipment_cost=_linked_cost(ServiceEquipment, "equipment"),
    )


def _aggregate_sql(link_model, target: str) -> str:
    """Σ quantity x cost per service of one link table, over mirrored, not deleted targets (the services in `wanted`)."""
    q = connection.ops.quote_name
    link = link_model._meta
    target_model = link.get_field(target).related_model._meta
    return (
        f"SELECT l.{q(link.get_field('service').column)} AS service_id, "  # noqa: S608 - quoted model metadata
        # Rounded as the column stores it, so an unchanged cost compares equal and is not written again.
        f"ROUND(SUM(l.{q(link.get_field('quantity').column)} * t.{q(target_model.get_field('cost').column)}), "
        f"{_COST.decimal_places}) AS total "
        f"FROM {q(link.db_table)} l JOIN {q(target_model.db_table)} t "
        f"ON t.{q(target_model.pk.column)} = l.{q(link.get_field(target).column)} "
        f"AND NOT t.{q(target_model.get_field('deleted').column)} "
        f"WHERE l.{q(link.get_field('service').column)} IN (SELECT pk FROM wanted) "
        f"GROUP BY 1"
    )


def _update_changed_costs(services) -> int:
    """One UPDATE from the links' aggregates, writing only the services whose rolled-up cost differs."""
    q = connection.ops.quote_name
    meta = Service._meta
    pk, materials, equipment = (q(meta.get_field(name).column) for name in ("id", "materials_cost", "equipment_cost"))
    wanted_sql, params = services.order_by().values("pk").query.sql_with_params()
    # Identifiers come from model metadata (quoted), values only through parameters.
    sql = (
        f"WITH wanted (pk) AS MATERIALIZED ({wanted_sql}), "  # noqa: S608
        f"m AS ({_aggregate_sql(ServiceMaterial, 'material')}), "
        f"e AS ({_aggregate_sql(ServiceEquipment, 'equipment')}), "
        "costs AS (SELECT wanted.pk, COALESCE(m.total, 0) AS m_total, COALESCE(e.total, 0) AS e_total FROM wanted "
        "LEFT JOIN m ON m.service_id = wanted.pk LEFT JOIN e ON e.service_id = wanted.pk) "
        f"UPDATE {q(meta.db_table)} s SET {materials} = costs.m_total, {equipment} = costs.e_total FROM costs "
        f"WHERE s.{pk} = costs.pk AND (s.{materials} IS DISTINCT FROM costs.m_total "
        f"OR s.{equipment} IS DISTINCT FROM costs.e_total)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
